import Foundation
import VisionMixCore

/// Where each unit of a working directory stands, from its result file and what the queue says.
public struct WorkDirStatus: Codable, Sendable {
    public struct Unit: Codable, Sendable {
        public var unit: Int
        /// `done` (its result file exists), `running`, `pending` (queued), `failed` (its task
        /// ended without a result) or `missing` (never submitted, or forgotten by the queue
        /// without a log).
        public var state: String
        public var job: String?
        /// What the queue last said (`CANCELLED`, `TIMEOUT`, ...) for a unit that is not done.
        public var queueState: String?
        public var seconds: Double?
        /// The last lines of a failed unit's log.
        public var logTail: String?
        public var runs: [String]
    }

    public var units: [Unit]
    public var counts: [String: Int]
    /// Remaining time: the finished units' mean duration times the units left, over the units
    /// running side by side (nil before a unit has finished).
    public var etaSeconds: Double?

    public static let states = ["done", "running", "pending", "failed", "missing"]

    public static func read(_ workdir: WorkDir, queue: [Int: SlurmQueue.TaskState], tailLines: Int = 12) throws -> WorkDirStatus {
        var units: [Unit] = []
        for u in try workdir.units() {
            let q = queue[u.unit]
            var unit = Unit(unit: u.unit, state: "missing", job: q?.jobId, queueState: q?.state, seconds: nil, logTail: nil,
                            runs: u.runs.map(\.name))
            let hasLog = FileManager.default.fileExists(atPath: workdir.logURL(u.unit).path)
            if workdir.hasResult(u.unit) {
                unit.state = "done"
                unit.queueState = nil
                unit.seconds = resultSeconds(workdir.resultURL(u.unit))
            } else if let q, q.isActive {
                unit.state = q.state == "PENDING" || q.state.hasPrefix("REQUEUE") ? "pending" : "running"
                if unit.state == "pending", let why = q.reason { unit.queueState = "\(q.state) (\(why))" }
            } else if q != nil || hasLog {
                unit.state = "failed"
                if let q, let why = q.reason { unit.queueState = "\(q.state) (\(why))" }
                unit.logTail = tail(workdir.logURL(u.unit), lines: tailLines)
            }
            units.append(unit)
        }
        var counts: [String: Int] = [:]
        for s in states { counts[s] = units.filter { $0.state == s }.count }
        let durations = units.compactMap(\.seconds)
        var eta: Double?
        if !durations.isEmpty {
            let left = units.count - counts["done"]!
            let side = max(1, counts["running"]!)
            eta = durations.reduce(0, +) / Double(durations.count) * Double(left) / Double(side)
        }
        return WorkDirStatus(units: units, counts: counts, etaSeconds: eta)
    }

    /// How long a unit took: its rows' longest duration (the whole unit's, for the last checkpoint).
    static func resultSeconds(_ url: URL) -> Double? {
        guard let data = FileManager.default.contents(atPath: url.path),
              case let .array(rows)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        return rows.compactMap { $0.objectValue?["duration_seconds"]?.numberValue }.max()
    }

    static func tail(_ url: URL, lines: Int) -> String? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let all = String(decoding: data.suffix(64 * 1024), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines + 1).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
