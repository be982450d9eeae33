import CNumerics
import Foundation
import VisionMixCore

/// The search behind `recommend`, over one `SearchPlan`: the scores of a mixture under the
/// laws in use, whether it lies in their fitted range, how far it breaks the constraints,
/// the Dirichlet samples and the local refinement.
struct RecipeSearch {
    /// A sampled point of the space, its predicted scores, and whether it meets every constraint.
    typealias Candidate = (w: [Double], s: [String: Double], ok: Bool)

    let request: RecommendationRequest
    let plan: SearchPlan
    let laws: LawSet

    func scores(_ m: Mixture) -> [String: Double] {
        var s: [String: Double] = [:]
        for l in plan.laws { s[l.category] = l.predict(params: plan.params, tokens: plan.tokens, mixture: m) }
        return s
    }

    func inRange(_ m: Mixture) -> Bool {
        request.allowExtrapolation || !plan.laws.contains {
            $0.isExtrapolation(params: laws.defaultParams ?? plan.params, tokens: laws.defaultTokens ?? plan.tokens, mixture: m)
        }
    }

    func violation(_ s: [String: Double]) -> Double { request.constraints.reduce(0) { $0 + $1.violation(s[$1.category] ?? .nan) } }

    /// Dirichlet samples, each projected onto the bounds; those outside the fitted range are
    /// dropped unless extrapolation is allowed.
    func sample() -> [Candidate] {
        let box = plan.box, req = request
        let rng = gsl_rng_alloc(gsl_rng_mt19937)!
        defer { gsl_rng_free(rng) }
        gsl_rng_set(rng, UInt(truncatingIfNeeded: req.seed))
        var evaluated: [Candidate] = []
        evaluated.reserveCapacity(req.candidates)
        var alpha = [Double](repeating: 1, count: box.dimension)
        var theta = [Double](repeating: 0, count: box.dimension)
        // Inside the fitted range, every other candidate is a random convex combination of the
        // fitted mixtures: a thin hull (mixtures along a line) is never hit by chance in 6-D.
        let anchors = req.allowExtrapolation ? [] : plan.laws.map { $0.anchors(in: box.space) }.min { $0.count < $1.count } ?? []
        var lambda = [Double](repeating: 0, count: anchors.count)
        let ones = [Double](repeating: 1, count: anchors.count)
        for i in 0..<req.candidates {
            if anchors.count >= 2 && i % 2 == 1 {
                gsl_ran_dirichlet(rng, anchors.count, ones, &lambda)
                for j in theta.indices { theta[j] = 0 }
                for (k, a) in anchors.enumerated() { for j in theta.indices { theta[j] += lambda[k] * a[j] } }
            } else {
                // Mix concentrations: α=1 covers the simplex evenly, α=0.3 reaches its corners and edges.
                let a = i % 4 < 2 ? 1.0 : 0.3
                for j in alpha.indices { alpha[j] = a }
                gsl_ran_dirichlet(rng, box.dimension, alpha, &theta)
            }
            let w = box.project(theta)
            let m = box.mixture(w)
            guard inRange(m) else { continue }
            let s = scores(m)
            evaluated.append((w, s, violation(s) == 0 && req.objective.value(s).isFinite))
        }
        return evaluated
    }

    /// Nelder–Mead from the best sample; the refined point replaces it only where it is in
    /// range, meets every constraint and scores higher.
    func refined(from start: Candidate) -> (point: [Double], value: Double) {
        let box = plan.box, objective = request.objective
        let startValue = objective.value(start.s)
        let refined = refine(start.w, box: box) { w in
            let m = box.mixture(w)
            guard inRange(m) else { return 1e6 }
            let s = scores(m)
            let v = objective.value(s)
            return v.isFinite ? -v + 1e3 * violation(s) * (1 + violation(s)) : 1e6
        }
        let rm = box.mixture(refined)
        let rs = scores(rm)
        if inRange(rm) && violation(rs) == 0 && objective.value(rs) > startValue { return (refined, objective.value(rs)) }
        return (start.w, startValue)
    }
}
