import Foundation
import TestScratch
import PlannerTestSupport
import Planner
import Store
import VisionMixCore
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `visionmix` binary `swift build --build-tests` leaves behind.
let debugBinary = repoRoot.appendingPathComponent(".build/debug/visionmix").path

func scratchDirectory() -> URL {
    Scratch.directory("server")
}

/// A known response surface standing in for a fitted law (as PlannerTests' `KnownLaw`).
/// Per-source laws: vision rises with code and math, language falls with them.
func knownLaws() -> LawSet {
    // Values grow with log size; 20 replicates 0.02 apart; sizes above 10B are extrapolation.
    func law(_ category: String, _ f: @escaping @Sendable (Mixture) -> Double) -> KnownLaw {
        KnownLaw(category: category, space: .weights, offsets: (0..<20).map { Double($0 - 10) * 0.02 }, largestFittedParams: 1e10) { m, n in
            f(m) + log10(n) - 9
        }
    }
    let vision = law("vqa_avg") { m in 30 + 10 * m.reasoningShare! - 20 * pow(m.weight(.code) - 0.3, 2) }
    let language = law("text_acc") { m in 55 - 6 * (m.weight(.code) + m.weight(.math)) }
    return LawSet(source: "known", laws: ["vqa_avg": vision, "text_acc": language])
}

let knownProvider: LawProvider = { source in
    guard source == "known" else { throw LawLookupError.unknownSource(source, known: ["known"]) }
    return knownLaws()
}

/// A response read off the wire.
struct HTTPResult {
    var status: Int
    var headers: [String: String]
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    /// `error.field` of an error response.
    var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
    var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }
}

/// A real server on a loopback port, over a fresh database.
final class TestServer: @unchecked Sendable {
    let store: ResultStore
    let port: Int
    /// The health port's, when the server was started with one.
    let healthPort: Int?
    private let task: Task<Void, Error>

    /// With `storeLaws`, predict and recommend plan on the database's fits as `visionmix serve` does.
    /// `busyTimeout` shortens SQLite's wait for another writer; `idleTimeout` and
    /// `maxConnections` are the server's own.
    static func start(token: String? = nil, maxBodyBytes: Int = 1 << 20, provider: LawProvider? = knownProvider,
                      storeLaws: Bool = false, busyTimeout: Double? = nil,
                      idleTimeout: Double = ServerConfiguration.defaultIdleTimeout,
                      maxConnections: Int = ServerConfiguration.defaultMaxConnections, healthPort: Bool = false,
                      healthHost: String? = nil) async throws -> TestServer {
        let dbPath = scratchDirectory().appendingPathComponent("server.sqlite").path
        let store = try ResultStore(path: dbPath, busyTimeout: busyTimeout)
        let provider = storeLaws ? StoreLaws.provider(store) : provider
        // Sweeps started in tests run the built debug binary against this test's database.
        let config = ServerConfiguration(host: "127.0.0.1", port: 0, token: token, maxBodyBytes: maxBodyBytes, lawProvider: provider,
                                         executablePath: debugBinary, databasePath: dbPath,
                                         idleTimeout: idleTimeout, maxConnections: maxConnections, healthPort: healthPort ? 0 : nil,
                                         healthHost: healthHost)
        let server = try VisionMixServer(configuration: config, store: store)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let (healthPorts, healthContinuation) = AsyncStream<Int>.makeStream()
        let app = server.application(logLevel: .critical, onRunning: { port in continuation.yield(port) },
                                     onHealthRunning: { port in healthContinuation.yield(port) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next() else { throw ConfigurationError("the server did not start") }
        var healthIt = healthPorts.makeAsyncIterator()
        let health = healthPort ? await healthIt.next() : nil
        return TestServer(store: store, port: port, healthPort: health, task: task)
    }

    private init(store: ResultStore, port: Int, healthPort: Int?, task: Task<Void, Error>) {
        self.store = store; self.port = port; self.healthPort = healthPort; self.task = task
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) async throws -> HTTPResult {
        let port = port
        return try await onThread { try rawHTTP(port: port, method: method, path: path, headers: headers, body: body) }
    }

    func get(_ path: String) async throws -> HTTPResult { try await request("GET", path) }

    func delete(_ path: String, headers: [String: String] = [:]) async throws -> HTTPResult { try await request("DELETE", path, headers: headers) }

    func post(_ path: String, json: String, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await request("POST", path, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, body: Data(json.utf8))
    }
}

/// Runs blocking work (sockets, child processes) on a thread of its own. Not `Task.detached`:
/// that runs on the cooperative pool (two threads here), which the servers under test need.
/// Not Dispatch either: the server offloads SQLite work to Dispatch's pool, and clients blocked
/// there would starve the very work they wait for.
func onThread<T>(_ body: @escaping () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in Thread { c.resume(with: Result { try body() }) }.start() }
}

struct SocketError: Error, CustomStringConvertible { let description: String }

/// A TCP connection to `address`:`port` (IPv4 loopback by default); the caller closes it.
func connectLoopback(port: Int, address: String = "127.0.0.1") throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketError(description: "socket() failed") }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr(address)
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard rc == 0 else { close(fd); throw SocketError(description: "connect to \(address):\(port) failed (errno \(errno))") }
    return fd
}

