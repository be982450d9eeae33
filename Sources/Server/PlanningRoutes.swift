import Fits
import Foundation
import Hummingbird
import Laws
import Planner
import Store
import VisionMixCore

/// Predict and recommend over the fitted laws of one source, answered with the same JSON as
/// `visionmix predict --json` and `visionmix recommend --json` (`PredictionReport`, `Recipe`).
/// Every field is checked before the planner runs, so each mistake is named by its field.
enum PlanningRoutes {
    static let predictFields: Set<String> = ["source", "mix", "params", "tokens"]
    static let recommendFields: Set<String> = [
        "source", "objective", "constraints", "bounds", "available", "max_epochs", "baseline", "params", "tokens",
        "candidates", "seed", "language_category", "allow_extrapolation", "export",
    ]

    @Sendable static func predict(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let body = try await RequestBody.read(request, limit: ctx.configuration.maxBodyBytes, allowed: predictFields)
        let source = try body.string("source", required: true)!
        guard body.value("mix") != nil else { throw APIError.badRequest("mix is required", field: "mix") }
        let params = try body.count("params"), tokens = try body.count("tokens")
        let laws = try lawSet(source, ctx)
        // Read against the laws' sources, which the source label declares.
        let mixture = try body.mixture("mix", required: true, catalogue: laws.catalogue)!
        guard let n = params ?? laws.defaultParams else { throw APIError.badRequest("params is required: these laws were fitted at several sizes", field: "params") }
        guard let d = tokens ?? laws.defaultTokens else { throw APIError.badRequest("tokens is required: these laws were fitted at several budgets", field: "tokens") }
        if mixture.isSharesOnly, let w = laws.laws.values.first(where: { $0.space == .weights }) {
            throw APIError.badRequest("the \(w.category) law reads per-source weights; give mix as source weights, not shares", field: "mix")
        }
        // Inline, not offloaded: a prediction takes about 60 µs (bench/planner), less than the
        // two thread hops of an offload, which doubled the p99 latency under load.
        let report = try field("mix") { try laws.predictAll(params: n, tokens: d, mixture: mixture) }
        return JSON.response(report)
    }

    @Sendable static func recommend(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let body = try await RequestBody.read(request, limit: ctx.configuration.maxBodyBytes, allowed: recommendFields.union(["local_bandwidth"]))
        let export = try body.bool("export") ?? false
        let localBandwidth = try body.number("local_bandwidth")
        if let h = localBandwidth, let why = LocalFit.refusal(bandwidth: h, name: "local_bandwidth") {
            throw APIError.badRequest(why, field: "local_bandwidth")
        }
        let (source, fitted, r) = try recommendationRequest(body, ctx)
        let store = ctx.state.store
        // As `recommend --local-bandwidth`: the objective's law of the shares refitted near the
        // recipe and stored, on the fit queue like every other fit.
        var laws = fitted
        if let h = localBandwidth {
            laws = try await offload(on: ctx.state.fitQueue) { () throws -> LawSet in
                let fits = try SourceFits.forPlanning(label: source, in: store).filter { r.objective.categories.contains($0.category) }
                do { return try fitted.refittedNearRecipe(of: fits, request: r, bandwidth: h, store: store).laws } catch let e as LawError {
                    throw APIError(.unprocessableContent, e.description, field: "local_bandwidth")
                }
            }
        }
        let planning = laws
        let recipe = try await offload {
            // The runs the transfer check reads: the store's, whichever provider gave the laws.
            let runs = try store.runs(RunFilter(source: source))
            return try field("constraints") { try planning.recommend(r, checkingTransferIn: runs) }
        }
        guard export else { return JSON.response(recipe) }
        let (texts, refusals) = try recipe.exports()
        return JSON.response(ExportedRecipe(recipe: recipe, exports: texts, refusals: refusals))
    }

