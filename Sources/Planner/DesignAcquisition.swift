import CNumerics
import Foundation
import VisionMixCore

/// A mixture the design may place runs at, and why it is a candidate.
struct DecisionMixture {
    enum Role { case recipe, baseline, optimum }
    var mixture: Mixture
    var point: [Double]
    var role: Role
    /// Replicates whose own optimum lies here (within a share point).
    var optimumOf: Int
}

/// The objective under a subset of the bootstrap ensemble: replicate `r` of every law of the
/// objective is one draw of the whole objective, as `probabilityBetter` pairs them.
struct DesignEnsemble {
    let laws: LawSet
    let plan: SearchPlan
    let request: DesignRequest
    /// The ensemble indices used, evenly spaced through it.
    let indices: [Int]

    init(laws: LawSet, plan: SearchPlan, request: DesignRequest) throws {
        self.laws = laws; self.plan = plan; self.request = request
        let probe = plan.box.mixture(plan.box.project([Double](repeating: 1 / Double(plan.box.dimension), count: plan.box.dimension)))
        let counts = try request.recommendation.objective.categories.map {
            try laws.law($0).ensemble(params: plan.params, tokens: plan.tokens, mixture: probe).count
        }
        let count = counts.min() ?? 0
        guard count >= 2 else {
            throw PlannerError.missing("the objective's laws carry no bootstrap ensemble, so there is no uncertainty to design runs against; refit with --bootstrap 200")
        }
        let r = max(2, min(request.replicates, count))
        indices = (0..<r).map { $0 * count / r }
    }

    var objective: Objective { request.recommendation.objective }

    /// The objective under each replicate used, at one mixture and scale.
    func values(_ m: Mixture, params: Double, tokens: Double) -> [Double] {
        var byCategory: [String: [Double]] = [:]
        for c in Set(objective.categories) {
            byCategory[c] = laws.laws[c]!.ensemble(params: params, tokens: tokens, mixture: m).map { Self.possible($0, category: c) }
        }
        return indices.map { b in objective.value(byCategory.mapValues { b < $0.count ? $0[b] : .nan }) }
    }

    /// Replicate `indices[r]`'s objective alone at the plan's scale.
    func replicateValue(_ r: Int, _ m: Mixture) -> Double {
        var s: [String: Double] = [:]
        for c in Set(objective.categories) {
            s[c] = Self.possible(laws.laws[c]!.replicate(indices[r], params: plan.params, tokens: plan.tokens, mixture: m), category: c)
        }
        return objective.value(s)
    }

    /// A replicate's value held to the values the category can take (an accuracy to 0–100%):
    /// far outside the fitted mixtures a law's form can run away (an exponential mixing law
    /// predicted 10²¹ points at a corner of the simplex), and a run there is valued by what the
    /// score could be, not by the form's overflow.
    static func possible(_ v: Double, category: String) -> Double {
        guard let b = MetricCatalogue.bounds(category), v.isFinite else { return v }
        return min(max(v, b.lowerBound), b.upperBound)
    }

