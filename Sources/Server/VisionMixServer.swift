import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Store

/// Everything the handlers share: the store, the settings and the request metrics.
final class ServerState: Sendable {
    let store: ResultStore
    let configuration: ServerConfiguration
    let metrics = ServerMetrics()
    /// The `sweep run` processes this server started.
    let sweeps = SweepLauncher()
    /// Fits are CPU-heavy (multi-start least squares plus 200 bootstrap refits on two
    /// threads). One at a time per server, on a queue of their own, so a burst of refits waits
    /// its turn instead of taking every core from the requests that only read.
    let fitQueue = DispatchQueue(label: "visionmix.server.fits", qos: .userInitiated)
    /// The open connections, at most `configuration.maxConnections`.
    let connections: ConnectionCap<any Channel>

    init(store: ResultStore, configuration: ServerConfiguration) {
        self.store = store; self.configuration = configuration
        connections = ConnectionCap(limit: configuration.maxConnections)
    }
}

/// The VisionMix HTTP service: JSON under /v1 and a dashboard at /.
public struct VisionMixServer: Sendable {
    public static let version = "0.1.0"

    let state: ServerState

    /// Checks the settings first: a server that would be exposed without a token is never built.
    public init(configuration: ServerConfiguration, store: ResultStore) throws {
        try configuration.validate()
        state = ServerState(store: store, configuration: configuration)
    }

    func makeRouter(_ routes: [Route] = Self.routes) -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        // Middleware applies only to routes added after it, so it goes first.
        router.add(middleware: APIMiddleware(state: state, routes: routes))
        for route in routes {
            let handler = route.handler, state = state
            router.on(RouterPath(route.path), method: route.method) { request, context -> Response in
                try await handler(request, RouteContext(state: state, parameters: context.parameters))
            }
        }
        return router
    }

    /// The routes the health port answers: `GET /v1/health` alone.
    static var healthRoutes: [Route] { routes.filter { $0.path == "/v1/health" } }

    /// The Hummingbird application; `onRunning` gets the bound port (the real one when the
    /// configuration asks for port 0), `onHealthRunning` the health port's, when there is one.
    public func application(logLevel: Logger.Level = .notice,
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in },
                            onHealthRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "visionmix.server")
        logger.logLevel = logLevel
        let c = state.configuration
        var app = listener(router: makeRouter(), host: c.host, port: c.port, cap: state.connections, logger: logger, onRunning: onRunning)
        if let port = c.healthPort {
            app.addServices(listener(router: makeRouter(Self.healthRoutes), host: c.healthHost ?? c.host, port: port,
                                     cap: ConnectionCap(limit: ServerConfiguration.healthConnections), logger: logger,
                                     eventLoops: .shared(Self.healthEventLoop), onRunning: onHealthRunning))
        }
        return app
    }

    /// The health port's own event loop: a flood of connections to the API's port queues
    /// thousands of connection set-ups on the shared loops, and a health check's would wait
    /// behind them (measured: docs/performance.md, "Idle connections"). Made on first use.
    static let healthEventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// One listening address and port: its own listen queue, connection cap and idle timeout over `router`.
    func listener(router: Router<ServerRequestContext>, host: String, port: Int, cap: ConnectionCap<any Channel>, logger: Logger,
                  eventLoops: EventLoopGroupProvider = .singleton,
                  onRunning: @escaping @Sendable (Int) async -> Void) -> Application<RouterResponder<ServerRequestContext>> {
        let c = state.configuration
        let idle = TimeAmount.nanoseconds(Int64(c.idleTimeout * 1e9))
        return Application(router: router,
                           server: .http1(configuration: .init(additionalChannelHandlers: [ParserErrorAnswer(), ConnectionSlot(cap: cap)],
                                                               idleTimeout: idle)),
                           configuration: .init(address: .hostname(host, port: port), serverName: "visionmix/\(Self.version)",
                                                backlog: ServerConfiguration.listenBacklog),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                           eventLoopGroupProvider: eventLoops, logger: logger)
    }
}

