import ArgumentParser
import Foundation
import Server

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the JSON API under /v1 and the dashboard at /.",
        discussion: """
            With $VISIONMIX_TOKEN set, every POST, PUT and DELETE needs `Authorization: Bearer <token>`. \
            Binding an address other than loopback is refused unless a token is set. The API is described \
            in docs/openapi.yaml.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one and prints it).") var port = 8080
    @Option(help: "Seconds an idle keep-alive connection stays open.") var idleTimeout = ServerConfiguration.defaultIdleTimeout
    @Option(help: "Open connections at most; past it the longest-idle one is closed.") var maxConnections = ServerConfiguration.defaultMaxConnections
    @Option(help: "Also answer GET /v1/health on this port (0 picks a free one), apart from the API's connections.") var healthPort: Int?
    @Option(help: "Address the health port listens on (default: --host's); it answers GET /v1/health alone, so needs no token off loopback.")
    var healthHost: String?

    func run() async throws {
        let token = ProcessInfo.processInfo.environment["VISIONMIX_TOKEN"]
        var config = ServerConfiguration(host: host, port: port, token: token, idleTimeout: idleTimeout, maxConnections: maxConnections,
                                         healthPort: healthPort, healthHost: healthHost)
        // Checked before the database is opened, so a refused bind touches nothing.
        do { try config.validate() } catch let e as ConfigurationError { throw UserError(e.description) }
        // No retry past the busy timeout: a request that finds the store busy is answered 503
        // with Retry-After, never held for minutes.
        let store = try global.openStore(writeRetry: 0)
        config.lawProvider = StoreLaws.provider(store)
        // POST /v1/sweeps starts this very binary as `sweep run` against this database.
        config.executablePath = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath().path
        config.databasePath = URL(fileURLWithPath: global.databasePath).standardizedFileURL.path
        let server = try VisionMixServer(configuration: config, store: store)
        let tokenSet = config.token != nil
        func inURL(_ address: String) -> String { address.contains(":") ? "[\(address)]" : address }
        let apiAddress = inURL(host), healthAddress = inURL(healthHost ?? host)
        let app = server.application(onRunning: { port in
            note("visionmix serve: listening on http://\(apiAddress):\(port) (db \(global.databasePath))"
                 + (!tokenSet ? "" : ", mutating requests need the bearer token"))
        }, onHealthRunning: { port in
            note("visionmix serve: health on http://\(healthAddress):\(port)/v1/health")
        })
        try await app.runService()
    }
}
