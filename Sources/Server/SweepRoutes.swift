import Foundation
import Hummingbird
import Store
import Sweeps
import VisionMixCore
#if canImport(Glibc)
import Glibc
#endif

/// Calibration sweeps over HTTP, with the semantics of `visionmix sweep run|status|cancel`:
/// the server registers the sweep and starts `visionmix sweep run --spec FILE --db DB --no-fit`
/// as a child process, which stores each run in one transaction as the CLI does. The server
/// never trains in its own process: a sweep runs for minutes to hours and must survive (and
/// be resumable after) a server restart.
enum SweepRoutes {
    static let createFields: Set<String> = ["preset", "spec"]

    /// `POST /v1/sweeps` `{"preset": "quick"}` or `{"spec": {...}}` → 202 with the progress.
    @Sendable static func create(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let body = try await RequestBody.read(request, limit: ctx.configuration.maxBodyBytes, allowed: createFields)
        let spec = try readSpec(body)
        let nameField = body.value("preset") != nil ? "preset" : "spec.name"
        guard let exe = ctx.configuration.executablePath, let db = ctx.configuration.databasePath else {
            throw APIError(.serviceUnavailable, "this server was started without a visionmix binary and database to run sweeps with")
        }
        let state = ctx.state
        let progress = try await offload { () throws -> SweepProgress in
            let store = state.store
            // Same name, still running: a second process would race the first over the same runs.
            if let last = try store.latestSweep(name: spec.name), let id = last.id,
               state.sweeps.isLaunching(id) || (last.status == "running" && processAlive(last.pid)) {
                throw APIError(.conflict, "sweep '\(spec.name)' is already running (id \(id)); cancel it with DELETE /v1/sweeps/\(id)", field: nameField)
            }
            let record: SweepRecord
            do { record = try SweepRunner.register(spec, store: store, knownSizes: spec.sizeNames) } catch let e as SweepError {
                throw APIError.badRequest(e.description, field: "spec")
            }
            let id = record.id!
            // A resumed record may say failed or cancelled; it is pending again until the child runs.
            try store.updateSweep(id: id, status: "pending", pid: .some(nil), message: .some(nil))
            try state.sweeps.launch(spec: spec, sweepId: id, executable: exe, database: db, store: store)
            return try SweepRunner(store: store, sweep: try store.sweep(id: id) ?? record).progress()
        }
        var response = JSON.response(progress, status: .accepted)
        response.headers[.location] = "/v1/sweeps/\(progress.sweepId)"
        return response
    }

    /// `GET /v1/sweeps/{id}`: as `visionmix sweep status --id ID --json`.
    @Sendable static func show(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let id = try sweepId(ctx)
        let store = ctx.state.store
        let progress = try await offload { () throws -> SweepProgress in
            guard let record = try store.sweep(id: id) else { throw APIError(.notFound, "no sweep with id \(id)", field: "id") }
            return try SweepRunner(store: store, sweep: record).progress()
        }
        return JSON.response(progress)
    }

    /// `GET /v1/sweeps`: every sweep's progress, newest first.
    @Sendable static func list(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let store = ctx.state.store
        let all = try await offload { () throws -> [SweepProgress] in
            try store.sweeps().map { record in
                // A record whose spec no longer reads still lists, with what the record says.
                (try? SweepRunner(store: store, sweep: record).progress()) ?? SweepProgress(record: record)
            }
        }
        struct Sweeps: Encodable { let sweeps: [SweepProgress] }
        return JSON.response(Sweeps(sweeps: all))
    }

    /// `GET /v1/sweeps/{id}/units`: where each unit of work stands (`SweepRunner.units`).
    @Sendable static func units(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let id = try sweepId(ctx)
        let store = ctx.state.store
        let units = try await offload { () throws -> SweepUnits in
            guard let record = try store.sweep(id: id) else { throw APIError(.notFound, "no sweep with id \(id)", field: "id") }
            do { return try SweepRunner(store: store, sweep: record).units() } catch let e as SweepError {
                throw APIError(.unprocessableContent, e.description, field: "id")
            }
        }
        return JSON.response(units)
    }

