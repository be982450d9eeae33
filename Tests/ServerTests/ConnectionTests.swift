import Foundation
import Testing
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// A kept-alive client connection on loopback, driven by hand so the test decides when it
/// goes quiet and can see when the server closes it.
final class KeptConnection {
    let fd: Int32
    private var isClosed = false

    init(port: Int) throws { fd = try connectLoopback(port: port) }

    /// Closes the socket once: closing a number twice can close whatever descriptor another
    /// test's server has opened under it since.
    func hangUp() {
        guard !isClosed else { return }
        isClosed = true
        close(fd)
    }

    deinit { hangUp() }

    func sendHealthRequest() {
        let bytes = Array("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        _ = send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
    }

    /// What arrives within `seconds`: bytes, `[]` for the server closing, nil for nothing.
    func receive(within seconds: Int) -> [UInt8]? {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buf, buf.count, 0)
        if n < 0 { return nil }
        return Array(buf[0..<n])
    }

    /// Sends a health request and reads its (small, single-read) answer's status line.
    func health(within seconds: Int = 20) -> String? {
        sendHealthRequest()
        return receive(within: seconds).map { String(decoding: $0, as: UTF8.self).components(separatedBy: "\r\n")[0] }
    }
}

@Suite struct Connections {
    /// A connection left idle past the idle timeout is closed by the server (20 s only proves
    /// it does not stay open for good).
    @Test func anIdleConnectionIsClosed() async throws {
        let s = try await TestServer.start(idleTimeout: 0.5)
        defer { Task { await s.stop() } }
        let port = s.port
        let (first, after) = try await onThread { () throws -> (String?, [UInt8]?) in
            let c = try KeptConnection(port: port)
            return (c.health(), c.receive(within: 20))
        }
        #expect(first == "HTTP/1.1 200 OK")
        #expect(after == [], "the idle connection was not closed: \(String(describing: after))")
    }

    /// Past the cap, a new connection is served and the connection idle longest is closed;
    /// the others are served all along.
    @Test func pastTheCapTheLongestIdleConnectionIsClosed() async throws {
        let s = try await TestServer.start(maxConnections: 2)
        defer { Task { await s.stop() } }
        let port = s.port
        let outcome = try await onThread { () throws -> [String?] in
            let a = try KeptConnection(port: port), b = try KeptConnection(port: port)
            // a goes idle before b does: a's answer is read before b asks.
            let servedA = a.health(), servedB = b.health()
            let c = try KeptConnection(port: port)
            let servedC = c.health()
            let closedA = a.receive(within: 20).map { $0.isEmpty ? "closed" : String(decoding: $0, as: UTF8.self) }
            return [servedA, servedB, servedC, closedA, b.health(), c.health()]
        }
        #expect(outcome[0] == "HTTP/1.1 200 OK" && outcome[1] == "HTTP/1.1 200 OK")
        #expect(outcome[2] == "HTTP/1.1 200 OK", "a connection past the cap was not served")
        #expect(outcome[3] == "closed", "the longest-idle connection was not closed: \(String(describing: outcome[3]))")
        #expect(outcome[4] == "HTTP/1.1 200 OK" && outcome[5] == "HTTP/1.1 200 OK", "an open connection stopped being served")
    }

    /// Connections that never send anything cannot lock out `/v1/health`: past the cap they
    /// are the ones closed.
    @Test func healthAnswersPastACapFullOfSilentConnections() async throws {
        let s = try await TestServer.start(maxConnections: 2)
        defer { Task { await s.stop() } }
        let port = s.port
        let (closedBefore, health, closedAfter) = try await onThread { () throws -> (Int, String?, Bool) in
            let silent = try (0..<4).map { _ in try KeptConnection(port: port) }
            // Wait until the server has taken all four (two closed past the cap of 2): on two
            // loaded cores it can set up a later connection before an earlier one, and a
            // health check that overtook them would be as idle as they are until its request is read.
            var closed = Set<Int>()
            let deadline = Date().addingTimeInterval(20)
            while closed.count < 2 && Date() < deadline {
                for i in silent.indices where !closed.contains(i) && silent[i].receive(within: 1) == [] { closed.insert(i) }
            }
            let answer = try KeptConnection(port: port).health()
            // The health check's connection pushed out one more silent one.
            let open = silent.indices.filter { !closed.contains($0) }
            var more = false
            let later = Date().addingTimeInterval(20)
            while !more && Date() < later { more = open.contains { silent[$0].receive(within: 1) == [] } }
            return (closed.count, answer, more)
        }
        #expect(closedBefore == 2, "silent connections past the cap were kept")
        #expect(health == "HTTP/1.1 200 OK", "health was not answered past the cap: \(String(describing: health))")
        #expect(closedAfter, "the health check's connection did not close a silent one")
    }

