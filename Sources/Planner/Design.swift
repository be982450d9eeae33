import CNumerics
import Foundation
import Laws
import VisionMixCore

/// A scale a designed run may be placed at: a model size (as the trainer names it, or a
/// parameter count) and a token budget.
public struct DesignScale: Codable, Sendable, Equatable {
    public var size: String
    public var params: Double
    public var tokens: Double
    public init(size: String, params: Double, tokens: Double) { self.size = size; self.params = params; self.tokens = tokens }
}

/// How `design next` places its runs.
public enum DesignStrategy: String, Codable, Sendable, CaseIterable {
    /// Where a simulated measurement most lowers the recipe's expected regret under the
    /// bootstrap ensemble (the ensemble's own optima, the recipe, the baseline).
    case regret
    /// Spread over the bounded simplex (for a law of the shares, over the recipe's
    /// neighbourhood): each run the mixture farthest from every mixture the laws were fitted on
    /// and every run designed before it (maximin), at the target scale. It
    /// does not lean on the law's form, which the ensemble's refits all share: where that form is
    /// wrong, the ensemble's spread is narrow exactly where its optima send the runs.
    case spaceFilling = "space-filling"

    /// What `design next` and `sweep run --adaptive` use unless told: space-filling, which on
    /// bench/design's planted problems matched the regret strategy where the fitted form holds
    /// the law and beat it and Dirichlet sampling where the form only approximates it, while the
    /// regret strategy's recipe got worse round by round (docs/performance.md, "Run designs").
    public static let standard = DesignStrategy.spaceFilling
}

/// What `design next` asks: the recommendation whose uncertainty the runs should reduce, how
/// many runs, where they may go, and how noisy one run is.
public struct DesignRequest: Sendable {
    public var recommendation: RecommendationRequest
    public var runs: Int
    /// Scales runs may be placed at; empty means the recommendation's own size and budget.
    public var scales: [DesignScale] = []
    /// The name of the recommendation's size, for the runs placed there.
    public var targetSize: String?
    /// The seed SD of one run's objective: how far one measurement can tell replicates apart.
    public var noise: Double
    /// Bootstrap replicates used (evenly spaced through the ensemble): each is one Thompson draw.
    public var replicates = 64
    /// Dirichlet samples searched for the replicates' optima.
    public var candidates = 2000
    /// Simulated outcomes per candidate run when valuing it.
    public var fantasies = 32
    public var strategy = DesignStrategy.standard

    public init(recommendation: RecommendationRequest, runs: Int, noise: Double) {
        self.recommendation = recommendation; self.runs = runs; self.noise = noise
    }
}

/// A mixture as a designed run or the recipe gives it.
public struct DesignMixture: Codable, Sendable {
    /// Fractions per source; nil in the shares space.
    public var weights: [String: Double]?
    public var sources: [String]?
    public var reasoningShare: Double?
    public var visualShare: Double?
    enum CodingKeys: String, CodingKey { case weights, sources, reasoningShare = "reasoning_share", visualShare = "visual_share" }

    public init(_ m: Mixture) {
        weights = m.weights; sources = m.isSharesOnly ? nil : m.catalogue.names
        reasoningShare = m.reasoningShare; visualShare = m.visualShare
    }

    /// "reasoning 60% visual 20%", or the two largest sources when there are no tag shares.
    public var place: String {
        if let r = reasoningShare, let v = visualShare { return String(format: "reasoning %.0f%% visual %.0f%%", r * 100, v * 100) }
        let top = (sources ?? []).compactMap { s in weights?[s].map { (s, $0) } }.sorted { $0.1 > $1.1 }.prefix(2)
        return top.map { String(format: "%@ %.0f%%", $0.0, $0.1 * 100) }.joined(separator: " ")
    }
}

/// One run chosen by `design next`, with why.
public struct DesignedRun: Codable, Sendable {
    public var size: String
    public var params: Double
    public var tokens: Double
    public var mixture: DesignMixture
    /// `replicate_optimum` (the best mixture of some bootstrap refits), `recipe`, `baseline` or
    /// `space_filling`.
    public var role: String
    /// Of the replicates used, how many put their optimum here.
    public var optimumOf: Int
    /// The ensemble's mean objective at this run, and the width of its central 90%, both under
    /// the replicates' weights once the runs chosen before it are taken as measured.
    public var predicted: Double
    public var disagreement: Double
    /// The expected regret of the mixture with the best ensemble mean among the candidates (the
    /// recipe searches only the fitted hull, so it can differ), before this run and after it,
    /// the runs chosen before it taken as measured.
    public var expectedRegretBefore: Double
    public var expectedRegretAfter: Double
    public var reason: String
    enum CodingKeys: String, CodingKey {
        case size, params, tokens, mixture, role, predicted, disagreement, reason
        case optimumOf = "optimum_of", expectedRegretBefore = "expected_regret_before", expectedRegretAfter = "expected_regret_after"
    }
}

