import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// At most `limit` open connections, without locking anyone out while a connection sits idle.
/// A connection past the cap closes the one that has been idle longest (between requests, or
/// never having sent one); only when every open connection is in the middle of a request is the
/// newcomer itself closed. Stopping accepting instead (waiting for a free slot) would let any
/// client that opens `limit` connections and sends nothing lock everyone out, `/v1/health`
/// included, until the idle timeout, and then again. Descriptors and memory stay bounded by the
/// cap either way.
/// Generic over what it hands back to close (a channel in the server, a plain value in tests).
final class ConnectionCap<Connection>: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var open: [ObjectIdentifier: Slot] = [:]
    /// Orders idleness: a slot's `idleSince` is the tick at which it last went idle.
    private var tick: UInt64 = 0

    private struct Slot {
        let connection: Connection
        var requests = 0
        var idleSince: UInt64
    }

    init(limit: Int) { self.limit = limit }

    /// Connections the cap counts (the ones it closed are out of it at once).
    var count: Int { lock.withLock { open.count } }

    /// A connection opened: nil when it fits, else the connection to close (the longest idle
    /// one, or this one when none is idle).
    func opened(_ id: ObjectIdentifier, _ connection: Connection) -> Connection? {
        lock.withLock {
            tick += 1
            if open.count < limit {
                open[id] = Slot(connection: connection, idleSince: tick)
                return nil
            }
            guard let (oldest, slot) = open.filter({ $0.value.requests == 0 }).min(by: { $0.value.idleSince < $1.value.idleSince }) else {
                return connection
            }
            open[oldest] = nil
            open[id] = Slot(connection: connection, idleSince: tick)
            return slot.connection
        }
    }

    func requestStarted(_ id: ObjectIdentifier) {
        lock.withLock { open[id]?.requests += 1 }
    }

    func requestEnded(_ id: ObjectIdentifier) {
        lock.withLock {
            guard var slot = open[id] else { return }
            tick += 1
            slot.requests = max(0, slot.requests - 1)
            if slot.requests == 0 { slot.idleSince = tick }
            open[id] = slot
        }
    }

    func closed(_ id: ObjectIdentifier) {
        lock.withLock { open[id] = nil }
    }
}

/// One connection's place under the `ConnectionCap`: it tells the cap when the connection opens,
/// when a request starts (its head is read) and when its response has been written.
final class ConnectionSlot: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let cap: ConnectionCap<any Channel>
    init(cap: ConnectionCap<any Channel>) { self.cap = cap }

    private var id: ObjectIdentifier { ObjectIdentifier(self) }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let victim = cap.opened(id, context.channel) else { return }
        // Closed after the pipeline is set up: closing inside its setup would fail the setup.
        context.eventLoop.execute { victim.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { cap.closed(id) }

    func channelInactive(context: ChannelHandlerContext) {
        cap.closed(id)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { cap.requestStarted(id) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { cap.requestEnded(id) }
        context.write(data, promise: promise)
    }
}
