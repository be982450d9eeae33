import CNumerics
import Foundation
import VisionMixCore

/// The lack-of-fit check of a design's runs once they are measured: an out-of-sample,
/// posterior-predictive test of the law that designed them. Each run's measurement y is
/// compared with what the law fitted without it predicted, z = (y − m)/√(s² + σ²), m and s the
/// mean and SD of the bootstrap ensemble at the run and σ the seed SD of one run. Under a law
/// of the right form the z are about standard normal, so Σz² is about χ² with k degrees of
/// freedom (k runs); the check fails when the mean of z² exceeds χ²ₖ's 99% quantile over k.
/// A failed check means the designed runs, which go where the ensemble's optima are, landed
/// where the law is wrong in a way its refits cannot show.
public struct LackOfFit: Codable, Sendable, Equatable {
    /// The runs checked (measured designed runs).
    public var runs: Int
    /// Mean of z² over them.
    public var meanSquaredZ: Double
    /// χ²ₖ's `level` quantile over k: the largest mean z² the check passes.
    public var threshold: Double
    public var level: Double
    public var passed: Bool
    public var reason: String
    enum CodingKeys: String, CodingKey {
        case runs, threshold, level, passed, reason
        case meanSquaredZ = "mean_squared_z"
    }

    public static let level = 0.99

    /// The check of runs predicted as (mean, sd) by the ensemble, with seed SD `noise`, and
    /// measured as y; nil when no run has both a prediction and a measurement.
    public init?(_ checked: [(mean: Double, sd: Double, noise: Double, measured: Double?)], level: Double = Self.level) {
        var z2: [Double] = []
        for r in checked {
            guard let y = r.measured, y.isFinite, r.mean.isFinite, r.sd.isFinite, r.noise > 0 else { continue }
            z2.append((y - r.mean) * (y - r.mean) / (r.sd * r.sd + r.noise * r.noise))
        }
        guard !z2.isEmpty else { return nil }
        let k = Double(z2.count)
        runs = z2.count
        meanSquaredZ = z2.reduce(0, +) / k
        threshold = gsl_cdf_chisq_Pinv(level, k) / k
        self.level = level
        passed = meanSquaredZ <= threshold
        reason = String(format: "the laws fitted without each of the last %d designed run(s) predicted them with a mean squared z of %.2f (z against the ensemble's spread and the seed SD), %@ χ²'s %.0f%% bound of %.2f%@",
                        runs, meanSquaredZ, passed ? "within" : "above", level * 100, threshold,
                        passed ? "" : ": the law's form is wrong where it sent them, so this round's runs fill the space instead")
    }
}

extension RunDesign {
    /// The lack-of-fit check of this design's runs given their measurements (one per run, nil
    /// for a run not measured), against the predictions the design stored for them.
    public func lackOfFit(measured: [Double?]) -> LackOfFit? { LackOfFit(checked(measured: measured)) }

    /// The designed runs as the check reads them: predicted mean and SD, seed SD, measurement.
    public func checked(measured: [Double?]) -> [(mean: Double, sd: Double, noise: Double, measured: Double?)] {
        zip(runs, measured).map { ($0.ensembleMean ?? .nan, $0.ensembleSD ?? .nan, noise, $1) }
    }
}

extension LawSet {
    /// Space-filling runs: from flat Dirichlet draws of the bounded simplex that meet the score
    /// constraints (by the point fit), each the draw farthest from the mixtures the laws were
    /// fitted on and from the runs taken before it (maximin), at the target scale.
    func spaceFillingRuns(_ req: DesignRequest, ensemble: DesignEnsemble, target: DesignScale, check: LackOfFit,
                          regret: Double) -> [DesignedRun] {
        let plan = ensemble.plan, box = plan.box
        var wide = req.recommendation
        wide.allowExtrapolation = true
        let search = RecipeSearch(request: wide, plan: plan, laws: self)
        let rng = gsl_rng_alloc(gsl_rng_mt19937)!
        defer { gsl_rng_free(rng) }
        gsl_rng_set(rng, UInt(truncatingIfNeeded: req.recommendation.seed))
        var theta = [Double](repeating: 0, count: box.dimension)
        let ones = [Double](repeating: 1, count: box.dimension)
        let pool: [[Double]] = (0..<req.candidates).compactMap { _ in
            gsl_ran_dirichlet(rng, box.dimension, ones, &theta)
            let w = box.project(theta)
            return search.violation(search.scores(box.mixture(w))) == 0 ? w : nil
        }
        let made = plan.laws.flatMap { $0.anchors(in: box.space) }
        func dist(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        var nearest = pool.map { w in made.map { dist(w, $0) }.min() ?? .infinity }
        var out: [DesignedRun] = []
        for _ in 0..<req.runs {
            guard let i = pool.indices.max(by: { nearest[$0] < nearest[$1] }) else { break }
            let m = box.mixture(pool[i]), place = DesignMixture(m)
            let values = ensemble.values(m, params: target.params, tokens: target.tokens).filter(\.isFinite)
            let (mean, sd) = Self.meanSD(values)
            let sorted = values.sorted()
            let range = sorted.isEmpty ? 0 : sorted[Int(0.95 * Double(sorted.count - 1))] - sorted[Int(0.05 * Double(sorted.count - 1))]
            let reason = String(format: "space-filling: the mixture %.2f from every run made or designed (%d made); %@",
                                nearest[i], made.count, check.reason)
            out.append(DesignedRun(size: target.size, params: target.params, tokens: target.tokens, mixture: place, role: "space_filling",
                                   optimumOf: 0, predicted: mean, disagreement: range, expectedRegretBefore: regret, expectedRegretAfter: regret,
                                   reason: reason, ensembleMean: mean, ensembleSD: sd))
            for j in pool.indices { nearest[j] = min(nearest[j], dist(pool[j], pool[i])) }
        }
        return out
    }

    static func meanSD(_ xs: [Double]) -> (Double, Double) {
        guard !xs.isEmpty else { return (.nan, .nan) }
        let m = xs.reduce(0, +) / Double(xs.count)
        return (m, (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, xs.count - 1))).squareRoot())
    }
}