/// The answer to `design next`: the runs, and the state of the decision they are meant to settle.
public struct RunDesign: Codable, Sendable {
    public var source: String
    public var objective: String
    public var params: Double
    public var tokens: Double
    public var recipe: DesignMixture
    public var baseline: String
    /// Share of bootstrap refits in which the recipe beats the baseline (as `recommend`).
    public var probabilityBeatsBaseline: Double?
    /// Share of the replicates used whose own optimum beats the recipe by more than `noise`.
    public var probabilityNotBest: Double
    /// Mean over replicates of (their optimum − the recipe), in objective points.
    public var expectedRegret: Double
    /// The expected regret once every chosen run is measured, each at the ensemble's mean.
    public var expectedRegretAfter: Double
    public var noise: Double
    public var replicates: Int
    /// Distinct mixtures (replicate optima, recipe, baseline) the runs were chosen among.
    public var mixturesConsidered: Int
    /// How the runs were placed; absent in a stored design means `regret`.
    public var strategy: DesignStrategy?
    public var runs: [DesignedRun]
    /// Reasons to doubt the laws the runs were designed from (`recommend`'s lack-of-fit
    /// warnings); absent when there are none.
    public var warnings: [String]?
    enum CodingKeys: String, CodingKey {
        case source, objective, params, tokens, recipe, baseline, noise, replicates, runs, strategy, warnings
        case probabilityBeatsBaseline = "probability_beats_baseline", probabilityNotBest = "probability_not_best"
        case expectedRegret = "expected_regret", expectedRegretAfter = "expected_regret_after"
        case mixturesConsidered = "mixtures_considered"
    }
}

extension LawSet {
    /// The runs that most reduce the recipe's expected regret under the bootstrap ensemble
    /// (docs/planner.md, "design next"): each replicate's own optimum is a candidate mixture
    /// (ensemble Thompson sampling), as are the recipe and the baseline, at every allowed scale;
    /// runs are chosen greedily by the expected drop in regret when the ensemble is reweighted
    /// by a simulated measurement, each chosen run then taken as measured at the ensemble's mean.
    public func designRuns(_ req: DesignRequest) throws -> RunDesign {
        guard req.runs >= 1 else { throw PlannerError.missing("the number of runs must be at least 1") }
        guard req.noise.isFinite, req.noise > 0 else { throw PlannerError.missing("the seed SD (noise) must be a positive number") }
        let recipe = try recommend(req.recommendation)
        let plan = try searchPlan(for: req.recommendation)
        let ensemble = try DesignEnsemble(laws: self, plan: plan, request: req)
        let recipeMixture = try recipe.mixture(catalogue: catalogue)
        let baseline = plan.box.space == .shares
            ? try Mixture(reasoningShare: req.recommendation.baseline.reasoningShare!, visualShare: req.recommendation.baseline.visualShare!)
            : req.recommendation.baseline
        let mixtures = ensemble.decisionMixtures(recipe: recipeMixture, baseline: baseline)
        let target = DesignScale(size: req.targetSize ?? Quantity.format(plan.params), params: plan.params, tokens: plan.tokens)
        let scales = try linkedScales(req.scales.isEmpty ? [target] : req.scales, target: target, recipe: recipeMixture, objective: req.recommendation.objective)
        let probes = req.strategy == .spaceFilling ? spaceFillingMixtures(req, plan: plan, recipe: recipeMixture) : []
        let probeScale = scales.contains(target) ? target : scales[0]
        var acquisition = DesignAcquisition(ensemble: ensemble, mixtures: mixtures, scales: scales, target: target,
                                            noise: req.noise, fantasies: req.fantasies, seed: req.recommendation.seed,
                                            probes: probes.map { ($0.mixture, probeScale) })
        // The recipe is mixture 0; its regret is what the runs are meant to settle.
        let before = acquisition.loss(acquisition.weights, fixed: 0)
        var runs: [DesignedRun] = [], taken = Set<Int>()
        switch req.strategy {
        case .regret:
            for _ in 0..<req.runs {
                let (choice, after) = acquisition.chooseNext(excluding: taken)
                runs.append(describe(choice, acquisition: acquisition, after: after))
                acquisition.observeAtMean(choice.index)
                taken.insert(choice.index)
            }
        case .spaceFilling:
            for (k, probe) in probes.enumerated() {
                let index = mixtures.count * scales.count + k
                let after = acquisition.expectedLoss(after: index)
                let outside = extrapolates(req.recommendation.objective, at: probeScale, mixture: probe.mixture)
                runs.append(describe(probe: probe, index: index, scale: probeScale, acquisition: acquisition, after: after, outside: outside))
                acquisition.observeAtMean(index)
            }
        }
        let final = acquisition.loss(acquisition.weights)
        return RunDesign(source: source, objective: req.recommendation.objective.text, params: plan.params, tokens: plan.tokens,
                         recipe: DesignMixture(recipeMixture), baseline: req.recommendation.baselineName,
                         probabilityBeatsBaseline: recipe.baseline.probabilityBetter,
                         probabilityNotBest: before.notBest, expectedRegret: before.regret, expectedRegretAfter: final.regret,
                         noise: req.noise, replicates: ensemble.indices.count, mixturesConsidered: mixtures.count + probes.count,
                         strategy: req.strategy, runs: runs, warnings: designWarnings(recipe.warnings, strategy: req.strategy))
    }

