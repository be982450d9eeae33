import CNumerics
import Foundation
import VisionMixCore

/// What a user asks of `recommend`.
public struct RecommendationRequest: Sendable {
    /// Candidates sampled when a request names no number.
    public static let defaultCandidates = 10_000

    public var objective: Objective
    public var constraints: [ScoreConstraint] = []
    public var bounds: [MixtureBound] = []
    public var available: [SourceAvailability] = []
    public var maxEpochs: Double = 4
    public var params: Double?
    public var tokens: Double?
    public var baseline: Mixture
    public var baselineName: String
    public var candidates: Int = RecommendationRequest.defaultCandidates
    public var seed: UInt64 = 1
    /// The language category on the other axis of the Pareto front.
    public var languageCategory: String?
    /// Also search mixtures outside the range the laws were fitted on.
    public var allowExtrapolation = false

    public init(objective: Objective, baseline: Mixture, baselineName: String) {
        self.objective = objective; self.baseline = baseline; self.baselineName = baselineName
    }

    /// The baseline a request names none: the paper's language-favourable mixture for the
    /// built-in sources; otherwise each source by its available tokens when the catalogue states
    /// them (`natural`), else every source alike (`uniform`).
    public static func defaultBaseline(for catalogue: SourceCatalogue) -> String {
        catalogue.isBuiltin ? "language_favorable" : (catalogue.hasAvailableTokens ? "natural" : "uniform")
    }

    /// The request as it is kept beside a stored recommendation.
    public var summary: [String: JSONValue] {
        var s: [String: JSONValue] = ["objective": .string(objective.text), "baseline": .string(baselineName),
                                      "constraints": .array(constraints.map { .string($0.description) }),
                                      "max_epochs": .number(maxEpochs), "candidates": .number(Double(candidates))]
        if !bounds.isEmpty { s["bounds"] = .string(bounds.map(\.description).joined(separator: ",")) }
        if !available.isEmpty { s["available"] = .string(available.map(\.description).joined(separator: ",")) }
        return s
    }
}

/// A recommendation resolved against the laws: the laws it reads, the language axis of its
/// Pareto front, the size and budget it plans for, and the bounded simplex it searches.
public struct SearchPlan: Sendable {
    public var laws: [any CategoryLaw]
    public var language: String?
    public var params: Double
    public var tokens: Double
    public var box: SearchSpace
}

/// A point of the vision–language Pareto front.
public struct ParetoPoint: Codable, Sendable {
    public var weights: [String: Double]?
    public var reasoningShare: Double?
    public var visualShare: Double?
    public var objective: Double
    public var language: Double
    enum CodingKeys: String, CodingKey {
        case weights, objective, language
        case reasoningShare = "reasoning_share", visualShare = "visual_share"
    }
}

public struct BaselineComparison: Codable, Sendable {
    public var name: String
    public var objective: Double
    public var margin: Double
    /// Share of bootstrap replicates in which the recipe's objective beats the baseline's.
    public var probabilityBetter: Double?
    enum CodingKeys: String, CodingKey { case name, objective, margin, probabilityBetter = "probability_better" }
}

/// The fitted mixture nearest a recipe in the reasoning–visual share plane. A recipe far from
/// every measured mixture rests on the law's shape between them, not on a measurement near it.
public struct NearestMeasured: Codable, Sendable {
    public var reasoningShare: Double
    public var visualShare: Double
    /// Euclidean distance in shares (0.17 is 17 share points).
    public var distance: Double
    enum CodingKeys: String, CodingKey { case distance, reasoningShare = "reasoning_share", visualShare = "visual_share" }

    /// One line for people: where the nearest measurement is, and a caution past 10 share
    /// points (farther than halfway between two mixtures of a 25-point line design).
    public var summary: String {
        String(format: "nearest measured mixture: reasoning %.1f%%, visual %.1f%%, %.1f share points away", reasoningShare * 100, visualShare * 100, distance * 100)
            + (distance > 0.1 ? "; the prediction there rests on the law's shape between measured mixtures" : "")
    }
}

