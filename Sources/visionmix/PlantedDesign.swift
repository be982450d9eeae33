import ArgumentParser
import CNumerics
import Foundation
import Laws
import Planner
import Store
import VisionMixCore

/// The seed SD of `category` at the largest size of a calibration file: the root mean variance
/// over the groups of runs that differ only in their seed (one checkpoint of one size, mixture
/// and budget), among those with two or more seeds. Frozen-LM runs are another adaptation.
func calibrationSeedSD(csv: String, category: String) throws -> (sd: Double, groups: Int, params: Double) {
    let runs = try ResultFile.read(path: csv).runs.filter { $0.scores[category] != nil && $0.tokens > 0 }
    guard let largest = runs.map(\.params).max() else { throw UserError("\(csv) has no trained run with a \(category) score") }
    var groups: [String: [Double]] = [:]
    for r in runs where r.params == largest {
        let fields = (r.name ?? "").split(separator: "|").map(String.init)
        guard !fields.contains("frozen-lm") else { continue }
        let key = fields.filter { !$0.hasPrefix("seed ") }.joined(separator: "|") + "@\(r.tokens)"
        groups[key, default: []].append(r.scores[category]!)
    }
    let seeded = groups.values.filter { $0.count >= 2 }
    guard !seeded.isEmpty else { throw UserError("\(csv) has no run of \(category) repeated over seeds at its largest size") }
    let variances = seeded.map { xs -> Double in
        let m = xs.reduce(0, +) / Double(xs.count)
        return xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
    }
    return ((variances.reduce(0, +) / Double(variances.count)).squareRoot(), seeded.count, largest)
}

/// How a planted law reads the mixture: per-source weights, or the reasoning and visual shares
/// the sources' tags give it (as the paper's laws and the calibration's fits read mixtures),
/// quadratic in them or saturating.
enum PlantedSpace: String, ExpressibleByArgument, CaseIterable {
    case weights, shares
    case saturatingShares = "saturating-shares"
    /// The law family fitted to the runs: one that contains the planted law (shares), or the
    /// family nearest it that cannot hold it exactly (weights: the per-source family, which drops
    /// the reference source's term; saturating shares: the quadratic in the shares).
    var family: LawFamily { self == .weights ? .saturatingPerSource : .quadraticShares }
    /// The fewest runs the family is fitted to (its parameters plus two; six sources vary).
    var minimumRuns: Int { self == .weights ? 9 : 8 }
    /// The planted law, in words.
    var law: String {
        switch self {
        case .weights: "law of the weights"
        case .shares: "quadratic law of the shares"
        case .saturatingShares: "saturating law of the shares"
        }
    }
}

/// Where the adaptive design's first runs go before its first fit.
enum PlantedStart: String, ExpressibleByArgument, CaseIterable {
    case grid, maximin, dirichlet
    /// A maximin design among the draws nearest the uniform mixture (`--central-share` of them).
    case central
}

/// A known law over N, D and the six built-in sources' mixture with its optimum planted at a
/// random mixture (a flat Dirichlet draw, so anywhere in the simplex):
/// s = 45 − 8·n^−0.3 − 6·(1 + d)^−0.5 + n^0.2 · M · g(mixture), n and d relative to the target.
/// weights: g = Σ_j a_j (1 − exp(−w_j/ρ)); each term is concave, so the point where every
///   a_j/ρ · exp(−w_j/ρ) is equal, a_j = exp((w*_j − max w*)/ρ), is the one maximum.
/// shares: g = −(Δr, Δv) Q (Δr, Δv)ᵀ about the optimum's shares, Q positive definite.
/// saturating shares: g = Σ_j a_j (1 − exp(−s_j/ρ)) over the shares s = (r, v, 1 − r − v), the
///   weights' law over three groups instead of six sources: smooth, but not a quadratic.
/// M is set so the optimum beats the uniform mixture by a random 2–6 seed SDs (`--gap`).
struct PlantedProblem {
    static let params = 1.3736e6, tokens = 1e6
    let space: PlantedSpace
    let optimum: Mixture
    let a: [Double]
    let rho: Double
    let q: [Double]
    var scale = 1.0
    let gap: Double