    /// `DELETE /v1/sweeps/{id}`: as `visionmix sweep cancel --id ID` (status cancelled, SIGTERM
    /// to the recorded process); the stored runs stay and starting the sweep again resumes it.
    @Sendable static func cancel(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let id = try sweepId(ctx)
        let store = ctx.state.store
        let progress = try await offload { () throws -> SweepProgress in
            guard let record = try store.sweep(id: id) else { throw APIError(.notFound, "no sweep with id \(id)", field: "id") }
            guard record.status == "running" else {
                throw APIError(.conflict, "sweep \(id) is not running (it is \(record.status))", field: "id")
            }
            try store.updateSweep(id: id, status: "cancelled", message: .some("cancelled by the user"))
            if let pid = record.pid, pid > 0 { kill(pid_t(pid), SIGTERM) }
            return try SweepRunner(store: store, sweep: try store.sweep(id: id) ?? record).progress()
        }
        return JSON.response(progress)
    }

    static func sweepId(_ ctx: RouteContext) throws -> Int64 {
        let raw = ctx.parameters.get("id") ?? ""
        guard let id = Int64(raw), id > 0 else { throw APIError.badRequest("id must be a positive integer", field: "id") }
        return id
    }

    /// Exactly one of `preset` (a built-in name) or `spec` (the JSON `sweep show` prints),
    /// checked here field by field so a mistake names `spec.designs[1].sizes` and not a run.
    static func readSpec(_ body: RequestBody) throws -> SweepSpec {
        let preset = try body.string("preset")
        let specValue = body.value("spec")
        switch (preset, specValue) {
        case let (name?, nil):
            guard let s = SweepPresets.named(name) else {
                throw APIError.badRequest("unknown preset '\(name)'; presets: " + SweepPresets.names.joined(separator: ", "), field: "preset")
            }
            return s
        case let (nil, value?):
            guard case let .object(o) = value else { throw APIError.badRequest("spec must be a sweep spec object", field: "spec") }
            try rejectUnknownKeys(o)
            let spec: SweepSpec
            struct Envelope: Decodable { let spec: SweepSpec }
            do { spec = try JSONDecoder().decode(Envelope.self, from: body.raw).spec } catch let e as DecodingError {
                throw decodingError(e)
            }
            try check(spec)
            return spec
        case (.some, .some): throw APIError.badRequest("give exactly one of preset or spec", field: "spec")
        case (nil, nil): throw APIError.badRequest("give a preset name or a spec", field: "preset")
        }
    }

    static let specKeys: Set<String> = ["name", "label", "encoder", "seeds", "designs", "profile"]
    static let designKeys: Set<String> = ["name", "sizes", "mixtures", "tokens", "checkpoints", "seeds", "profile"]

    /// A misspelt key (`checkpoint`, `seed`) would silently fall back to nothing; like every
    /// other body field, it is refused by name.
    static func rejectUnknownKeys(_ spec: [String: JSONValue]) throws {
        // A trainer is a command line: the API would run whatever a request names.
        if spec["trainer"] != nil {
            throw APIError.badRequest("the HTTP API does not run external trainers (a spec's trainer command); run such a spec with `visionmix sweep run`",
                                      field: "spec.trainer")
        }
        if let bad = spec.keys.sorted().first(where: { !specKeys.contains($0) }) {
            throw APIError.badRequest("unknown spec field '\(bad)'; fields are " + specKeys.sorted().joined(separator: ", "), field: "spec.\(bad)")
        }
        guard case let .array(designs)? = spec["designs"] else { return }
        for (i, d) in designs.enumerated() {
            guard case let .object(o) = d else { continue }
            if let bad = o.keys.sorted().first(where: { !designKeys.contains($0) }) {
                throw APIError.badRequest("unknown design field '\(bad)'; fields are " + designKeys.sorted().joined(separator: ", "),
                                          field: "spec.designs[\(i)].\(bad)")
            }
        }
    }

    /// `SweepSpec.validate` (the rule `sweep run --spec` and the runner use), with its field
    /// path under the body's `spec`.
    static func check(_ s: SweepSpec) throws {
        do { try s.validate(knownSizes: SweepSpec.knownSizes) } catch let SweepError.invalid(f, message) {
            throw APIError.badRequest(message, field: f.isEmpty ? "spec" : "spec.\(f)")
        }
    }