/// The answer to `recommend`.
public struct Recipe: Codable, Sendable {
    public var source: String
    public var objective: String
    public var space: MixtureSpace
    public var params: Double
    public var tokens: Double
    /// Fractions per source; `nil` when the laws know mixtures only by their shares.
    public var weights: [String: Double]?
    /// The names of `weights`, in their catalogue's order (`nil` in the shares space).
    public var sources: [String]?
    /// Nil when the sources have no tag shares.
    public var reasoningShare: Double?
    public var visualShare: Double?
    public var objectiveValue: Double
    public var scores: [String: Prediction]
    public var baseline: BaselineComparison
    public var binding: [String]
    public var pareto: [ParetoPoint]
    public var languageCategory: String?
    /// Mixtures sampled, those inside the fitted range (evaluated), and those meeting every constraint.
    public var candidatesSampled: Int
    public var candidatesEvaluated: Int
    public var candidatesFeasible: Int
    /// Nil when the objective's laws record no mixtures (laws of size and tokens alone).
    public var nearestMeasured: NearestMeasured?
    /// Whether the two largest measured sizes rank mixtures alike (`TransferCheck`); nil when
    /// the recipe was not checked against stored runs, or they hold fewer than two sizes.
    public var transferCheck: TransferCheck?
    /// Reasons found in the runs to doubt the recipe, with the numbers; empty when none.
    public var warnings: [String] = []

    enum CodingKeys: String, CodingKey {
        case source, objective, space, params, tokens, weights, sources, scores, baseline, binding, pareto
        case nearestMeasured = "nearest_measured", transferCheck = "transfer_check", warnings
        case reasoningShare = "reasoning_share", visualShare = "visual_share", objectiveValue = "objective_value"
        case languageCategory = "language_category", candidatesEvaluated = "candidates_evaluated", candidatesSampled = "candidates_sampled"
        case candidatesFeasible = "candidates_feasible"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source); try c.encode(objective, forKey: .objective)
        try c.encode(space, forKey: .space); try c.encode(params, forKey: .params); try c.encode(tokens, forKey: .tokens)
        try c.encode(weights, forKey: .weights) // explicit null in the shares space
        try c.encode(sources, forKey: .sources)
        try c.encode(reasoningShare, forKey: .reasoningShare); try c.encode(visualShare, forKey: .visualShare)
        try c.encode(objectiveValue, forKey: .objectiveValue); try c.encode(scores, forKey: .scores)
        try c.encode(baseline, forKey: .baseline); try c.encode(binding, forKey: .binding); try c.encode(pareto, forKey: .pareto)
        try c.encode(languageCategory, forKey: .languageCategory)
        try c.encode(candidatesSampled, forKey: .candidatesSampled); try c.encode(candidatesEvaluated, forKey: .candidatesEvaluated); try c.encode(candidatesFeasible, forKey: .candidatesFeasible)
        try c.encode(nearestMeasured, forKey: .nearestMeasured)
        try c.encode(transferCheck, forKey: .transferCheck); try c.encode(warnings, forKey: .warnings)
    }
}

extension LawSet {
    /// The one rule for what a recommendation searches. The laws it reads are those of the
    /// objective, the constraints and the language category (`text_acc` when fitted); the
    /// space is per-source weights if any of them reads weights, else the shares; bounds and
    /// availability then narrow it, and bounds no mixture meets are refused here.
    public func searchPlan(for req: RecommendationRequest) throws -> SearchPlan {
        let language = req.languageCategory ?? (laws["text_acc"] != nil ? "text_acc" : nil)
        let used = Set(req.objective.categories + req.constraints.map(\.category) + [language].compactMap { $0 })
        let usedLaws = try used.sorted().map { try law($0) }
        guard let n = req.params ?? defaultParams else { throw PlannerError.missing("give --params (the laws were fitted at several sizes)") }
        guard let d = req.tokens ?? defaultTokens else { throw PlannerError.missing("give --tokens (the laws were fitted at several budgets)") }
        guard let space = LawSet.space(of: usedLaws) else {
            throw PlannerError.infeasible("the laws of " + used.sorted().joined(separator: ", ")
                + " do not depend on the mixture (size and tokens only), so there is no recipe to choose")
        }
        var box = SearchSpace(space: space, catalogue: catalogue)
        try box.apply(req.bounds)
        try box.apply(availability(req, space: space), tokens: d, maxEpochs: req.maxEpochs)
        try checkBaseline(req.baseline, space: space)
        try box.checkFeasible()
        return SearchPlan(laws: usedLaws, language: language, params: n, tokens: d, box: box)
    }

