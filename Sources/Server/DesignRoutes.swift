import Fits
import Foundation
import Hummingbird
import Planner
import Sweeps
import VisionMixCore

/// `POST /v1/design`: `visionmix design next --json`'s answer (`RunDesign`) for a
/// recommendation given as `POST /v1/recommend` takes it, at the laws' own size and budget.
enum DesignRoutes {
    static let fields = PlanningRoutes.recommendFields.subtracting(["export"]).union(["runs", "strategy", "noise", "replicates"])

    @Sendable static func design(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let body = try await RequestBody.read(request, limit: ctx.configuration.maxBodyBytes, allowed: fields)
        guard let runs = try body.integer("runs", in: 1...Limits.maxDesignRuns) else {
            throw APIError.badRequest("runs is required", field: "runs")
        }
        let strategy = try body.string("strategy").map { text in
            guard let s = DesignStrategy(rawValue: text) else {
                throw APIError.badRequest("strategy must be one of " + DesignStrategy.allCases.map(\.rawValue).joined(separator: ", "), field: "strategy")
            }
            return s
        } ?? .standard
        let noise = try body.number("noise", positive: true)
        let replicates = try body.integer("replicates", in: 2...1000)
        let (source, laws, recommendation) = try PlanningRoutes.recommendationRequest(body, ctx)
        let store = ctx.state.store
        let design = try await offload {
            // The stored fits are read only for the default seed SD.
            guard let sd = try noise ?? DesignRequest.residualSD(recommendation.objective, fits: SourceFits.forPlanning(label: source, in: store)) else {
                throw APIError(.unprocessableContent, "the fits of \(recommendation.objective.text) give no residual SD to judge a run by; give noise", field: "noise")
            }
            var req = DesignRequest(recommendation: recommendation, runs: runs, noise: sd)
            req.strategy = strategy
            if let replicates { req.replicates = replicates }
            let plan = try laws.searchPlan(for: recommendation)
            req.targetSize = DesignScale.name(params: plan.params)
            do { return try laws.designRuns(req) } catch let e as PlannerError {
                // The laws cannot carry a design (no bootstrap ensemble): the request was well formed.
                throw APIError(.unprocessableContent, e.description, field: "source")
            }
        }
        return JSON.response(design)
    }
}
