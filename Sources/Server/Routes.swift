import Foundation
import Hummingbird

/// One route: its method, its path template written exactly as in docs/openapi.yaml, and the
/// handler. The router is built from `VisionMixServer.routes` and ServerTests compares the
/// same table with the spec, so a route cannot exist in one and not the other.
struct Route: Sendable {
    let method: HTTPRequest.Method
    /// `{name}` marks a path parameter, as in OpenAPI (Hummingbird reads the same syntax).
    let path: String
    let handler: @Sendable (Request, RouteContext) async throws -> Response

    init(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (Request, RouteContext) async throws -> Response) {
        self.method = method; self.path = path; self.handler = handler
    }

    /// Whether a concrete request path fits this template (used for 405 answers).
    func matches(path concrete: String) -> Bool {
        let a = path.split(separator: "/"), b = concrete.split(separator: "/")
        return a.count == b.count && zip(a, b).allSatisfy { t, s in t.hasPrefix("{") || t == s }
    }
}

/// What a handler gets besides the request.
struct RouteContext: Sendable {
    let state: ServerState
    let parameters: Parameters
    var configuration: ServerConfiguration { state.configuration }
}

extension VisionMixServer {
    /// Every route the server answers. To add one: write its handler (a static function of
    /// an extension like `RunRoutes`), add a line here, and add its path and method to
    /// docs/openapi.yaml; `routesAgreeWithTheOpenAPISpec` fails until both are done.
    static let routes: [Route] = [
        Route(.get, "/", DashboardRoutes.page),
        Route(.get, "/planner", DashboardPages.planner),
        Route(.get, "/fits", DashboardPages.fits),
        Route(.get, "/runs", DashboardPages.runs),
        Route(.get, "/sweeps", DashboardPages.sweeps),
        Route(.get, "/assets/{name}", DashboardPages.asset),
        Route(.get, "/v1/sources", SourceRoutes.list),
        Route(.get, "/v1/sources/{label}", SourceRoutes.show),
        Route(.get, "/v1/laws", SourceRoutes.laws),
        Route(.get, "/v1/health", RunRoutes.health),
        Route(.get, "/v1/runs", RunRoutes.list),
        Route(.post, "/v1/runs", RunRoutes.importRuns),
        Route(.get, "/v1/runs/{id}", RunRoutes.show),
        Route(.get, "/v1/metrics", MetricsRoutes.prometheus),
        Route(.post, "/v1/predict", PlanningRoutes.predict),
        Route(.post, "/v1/recommend", PlanningRoutes.recommend),
        Route(.get, "/v1/transfer", PlanningRoutes.transfer),
        Route(.post, "/v1/design", DesignRoutes.design),
        Route(.get, "/v1/fits", FitRoutes.list),
        Route(.post, "/v1/fits", FitRoutes.create),
        Route(.get, "/v1/fits/curves", FitRoutes.curves),
        Route(.get, "/v1/sweeps", SweepRoutes.list),
        Route(.post, "/v1/sweeps", SweepRoutes.create),
        Route(.get, "/v1/sweeps/{id}", SweepRoutes.show),
        Route(.get, "/v1/sweeps/{id}/units", SweepRoutes.units),
        Route(.delete, "/v1/sweeps/{id}", SweepRoutes.cancel),
    ]
}

enum MetricsRoutes {
    @Sendable static func prometheus(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let labels = try await offload { try ctx.state.store.labels() }
        return JSON.text(ctx.state.metrics.render(runsBySource: labels), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}

/// Runs blocking work (SQLite, the planner's search) off the event loop, so one slow request
/// does not stall every connection sharing that loop.
func offload<T>(on queue: DispatchQueue = .global(qos: .userInitiated), _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        queue.async { c.resume(with: Result { try body() }) }
    }
}
