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