/// Minimal HTTP/1.1 over a socket: the exact bytes are under the test's control (chunked
/// bodies, a Content-Length past the limit), which a higher-level client would normalise.
func rawHTTP(port: Int, address: String = "127.0.0.1", method: String, path: String, headers: [String: String], body: Data?,
             chunked: Bool = false) throws -> HTTPResult {
    let fd = try connectLoopback(port: port, address: address)
    defer { close(fd) }
    var tv = timeval(tv_sec: 20, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var head = "\(method) \(path) HTTP/1.1\r\nHost: \(address):\(port)\r\n"
    for (k, v) in headers { head += "\(k): \(v)\r\n" }
    var payload = Data()
    if let body {
        if chunked {
            head += "Transfer-Encoding: chunked\r\n"
            var i = 0
            while i < body.count {
                let piece = body[body.startIndex + i..<body.startIndex + min(body.count, i + 4096)]
                payload += Data((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Data("\r\n".utf8)
                i += piece.count
            }
            payload += Data("0\r\n\r\n".utf8)
        } else if headers.keys.contains(where: { $0.lowercased() == "content-length" }) {
            payload = body
        } else {
            head += "Content-Length: \(body.count)\r\n"
            payload = body
        }
    }
    let bytes = Data((head + "\r\n").utf8) + payload
    bytes.withUnsafeBytes { raw in
        var sent = 0
        while sent < raw.count {
            let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            if n <= 0 { break } // the server may answer (413) and stop reading early
            sent += n
        }
    }
    var received = Data()
    var buf = [UInt8](repeating: 0, count: 65536)
    func fill() throws -> Bool {
        let n = recv(fd, &buf, buf.count, 0)
        if n < 0 { throw SocketError(description: "recv failed (errno \(errno))") }
        if n == 0 { return false }
        received.append(contentsOf: buf[0..<n])
        return true
    }
    let separator = Data("\r\n\r\n".utf8)
    while received.range(of: separator) == nil { guard try fill() else { throw SocketError(description: "connection closed before the response head") } }
    let headEnd = received.range(of: separator)!
    let lines = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
    let status = Int(lines[0].split(separator: " ")[1])!
    var fields: [String: String] = [:]
    for l in lines.dropFirst() {
        guard let colon = l.firstIndex(of: ":") else { continue }
        fields[l[..<colon].lowercased()] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    var rest = Data(received[headEnd.upperBound...])
    if let len = fields["content-length"].flatMap(Int.init) {
        while rest.count < len { guard try fill() else { break }; rest = Data(received[headEnd.upperBound...]) }
        return HTTPResult(status: status, headers: fields, body: rest.prefix(len))
    }
    if fields["transfer-encoding"]?.lowercased() == "chunked" {
        // Read to the last chunk, then unwrap the chunks.
        let last = Data("0\r\n\r\n".utf8)
        while !Data(received[headEnd.upperBound...]).suffix(last.count).elementsEqual(last) { guard try fill() else { break } }
        return HTTPResult(status: status, headers: fields, body: dechunk(Data(received[headEnd.upperBound...])))
    }
    while try fill() {}
    return HTTPResult(status: status, headers: fields, body: Data(received[headEnd.upperBound...]))
}

func dechunk(_ data: Data) -> Data {
    var out = Data()
    var i = data.startIndex
    let crlf = Data("\r\n".utf8)
    while let r = data.range(of: crlf, in: i..<data.endIndex) {
        let sizeText = String(decoding: data[i..<r.lowerBound], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
        guard let size = Int(sizeText, radix: 16), size > 0 else { break }
        let start = r.upperBound
        guard start + size <= data.endIndex else { break }
        out += data[start..<start + size]
        i = start + size + 2
    }
    return out
}
