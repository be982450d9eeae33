import Foundation
import Hummingbird
import Store
import VisionMixCore

/// Health, listing and importing runs: the same JSON as `visionmix runs ... --json`.
enum RunRoutes {
    @Sendable static func health(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        struct Health: Encodable { let status: String, version: String, runs: Int }
        let n = try await offload { try ctx.state.store.countRuns() }
        return JSON.response(Health(status: "ok", version: VisionMixServer.version, runs: n))
    }

    /// `GET /v1/runs`: a page of runs, oldest first, with the total for the filter so a
    /// client can page through with `offset`. Filters: source, origin, params, tokens, mix
    /// (exactly that mixture).
    @Sendable static func list(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let q = Query(request)
        var filter = RunFilter(source: q.string("source"))
        if let o = q.present("origin") {
            guard ["trainer", "import"].contains(o) else { throw APIError.badRequest("origin must be trainer or import", field: "origin") }
            filter.origin = o
        }
        if let p = q.present("params") {
            guard let x = parseCount(p) else {
                throw APIError.badRequest("params '\(p)' is not a positive count like 340M or 7B", field: "params")
            }
            filter.params = x
        }
        if let t = q.present("tokens") {
            guard let x = Quantity.parse(t) else {
                throw APIError.badRequest("tokens '\(t.prefix(40))' is not a token count like 50B or 0", field: "tokens")
            }
            filter.tokens = x
        }
        if let m = q.present("mix") {
            // By the filtered label's sources when it names one (a mixture's key lists its catalogue's sources).
            let catalogue = try filter.source.map { try ctx.state.store.catalogue(label: $0) } ?? .builtin
            filter.mixtureKey = try field("mix") { try MixtureSpec.parse(m, catalogue: catalogue).mixture.canonicalKey }
        }
        filter.limit = try q.integer("limit", default: 100, in: 1...1000)
        filter.offset = try q.integer("offset", default: 0, in: 0...Int(Int32.max))
        struct Page: Encodable { let runs: [StoredRun], total: Int, limit: Int, offset: Int }
        let f = filter
        let (runs, total) = try await offload { (try ctx.state.store.runs(f), try ctx.state.store.countRuns(f)) }
        return JSON.response(Page(runs: runs, total: total, limit: f.limit!, offset: f.offset))
    }

    @Sendable static func show(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let raw = ctx.parameters.get("id") ?? ""
        guard let id = Int64(raw), id > 0 else { throw APIError.badRequest("id must be a positive integer", field: "id") }
        guard let run = try await offload({ try ctx.state.store.run(id: id) }) else {
            throw APIError(.notFound, "no run with id \(id)", field: "id")
        }
        return JSON.response(run)
    }

    /// `POST /v1/runs?source=LABEL[&mix=SPEC]`: the body is what `runs import` reads from a
    /// .json file. All runs or none are stored; re-posting the same body adds nothing.
    @Sendable static func importRuns(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let q = Query(request)
        guard let source = q.string("source") else { throw APIError.badRequest("the source query parameter is required", field: "source") }
        guard MetricCatalogue.isValidName(source) else {
            throw APIError.badRequest("source must be a plain label (letters, digits, _; starting with a letter)", field: "source")
        }
        // Weights name the label's sources (declared with `runs import --sources`, else the built-in ones).
        let catalogue = try ctx.state.store.catalogue(label: source)
        let defaultMix = try q.string("mix").map { spec in try field("mix") { try MixtureSpec.parse(spec, catalogue: catalogue).mixture } }
        try RequestBody.requireJSONContentType(request)
        let buffer = try await request.body.collect(upTo: ctx.configuration.maxBodyBytes)
        let parsed: ResultFile
        do {
            parsed = try ResultFile.parseJSON(Data(buffer.readableBytesView), name: "http-request", defaultMixture: defaultMix, catalogue: catalogue)
        } catch var e as ImportError {
            e.file = "body"
            throw APIError.badRequest("refused: \(e.description) (nothing was imported)", field: "body")
        }
        let out: ResultStore.InsertOutcome
        do { out = try await offload { try ctx.state.store.insertRuns(parsed.runs, label: source, origin: "import") } } catch let e as CatalogueConflict {
            throw APIError.badRequest("refused: \(e.description) (nothing was imported)", field: "body")
        }
        ctx.state.metrics.imported(out.inserted.count)
        struct Summary: Encodable {
            let file: String, source: String, format: String, rows: Int, imported: Int, already_present: Int
            let new_metrics: [String], notices: [String]
        }
        return JSON.response(Summary(file: "http-request", source: source, format: parsed.format.rawValue, rows: parsed.runs.count,
                                     imported: out.inserted.count, already_present: out.skipped, new_metrics: out.newMetrics,
                                     notices: parsed.notices))
    }
}