    /// The tokens available per source: the catalogue's, each replaced by the request's where it
    /// names the source (the catalogue's apply only to per-source weights).
    func availability(_ req: RecommendationRequest, space: MixtureSpace) -> [SourceAvailability] {
        guard space == .weights else { return req.available }
        let named = Set(req.available.compactMap { catalogue.index(of: $0.source) })
        let stated = catalogue.sources.enumerated().compactMap { i, s -> SourceAvailability? in
            guard !named.contains(i), let t = s.availableTokens else { return nil }
            return try? SourceAvailability(source: s.name, tokens: t)
        }
        return stated + req.available
    }

    /// A baseline of other sources, or without shares where the laws read shares, compares nothing.
    func checkBaseline(_ baseline: Mixture, space: MixtureSpace) throws {
        if space == .weights, !baseline.isSharesOnly, baseline.catalogue != catalogue {
            throw PlannerError.missing("the baseline is a mixture of " + baseline.catalogue.namesForMessages + ", but the laws of '\(source)' are over "
                                       + catalogue.namesForMessages + "; name a baseline over those sources")
        }
        if space == .weights, baseline.isSharesOnly {
            throw PlannerError.missing("the baseline is a pair of shares, but the laws read per-source weights; give it as source=weight pairs")
        }
        if space == .shares, !baseline.hasShares {
            throw PlannerError.missing("the laws read reasoning/visual shares, and the baseline has none (its sources have no tag shares)")
        }
    }

    /// Searches the bounded simplex for the mixture that maximises the objective under the
    /// constraints: Dirichlet samples first (as RegMix does), then Nelder–Mead from the best
    /// sample on a softmax parametrisation, projected back onto the bounds so they hold exactly.
    public func recommend(_ req: RecommendationRequest) throws -> Recipe {
        let search = RecipeSearch(request: req, plan: try searchPlan(for: req), laws: self)
        let evaluated = search.sample()
        let feasible = evaluated.filter(\.ok)
        guard let start = feasible.max(by: { req.objective.value($0.s) < req.objective.value($1.s) }) else {
            throw infeasibility(req, evaluated: evaluated.map(\.s))
        }
        let (best, bestValue) = search.refined(from: start)
        return try recipe(search, best: best, bestValue: bestValue, evaluated: evaluated, feasibleCount: feasible.count)
    }

    /// The recipe at `best`: every category's prediction, the baseline comparison, what binds.
    func recipe(_ search: RecipeSearch, best: [Double], bestValue: Double, evaluated: [RecipeSearch.Candidate],
                feasibleCount: Int) throws -> Recipe {
        let req = search.request, plan = search.plan, box = plan.box, n = plan.params, d = plan.tokens
        let mixture = box.mixture(best)
        var predicted: [String: Prediction] = [:]
        for c in categories { predicted[c] = try predict(c, params: n, tokens: d, mixture: mixture) }
        let baseMixture = box.space == .shares ? try Mixture(reasoningShare: req.baseline.reasoningShare!, visualShare: req.baseline.visualShare!) : req.baseline
        let baseScores = search.scores(baseMixture)
        let baseValue = req.objective.value(baseScores)
        // The margin is in the objective's better direction: positive when the recipe is better.
        let comparison = BaselineComparison(name: req.baselineName, objective: req.objective.reported(baseScores), margin: bestValue - baseValue,
                                            probabilityBetter: probabilityBetter(req.objective, mixture, than: baseMixture, params: n, tokens: d))
        let binding = box.binding(best) + bindingConstraints(req, evaluated: evaluated)
        let pareto = plan.language.map { lang in paretoFront(evaluated.map { ($0.w, $0.s) }, box: box, objective: req.objective, language: lang) } ?? []
        var recipe = Recipe(source: source, objective: req.objective.text, space: box.space, params: n, tokens: d,
                      weights: mixture.weights, sources: mixture.isSharesOnly ? nil : mixture.catalogue.names,
                      reasoningShare: mixture.reasoningShare, visualShare: mixture.visualShare,
                      objectiveValue: req.objective.sense == .eachInItsDirection ? bestValue : req.objective.reported(search.scores(mixture)),
                      scores: predicted, baseline: comparison, binding: binding, pareto: pareto,
                      languageCategory: plan.language, candidatesSampled: req.candidates, candidatesEvaluated: evaluated.count,
                      candidatesFeasible: feasibleCount, nearestMeasured: nearestMeasured(to: mixture, categories: req.objective.categories))
        recipe.warnings = lackOfFitWarnings(req)
        return recipe
    }

