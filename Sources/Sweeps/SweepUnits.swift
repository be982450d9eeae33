import Foundation
import Store

/// Where each unit of work of a local sweep stands (a unit is a pre-training and the runs
/// that share it), read from the store: what a live progress page lists.
public struct SweepUnits: Codable, Sendable {
    public struct Unit: Codable, Sendable {
        /// Position in the sweep's order of work, from 0.
        public var unit: Int
        public var key: String
        /// The run names of the unit.
        public var runs: [String]
        /// `done` (every run stored), `running` (taken by a worker of the sweep's process),
        /// `failed` (being worked on when the sweep failed), `cancelled` (being worked on when
        /// it was cancelled), or `pending`.
        public var state: String
        public var worker: Int?
        /// How long the unit took (its slowest run), once done.
        public var seconds: Double?
    }

    public var sweepId: Int64
    public var status: String
    public var units: [Unit]
    /// Units by state, every state present (zero when none).
    public var counts: [String: Int]
    /// Why the sweep failed or stopped, as recorded.
    public var message: String?

    public static let states = ["done", "running", "pending", "failed", "cancelled"]

    enum CodingKeys: String, CodingKey {
        case status, units, counts, message
        case sweepId = "sweep_id"
    }
}

extension SweepProgress {
    /// What the record alone says, for a sweep whose spec no longer reads (hand-edited, an
    /// older format): its status and totals, no runs counted.
    public init(record: SweepRecord) {
        self.init(sweepId: record.id ?? 0, name: record.name, label: record.label, status: record.status,
                  totalRuns: record.totalRuns, completedRuns: 0, elapsedSeconds: Date().timeIntervalSince(record.createdAt),
                  etaSeconds: nil, message: record.message)
    }
}

extension SweepRunner {
    /// The sweep's units in the order they run. Units in progress are those the newest
    /// invocation's workers claimed and have not stored; a sweep run in one process claims
    /// nothing and works in order, so its first unstored unit is the one in progress.
    public func units() throws -> SweepUnits {
        let current = try store.sweep(id: sweep.id!) ?? sweep
        let stored = try store.storedRowsByName(label: spec.label)
        let seconds = try store.runDurations(label: spec.label)
        let claims = try store.newestSweepClaims(id: sweep.id!)
        let inProgress: String? = ["running": "running", "failed": "failed", "cancelled": "cancelled"][current.status]
        var units: [SweepUnits.Unit] = []
        var markedFirst = false
        for (i, group) in try allRuns().groupedByPretraining.enumerated() {
            let key = group[0].pretrainingKey
            let done = group.allSatisfy { (stored[$0.identifier] ?? 0) >= $0.checkpoints.count }
            var unit = SweepUnits.Unit(unit: i, key: key, runs: group.map(\.identifier), state: "pending", worker: claims[key], seconds: nil)
            if done {
                unit.state = "done"
                unit.seconds = group.compactMap { seconds[$0.identifier] }.max()
            } else if let inProgress, claims.isEmpty ? !markedFirst : claims[key] != nil {
                unit.state = inProgress
                markedFirst = true
            }
            units.append(unit)
        }
        var counts: [String: Int] = [:]
        for s in SweepUnits.states { counts[s] = units.filter { $0.state == s }.count }
        return SweepUnits(sweepId: current.id!, status: current.status, units: units, counts: counts, message: current.message)
    }
}
