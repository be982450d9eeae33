import Foundation
import GRDB
import VisionMixCore

/// Storing runs in two steps, so that a large import holds the store's write lock only while
/// SQLite copies rows. First every row is written to a private temporary database attached to
/// the writer connection (`stage`), which locks nothing other processes use; then one
/// transaction copies the rows into the store with `INSERT … SELECT` statements that run inside
/// SQLite, without a call from Swift per row. The copy is the only write to the store, so an
/// import is still all-or-nothing; a process killed while staging leaves the store untouched.
extension ResultStore {
    /// Counts of what was staged, for the copy.
    struct Stage {
        var runs = 0
        /// Rows whose key an earlier row of the same batch already has.
        var repeated = 0
        var metrics = Set<String>()
        /// The first run of each source catalogue the weighted mixtures are over, in order: the
        /// runs the label's catalogue is checked against (`checkMixtures`), one per catalogue.
        var catalogueRuns: [NewRun] = []
    }

    /// `staged` runs between the two steps (tests see there that staging took no lock).
    func insertStaged(_ runs: [NewRun], label: String, origin: String, sweepId: Int64?, catalogue: SourceCatalogue? = nil,
                      staged: () -> Void = {}) throws -> InsertOutcome {
        try pool.writeWithoutTransaction { db in
            // An empty name: SQLite's private temporary database, deleted when detached.
            try db.execute(sql: "ATTACH DATABASE '' AS stage")
            defer { try? db.execute(sql: "DETACH DATABASE stage") }
            let stage = try Self.stage(runs, db: db)
            staged()
            // A page cache large enough for the indexes a large copy touches: with SQLite's 2 MB
            // the copy spills dirty pages to the WAL and writes many of them again and again.
            let cache = try Int.fetchOne(db, sql: "PRAGMA main.cache_size") ?? -2000
            try db.execute(sql: "PRAGMA main.cache_size = \(Self.copyCacheKiB(rows: stage.runs))")
            defer { try? db.execute(sql: "PRAGMA main.cache_size = \(cache)") }
            return try Self.retryingWhileBusy(for: writeRetry, onWait: onWait) {
                var out = InsertOutcome()
                try db.inTransaction(.immediate) {
                    // The label's catalogue is read (and declared) under the lock, as the copy is.
                    if let catalogue { try Self.declare(catalogue, label: label, db: db) }
                    try Self.checkMixtures(stage.catalogueRuns, match: try Self.catalogue(label: label, db: db), label: label)
                    out = try Self.copyStaged(stage, label: label, origin: origin, sweepId: sweepId, db: db)
                    return .commit
                }
                return out
            }
        }
    }

    /// The copy's page cache in SQLite's negative-KiB form: about 256 bytes a run, between
    /// SQLite's default 2 MiB and 512 MiB.
    static func copyCacheKiB(rows: Int) -> Int { -min(max(rows / 4, 2000), 524_288) }

    /// Writes `runs` to the attached `stage` database, one row per run (`seq` in order) and one
    /// per score, with every value the store keeps already computed (keys, provenance JSON,
    /// mixture keys and weights).
    static func stage(_ runs: [NewRun], db: Database) throws -> Stage {
        try db.execute(sql: """
            PRAGMA stage.journal_mode = MEMORY;
            PRAGMA stage.cache_size = -65536;
            CREATE TABLE stage.runs (seq INTEGER PRIMARY KEY, run_key TEXT NOT NULL, name TEXT, params REAL NOT NULL,
                tokens REAL NOT NULL, seed INTEGER, mix_key TEXT, started_at TEXT, finished_at TEXT, duration_seconds REAL,
                provenance TEXT NOT NULL, present INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE stage.scores (seq INTEGER NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL, chance REAL);
            CREATE TABLE stage.mixtures (canonical_key TEXT PRIMARY KEY, first_seq INTEGER NOT NULL, kind TEXT NOT NULL,
                reasoning_share REAL, visual_share REAL);
            CREATE TABLE stage.mixture_weights (canonical_key TEXT NOT NULL, source TEXT NOT NULL, weight REAL NOT NULL);
            """)
        var stage = Stage()
        // Deferred: it writes the stage only, so it takes no lock on the store (a pool's default is immediate).
        try db.inTransaction(.deferred) {
            let run = try db.makeStatement(sql: "INSERT INTO stage.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")
            let score = try db.makeStatement(sql: "INSERT INTO stage.scores VALUES (?, ?, ?, ?)")
            let mixture = try db.makeStatement(sql: "INSERT INTO stage.mixtures VALUES (?, ?, ?, ?, ?)")
            let weight = try db.makeStatement(sql: "INSERT INTO stage.mixture_weights VALUES (?, ?, ?)")
            var keys = Set<String>(), mixtures = Set<String>(), catalogues = Set<SourceCatalogue>()
            var lastCatalogue: SourceCatalogue?
            for r in runs {
                // Every run's catalogue counts, a repeated run's too (most runs share the last one's).
                if let m = r.mixture, !m.isSharesOnly, m.catalogue != lastCatalogue {
                    lastCatalogue = m.catalogue
                    if catalogues.insert(m.catalogue).inserted { stage.catalogueRuns.append(r) }
                }
                let key = r.key
                guard keys.insert(key).inserted else { stage.repeated += 1; continue }
                stage.runs += 1
                let seq = stage.runs
                let mixKey = r.mixture?.canonicalKey
                if let m = r.mixture, let k = mixKey, mixtures.insert(k).inserted {
                    // A declared catalogue's shares follow from the label that reads the mixture (`MixtureRecord`).
                    let keepsShares = m.isSharesOnly || m.catalogue.isBuiltin
                    try mixture.execute(arguments: [k, seq, m.isSharesOnly ? "shares" : "weights",
                                                    keepsShares ? m.reasoningShare : nil, keepsShares ? m.visualShare : nil])
                    if let f = m.fractions {
                        for (name, w) in zip(m.catalogue.names, f) where w > 0 { try weight.execute(arguments: [k, name, w]) }
                    }
                }
                var prov = r.provenance
                if !r.attributes.isEmpty { prov["attributes"] = .object(r.attributes.mapValues { .string($0) }) }
                try run.execute(arguments: [seq, key, r.name, r.params, r.tokens, r.seed, mixKey, r.startedAt, r.finishedAt,
                                            r.durationSeconds, JSONValue.object(prov).compactString])
                for (metric, value) in r.scores {
                    stage.metrics.insert(metric)
                    try score.execute(arguments: [seq, metric, value, r.chance[metric]])
                }
            }
            return .commit
        }
        try db.execute(sql: "CREATE INDEX stage.runs_by_mixture ON runs(mix_key)")
        return stage
    }