    /// A warning for each law of the objective and the constraints that misses its replicated
    /// runs beyond their seed noise (`LackOfFit`): every bootstrap refit shares the form, so the
    /// intervals and the probability of beating the baseline do not show what a wrong form costs.
    func lackOfFitWarnings(_ req: RecommendationRequest) -> [String] {
        var categories: [String] = []
        for c in req.objective.categories + req.constraints.map(\.category) where !categories.contains(c) { categories.append(c) }
        return categories.compactMap { c in
            guard let lof = laws[c]?.lackOfFit, lof.rejectsTheForm else { return nil }
            return String(format: "the law of %@ misses the means of its replicated runs beyond their seed noise (an SD of %.2f against %.2f; lack-of-fit F = %.2f on %d and %d df, p = %.2g): "
                          + "its form does not hold these runs, so the recipe can be off the best mixture by more than its intervals show; "
                          + "space-filling runs (design next) add data without trusting the form",
                          c, lof.lackSD, lof.pureErrorSD, lof.f, lof.dfLack, lof.dfPure, lof.p)
        }
    }

    /// A score constraint binds when the best sample that ignores it would break it.
    func bindingConstraints(_ req: RecommendationRequest, evaluated: [RecipeSearch.Candidate]) -> [String] {
        req.constraints.enumerated().compactMap { i, c in
            let others = evaluated.filter { e in
                req.objective.value(e.s).isFinite && req.constraints.enumerated().allSatisfy { j, o in j == i || o.violation(e.s[o.category] ?? .nan) == 0 }
            }
            guard let free = others.max(by: { req.objective.value($0.s) < req.objective.value($1.s) }),
                  c.violation(free.s[c.category] ?? .nan) > 0 else { return nil }
            return c.description
        }
    }

    /// The objective's fitted mixture nearest `m` in the share plane (nil without shares).
    func nearestMeasured(to m: Mixture, categories: [String]) -> NearestMeasured? {
        guard let r = m.reasoningShare, let v = m.visualShare else { return nil }
        let points = categories.compactMap { laws[$0] }.flatMap { $0.anchors(in: .shares) }
        return points.map { p in
            let dr = p[0] - r, dv = p[1] - v
            return NearestMeasured(reasoningShare: p[0], visualShare: p[1], distance: (dr * dr + dv * dv).squareRoot())
        }.min { $0.distance < $1.distance }
    }

    /// Replicate-by-replicate comparison of the objective under the bootstrap ensemble.
    func probabilityBetter(_ objective: Objective, _ a: Mixture, than b: Mixture, params: Double, tokens: Double) -> Double? {
        var ea: [String: [Double]] = [:], eb: [String: [Double]] = [:]
        for c in Set(objective.categories) {
            guard let l = laws[c] else { return nil }
            ea[c] = l.ensemble(params: params, tokens: tokens, mixture: a)
            eb[c] = l.ensemble(params: params, tokens: tokens, mixture: b)
        }
        let reps = ea.values.map(\.count).min() ?? 0
        guard reps > 0, eb.values.allSatisfy({ $0.count >= reps }) else { return nil }
        var wins = 0, counted = 0
        for r in 0..<reps {
            let va = objective.value(ea.mapValues { $0[r] }), vb = objective.value(eb.mapValues { $0[r] })
            guard va.isFinite && vb.isFinite else { continue }
            counted += 1
            if va > vb { wins += 1 }
        }
        return counted > 0 ? Double(wins) / Double(counted) : nil
    }