    /// The recipe's warnings, and for the regret strategy what a wrong form does to it: its runs
    /// go where the refits disagree, which trusts the form they share (docs/planner.md).
    func designWarnings(_ recipeWarnings: [String], strategy: DesignStrategy) -> [String]? {
        guard !recipeWarnings.isEmpty else { return nil }
        return recipeWarnings + (strategy == .regret
            ? ["the regret strategy places runs where the bootstrap refits disagree, which trusts the form they share; "
               + "where that form misses the runs, --strategy space-filling does not"] : [])
    }

    /// The scales whose runs the objective's laws tie to the target: those where the laws read
    /// the recipe as they read it at the target. A law fitted at one size (every mixture law)
    /// extrapolates at any other, where its refits would only repeat their values at the target
    /// and a run there would be judged as if it had been made at the target.
    func linkedScales(_ scales: [DesignScale], target: DesignScale, recipe: Mixture, objective: Objective) throws -> [DesignScale] {
        func extrapolates(_ s: DesignScale) -> Bool { self.extrapolates(objective, at: s, mixture: recipe) }
        let atTarget = extrapolates(target)
        let linked = scales.filter { extrapolates($0) == atTarget }
        guard !linked.isEmpty else {
            throw PlannerError.missing("the laws of \(objective.text) were not fitted at " + scales.map(\.size).joined(separator: ", ")
                                       + ", so runs there say nothing the laws can use; give the size and budget they were fitted at (\(target.size), \(Quantity.format(target.tokens)))")
        }
        return linked
    }

    /// Whether any law of `objective` extrapolates at a scale and mixture (outside the sizes,
    /// budgets or mixtures it was fitted on).
    func extrapolates(_ objective: Objective, at s: DesignScale, mixture: Mixture) -> Bool {
        objective.categories.compactMap { laws[$0] }.contains { $0.isExtrapolation(params: s.params, tokens: s.tokens, mixture: mixture) }
    }

    /// A chosen run with its one-line reason, in the numbers that chose it.
    func describe(_ c: DesignAcquisition.Choice, acquisition a: DesignAcquisition, after: Double) -> DesignedRun {
        let m = a.mixtures[c.mixture], scale = a.scales[c.scale]
        let mean = a.weightedMean(c.index)
        let spread = a.weightedRange(c.index)
        let before = a.loss(a.weights).regret
        let place = DesignMixture(m.mixture)
        let role: String, what: String
        switch m.role {
        case .recipe: role = "recipe"; what = "the current recipe"
        case .baseline: role = "baseline"; what = "the baseline"
        case .optimum: role = "replicate_optimum"; what = "the optimum of \(m.optimumOf) of \(a.weights.count) bootstrap refits"
        }
        let reason = String(format: "the ensemble disagrees by %.1f points near %@ at %@ (%@); expected regret of the ensemble's best mixture %.2f → %.2f points",
                            spread, place.place, scale.size, what, before, after)
        return DesignedRun(size: scale.size, params: scale.params, tokens: scale.tokens, mixture: place, role: role,
                           optimumOf: m.optimumOf, predicted: mean, disagreement: spread,
                           expectedRegretBefore: before, expectedRegretAfter: after, reason: reason)
    }
}

extension LawSet {
    /// A mixture for a space-filling run, and how far it lies from the mixtures made and
    /// designed before it (Euclidean, in the search space's coordinates).
    struct SpaceFillingMixture {
        var mixture: Mixture; var distance: Double; var made: Int; var nearRecipe: Bool

        /// How far the run lies from what came before it, in words. Laws that record no fitted
        /// mixtures (written by hand, not fitted) leave the first run nothing to be far from.
        func whereItLies(_ place: String) -> String {
            if !distance.isFinite { return "\(place) is the first run placed (the laws record no fitted mixtures)" }
            if made == 0 { return String(format: "%@ lies %.2f from the runs before it (the laws record no fitted mixtures)", place, distance) }
            return String(format: "%@ lies %.2f from the %d mixtures the laws were fitted on and the runs before it", place, distance, made)
        }
    }