    /// Copies the staged rows into the store, inside the caller's transaction: runs whose key is
    /// already stored under `label` are skipped, mixtures and custom metrics are added where a
    /// new run needs them, and run ids continue the table's sequence in file order.
    static func copyStaged(_ stage: Stage, label: String, origin: String, sweepId: Int64?, db: Database) throws -> InsertOutcome {
        var out = InsertOutcome()
        out.skipped = stage.repeated
        // A fresh label (the large import) has nothing to compare against.
        var present = 0
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM main.runs WHERE label = ? LIMIT 1", arguments: [label]) ?? false {
            try db.execute(sql: """
                UPDATE stage.runs SET present = 1
                WHERE EXISTS (SELECT 1 FROM main.runs r WHERE r.label = ? AND r.run_key = stage.runs.run_key)
                """, arguments: [label])
            present = db.changesCount
        }
        out.skipped += present
        guard present < stage.runs else { return out }
        out.newMetrics = try addMetrics(stage.metrics, db: db)
        try addMixtures(db: db)
        // Ids past both the largest id and AUTOINCREMENT's sequence, so none is ever reused; a
        // skipped row leaves its id unused.
        let base = try Int64.fetchOne(db, sql: """
            SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = 'runs'), 0),
                       coalesce((SELECT max(id) FROM main.runs), 0))
            """) ?? 0
        try db.execute(sql: """
            INSERT INTO main.runs (id, label, origin, run_key, name, params, tokens, seed, mixture_id, status, started_at,
                                   finished_at, duration_seconds, provenance, sweep_id, created_at)
            SELECT ? + r.seq, ?, ?, r.run_key, r.name, r.params, r.tokens, r.seed,
                   (SELECT m.id FROM main.mixtures m WHERE m.canonical_key = r.mix_key), 'complete', r.started_at,
                   r.finished_at, r.duration_seconds, r.provenance, ?, ?
            FROM stage.runs r WHERE NOT r.present ORDER BY r.seq
            """, arguments: [base, label, origin, sweepId, Date()])
        try db.execute(sql: """
            INSERT INTO main.scores (run_id, metric, value, chance)
            SELECT ? + s.seq, s.metric, s.value, s.chance FROM stage.scores s
            """ + (present == 0 ? "" : " WHERE s.seq IN (SELECT seq FROM stage.runs WHERE NOT present)"), arguments: [base])
        if present == 0 {
            out.inserted = (1...Int64(stage.runs)).map { base + $0 }
        } else {
            out.inserted = try Int64.fetchAll(db, sql: "SELECT seq FROM stage.runs WHERE NOT present ORDER BY seq").map { base + $0 }
        }
        return out
    }

    /// Adds to the catalogue the metrics of new runs it does not know, as custom metrics;
    /// returns their names, sorted.
    static func addMetrics(_ names: Set<String>, db: Database) throws -> [String] {
        let known = Set(try String.fetchAll(db, sql: "SELECT name FROM main.metrics"))
        var added: [String] = []
        for metric in names.subtracting(known).sorted() {
            let used = try Bool.fetchOne(db, sql: """
                SELECT 1 FROM stage.scores s JOIN stage.runs r ON r.seq = s.seq WHERE s.metric = ? AND NOT r.present LIMIT 1
                """, arguments: [metric]) ?? false
            guard used else { continue }
            try MetricRecord(name: metric, groupName: "custom", higherIsBetter: MetricCatalogue.higherIsBetter(metric),
                             about: "custom metric added by an import", custom: true).insert(db)
            added.append(metric)
        }
        return added
    }

    /// Adds the mixtures new runs use that the store does not hold yet, in order of first use,
    /// with their weights.
    static func addMixtures(db: Database) throws {
        let before = try Int64.fetchOne(db, sql: """
            SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = 'mixtures'), 0),
                       coalesce((SELECT max(id) FROM main.mixtures), 0))
            """) ?? 0
        try db.execute(sql: """
            INSERT INTO main.mixtures (canonical_key, kind, reasoning_share, visual_share)
            SELECT m.canonical_key, m.kind, m.reasoning_share, m.visual_share FROM stage.mixtures m
            WHERE NOT EXISTS (SELECT 1 FROM main.mixtures x WHERE x.canonical_key = m.canonical_key)
              AND EXISTS (SELECT 1 FROM stage.runs r WHERE r.mix_key = m.canonical_key AND NOT r.present)
            ORDER BY m.first_seq
            """)
        try db.execute(sql: """
            INSERT INTO main.mixture_weights (mixture_id, source, weight)
            SELECT x.id, w.source, w.weight FROM stage.mixture_weights w JOIN main.mixtures x ON x.canonical_key = w.canonical_key
            WHERE x.id > ?
            """, arguments: [before])
    }
}