    /// The recommendation a request body asks for (the fields `recommend` and `design` share),
    /// with the laws of its source; every field is checked, and the planner's search plan made,
    /// before anything runs, so each mistake is named by its field.
    static func recommendationRequest(_ body: RequestBody, _ ctx: RouteContext) throws -> (source: String, laws: LawSet, request: RecommendationRequest) {
        let source = try body.string("source", required: true)!
        let objectiveText = try body.string("objective", required: true)!
        let objective = try field("objective") { try Objective.parse(objectiveText) }
        let constraints = try body.strings("constraints").enumerated().map { i, text in
            try field("constraints[\(i)]") { try ScoreConstraint.parse(text) }
        }
        let bounds = try mixtureBounds(body)
        let available = try sourceAvailability(body)
        let maxEpochs = try body.number("max_epochs", positive: true)
        let params = try body.count("params"), tokens = try body.count("tokens")
        let candidates = try body.integer("candidates", in: 100...ctx.configuration.maxCandidates)
        let seed = try body.integer("seed", in: 0...Int(Int32.max))
        let language = try body.string("language_category")
        let extrapolate = try body.bool("allow_extrapolation")

        let laws = try lawSet(source, ctx)
        let baselineName: String
        let baseline: Mixture
        if let b = try body.mixture("baseline", catalogue: laws.catalogue) {
            baseline = b
            baselineName = body.value("baseline")?.stringValue ?? "baseline"
        } else {
            baselineName = RecommendationRequest.defaultBaseline(for: laws.catalogue)
            baseline = Mixture.preset(baselineName, catalogue: laws.catalogue)!
        }
        // Unknown categories are named against the field that mentions them, before any search.
        for t in objective.terms where laws.laws[t.category] == nil {
            throw APIError.from(PlannerError.unknownCategory(t.category, available: laws.categories), field: "objective")
        }
        for (i, c) in constraints.enumerated() where laws.laws[c.category] == nil {
            throw APIError.from(PlannerError.unknownCategory(c.category, available: laws.categories), field: "constraints[\(i)]")
        }
        if let language, laws.laws[language] == nil {
            throw APIError.from(PlannerError.unknownCategory(language, available: laws.categories), field: "language_category")
        }
        guard params ?? laws.defaultParams != nil else { throw APIError.badRequest("params is required: these laws were fitted at several sizes", field: "params") }
        guard tokens ?? laws.defaultTokens != nil else { throw APIError.badRequest("tokens is required: these laws were fitted at several budgets", field: "tokens") }

        var req = RecommendationRequest(objective: objective, baseline: baseline, baselineName: baselineName)
        req.constraints = constraints
        req.bounds = bounds
        req.available = available
        if let maxEpochs { req.maxEpochs = maxEpochs }
        req.params = params
        req.tokens = tokens
        if let candidates { req.candidates = candidates }
        if let seed { req.seed = UInt64(seed) }
        req.languageCategory = language
        req.allowExtrapolation = extrapolate ?? false
        // The planner's own rule for what is searched, run first so a bad bound is named by its field.
        do { _ = try laws.searchPlan(for: req) } catch let e as PlannerError {
            throw APIError.from(e, field: searchPlanField(e, req))
        }
        return (source, laws, req)
    }

    /// A recipe with `"exports"`: the texts `recommend --format json|yaml|megatron` prints, by
    /// format, and `"export_refusals"`: why a format could not be made.
    struct ExportedRecipe: Encodable {
        let recipe: Recipe
        let exports: [String: String]
        let refusals: [String: String]
        enum Keys: String, CodingKey { case exports, exportRefusals = "export_refusals" }
        func encode(to encoder: Encoder) throws {
            try recipe.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(exports, forKey: .exports)
            try c.encode(refusals, forKey: .exportRefusals)
        }
    }