    /// A decoding failure named by its path in the spec: `spec.designs[0].tokens`.
    static func decodingError(_ e: DecodingError) -> APIError {
        // Paths start at the envelope's `spec` key, which the reduce's seed already names.
        func path(_ keys: [CodingKey], _ last: CodingKey? = nil) -> String {
            Array((keys + (last.map { [$0] } ?? [])).dropFirst()).reduce("spec") { p, k in k.intValue.map { "\(p)[\($0)]" } ?? "\(p).\(k.stringValue)" }
        }
        switch e {
        case let .keyNotFound(k, c): return APIError.badRequest("\(path(c.codingPath, k)) is required", field: path(c.codingPath, k))
        case let .typeMismatch(t, c): return APIError.badRequest("\(path(c.codingPath)) must be \(t == Int.self ? "an integer" : "a \(t)")", field: path(c.codingPath))
        case let .valueNotFound(_, c): return APIError.badRequest("\(path(c.codingPath)) must not be null", field: path(c.codingPath))
        case let .dataCorrupted(c):
            // An empty path is JSONDecoder refusing a number no Int holds (the only numbers are seeds).
            if c.codingPath.count <= 1 { return APIError.badRequest("spec: a number is out of range (seeds are 0–\(Int32.max))", field: "spec.seeds") }
            return APIError.badRequest("\(path(c.codingPath)): \(c.debugDescription)", field: path(c.codingPath))
        @unknown default: return APIError.badRequest("spec is not a sweep spec", field: "spec")
        }
    }
}

/// Whether a recorded pid is a live process; a sweep whose process died unrecorded is not running.
func processAlive(_ pid: Int?) -> Bool {
    guard let pid, pid > 0 else { return true } // no pid recorded: trust the status
    return kill(pid_t(pid), 0) == 0 || errno == EPERM
}

/// The `sweep run` child processes of this server. Each gets its spec in a temporary file the
/// server writes (requests never name server files), and its output in a log beside it.
final class SweepLauncher: @unchecked Sendable {
    private let lock = NSLock()
    private var children: [Int64: Process] = [:]

    /// Whether this server is starting or running sweep `id` right now.
    func isLaunching(_ id: Int64) -> Bool { lock.withLock { children[id]?.isRunning ?? false } }

    func launch(spec: SweepSpec, sweepId: Int64, executable: String, database: String, store: ResultStore) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("visionmix-sweep-\(sweepId)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let specURL = dir.appendingPathComponent("spec.json")
        // Sorted keys, as SweepRunner.register encodes it: the child's register finds this
        // very record and resumes it instead of creating a second one.
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        try e.encode(spec).write(to: specURL)
        let log = dir.appendingPathComponent("sweep.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let out = try FileHandle(forWritingTo: log)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        // As background work: training saturates every core, and the API must still answer
        // within milliseconds while it does (bench/server/wrk.sh --with-sweep).
        p.arguments = ["sweep", "run", "--spec", specURL.path, "--db", database, "--no-fit", "--background"]
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        p.terminationHandler = { [weak self] proc in
            // A child killed before it could record why (SIGKILL, a crash) must not stay "running".
            if proc.terminationStatus != 0 {
                let how = proc.terminationReason == .uncaughtSignal ? "was killed by signal \(proc.terminationStatus)" : "exited with status \(proc.terminationStatus)"
                try? store.failSweepIfUnfinished(id: sweepId, message: "the sweep process \(how)")
            }
            try? out.close()
            try? FileManager.default.removeItem(at: dir)
            self?.lock.withLock { _ = self?.children.removeValue(forKey: sweepId) }
        }
        lock.lock()
        do { try p.run() } catch {
            lock.unlock()
            try? FileManager.default.removeItem(at: dir)
            try? store.failSweepIfUnfinished(id: sweepId, message: "could not start \(executable): \(error)")
            throw APIError(.internalServerError, "could not start the sweep process: \(error)")
        }
        children[sweepId] = p
        lock.unlock()
        // The child records its own pid as well; this covers the moment before it does, so a
        // cancel right after the 202 reaches it.
        try store.markSweepLaunched(id: sweepId, pid: Int(p.processIdentifier))
    }
}
