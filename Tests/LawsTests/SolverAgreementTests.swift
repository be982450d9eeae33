import Foundation
import Testing
import Store
import VisionMixCore
@testable import Laws

/// Every least-squares family fitted to the shipped data (the paper's scaling and mixture
/// results, the standard calibration) by the fitter's Levenberg–Marquardt and by GSL's trust
/// region from the same starts: the two take the same steps up to rounding, so they reach the
/// same best objective and the same parameters (193 fits: SSRs within 3e-8 of each other,
/// parameters within 1.3e-4, relative to the parameter or to 10⁻³ when smaller, the largest
/// in a flat direction of chinchilla_additive).
@Test(.timeLimit(.minutes(10))) func theFittersSolverAgreesWithGSLsOnTheShippedData() throws {
    let sets: [(file: String, mix: String?)] = [
        (referencePath("paper-scaling.csv"), "web_crawl=100"), (referencePath("paper-mixtures.csv"), nil),
        (repoRoot.appendingPathComponent("data/calibration/standard.csv").path, nil),
    ]
    var compared = 0, worstSSR = 0.0, worstParameter = 0.0
    var worstWhere = ""
    for set in sets {
        let m = try set.mix.map { try MixtureSpec.parse($0).mixture }
        let runs = try ResultFile.read(path: set.file, defaultMixture: m).runs
        let categories = Set(runs.flatMap { $0.scores.keys }).sorted()
        for category in categories {
            let points = runs.compactMap { r in
                r.scores[category].map { LawPoint(params: r.params, tokens: r.tokens, mixture: r.mixture, score: $0) }
            }
            for family in LawFamily.allCases where family != .kernelRidge && family != .ladderSigmoid {
                guard let shape = try? LawShape.make(family, points: points, axis: nil) else { continue }
                let lm = quickOptions(bootstrap: 0)
                var gsl = lm
                gsl.method = .gsl
                guard let a = try? fitParameters(shape, points: points, options: lm),
                      let b = try? fitParameters(shape, points: points, options: gsl) else { continue }
                compared += 1
                let dSSR = abs(a.ssr - b.ssr) / max(b.ssr, 1e-300)
                #expect(dSSR <= 1e-6, "\(family) on \(category): SSR \(a.ssr) against GSL's \(b.ssr)")
                let dParameter = zip(a.params, b.params).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? 0
                #expect(dParameter <= 1e-3, "\(family) on \(category): parameters \(a.params) against GSL's \(b.params)")
                if dSSR > worstSSR { worstSSR = dSSR }
                if dParameter > worstParameter { worstParameter = dParameter; worstWhere = "\(family) on \(category) (\(URL(fileURLWithPath: set.file).lastPathComponent))" }
            }
        }
    }
    print("solver agreement: \(compared) fits, worst relative SSR difference \(worstSSR), worst relative parameter difference \(worstParameter) (\(worstWhere))")
    #expect(compared >= 30)
}