/// Wraps every route (and the not-found answer): authorisation, the body-size check, JSON
/// errors and metrics. Errors become responses here rather than in Hummingbird, so each one
/// gets the `{"error": {"message", "field"}}` shape and a deliberately chosen status.
struct APIMiddleware<Context: RequestContext>: RouterMiddleware {
    let state: ServerState
    /// The routes of the port this wraps, which a 404 or 405 answer names.
    var routes = VisionMixServer.routes

    static var mutating: Set<HTTPRequest.Method> { [.post, .put, .patch, .delete] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        state.metrics.begin()
        var response: Response
        do {
            try authorise(request)
            try checkDeclaredLength(request)
            response = try await next(request, context)
        } catch {
            var e = APIError.from(error)
            if e.status == .notFound && context.endpointPath == "NotFound" { e = notFound(request) }
            // Only a fault is hidden; a 503 (busy store, no sweep binary) says what to do.
            if e.status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path): \(error)")
                e.message = "internal error"
            }
            response = e.response()
            // A body refused part way (a chunked one past the limit) leaves the rest unread;
            // the connection is closed after the answer instead of being drained and kept.
            if e.status == .contentTooLarge, let channel = (context as? ServerRequestContext)?.channel {
                response = Self.closingAfterward(response, channel: channel)
            }
        }
        let matched = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        state.metrics.record(method: request.method.rawValue, route: matched ?? "unmatched", status: response.status.code, seconds: seconds)
        return response
    }

    /// `response` with `Connection: close`, whose body, once written, shuts the connection's
    /// output: the client reads the answer, then the end of the stream. (A full close with the
    /// request's bytes still unread would reset the connection and could lose the answer.)
    static func closingAfterward(_ response: Response, channel: any Channel) -> Response {
        var r = response
        r.headers[.connection] = "close"
        let body = response.body
        r.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await body.write(writer)
            channel.close(mode: .output, promise: nil)
        }
        return r
    }

    func authorise(_ request: Request) throws {
        guard let token = state.configuration.token, Self.mutating.contains(request.method) else { return }
        let given = request.headers[.authorization] ?? ""
        // The scheme is case-insensitive (RFC 9110 §11.1); the token is compared exactly.
        let scheme = "bearer "
        let isBearer = given.utf8.count > scheme.utf8.count && given.prefix(scheme.count).lowercased() == scheme
        guard isBearer, constantTimeEqual(Array(given.utf8.dropFirst(scheme.utf8.count)), Array(token.utf8)) else {
            var e = APIError(.unauthorized, given.isEmpty ? "this request needs Authorization: Bearer <token>" : "the bearer token is wrong",
                             field: "Authorization")
            e.headers[.wwwAuthenticate] = "Bearer realm=\"visionmix\""
            throw e
        }
    }

    /// Refuses an oversized body from its Content-Length before reading any of it; chunked
    /// bodies are caught by `collect(upTo:)` in the handler.
    func checkDeclaredLength(_ request: Request) throws {
        guard let s = request.headers[.contentLength] else { return }
        guard let n = Int(s), n >= 0 else {
            throw APIError.badRequest("Content-Length '\(s.prefix(40))' is not a byte count", field: "Content-Length")
        }
        if n > state.configuration.maxBodyBytes {
            throw APIError(.contentTooLarge, "the request body is \(n) bytes; the limit is \(state.configuration.maxBodyBytes)", field: "body")
        }
    }

    /// 405 with `Allow` when the path exists under other methods, else 404.
    func notFound(_ request: Request) -> APIError {
        let methods = routes.filter { $0.matches(path: request.uri.path) }.map(\.method.rawValue)
        guard !methods.isEmpty else { return APIError(.notFound, "no route for \(request.method) \(request.uri.path)") }
        var e = APIError(.methodNotAllowed, "\(request.uri.path) answers " + methods.joined(separator: ", ") + ", not \(request.method)")
        e.headers[.allow] = methods.joined(separator: ", ")
        return e
    }
}

/// The request context of every route: Hummingbird's, plus the connection, which a refused
/// oversized body closes.
struct ServerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Compares secrets in time that depends only on their lengths.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
