import Fits
import Foundation
import Hummingbird
import Planner
import Store
import VisionMixCore

/// What the store holds per source, for pickers and filters: the dashboard's planner, fits
/// and runs pages start here, and so can any client that does not know the labels yet.
enum SourceRoutes {
    struct SourceEntry: Encodable {
        let label: String
        let runs: Int
        /// Categories with at least one stored fit, sorted.
        let fitted: [String]
        /// Sizes, budgets and mixtures of the runs (only for one source).
        let facets: RunFacets?
    }

    /// `GET /v1/sources`: every source label with its run count and fitted categories.
    @Sendable static func list(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let store = ctx.state.store
        let entries = try await offload {
            try store.labels().map { l in
                SourceEntry(label: l.label, runs: l.runs, fitted: try SourceFits.fittedCategories(label: l.label, in: store), facets: nil)
            }
        }
        struct Sources: Encodable { let sources: [SourceEntry] }
        return JSON.response(Sources(sources: entries))
    }

    /// `GET /v1/sources/{label}`: one source with the sizes, budgets and mixtures of its runs.
    @Sendable static func show(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let label = try FitRoutes.sourceLabel(ctx.parameters.get("label"))
        let store = ctx.state.store
        let entry = try await offload { () throws -> SourceEntry in
            let labels = try store.labels()
            guard let l = labels.first(where: { $0.label == label }) else {
                throw APIError(.notFound, LawLookupError.unknownSource(label, known: labels.map(\.label)).description, field: "label")
            }
            return SourceEntry(label: label, runs: l.runs, fitted: try SourceFits.fittedCategories(label: label, in: store),
                               facets: try store.facets(label: label))
        }
        return JSON.response(entry)
    }

    /// `GET /v1/laws?source=LABEL`: the laws predict and recommend use for the source, in
    /// summary (`LawSetSummary`): the mixture space, the default size and budget, and per
    /// category its family, chance level and fitted span.
    @Sendable static func laws(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let source = try FitRoutes.sourceLabel(Query(request).present("source"))
        let laws = try await offload { try PlanningRoutes.lawSet(source, ctx) }
        return JSON.response(laws.summary)
    }
}
