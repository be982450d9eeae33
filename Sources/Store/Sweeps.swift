import Foundation
import GRDB

extension ResultStore {
    @discardableResult
    public func createSweep(_ sweep: SweepRecord) throws -> SweepRecord {
        var s = sweep
        try writeRetrying { db in try s.insert(db) }
        return s
    }

    public func sweep(id: Int64) throws -> SweepRecord? {
        try pool.read { db in try SweepRecord.fetchOne(db, key: id) }
    }

    /// The newest sweep, or the newest with `name`.
    public func latestSweep(name: String? = nil) throws -> SweepRecord? {
        try pool.read { db in
            var q = SweepRecord.order(Column("id").desc)
            if let name { q = q.filter(Column("name") == name) }
            return try q.fetchOne(db)
        }
    }

    public func sweeps() throws -> [SweepRecord] {
        try pool.read { db in try SweepRecord.order(Column("id").desc).fetchAll(db) }
    }

    public func updateSweep(id: Int64, status: String? = nil, pid: Int?? = nil, message: String?? = nil) throws {
        try writeRetrying { db in
            guard var s = try SweepRecord.fetchOne(db, key: id) else { return }
            if let status { s.status = status }
            if let pid { s.pid = pid }
            if let message { s.message = message }
            s.updatedAt = Date()
            try s.update(db)
        }
    }

    /// Records that a process started elsewhere runs sweep `id` as `pid`, but only while the
    /// sweep is still `pending`: a process that already failed (or set itself running) is
    /// not overwritten by the one that launched it. Returns whether the row changed.
    @discardableResult
    public func markSweepLaunched(id: Int64, pid: Int) throws -> Bool {
        try writeRetrying { db in
            try db.execute(sql: "UPDATE sweeps SET status = 'running', pid = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
                           arguments: [pid, Date(), id])
            return db.changesCount > 0
        }
    }

    /// Marks sweep `id` failed with `message` if it is still `pending` or `running`: for a
    /// sweep process that died without recording why (killed, crashed).
    public func failSweepIfUnfinished(id: Int64, message: String) throws {
        try writeRetrying { db in
            try db.execute(sql: "UPDATE sweeps SET status = 'failed', message = ?, pid = NULL, updated_at = ? WHERE id = ? AND status IN ('pending', 'running')",
                           arguments: [message, Date(), id])
        }
    }

    /// Claims `unit` of sweep `id` for `worker` in this `attempt` (one invocation of the sweep):
    /// true for the first worker to ask, false for every later one.
    public func claimSweepUnit(id: Int64, attempt: String, unit: String, worker: Int) throws -> Bool {
        try writeRetrying { db in
            try db.execute(sql: "INSERT OR IGNORE INTO sweep_claims (sweep_id, attempt, unit, worker, claimed_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, attempt, unit, worker, Date()])
            return db.changesCount > 0
        }
    }

    /// Stored rows per run name under `label`: a sweep run is complete when all its
    /// checkpoints are there (they are written in one transaction, so it is all or none).
    public func storedRowsByName(label: String) throws -> [String: Int] {
        try pool.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, count(*) AS n FROM runs WHERE label = ? AND name IS NOT NULL GROUP BY name",
                                        arguments: [label]) {
                out[row["name"]] = row["n"]
            }
            return out
        }
    }

    /// Durations of the stored trainer runs of `label`, by run name, for ETAs.
    public func runDurations(label: String) throws -> [String: Double] {
        try pool.read { db in
            var out: [String: Double] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, max(duration_seconds) AS d FROM runs WHERE label = ? AND name IS NOT NULL GROUP BY name",
                                        arguments: [label]) {
                if let d: Double = row["d"] { out[row["name"]] = d }
            }
            return out
        }
    }

    /// The units of sweep `id` claimed by its newest invocation (the attempt whose claims are
    /// newest), with the worker that took each: what a progress page shows as running.
    public func newestSweepClaims(id: Int64) throws -> [String: Int] {
        try pool.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT unit, worker FROM sweep_claims WHERE sweep_id = ? AND attempt =
                  (SELECT attempt FROM sweep_claims WHERE sweep_id = ? ORDER BY claimed_at DESC LIMIT 1)
                """, arguments: [id, id]) {
                out[row["unit"]] = row["worker"]
            }
            return out
        }
    }
}
