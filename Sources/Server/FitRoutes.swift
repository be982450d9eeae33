import Fits
import Foundation
import Hummingbird
import Laws
import Store
import VisionMixCore

/// Fitted laws over HTTP: the newest fits of a source (as `visionmix fit --all --json` prints
/// them) and refits through the same `SourceFits.fit` the CLI uses, stored in the database.
enum FitRoutes {
    static let createFields: Set<String> = ["source", "category", "family", "params", "tokens", "through", "near", "bandwidth", "solver"]

    /// `GET /v1/fits?source=LABEL`: the newest FitResult of each category, sorted by category.
    @Sendable static func list(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let source = try sourceLabel(Query(request).present("source"))
        let store = ctx.state.store
        let fits = try await offload { try SourceFits.newest(label: source, in: store) }
        guard !fits.isEmpty else {
            throw APIError(.notFound, LawLookupError.noFits(source).description, field: "source")
        }
        return JSON.response(fits)
    }

    /// `GET /v1/fits/curves?source=LABEL&category=C`: the category's runs as points and its
    /// newest fit of each kind of law drawn over them by the Laws module (`SourceFits.plots`):
    /// curves over N and D with the 90% band, residuals, the hold-out size and the family
    /// comparison, for the dashboard's fits page.
    @Sendable static func curves(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let q = Query(request)
        let source = try sourceLabel(q.present("source"))
        guard let category = q.present("category"), MetricCatalogue.isValidName(category) else {
            throw APIError.badRequest("category is required: a score category such as vqa_avg", field: "category")
        }
        let store = ctx.state.store
        let plots = try await offload { () throws -> CategoryFitPlots in
            if let p = try SourceFits.plots(label: source, category: category, in: store) { return p }
            let fitted = try SourceFits.fittedCategories(label: source, in: store)
            guard !fitted.isEmpty else { throw APIError(.notFound, LawLookupError.noFits(source).description, field: "source") }
            throw APIError(.notFound, "source '\(source)' has no fit of '\(category)'; fitted: " + fitted.joined(separator: ", "), field: "category")
        }
        return JSON.response(plots)
    }

