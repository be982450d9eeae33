import Foundation

/// Request counters and latency histograms in Prometheus' text exposition format (0.0.4).
/// Kept in-process and hand-written: the set is small, and it saves a dependency.
final class ServerMetrics: @unchecked Sendable {
    /// Latency bucket upper bounds in seconds: from a cached GET to a long recommendation.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var total = 0
    }

    private struct RequestKey: Hashable { let method: String, route: String, status: Int }

    private let lock = NSLock()
    private var requests: [RequestKey: Int] = [:]
    private var latency: [String: Histogram] = [:]
    private var runsImported = 0
    private var inFlight = 0
    let started = Date()

    func begin() { lock.withLock { inFlight += 1 } }

    func record(method: String, route: String, status: Int, seconds: Double) {
        lock.withLock {
            inFlight -= 1
            requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
            var h = latency[route] ?? Histogram()
            // Cumulative at render time; here each observation lands in its first bucket only.
            if let i = Self.buckets.firstIndex(where: { seconds <= $0 }) { h.counts[i] += 1 }
            h.sum += seconds
            h.total += 1
            latency[route] = h
        }
    }

    func imported(_ n: Int) { lock.withLock { runsImported += n } }

    /// The exposition text; `runsBySource` is read from the store by the caller at scrape time.
    func render(runsBySource: [(label: String, runs: Int)]) -> String {
        lock.lock()
        let requests = self.requests, latency = self.latency, imported = runsImported, inFlight = self.inFlight
        lock.unlock()
        var out: [String] = []
        func header(_ name: String, _ type: String, _ help: String) {
            out.append("# HELP \(name) \(help)")
            out.append("# TYPE \(name) \(type)")
        }
        header("visionmix_http_requests_total", "counter", "HTTP requests by method, route template and status.")
        for (k, v) in requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out.append("visionmix_http_requests_total{method=\"\(escape(k.method))\",route=\"\(escape(k.route))\",status=\"\(k.status)\"} \(v)")
        }
        header("visionmix_http_request_duration_seconds", "histogram", "Time from request head to response, by route template.")
        for (route, h) in latency.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (i, b) in Self.buckets.enumerated() {
                cumulative += h.counts[i]
                out.append("visionmix_http_request_duration_seconds_bucket{route=\"\(escape(route))\",le=\"\(number(b))\"} \(cumulative)")
            }
            out.append("visionmix_http_request_duration_seconds_bucket{route=\"\(escape(route))\",le=\"+Inf\"} \(h.total)")
            out.append("visionmix_http_request_duration_seconds_sum{route=\"\(escape(route))\"} \(number(h.sum))")
            out.append("visionmix_http_request_duration_seconds_count{route=\"\(escape(route))\"} \(h.total)")
        }
        header("visionmix_http_requests_in_flight", "gauge", "Requests being handled now.")
        out.append("visionmix_http_requests_in_flight \(inFlight)")
        header("visionmix_runs_imported_total", "counter", "Runs stored through POST /v1/runs since the server started.")
        out.append("visionmix_runs_imported_total \(imported)")
        header("visionmix_runs_stored", "gauge", "Runs in the store, by source label.")
        for l in runsBySource { out.append("visionmix_runs_stored{source=\"\(escape(l.label))\"} \(l.runs)") }
        header("visionmix_runs_stored_total", "gauge", "Runs in the store.")
        out.append("visionmix_runs_stored_total \(runsBySource.reduce(0) { $0 + $1.runs })")
        header("visionmix_process_start_time_seconds", "gauge", "Unix time the server started.")
        out.append("visionmix_process_start_time_seconds " + String(format: "%.3f", started.timeIntervalSince1970))
        return out.joined(separator: "\n") + "\n"
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private func number(_ x: Double) -> String { String(format: "%.6g", x) }
}