    init(rng: UnsafeMutablePointer<gsl_rng>, sd: Double, space: PlantedSpace, gap gapRange: ClosedRange<Double> = 2...6) {
        var w = [Double](repeating: 0, count: 6)
        gsl_ran_dirichlet(rng, 6, [Double](repeating: 1, count: 6), &w)
        self.space = space
        optimum = try! Mixture(vector: w, catalogue: .builtin, scale: .fraction, normalise: true)
        let rho = 0.05 + 0.15 * gsl_rng_uniform(rng)
        self.rho = rho
        let terms = space == .saturatingShares ? Self.groupShares(optimum) : w, top = terms.max()!
        a = terms.map { exp(($0 - top) / rho) }
        // Curvatures along r and v within a factor of 4 of each other, correlation up to ±0.6.
        let qr = 1 + 3 * gsl_rng_uniform(rng), qv = 1 + 3 * gsl_rng_uniform(rng), c = (gsl_rng_uniform(rng) * 1.2 - 0.6) * (qr * qv).squareRoot()
        q = [qr, qv, c]
        gap = sd * (gapRange.lowerBound + (gapRange.upperBound - gapRange.lowerBound) * gsl_rng_uniform(rng))
        let raw = effect(optimum) - effect(Mixture.preset("uniform")!)
        scale = gap / max(raw, 1e-12)
    }

    /// g(mixture) before scaling.
    func effect(_ m: Mixture) -> Double {
        switch space {
        case .weights:
            let w = m.vector
            return zip(a, w).reduce(0) { $0 + $1.0 * (1 - exp(-$1.1 / rho)) }
        case .shares:
            let dr = m.reasoningShare! - optimum.reasoningShare!, dv = m.visualShare! - optimum.visualShare!
            return -(q[0] * dr * dr + q[1] * dv * dv + 2 * q[2] * dr * dv)
        case .saturatingShares:
            return zip(a, Self.groupShares(m)).reduce(0) { $0 + $1.0 * (1 - exp(-max($1.1, 0) / rho)) }
        }
    }

    /// The reasoning, visual and remaining shares of a mixture (per-source or shares only).
    static func groupShares(_ m: Mixture) -> [Double] {
        let r = m.reasoningShare!, v = m.visualShare!
        return [r, v, 1 - r - v]
    }

    /// The true score at a model size, budget and mixture (no seed noise).
    func truth(params: Double = Self.params, tokens: Double = Self.tokens, _ m: Mixture) -> Double {
        let n = params / Self.params, d = tokens / Self.tokens
        return 45 - 8 * pow(n, -0.3) - 6 * pow(1 + d, -0.5) + pow(n, 0.2) * scale * effect(m)
    }

    /// How much worse a mixture is than the planted optimum at the target scale.
    func regret(_ m: Mixture) -> Double { truth(optimum) - truth(m) }
}

/// The designs compared, each as a sequence of mixtures the runs are placed at.
enum PlantedDesigns {
    /// RegMix's design: mixtures drawn from a flat Dirichlet over the sources.
    static func dirichlet(_ rng: UnsafeMutablePointer<gsl_rng>, count: Int) -> [Mixture] {
        (0..<count).map { _ in
            var w = [Double](repeating: 0, count: 6)
            gsl_ran_dirichlet(rng, 6, [Double](repeating: 1, count: 6), &w)
            return try! Mixture(vector: w, catalogue: .builtin, scale: .fraction, normalise: true)
        }
    }

    /// A maximin design: from 2,000 flat Dirichlet draws, the one nearest the centre, then each
    /// next the draw farthest from those taken, so the runs spread over where mixtures are
    /// drawn without going to the simplex's corners.
    static func maximin(_ rng: UnsafeMutablePointer<gsl_rng>, count: Int) -> [Mixture] {
        mixtures(farthestFirst(dirichlet(rng, count: 2000).map(\.vector), limit: count))
    }

