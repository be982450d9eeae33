import Foundation
import Testing
@testable import Server

/// The cap's choice of which connection to close, with plain objects for connections.
@Suite struct ConnectionCapChoice {
    final class Connection { let name: String; init(_ name: String) { self.name = name } }

    /// Opens `c` under `cap` and returns the name of the connection the cap says to close.
    func open(_ c: Connection, _ cap: ConnectionCap<Connection>) -> String? {
        cap.opened(ObjectIdentifier(c), c)?.name
    }

    @Test func connectionsUpToTheCapAreKept() {
        let cap = ConnectionCap<Connection>(limit: 2)
        let a = Connection("a"), b = Connection("b")
        #expect(open(a, cap) == nil && open(b, cap) == nil)
        #expect(cap.count == 2)
    }

    @Test func pastTheCapTheLongestIdleIsClosed() {
        let cap = ConnectionCap<Connection>(limit: 2)
        let a = Connection("a"), b = Connection("b"), c = Connection("c"), d = Connection("d")
        _ = open(a, cap); _ = open(b, cap)
        // a answers a request after b went idle, so b has been idle longest.
        cap.requestStarted(ObjectIdentifier(a)); cap.requestEnded(ObjectIdentifier(a))
        #expect(open(c, cap) == "b")
        #expect(open(d, cap) == "a")
        #expect(cap.count == 2)
    }

    @Test func aConnectionInTheMiddleOfARequestIsNeverClosed() {
        let cap = ConnectionCap<Connection>(limit: 2)
        let a = Connection("a"), b = Connection("b"), c = Connection("c"), d = Connection("d")
        _ = open(a, cap); _ = open(b, cap)
        cap.requestStarted(ObjectIdentifier(a))
        #expect(open(c, cap) == "b")
        // a and c both busy: the newcomer is the one closed.
        cap.requestStarted(ObjectIdentifier(c))
        #expect(open(d, cap) == "d")
        #expect(cap.count == 2)
        // Once a's response is written, a is idle and can make room.
        cap.requestEnded(ObjectIdentifier(a))
        #expect(open(d, cap) == "a")
    }

    @Test func aClosedConnectionFreesItsSlot() {
        let cap = ConnectionCap<Connection>(limit: 1)
        let a = Connection("a"), b = Connection("b")
        _ = open(a, cap)
        cap.closed(ObjectIdentifier(a))
        #expect(open(b, cap) == nil)
        #expect(cap.count == 1)
    }
}

/// The kernel's queue in front of the server: a burst of connects past Hummingbird's default of
/// 256 would have its SYNs dropped, and a `/v1/health` caught among them waits a second for TCP
/// to send its SYN again. `ss` reads the listening socket's queue limit (its Send-Q).
@Suite struct ListenQueue {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ss")))
    func theListenQueueHoldsABurstOfConnections() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let ss = Process()
        ss.executableURL = URL(fileURLWithPath: "/usr/bin/ss")
        ss.arguments = ["-ltnH", "sport = :\(s.port)"]
        let out = Pipe()
        ss.standardOutput = out
        try ss.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ss.waitUntilExit()
        let somaxconn = (try? String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? ServerConfiguration.listenBacklog
        // One line per listening socket: State, Recv-Q, Send-Q (the queue's limit), addresses.
        let limits = text.split(separator: "\n").compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.flatMap { Int($0) } }
        #expect(!limits.isEmpty, "ss found no listening socket on port \(s.port): \(text)")
        #expect(limits.allSatisfy { $0 == min(ServerConfiguration.listenBacklog, somaxconn) }, "listen queue limits \(limits)")
    }
}
