import Foundation
import GRDB
import VisionMixCore

/// The SQLite store: one file, WAL, a busy timeout for concurrent writers, foreign keys on.
public final class ResultStore: @unchecked Sendable {
    public let path: String
    let pool: DatabasePool
    /// Seconds a write keeps retrying while another process holds the database (0: the busy
    /// timeout alone); sweeps open the store with `sweepWriteRetry`.
    let writeRetry: TimeInterval
    /// Told when a write starts waiting out another process's (the CLI prints a note).
    let onWait: (@Sendable (TimeInterval) -> Void)?

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// `busyTimeout` is how long SQLite waits for another writer (default `busyTimeout`, from
    /// the environment or `defaultBusyTimeout`).
    public init(path: String, writeRetry: TimeInterval = 0, busyTimeout: TimeInterval? = nil,
                onWait: (@Sendable (TimeInterval) -> Void)? = nil) throws {
        self.path = path
        self.writeRetry = writeRetry
        self.onWait = onWait
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout ?? Self.busyTimeout)
        // Opening a pool writes (it makes sure the WAL exists), so it waits out another
        // process's write like any other write does.
        pool = try Self.retryingWhileBusy(for: writeRetry, onWait: onWait) {
            let pool = try DatabasePool(path: path, configuration: config)
            // Read first: migrating takes the write lock, and an up-to-date store needs none.
            let migrator = Self.migrator
            if try !pool.read({ try migrator.hasCompletedMigrations($0) }) { try migrator.migrate(pool) }
            return pool
        }
    }

    /// The default database: `$VISIONMIX_DB`, else `data/visionmix.sqlite`.
    public static var defaultPath: String {
        ProcessInfo.processInfo.environment["VISIONMIX_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "data/visionmix.sqlite"
    }

    // Schema changes are migrations; never edit a shipped one, add a new one.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: sources, mixtures, runs, scores, metrics, sweeps, fits, recommendations") { db in
            try db.create(table: "sources") { t in
                t.primaryKey("name", .text)
                t.column("reasoning_share", .double).notNull()
                t.column("visual_share", .double).notNull()
            }
            for s in TextSource.allCases {
                try SourceRecord(name: s.name, reasoningShare: s.reasoningShare, visualShare: s.visualShare).insert(db)
            }
            try db.create(table: "mixtures") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("canonical_key", .text).notNull().unique()
                t.column("kind", .text).notNull().check { ["weights", "shares"].contains($0) }
                t.column("reasoning_share", .double).notNull()
                t.column("visual_share", .double).notNull()
            }
            try db.create(table: "mixture_weights") { t in
                t.column("mixture_id", .integer).notNull().references("mixtures", onDelete: .cascade)
                t.column("source", .text).notNull().references("sources")
                t.column("weight", .double).notNull().check { $0 >= 0 && $0 <= 1 }
                t.primaryKey(["mixture_id", "source"])
            }
            try db.create(table: "sweeps") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("spec", .text).notNull()
                t.column("status", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("label", .text).notNull()
                t.column("origin", .text).notNull().check { ["trainer", "import"].contains($0) }
                t.column("run_key", .text).notNull()
                t.column("name", .text)
                t.column("params", .double).notNull()
                t.column("tokens", .double).notNull()
                t.column("seed", .integer)
                t.column("mixture_id", .integer).references("mixtures")
                t.column("status", .text).notNull()
                t.column("started_at", .datetime)
                t.column("finished_at", .datetime)
                t.column("duration_seconds", .double)
                t.column("provenance", .text).notNull()
                t.column("sweep_id", .integer).references("sweeps", onDelete: .setNull)
                t.column("created_at", .datetime).notNull()
                t.uniqueKey(["label", "run_key"])
            }
            try db.create(index: "runs_by_label", on: "runs", columns: ["label", "params", "tokens"])
            try db.create(table: "metrics") { t in
                t.primaryKey("name", .text)
                t.column("group_name", .text).notNull()
                t.column("higher_is_better", .boolean).notNull()
                t.column("about", .text).notNull()
                t.column("custom", .boolean).notNull()
            }
            for m in MetricCatalogue.standard {
                try MetricRecord(name: m.name, groupName: m.group, higherIsBetter: m.higherIsBetter, about: m.about,
                                 custom: false).insert(db)
            }
            try db.create(table: "scores") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("metric", .text).notNull().references("metrics")
                t.column("value", .double).notNull()
                t.column("chance", .double)
                t.primaryKey(["run_id", "metric"])
            }
            try db.create(table: "fits") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("label", .text).notNull()
                t.column("category", .text).notNull()
                t.column("family", .text).notNull()
                t.column("body", .text).notNull()
                t.column("created_at", .datetime).notNull()
            }
            try db.create(index: "fits_by_label", on: "fits", columns: ["label", "category"])
            try db.create(table: "recommendations") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("label", .text).notNull()
                t.column("objective", .text).notNull()
                t.column("request", .text).notNull()
                t.column("recipe", .text).notNull()
                t.column("created_at", .datetime).notNull()
            }
        }
        m.registerMigration("v2: sweep runner bookkeeping") { db in
            try db.alter(table: "sweeps") { t in
                t.add(column: "label", .text).notNull().defaults(to: "calibration")
                t.add(column: "pid", .integer)
                t.add(column: "total_runs", .integer).notNull().defaults(to: 0)
                t.add(column: "message", .text)
            }
            try db.create(index: "runs_by_name", on: "runs", columns: ["label", "name"])
        }
        m.registerMigration("v3: sweep work claims") { db in
            // Worker processes of one sweep invocation (`attempt`) take units of work as they come
            // free; the claim is how one tells the others a unit is taken. A resumed sweep is a new
            // attempt, so the claims of a killed one hold nothing back.
            try db.create(table: "sweep_claims") { t in
                t.column("sweep_id", .integer).notNull().references("sweeps", onDelete: .cascade)
                t.column("attempt", .text).notNull()
                t.column("unit", .text).notNull()
                t.column("worker", .integer).notNull()
                t.column("claimed_at", .datetime).notNull()
                t.primaryKey(["sweep_id", "attempt", "unit"])
            }
        }
        m.registerMigration("v4: source catalogues per label") { db in
            // A label's sources, in order; labels without rows here have the built-in six.
            try db.create(table: "source_catalogues") { t in
                t.column("label", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("reasoning_share", .double)
                t.column("visual_share", .double)
                t.column("available_tokens", .double)
                t.primaryKey(["label", "name"])
                t.uniqueKey(["label", "position"])
            }
            // Weights may now name any catalogue's sources, not only the rows of `sources` (the
            // built-in catalogue), and a mixture of sources without tag shares has no shares:
            // both tables are rebuilt (foreign keys are checked once the migration ends).
            try db.create(table: "mixtures_v4") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("canonical_key", .text).notNull().unique()
                t.column("kind", .text).notNull().check { ["weights", "shares"].contains($0) }
                t.column("reasoning_share", .double)
                t.column("visual_share", .double)
            }
            try db.execute(sql: "INSERT INTO mixtures_v4 SELECT id, canonical_key, kind, reasoning_share, visual_share FROM mixtures")
            try db.create(table: "mixture_weights_v4") { t in
                t.column("mixture_id", .integer).notNull().references("mixtures", onDelete: .cascade)
                t.column("source", .text).notNull()
                t.column("weight", .double).notNull().check { $0 >= 0 && $0 <= 1 }
                t.primaryKey(["mixture_id", "source"])
            }
            try db.execute(sql: "INSERT INTO mixture_weights_v4 SELECT mixture_id, source, weight FROM mixture_weights")
            try db.drop(table: "mixture_weights")
            try db.drop(table: "mixtures")
            try db.rename(table: "mixtures_v4", to: "mixtures")
            try db.rename(table: "mixture_weights_v4", to: "mixture_weights")
        }
        m.registerMigration("v5: rounds of adaptive sweeps") { db in
            // One row per round of an adaptive sweep, written in one transaction before the
            // round's runs start: a resumed sweep runs the stored spec instead of designing
            // again, so a kill inside a round neither loses nor repeats its runs.
            try db.create(table: "design_rounds") { t in
                t.column("sweep_name", .text).notNull()
                t.column("round", .integer).notNull()
                t.column("label", .text).notNull()
                t.column("spec", .text)
                t.column("design", .text).notNull()
                t.column("probability_beats_baseline", .double)
                t.column("probability_not_best", .double).notNull()
                t.column("expected_regret", .double).notNull()
                t.column("created_at", .datetime).notNull()
                t.primaryKey(["sweep_name", "round"])
            }
        }
        return m
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }
}

extension ResultStore {
    /// Keeps a recommendation with the request that produced it.
    @discardableResult
    public func saveRecommendation<R: Encodable>(_ recipe: R, label: String, objective: String, request: [String: JSONValue]) throws -> Int64 {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let body = String(decoding: try e.encode(recipe), as: UTF8.self)
        var rec = RecommendationRecord(id: nil, label: label, objective: objective, request: JSONValue.object(request).compactString,
                                       recipe: body, createdAt: Date())
        return try writeRetrying { db in try rec.insert(db); return rec.id! }
    }
}