    /// A maximin design of the centre: as `maximin`, among the `share` of the 2,000 draws nearest
    /// the uniform mixture (the whole simplex's extremes left out).
    static func central(_ rng: UnsafeMutablePointer<gsl_rng>, count: Int, share: Double) -> [Mixture] {
        let centre = [Double](repeating: 1.0 / 6, count: 6)
        let kept = max(count, Int((2000 * share).rounded()))
        return mixtures(farthestFirst(SpaceFilling.nearest(dirichlet(rng, count: 2000).map(\.vector), to: centre, count: kept), limit: count))
    }

    /// Points of the six sources' simplex as mixtures.
    static func mixtures(_ points: [[Double]]) -> [Mixture] {
        points.map { try! Mixture(vector: $0, catalogue: .builtin, scale: .fraction, normalise: true) }
    }

    /// The points in a space-filling order: the one nearest the centre, then each the farthest from those taken.
    static func farthestFirst(_ points: [[Double]], limit: Int = .max) -> [[Double]] {
        SpaceFilling.farthestFirst(points, limit: limit).map { points[$0] }
    }

    /// Scheffé's {6, 3} simplex lattice (every weight a multiple of a third: 56 mixtures), in a
    /// space-filling order: from the lattice point nearest the centre, each next point the one
    /// farthest from those taken, so any first T of them spread over the simplex.
    static func lattice() -> [Mixture] {
        var points: [[Double]] = []
        func fill(_ prefix: [Int], _ left: Int) {
            if prefix.count == 5 { points.append((prefix + [left]).map { Double($0) / 3 }); return }
            for k in stride(from: left, through: 0, by: -1) { fill(prefix + [k], left - k) }
        }
        fill([], 3)
        return mixtures(farthestFirst(points))
    }
}

/// Fits the planted problem's runs as `fit` would (the family of `space`) and asks for the
/// recipe as `recommend` does by default: inside the hull of the measured mixtures, where the
/// law was fitted (outside it, a law fitted to a dozen runs sends the recipe to corners it knows
/// nothing of).
struct PlantedFit {
    static let category = "vqa_avg"
    var space: PlantedSpace
    var bootstrap: Int
    var candidates = 1000

    func laws(_ runs: [(m: Mixture, y: Double)], near: LocalFit? = nil) throws -> LawSet {
        let points = runs.map { LawPoint(params: PlantedProblem.params, tokens: PlantedProblem.tokens, mixture: $0.m, score: $0.y) }
        var options = FitOptions()
        options.bootstrap = bootstrap
        options.folds = 0
        options.near = near
        let fit = try fitPoints(points, category: Self.category, family: .family(space.family), options: options)
        return LawSet(fits: [fit.law], source: "planted")
    }

    func request() throws -> RecommendationRequest {
        var req = RecommendationRequest(objective: try Objective.parse(Self.category), baseline: Mixture.preset("uniform")!, baselineName: "uniform")
        req.candidates = candidates
        return req
    }

    /// The laws fitted to every run, refitted near their recipe as the adaptive sweep refits a
    /// law of the shares (`LocalFit.refitsNearRecipe`) when `bandwidth` is given.
    func lawsNearRecipe(_ runs: [(m: Mixture, y: Double)], bandwidth: Double?) -> LawSet? {
        guard let global = try? laws(runs) else { return nil }
        guard let bandwidth, LocalFit.refitsNearRecipe(space.family), let near = try? LocalFit(centre: recipe(global), bandwidth: bandwidth) else { return global }
        return (try? laws(runs, near: near)) ?? global
    }

    /// The recipe; the uniform mixture when the law cannot be fitted.
    func recipe(_ laws: LawSet?) -> Mixture {
        guard let laws, let r = try? laws.recommend(try request()) else { return Self.uniform }
        return (try? r.mixture(catalogue: .builtin)) ?? Self.uniform
    }

    static let uniform = Mixture.preset("uniform")!

    static func mixture(_ d: DesignMixture) -> Mixture {
        if let w = d.weights { return (try? Mixture(weights: w, catalogue: .builtin, scale: .fraction, normalise: true)) ?? uniform }
        return (try? Mixture(reasoningShare: d.reasoningShare ?? 0, visualShare: d.visualShare ?? 0)) ?? uniform
    }
}