    /// Names the constraints that cannot be met, alone or together, with the best value reachable.
    func infeasibility(_ req: RecommendationRequest, evaluated: [[String: Double]]) -> PlannerError {
        guard !evaluated.isEmpty else {
            return .infeasible("no mixture inside the fitted range meets the bounds (use --allow-extrapolation to search outside it)")
        }
        var alone: [String] = []
        for c in req.constraints where !evaluated.contains(where: { c.violation($0[c.category] ?? .nan) == 0 }) {
            let values = evaluated.compactMap { $0[c.category] }.filter(\.isFinite)
            let best = c.relation == .atLeast ? values.max() : values.min()
            alone.append("\(c) (the \(c.relation == .atLeast ? "highest" : "lowest") predicted \(c.category) under these bounds is \(best.map { String(format: "%.2f", $0) } ?? "undefined"))")
        }
        if !alone.isEmpty { return .infeasible("cannot be met: " + alone.joined(separator: "; ")) }
        var pairs: [String] = []
        for i in req.constraints.indices { for j in req.constraints.indices where j > i {
            let a = req.constraints[i], b = req.constraints[j]
            if !evaluated.contains(where: { a.violation($0[a.category] ?? .nan) == 0 && b.violation($0[b.category] ?? .nan) == 0 }) {
                pairs.append("\(a) and \(b)")
            }
        } }
        return .infeasible("constraints conflict: " + (pairs.isEmpty ? req.constraints.map(\.description).joined(separator: ", ") : pairs.joined(separator: "; ")))
    }

    func paretoFront(_ points: [([Double], [String: Double])], box: SearchSpace, objective: Objective, language: String) -> [ParetoPoint] {
        let higher = MetricCatalogue.higherIsBetter(language)
        let scored = points.compactMap { w, s -> ([Double], Double, Double, [String: Double])? in
            let o = objective.value(s)
            guard let l = s[language], o.isFinite, l.isFinite else { return nil }
            return (w, o, higher ? l : -l, s)
        }.sorted { $0.1 > $1.1 }
        var front: [([Double], Double, Double, [String: Double])] = []
        var bestLanguage = -Double.infinity
        for p in scored where p.2 > bestLanguage { front.append(p); bestLanguage = p.2 }
        // Thin a dense front to at most 25 points, evenly along it.
        let step = max(1, (front.count + 24) / 25)
        return stride(from: 0, to: front.count, by: step).map { i in
            let (w, o, l, s) = front[i]
            let m = box.mixture(w)
            return ParetoPoint(weights: m.weights,
                               reasoningShare: m.reasoningShare, visualShare: m.visualShare,
                               objective: objective.sense == .eachInItsDirection ? o : objective.reported(s), language: higher ? l : -l)
        }
    }
}

/// Nelder–Mead (GSL nmsimplex2) over softmax logits; every trial point is projected onto the
/// bounded simplex, so what it returns meets the bounds exactly.
func refine(_ start: [Double], box: SearchSpace, iterations: Int = 400, cost: @escaping ([Double]) -> Double) -> [Double] {
    final class Context {
        let box: SearchSpace
        let cost: ([Double]) -> Double
        init(box: SearchSpace, cost: @escaping ([Double]) -> Double) { self.box = box; self.cost = cost }
        func point(_ z: UnsafePointer<gsl_vector>) -> [Double] {
            let k = box.dimension
            var e = (0..<k).map { gsl_vector_get(z, $0) }
            let mx = e.max()!
            e = e.map { exp($0 - mx) }
            let s = e.reduce(0, +)
            return box.project(e.map { $0 / s })
        }
    }
    gsl_set_error_handler_off()
    let ctx = Context(box: box, cost: cost)
    let k = box.dimension
    // The minimizer keeps a pointer to the function struct, so it must outlive every iterate call.
    let fn = UnsafeMutablePointer<gsl_multimin_function>.allocate(capacity: 1)
    defer { fn.deallocate() }
    fn.initialize(to: gsl_multimin_function())
    fn.pointee.n = k
    fn.pointee.params = Unmanaged.passUnretained(ctx).toOpaque()
    fn.pointee.f = { z, params in
        let c = Unmanaged<Context>.fromOpaque(params!).takeUnretainedValue()
        return c.cost(c.point(z!))
    }
    let x = gsl_vector_alloc(k)!, steps = gsl_vector_alloc(k)!
    defer { gsl_vector_free(x); gsl_vector_free(steps) }
    for i in 0..<k { gsl_vector_set(x, i, log(max(start[i], 1e-9))); gsl_vector_set(steps, i, 0.5) }
    let s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, k)!
    defer { gsl_multimin_fminimizer_free(s) }
    return withExtendedLifetime(ctx) {
        guard gsl_multimin_fminimizer_set(s, fn, x, steps) == GSL_SUCCESS else { return start }
        for _ in 0..<iterations {
            if gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS { break }
            if gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-6) == GSL_SUCCESS { break }
        }
        return ctx.point(s.pointee.x)
    }
}