    /// The share of the draws nearest the recipe that space-filling runs in the shares space are
    /// chosen among. A quadratic in the shares is a response surface, a local approximation:
    /// runs at the simplex's edges fit its curvature where the recipe is not, and a law the
    /// quadratic cannot hold exactly is then recommended worst (docs/performance.md, "Run designs").
    /// A law of the per-source weights is a global form, fitted best from runs over the whole
    /// space.
    static let nearRecipeShare = 0.1

    /// `req.runs` space-filling mixtures: from `req.candidates` flat Dirichlet draws of the
    /// bounded simplex that meet the score constraints (by the point fit), in the shares space
    /// the tenth nearest the recipe, farthest first from the mixtures the laws were fitted on
    /// (`SpaceFilling.farthestFirst`).
    func spaceFillingMixtures(_ req: DesignRequest, plan: SearchPlan, recipe: Mixture) -> [SpaceFillingMixture] {
        let box = plan.box
        var wide = req.recommendation
        wide.allowExtrapolation = true
        let search = RecipeSearch(request: wide, plan: plan, laws: self)
        let rng = gsl_rng_alloc(gsl_rng_mt19937)!
        defer { gsl_rng_free(rng) }
        gsl_rng_set(rng, UInt(truncatingIfNeeded: req.recommendation.seed))
        var theta = [Double](repeating: 0, count: box.dimension)
        let ones = [Double](repeating: 1, count: box.dimension)
        var pool: [[Double]] = (0..<req.candidates).compactMap { _ in
            gsl_ran_dirichlet(rng, box.dimension, ones, &theta)
            let w = box.project(theta)
            return search.violation(search.scores(box.mixture(w))) == 0 ? w : nil
        }
        let nearRecipe = box.space == .shares
        if nearRecipe {
            let kept = max(req.runs, Int((Double(pool.count) * Self.nearRecipeShare).rounded()))
            pool = SpaceFilling.nearest(pool, to: box.point(recipe), count: kept)
        }
        var made: [[Double]] = []
        for p in plan.laws.flatMap({ $0.anchors(in: box.space) }) where !made.contains(p) { made.append(p) }
        var taken = made
        return SpaceFilling.farthestFirst(pool, taken: made, limit: req.runs).map { i in
            let distance = taken.map { SpaceFilling.distance(pool[i], $0) }.min() ?? .infinity
            taken.append(pool[i])
            return SpaceFillingMixture(mixture: box.mixture(pool[i]), distance: distance, made: made.count, nearRecipe: nearRecipe)
        }
    }

    /// A space-filling run with its one-line reason.
    func describe(probe: SpaceFillingMixture, index: Int, scale: DesignScale, acquisition a: DesignAcquisition, after: Double,
                  outside: Bool) -> DesignedRun {
        let place = DesignMixture(probe.mixture), before = a.loss(a.weights).regret, spread = a.weightedRange(index)
        let reason = String(format: "space-filling%@: %@; the ensemble disagrees by %.1f points there at %@%@; expected regret of the ensemble's best mixture %.2f → %.2f points",
                            probe.nearRecipe ? " near the recipe" : "", probe.whereItLies(place.place), spread, scale.size,
                            outside ? " (outside the fitted mixtures: the laws extrapolate)" : "", before, after)
        return DesignedRun(size: scale.size, params: scale.params, tokens: scale.tokens, mixture: place, role: "space_filling",
                           optimumOf: 0, predicted: a.weightedMean(index), disagreement: spread,
                           expectedRegretBefore: before, expectedRegretAfter: after, reason: reason)
    }
}

extension Recipe {
    /// The recipe's mixture over `catalogue` (its pair of shares in the shares space).
    public func mixture(catalogue: SourceCatalogue) throws -> Mixture {
        if let w = weights { return try Mixture(weights: w, catalogue: catalogue, scale: .fraction, normalise: true) }
        return try Mixture(reasoningShare: reasoningShare ?? 0, visualShare: visualShare ?? 0)
    }
}

extension DesignRequest {
    /// The objective's seed SD read from its fits' residuals, √Σ (weight · RMSE)², taking each
    /// category's fit that reads the mixture when there is one; nil when a category has no fit
    /// or the residuals are all zero.
    public static func residualSD(_ objective: Objective, fits: [FitResult]) -> Double? {
        var variance = 0.0
        for t in objective.terms {
            guard let f = fits.last(where: { $0.category == t.category && $0.law.dependsOnMixture }) ?? fits.last(where: { $0.category == t.category })
            else { return nil }
            variance += t.weight * t.weight * f.train.rmse * f.train.rmse
        }
        return variance > 0 ? variance.squareRoot() : nil
    }
}