    /// The health port answers `GET /v1/health` alone, over connections of its own: silent
    /// connections past the API's cap close each other, and a kept connection on the health port
    /// is answered before and after them.
    @Test func theHealthPortAnswersApartFromTheAPIsConnections() async throws {
        let s = try await TestServer.start(maxConnections: 2, healthPort: true)
        defer { Task { await s.stop() } }
        let port = s.port, healthPort = try #require(s.healthPort)
        #expect(healthPort != port)
        let health = try await onThread { try rawHTTP(port: healthPort, method: "GET", path: "/v1/health", headers: [:], body: nil) }
        #expect(health.status == 200 && health.json["status"] as? String == "ok" && health.json["runs"] as? Int == 0)
        let runs = try await onThread { try rawHTTP(port: healthPort, method: "GET", path: "/v1/runs", headers: [:], body: nil) }
        #expect(runs.status == 404 && runs.errorMessage.contains("no route"), "\(runs.status) \(runs.text)")
        let (before, closed, after) = try await onThread { () throws -> (String?, Int, String?) in
            let kept = try KeptConnection(port: healthPort)
            let before = kept.health()
            let silent = try (0..<6).map { _ in try KeptConnection(port: port) }
            var closed = Set<Int>()
            let deadline = Date().addingTimeInterval(20)
            while closed.count < 4 && Date() < deadline {
                for i in silent.indices where !closed.contains(i) && silent[i].receive(within: 1) == [] { closed.insert(i) }
            }
            return (before, closed.count, kept.health())
        }
        #expect(before == "HTTP/1.1 200 OK" && after == "HTTP/1.1 200 OK", "\(String(describing: before)) \(String(describing: after))")
        #expect(closed == 4, "the API's cap of 2 closed \(closed) of 6 silent connections")
    }

    /// The health port on an address of its own: health answers there and only there, the API
    /// only on its own address (127.0.0.2 is loopback on Linux, like all of 127/8).
    @Test func theHealthPortListensOnItsOwnAddress() async throws {
        let s = try await TestServer.start(healthPort: true, healthHost: "127.0.0.2")
        defer { Task { await s.stop() } }
        let port = s.port, healthPort = try #require(s.healthPort)
        let (health, healthOnAPIHost, api, apiOnHealthHost) = try await onThread { () throws -> (Int, Bool, Int, Bool) in
            func refused(_ address: String, _ port: Int) -> Bool {
                do { close(try connectLoopback(port: port, address: address)); return false } catch { return true }
            }
            let health = try rawHTTP(port: healthPort, address: "127.0.0.2", method: "GET", path: "/v1/health", headers: [:], body: nil).status
            let api = try rawHTTP(port: port, method: "GET", path: "/v1/runs", headers: [:], body: nil).status
            return (health, !refused("127.0.0.1", healthPort), api, !refused("127.0.0.2", port))
        }
        #expect(health == 200 && api == 200)
        #expect(!healthOnAPIHost && !apiOnHealthHost, "health on the API's address: \(healthOnAPIHost); the API on the health address: \(apiOnHealthHost)")
    }

    /// A chunked body past the limit is answered 413 and the server ends the connection: the
    /// client reads the answer and then the end of the stream, even with its body unfinished.
    @Test func anOversizedChunkedBodyIsAnsweredAndTheConnectionEnded() async throws {
        let s = try await TestServer.start(maxBodyBytes: 1024)
        defer { Task { await s.stop() } }
        let port = s.port
        let (text, ended) = try await onThread { () throws -> (String, Bool) in
            let c = try KeptConnection(port: port)
            var bytes = Array("POST /v1/runs?source=s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            let chunk = Array("1000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 4096) + Array("\r\n".utf8)
            for _ in 0..<16 { bytes += chunk }
            _ = send(c.fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
            var received: [UInt8] = []
            while let got = c.receive(within: 20) {
                if got.isEmpty { return (String(decoding: received, as: UTF8.self), true) }
                received += got
            }
            return (String(decoding: received, as: UTF8.self), false)
        }
        #expect(text.hasPrefix("HTTP/1.1 413"), "\(text.prefix(200))")
        #expect(text.lowercased().contains("connection: close"))
        #expect(text.contains("the request body is too large"))
        #expect(ended, "the connection stayed open after the 413")
    }

    @Test func settingsThatCannotWorkAreRefused() throws {
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(idleTimeout: 0).validate() }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(maxConnections: 0).validate() }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(port: 8080, healthPort: 8080).validate() }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(healthPort: 70_000).validate() }
        #expect(throws: Never.self) { try ServerConfiguration(port: 0, healthPort: 0).validate() }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(healthHost: "127.0.0.2").validate() }
        // The health port answers one read-only route: it may leave loopback without a token.
        #expect(throws: Never.self) { try ServerConfiguration(healthPort: 0, healthHost: "0.0.0.0").validate() }
        // A token of spaces is no token: it does not open a public address.
        #expect(ServerConfiguration(token: "  \t").token == nil)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(host: "0.0.0.0", token: " ").validate() }
    }
}
