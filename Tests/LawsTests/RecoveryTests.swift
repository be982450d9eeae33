import Foundation
import Testing
import VisionMixCore
@testable import Laws

/// A family with known parameters, on a design that identifies them: the data a recovery test
/// generates from the family itself.
struct PlantedLaw: Sendable, CustomTestStringConvertible {
    var family: LawFamily
    /// Inputs of the design's runs; their scores are generated.
    var design: @Sendable (RandomSource) -> [LawPoint]
    /// True parameters in the order `LawShape.make` gives the family on the design.
    var truth: [Double]
    var noise: Double
    var testDescription: String { family.rawValue }
}

private func grid(_ sizes: [Double], _ budgets: [Double]) -> [LawPoint] {
    sizes.flatMap { n in budgets.map { LawPoint(params: n, tokens: $0, score: 0) } }
}

private func mixtureRuns(_ count: Int, over catalogue: SourceCatalogue, params: Double, tokens: Double, rng: RandomSource) -> [LawPoint] {
    randomMixtures(count, over: catalogue, rng: rng).map { LawPoint(params: params, tokens: tokens, mixture: $0, score: 0) }
}

private let sizes: [Double] = [1e7, 3e7, 1e8, 3e8, 1e9]
private let perSource: [Double] = (1..<12).map { (i: Int) -> Double in -0.05 * Double(i % 4 + 1) }
private let chinchillaAdditive = PlantedLaw(family: .chinchillaAdditive, design: { _ in grid(sizes, [0, 1e9, 3e9, 1e10, 3e10, 1e11]) },
                                            truth: [60, 12, 0.4, 30, 0.05, 1.5], noise: 0.02)
private let logLinearN = PlantedLaw(family: .logLinearN, design: { _ in grid(sizes, [1e9, 1e10, 1e11]) },
                                    truth: [20, 1.5, 30, 2.5, 40, 3.5], noise: 0.02)
private let quadraticShares = PlantedLaw(family: .quadraticShares,
                                         design: { mixtureRuns(60, over: .builtin, params: 1e9, tokens: 1e11, rng: $0) },
                                         truth: [40, 12, -8, -30, -20, 10], noise: 0.002)
private let saturatingPerSource = PlantedLaw(family: .saturatingPerSource,
                                             design: { mixtureRuns(200, over: twelveSources, params: 1e6, tokens: 1e9, rng: $0) },
                                             truth: [3] + perSource + [0.05], noise: 0.002)
private let power1D = PlantedLaw(family: .power1D, design: { _ in
    [1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 2e8].map { (n: Double) in LawPoint(params: n, tokens: 1e10, score: 0) }
}, truth: [50, 20, 0.5], noise: 0.02)
private let sigmoidLog1D = PlantedLaw(family: .sigmoidLog1D, design: { _ in
    (0..<14).map { (i: Int) in LawPoint(params: 1e6 * pow(10, Double(i) / 4), tokens: 1e10, score: 0) }
}, truth: [30, 40, 2, -3], noise: 0.05)
private let planted: [PlantedLaw] = [chinchillaAdditive, logLinearN, quadraticShares, saturatingPerSource, power1D, sigmoidLog1D]

/// Each family, fitted to data generated from it with noise, gives back its parameters (the
/// other families have their own recovery tests: saturating_interaction, chinchilla_loss,
/// joint, mixing_exponential over twelve sources; kernel_ridge, which has no parameters to
/// recover, ranks held-out mixtures of a planted surface).
@Test(arguments: planted)
func everyFamilyRecoversItsOwnParameters(law: PlantedLaw) throws {
    let rng = RandomSource(seed: 17)
    var points = law.design(rng)
    let shape = try LawShape.make(law.family, points: points)
    try #require(shape.parameters.count == law.truth.count, "\(shape.parameterNames)")
    for i in points.indices {
        let p = points[i]
        points[i].score = shape.evaluate(law.truth, Features(params: p.params, tokens: p.tokens, mixture: p.mixture, shape: shape))
            + law.noise * rng.gaussian()
    }
    let fit = try fitPoints(points, category: "loss", family: .family(law.family), options: quickOptions(bootstrap: 0))
    #expect(fit.law.shape.parameterNames == shape.parameterNames)
    for (name, (got, want)) in zip(shape.parameterNames, zip(fit.law.parameters, law.truth)) {
        #expect(abs(got - want) <= 0.05 * max(abs(want), 1), "\(law.family) \(name): \(got) against \(want)")
    }
}