    /// `POST /v1/fits` `{"source", "category": "vqa_avg" | "all", "family": "auto", "params"?,
    /// "tokens"?, "through"?}` (params and tokens: fit only the runs at that size or budget;
    /// through: a loss category to fit the score through, as `fit --through`; near, bandwidth:
    /// a mixture, spec string or object, to fit a named mixture family near with run weights
    /// falling off over the bandwidth, as `fit --near --bandwidth`; solver: "lm" (default),
    /// "gsl" or "gsl-accelerated", as `fit --solver`): fits and
    /// stores them in the database and answers
    /// `{"fits": [FitResult], "not_fitted": [{"category", "reason"}]}`.
    @Sendable static func create(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let body = try await RequestBody.read(request, limit: ctx.configuration.maxBodyBytes, allowed: createFields)
        let source = try sourceLabel(body.string("source", required: true))
        let category = try body.string("category") ?? "all"
        guard category == "all" || MetricCatalogue.isValidName(category) else {
            throw APIError.badRequest("category must be a category name or \"all\"", field: "category")
        }
        let familyText = try body.string("family") ?? "auto"
        let family: LawFamilySelection
        do { family = try LawFamilySelection.parse(familyText) } catch {
            throw APIError.badRequest("\(error)", field: "family")
        }
        var slice = FitOptions()
        if let name = try body.string("solver") {
            guard let method = LeastSquaresMethod(rawValue: name) else {
                throw APIError.badRequest("unknown solver '\(name)'; use " + LeastSquaresMethod.choices, field: "solver")
            }
            slice.method = method
        }
        slice.onlyParams = try body.count("params"); slice.onlyTokens = try body.count("tokens")
        let through = try body.string("through")
        if let through {
            guard category != "all" else { throw APIError.badRequest("through fits one category; give a category, not \"all\"", field: "through") }
            guard MetricCatalogue.isValidName(through) else { throw APIError.badRequest("through must be a category name", field: "through") }
        }
        let store = ctx.state.store
        slice.near = try localFit(body, source: source, family: family, store: store)
        if let through {
            do { slice.ladderLoss = try LadderLoss.law(category: through, label: source, in: store) } catch let e as LawError {
                throw APIError(.unprocessableContent, e.description, field: "through")
            }
        }
        let options = slice
        let outcome = try await offload(on: ctx.state.fitQueue) { () throws -> SourceFitOutcome in
            // Checked before fitting so each miss is a 404 naming the field that caused it.
            let runs = try store.runs(RunFilter(source: source)).filter { $0.status == "complete" }
            guard !runs.isEmpty else {
                let known = try store.labels().map(\.label)
                throw APIError(.notFound, known.contains(source) ? "source '\(source)' has no complete runs to fit"
                               : LawLookupError.unknownSource(source, known: known).description, field: "source")
            }
            // The size first, so a wrong size is not reported as a wrong budget.
            var sizeOnly = options; sizeOnly.onlyTokens = nil
            guard runs.contains(where: { sizeOnly.keeps(params: $0.params, tokens: $0.tokens) }) else {
                throw APIError(.notFound, "source '\(source)' has no runs at the asked size", field: "params")
            }
            guard runs.contains(where: { options.keeps(params: $0.params, tokens: $0.tokens) }) else {
                throw APIError(.notFound, "source '\(source)' has no runs at the asked " + (options.onlyParams == nil ? "budget" : "size and budget"), field: "tokens")
            }
            let present = Set(runs.flatMap { $0.scores.keys })
            if category != "all" && !present.contains(category) {
                throw APIError(.notFound, LawError.unknownCategory(category, available: present.sorted()).description, field: "category")
            }
            return try SourceFits.fit(store: store, label: source, categories: category == "all" ? nil : [category],
                                      family: family, options: options)
        }
        // As the CLI: one category's refusal is the answer; with "all" only no fit at all is.
        if category != "all", let f = outcome.failures.first {
            throw APIError(.unprocessableContent, f.reason, field: "category")
        }
        if outcome.fits.isEmpty {
            let why = outcome.failures.map { "\($0.category): \($0.reason)" }.joined(separator: "; ")
            throw APIError(.unprocessableContent, "no category could be fitted" + (why.isEmpty ? "" : " (\(why))"), field: "category")
        }
        struct NotFitted: Encodable { let category: String, reason: String }
        struct Outcome: Encodable { let fits: [FitResult], not_fitted: [NotFitted] }
        return JSON.response(Outcome(fits: outcome.fits, not_fitted: outcome.failures.map { NotFitted(category: $0.category, reason: $0.reason) }))
    }

    /// The body's `near` and `bandwidth` as a local fit, nil without `near`; checked before
    /// anything is fitted, each refusal naming its field.
    static func localFit(_ body: RequestBody, source: String, family: LawFamilySelection, store: ResultStore) throws -> LocalFit? {
        let bandwidth = try body.number("bandwidth")
        guard body.value("near") != nil else {
            if bandwidth != nil { throw APIError.badRequest("bandwidth weighs runs near a mixture: give near too", field: "bandwidth") }
            return nil
        }
        if let refusal = LocalFit.refusal(for: family) { throw APIError.badRequest(refusal.description, field: "family") }
        let centre = try body.mixture("near", catalogue: try store.catalogue(label: source))!
        do { return try LocalFit(centre: centre, bandwidth: bandwidth ?? LocalFit.standardBandwidth) } catch let e as LawError {
            throw APIError.badRequest(e.description, field: "bandwidth")
        }
    }

    /// A source label from the query or body: required, and a plain label.
    static func sourceLabel(_ raw: String?) throws -> String {
        guard let s = raw, !s.isEmpty else { throw APIError.badRequest("source is required", field: "source") }
        guard MetricCatalogue.isValidName(s) else {
            throw APIError.badRequest("source must be a plain label (letters, digits, _; starting with a letter)", field: "source")
        }
        return s
    }
}
