import Foundation
import GRDB
import Store

/// JSON for fits: sorted keys (stable diffs of the committed fits/ files); non-finite numbers
/// as strings, since a diagnostic can legitimately be infinite.
public enum FitJSON {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    public static func encode(_ r: FitResult, pretty: Bool = true) throws -> Data { try encoder(pretty: pretty).encode(r) }
    public static func decode(_ data: Data) throws -> FitResult { try decoder().decode(FitResult.self, from: data) }
}

extension ResultStore {
    /// Stores a fit in the `fits` table (body = the fit's JSON) and returns its row id.
    @discardableResult
    public func saveFit(_ r: FitResult, label: String) throws -> Int64 {
        let body = String(decoding: try FitJSON.encode(r, pretty: false), as: UTF8.self)
        // Plain SQL: FitRecord's memberwise initializer is internal to Store.
        return try pool.write { db in
            try db.execute(sql: "INSERT INTO fits (label, category, family, body, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [label, r.category, r.family, body, Date()])
            return db.lastInsertedRowID
        }
    }

    /// The latest stored fit for `label` and `category` (nil if none).
    public func latestFit(label: String, category: String) throws -> FitResult? {
        let rec = try pool.read { db in
            try FitRecord.filter(Column("label") == label && Column("category") == category)
                .order(Column("id").desc).fetchOne(db)
        }
        return try rec.map { try FitJSON.decode(Data($0.body.utf8)) }
    }
}

extension ResultStore {
    /// The newest fit of each category under `label`; with `mixtureAware`, the newest whose
    /// law depends on the mixture where a category has one (what recommendations need).
    public func latestFits(label: String, mixtureAware: Bool) throws -> [FitResult] {
        guard mixtureAware else { return try latestFits(label: label) }
        let bodies = try pool.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM fits WHERE label = ? ORDER BY id DESC", arguments: [label])
        }
        var newest: [String: FitResult] = [:], newestAware: [String: FitResult] = [:]
        for b in bodies {
            let f = try FitJSON.decode(Data(b.utf8))
            if newest[f.category] == nil { newest[f.category] = f }
            if newestAware[f.category] == nil && f.law.dependsOnMixture { newestAware[f.category] = f }
        }
        return newest.keys.sorted().map { newestAware[$0] ?? newest[$0]! }
    }

    /// The newest fit of each category under `label`.
    public func latestFits(label: String) throws -> [FitResult] {
        let bodies = try pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT body FROM fits WHERE id IN (SELECT max(id) FROM fits WHERE label = ? GROUP BY category) ORDER BY category
                """, arguments: [label])
        }
        return try bodies.map { try FitJSON.decode(Data($0.utf8)) }
    }
}

/// Writes fits/<source>/<category>.json under `root` and returns the path.
@discardableResult
public func writeFitFile(_ r: FitResult, source: String, root: String = "fits") throws -> String {
    let dir = URL(fileURLWithPath: root).appendingPathComponent(source)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("\(r.category).json")
    var data = try FitJSON.encode(r)
    data.append(contentsOf: Array("\n".utf8))
    try data.write(to: url, options: .atomic)
    return url.path
}

/// Fits each of `categories` (every category the runs have when nil), stores each fit in the
/// database and under `fitsRoot` when given, and keeps going past a category that cannot be
/// fitted: its refusal is returned with the category. Only the runs of one adaptation are
/// fitted (`Adaptations.fitted`).
public func fitCategories(store: ResultStore, label: String, categories: [String]? = nil, family: LawFamilySelection = .auto,
                          options: FitOptions = FitOptions(), fitsRoot: String? = "fits", save: Bool = true)
    throws -> (fits: [FitResult], failures: [(category: String, reason: String)]) {
    let stored = try store.runs(RunFilter(source: label)).filter { $0.status == "complete" }
    guard !stored.isEmpty else { throw LawError.noRuns("no runs under source '\(label)'") }
    let runs = Adaptations.fitted(stored).runs
    let wanted = categories ?? Array(Set(runs.flatMap { $0.scores.keys })).sorted()
    var fits: [FitResult] = [], failures: [(String, String)] = []
    for c in wanted {
        do {
            var r = try fitCategory(runs: runs, category: c, family: family, options: options)
            r.source = label
            if save {
                try store.saveFit(r, label: label)
                if let fitsRoot { try writeFitFile(r, source: label, root: fitsRoot) }
            }
            fits.append(r)
        } catch let e as LawError {
            failures.append((c, e.description))
        }
    }
    return (fits, failures)
}