    /// `GET /v1/transfer?source=S&category=C`: `visionmix transfer --json`'s report.
    @Sendable static func transfer(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let query = Query(request)
        let source = try FitRoutes.sourceLabel(query.present("source"))
        guard let category = query.present("category"), !category.isEmpty else { throw APIError.badRequest("category is required", field: "category") }
        guard MetricCatalogue.isValidName(category) else { throw APIError.badRequest("category must be a category name", field: "category") }
        let store = ctx.state.store
        do {
            let report = try await offload { try Transfer.report(store: store, source: source, category: category) }
            return JSON.response(report)
        } catch let e as TransferError {
            switch e {
            case .noRuns: throw APIError(.notFound, e.description, field: "source")
            case .unknownCategory: throw APIError(.notFound, e.description, field: "category")
            }
        }
    }

    /// The request field a refusal of `LawSet.searchPlan` is about.
    static func searchPlanField(_ e: PlannerError, _ req: RecommendationRequest) -> String {
        switch e {
        case .badAvailability: "available"
        case .infeasible where !req.available.isEmpty: "available"
        case .infeasible where req.bounds.isEmpty: "objective"
        default: "bounds"
        }
    }

    /// The provider's laws for `source`, or a 404/503 that says why there are none.
    static func lawSet(_ source: String, _ ctx: RouteContext) throws -> LawSet {
        guard MetricCatalogue.isValidName(source) else { throw APIError.badRequest("source must be a plain label", field: "source") }
        guard let provider = ctx.configuration.lawProvider else {
            throw APIError(.notFound, LawLookupError.noFits(source).description, field: "source")
        }
        let laws = try field("source") { try provider(source) }
        if laws.laws.isEmpty { throw APIError(.notFound, LawLookupError.noFits(source).description, field: "source") }
        return laws
    }

    /// `bounds`: `"code<=40,literature>=2"`, a list of such items, or
    /// `{"code": {"max": 40}, "literature": {"min": 2}}` (percentages).
    static func mixtureBounds(_ body: RequestBody) throws -> [MixtureBound] {
        guard let v = body.value("bounds") else { return [] }
        if case let .object(o) = v {
            var bounds: [MixtureBound] = []
            for (name, limits) in o.sorted(by: { $0.key < $1.key }) {
                guard case let .object(l) = limits, !l.isEmpty else {
                    throw APIError.badRequest("bounds.\(name) must be an object like {\"min\": 2, \"max\": 40}", field: "bounds.\(name)")
                }
                for (k, raw) in l.sorted(by: { $0.key < $1.key }) {
                    guard let relation = ["min": MixtureBound.Relation.atLeast, "max": .atMost][k] else {
                        throw APIError.badRequest("bounds.\(name).\(k): use min or max", field: "bounds.\(name).\(k)")
                    }
                    guard let x = raw.numberValue, x.isFinite else {
                        throw APIError.badRequest("bounds.\(name).\(k) must be a number", field: "bounds.\(name).\(k)")
                    }
                    bounds.append(try field("bounds.\(name).\(k)") { try MixtureBound(component: name, relation: relation, percent: x) })
                }
            }
            return bounds
        }
        return try field("bounds") { try body.strings("bounds").flatMap { try MixtureBound.parseList($0) } }
    }

    /// `available`: `"code=2T,math=500B"`, a list of such items, or `{"code": "2T", "math": 5e11}`.
    static func sourceAvailability(_ body: RequestBody) throws -> [SourceAvailability] {
        guard let v = body.value("available") else { return [] }
        if case let .object(o) = v {
            return try o.sorted(by: { $0.key < $1.key }).map { name, raw in
                let tokens: Double
                if let s = raw.stringValue {
                    guard let t = Quantity.parse(s) else {
                        throw APIError.badRequest("available.\(name) must be a token count like 2T or a non-negative number", field: "available.\(name)")
                    }
                    tokens = t
                } else {
                    guard let x = raw.numberValue, x.isFinite, x >= 0 else {
                        throw APIError.badRequest("available.\(name) must be a token count like 2T or a non-negative number", field: "available.\(name)")
                    }
                    tokens = x
                }
                return try field("available.\(name)") { try SourceAvailability(source: name, tokens: tokens) }
            }
        }
        return try field("available") { try body.strings("available").flatMap { try SourceAvailability.parseList($0) } }
    }
}