    /// The recipe, the baseline and each replicate's optimum over the bounded simplex (the whole
    /// of it: a run is a measurement, so it may go where the law extrapolates). Each optimum is
    /// the replicate's best Dirichlet sample that meets the score constraints (by the laws'
    /// point predictions, as `recommend` judges them), refined by Nelder–Mead on that replicate.
    func decisionMixtures(recipe: Mixture, baseline: Mixture) -> [DecisionMixture] {
        var wide = request.recommendation
        wide.allowExtrapolation = true
        wide.candidates = request.candidates
        let search = RecipeSearch(request: wide, plan: plan, laws: laws)
        let pool = search.sample().filter(\.ok).map(\.w)
        let box = plan.box
        let table = pool.map { values(box.mixture($0), params: plan.params, tokens: plan.tokens) }
        var out = [DecisionMixture(mixture: recipe, point: box.point(recipe), role: .recipe, optimumOf: 0),
                   DecisionMixture(mixture: baseline, point: box.point(baseline), role: .baseline, optimumOf: 0)]
        for r in indices.indices {
            guard let start = pool.indices.filter({ table[$0][r].isFinite }).max(by: { table[$0][r] < table[$1][r] }) else { continue }
            let refined = refine(pool[start], box: box, iterations: 200) { w in
                let m = box.mixture(w)
                let v = replicateValue(r, m), violation = search.violation(search.scores(m))
                return v.isFinite ? -v + 1e3 * violation * (1 + violation) : 1e6
            }
            let better = replicateValue(r, box.mixture(refined)) > table[start][r] && search.violation(search.scores(box.mixture(refined))) == 0
            let w = better ? refined : pool[start]
            if let i = out.firstIndex(where: { zip($0.point, w).allSatisfy { abs($0 - $1) < 0.01 } }) {
                out[i].optimumOf += 1
            } else {
                out.append(DecisionMixture(mixture: box.mixture(w), point: w, role: .optimum, optimumOf: 1))
            }
        }
        return out
    }
}

/// The greedy choice of runs. The ensemble's replicates carry weights (uniform at first); a
/// measurement y at a run reweights them by its likelihood under each, exp(−(y − ŷ_r)²/2σ²),
/// so the replicates that predicted it survive. A decision's loss is the expected regret of
/// the mixture with the best weighted mean: Σ_r w_r (max_j O_r(j) − O_r(chosen)).
struct DesignAcquisition {
    struct Choice { var mixture: Int; var scale: Int; var index: Int }

    let mixtures: [DecisionMixture]
    let scales: [DesignScale]
    let noise: Double
    var weights: [Double]
    /// The objective at the plan's scale, [mixture][replicate], and each replicate's best.
    let targetValues: [[Double]]
    let best: [Double]
    /// The objective where a run would be measured, [mixture × scales + scale][replicate], then
    /// one row per probe (a run that is not a decision mixture, like a space-filling one).
    let predictions: [[Double]]
    /// Common random numbers for the simulated outcomes: every candidate is valued under the
    /// same draws, so their differences are not sampling noise.
    let draws: [(u: Double, e: Double)]

    init(ensemble: DesignEnsemble, mixtures: [DecisionMixture], scales: [DesignScale], target: DesignScale,
         noise: Double, fantasies: Int, seed: UInt64, probes: [(mixture: Mixture, scale: DesignScale)] = []) {
        self.mixtures = mixtures; self.scales = scales; self.noise = noise
        let r = ensemble.indices.count
        weights = [Double](repeating: 1 / Double(r), count: r)
        let target = mixtures.map { ensemble.values($0.mixture, params: target.params, tokens: target.tokens) }
        targetValues = target
        best = (0..<r).map { b in target.map { $0[b] }.filter(\.isFinite).max() ?? .nan }
        predictions = mixtures.flatMap { m in scales.map { ensemble.values(m.mixture, params: $0.params, tokens: $0.tokens) } }
            + probes.map { ensemble.values($0.mixture, params: $0.scale.params, tokens: $0.scale.tokens) }
        let rng = gsl_rng_alloc(gsl_rng_mt19937)!
        defer { gsl_rng_free(rng) }
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
        draws = (0..<max(1, fantasies)).map { _ in (gsl_rng_uniform(rng), gsl_ran_ugaussian(rng)) }
    }

    /// Expected regret and P(regret > noise) under `w` of mixture `fixed`, or by default of the
    /// decision the weights would make: the mixture with the best weighted mean.
    func loss(_ w: [Double], fixed: Int? = nil) -> (regret: Double, notBest: Double) {
        var chosen = fixed ?? 0, top = -Double.infinity
        for (j, row) in targetValues.enumerated() where fixed == nil {
            var mean = 0.0
            for (x, wr) in zip(row, w) { mean += wr * x }
            if mean.isFinite && mean > top { top = mean; chosen = j }
        }
        var regret = 0.0, notBest = 0.0
        for (b, wr) in w.enumerated() where best[b].isFinite && targetValues[chosen][b].isFinite {
            let gap = best[b] - targetValues[chosen][b]
            regret += wr * gap
            if gap > noise { notBest += wr }
        }
        return (regret, notBest)
    }

