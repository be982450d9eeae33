import Foundation
import Planner
import Store

/// Where predict and recommend get fitted laws. The server never fits on its own: a provider
/// is the single seam between HTTP and however laws are loaded (from the store's `fits`
/// table once the Laws module lands, or a hand-built `LawSet` in tests).
///
/// Throw `LawLookupError` for a source that is unknown or has no fits, so the client gets a 404
/// naming the `source` field; anything else it throws is treated as a server fault.
public typealias LawProvider = @Sendable (_ source: String) throws -> LawSet

public enum LawLookupError: Error, CustomStringConvertible, Equatable {
    case unknownSource(String, known: [String])
    case noFits(String)

    public var description: String {
        switch self {
        case let .unknownSource(s, known):
            "unknown source '\(s)'" + (known.isEmpty ? " (the store holds no runs yet)" : "; sources: " + known.joined(separator: ", "))
        case let .noFits(s): "no fitted laws for source '\(s)' yet (fit them first with `visionmix fit`)"
        }
    }
}

public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// When set, every mutating request (POST, PUT, PATCH, DELETE) needs `Authorization: Bearer <token>`.
    public var token: String?
    /// Request bodies past this many bytes are refused with 413 before they are parsed.
    public var maxBodyBytes: Int
    /// Fitted laws by source; `nil` until a provider is plugged in, and then predict and
    /// recommend answer 404 for every source, naming what is missing.
    public var lawProvider: LawProvider?
    /// Candidates a recommendation may ask for; the search costs CPU on a shared event loop.
    public var maxCandidates: Int
    /// The `visionmix` binary that `POST /v1/sweeps` starts as `sweep run` (the server's own
    /// executable under `visionmix serve`); nil and sweeps cannot be started (503).
    public var executablePath: String?
    /// The database the sweep process writes to: the one this server reads, so progress shows up.
    public var databasePath: String?
    /// Seconds a keep-alive connection may sit idle before the server closes it.
    public var idleTimeout: Double
    /// Open connections at most; a connection past it closes the longest-idle one, or is closed
    /// itself when all are busy with requests (`ConnectionCap`), so a flood of connections can
    /// neither exhaust descriptors nor lock out a request.
    public var maxConnections: Int
    /// A second port that answers `GET /v1/health` alone (nil: none; 0 picks a free one), with
    /// its own listen queue and connections: a health check there is not queued behind a flood
    /// of connections to the API's port, whose accepts take the server a few seconds to work
    /// through (docs/performance.md, "Idle connections").
    public var healthPort: Int?
    /// The address the health port listens on (nil: the API's). It answers `GET /v1/health`
    /// alone, which reads the version and the number of runs and changes nothing, so it may
    /// bind any address without a token: a load balancer's probes can reach it while the API
    /// stays on loopback behind a proxy.
    public var healthHost: String?

    public static let defaultIdleTimeout: Double = 30
    /// Open connections at most on the health port (a health check needs one at a time).
    public static let healthConnections = 16
    public static let defaultMaxConnections = 256
    /// Connections the kernel may hold for the server before it accepts them (the listen queue).
    /// The kernel caps it at `net.core.somaxconn` (4,096 by default), so asking for the most a
    /// listen queue can hold lets an operator who raises that setting have it without a rebuild.
    /// A connect that finds the queue full has its SYN dropped and waits for TCP's one-second
    /// retransmission, so a burst of connections faster than the server accepts them would
    /// stall a `/v1/health` behind it; a queued connection costs the process no descriptor.
    public static let listenBacklog = 65_535

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, maxBodyBytes: Int = 1 << 20,
                lawProvider: LawProvider? = nil, maxCandidates: Int = 20_000,
                executablePath: String? = nil, databasePath: String? = nil,
                idleTimeout: Double = defaultIdleTimeout, maxConnections: Int = defaultMaxConnections, healthPort: Int? = nil,
                healthHost: String? = nil) {
        // A token of spaces is no token: it must not unlock a non-loopback address.
        self.host = host; self.port = port
        self.token = token.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        self.idleTimeout = idleTimeout; self.maxConnections = maxConnections; self.healthPort = healthPort
        self.healthHost = healthHost
        self.maxBodyBytes = maxBodyBytes; self.lawProvider = lawProvider; self.maxCandidates = maxCandidates
        self.executablePath = executablePath; self.databasePath = databasePath
    }

    /// Refuses settings that would expose the store: a non-loopback address without a token.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ConfigurationError("port \(port) is not in 0–65535") }
        guard idleTimeout > 0, idleTimeout.isFinite else { throw ConfigurationError("the idle timeout must be a positive number of seconds") }
        guard maxConnections >= 1 else { throw ConfigurationError("the connection cap must be at least 1") }
        if healthHost != nil && healthPort == nil { throw ConfigurationError("a health host needs a health port") }
        if let h = healthPort {
            guard (0...65535).contains(h) else { throw ConfigurationError("health port \(h) is not in 0–65535") }
            guard h == 0 || h != port else { throw ConfigurationError("the health port must differ from the API's port \(port)") }
        }
        if !Self.isLoopback(host) && token == nil {
            throw ConfigurationError("refusing to listen on \(host) without a token: set VISIONMIX_TOKEN, or bind 127.0.0.1")
        }
    }

    /// Loopback by address, not by name resolution: a name other than `localhost` could
    /// resolve anywhere.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { p in Int(p).map { (0...255).contains($0) && String($0) == p } ?? false }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