    /// `w` after measuring `y` at candidate `index`.
    func reweighted(_ w: [Double], index: Int, y: Double) -> [Double] {
        let p = predictions[index]
        let logs = w.indices.map { b in
            p[b].isFinite && w[b] > 0 ? log(w[b]) - (y - p[b]) * (y - p[b]) / (2 * noise * noise) : -Double.infinity
        }
        let top = logs.max() ?? 0
        guard top.isFinite else { return w }
        let e = logs.map { exp($0 - top) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// The expected loss after measuring candidate `index`, over the simulated outcomes.
    func expectedLoss(after index: Int) -> Double {
        var total = 0.0
        for d in draws {
            var acc = 0.0, b = weights.count - 1
            for (i, wr) in weights.enumerated() { acc += wr; if d.u < acc { b = i; break } }
            guard predictions[index][b].isFinite else { continue }
            total += loss(reweighted(weights, index: index, y: predictions[index][b] + noise * d.e)).regret
        }
        return total / Double(draws.count)
    }

    /// The candidate whose measurement most lowers the expected loss; ties go to the one the
    /// ensemble disagrees on most. A candidate already in the batch is taken again (as another
    /// seed) only when no other one is expected to lower the loss: a batch should spread.
    func chooseNext(excluding taken: Set<Int> = []) -> (Choice, after: Double) {
        let now = loss(weights).regret
        var pick = Choice(mixture: 0, scale: 0, index: 0), bestLoss = Double.infinity, bestSpread = -1.0
        for j in mixtures.indices {
            for s in scales.indices {
                let i = j * scales.count + s
                guard predictions[i].contains(where: \.isFinite), !taken.contains(i) else { continue }
                let after = expectedLoss(after: i), spread = weightedSD(i)
                if after < bestLoss - 1e-12 || (abs(after - bestLoss) <= 1e-12 && spread > bestSpread) {
                    pick = Choice(mixture: j, scale: s, index: i); bestLoss = after; bestSpread = spread
                }
            }
        }
        if !taken.isEmpty && !(bestLoss < now - 1e-12) { return chooseNext() }
        return (pick, bestLoss)
    }

    /// The central 90% of the replicates' values at a candidate under the current weights.
    func weightedRange(_ index: Int) -> Double {
        let pairs = zip(predictions[index], weights).filter { $0.0.isFinite && $0.1 > 0 }.sorted { $0.0 < $1.0 }
        guard let first = pairs.first else { return 0 }
        var acc = 0.0, lo = first.0, hi = pairs.last!.0, seenLow = false
        for (x, w) in pairs {
            acc += w
            if !seenLow && acc >= 0.05 { lo = x; seenLow = true }
            if acc >= 0.95 { hi = x; break }
        }
        return hi - lo
    }

    func weightedSD(_ index: Int) -> Double {
        let p = predictions[index]
        var m = 0.0, q = 0.0
        for (x, w) in zip(p, weights) where x.isFinite { m += w * x; q += w * x * x }
        return max(0, q - m * m).squareRoot()
    }

    /// Takes the chosen run as measured at the ensemble's weighted mean ("believer"): the
    /// replicates far from it lose weight, so the next pick goes where they still disagree.
    mutating func observeAtMean(_ index: Int) {
        weights = reweighted(weights, index: index, y: weightedMean(index))
    }

    func weightedMean(_ index: Int) -> Double {
        var mean = 0.0
        for (x, w) in zip(predictions[index], weights) where x.isFinite { mean += w * x }
        return mean
    }
}
