import Foundation
import GRDB
import VisionMixCore

/// One source of a label's declared catalogue (`source_catalogues`), at its position.
public struct CatalogueSourceRecord: SnakeCaseColumns, Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "source_catalogues"
    public var label: String
    public var position: Int
    public var name: String
    public var reasoningShare: Double?
    public var visualShare: Double?
    public var availableTokens: Double?
}

/// Runs or a catalogue that do not fit the catalogue a label already has.
public struct CatalogueConflict: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The source catalogue of each label: declared once (`runs import --sources FILE`), kept in
/// `source_catalogues`, and found there by fits, predictions, recommendations and reports. A
/// label that declares none has the built-in six sources.
extension ResultStore {
    /// The catalogue of `label`: the declared one, else the built-in sources.
    public func catalogue(label: String) throws -> SourceCatalogue {
        try pool.read { db in try Self.catalogue(label: label, db: db) }
    }

    /// The catalogue declared for `label`, nil when it has none.
    public func declaredCatalogue(label: String) throws -> SourceCatalogue? {
        try pool.read { db in try Self.declaredCatalogue(label: label, db: db) }
    }

    /// The catalogue declared for `label` in the database at `path`, read by one connection that
    /// writes nothing, so the file is left byte for byte as it was (an import reads it before it
    /// knows whether the file it imports is sound); nil without a file, a table or a declaration.
    /// Not a read-only connection: that one could not remove the WAL file it opens on closing.
    public static func declaredCatalogue(path: String, label: String) throws -> SourceCatalogue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        let queue = try DatabaseQueue(path: path, configuration: config)
        return try queue.read { db in
            try db.tableExists(CatalogueSourceRecord.databaseTableName) ? try declaredCatalogue(label: label, db: db) : nil
        }
    }

    /// Every label that declares a catalogue, with it.
    public func declaredCatalogues() throws -> [String: SourceCatalogue] {
        try pool.read { db in
            let labels = try String.fetchAll(db, sql: "SELECT DISTINCT label FROM source_catalogues ORDER BY label")
            var out: [String: SourceCatalogue] = [:]
            for l in labels { out[l] = try Self.declaredCatalogue(label: l, db: db) }
            return out
        }
    }

    /// Declares `catalogue` for `label` (see `declare(_:label:db:)`); declaring the one it has is a no-op.
    public func declareCatalogue(_ catalogue: SourceCatalogue, label: String) throws {
        try writeRetrying { db in try Self.declare(catalogue, label: label, db: db) }
    }

    static func catalogue(label: String, db: Database) throws -> SourceCatalogue {
        try declaredCatalogue(label: label, db: db) ?? .builtin
    }

    static func declaredCatalogue(label: String, db: Database) throws -> SourceCatalogue? {
        let rows = try CatalogueSourceRecord.filter(Column("label") == label).order(Column("position")).fetchAll(db)
        guard !rows.isEmpty else { return nil }
        return try SourceCatalogue(rows.map {
            Source(name: $0.name, reasoningShare: $0.reasoningShare, visualShare: $0.visualShare, availableTokens: $0.availableTokens)
        })
    }

    /// Keeps `catalogue` as the sources of `label`. A label keeps one catalogue: another one is
    /// refused, and so is a first declaration under a label that already holds weighted mixtures
    /// of other sources (they would no longer read).
    static func declare(_ catalogue: SourceCatalogue, label: String, db: Database) throws {
        if let stored = try declaredCatalogue(label: label, db: db) {
            if stored == catalogue { return }
            throw CatalogueConflict(description: "source label '\(label)' already declares its sources (\(stored.namesForMessages)), "
                                    + "and they differ from these; a label keeps one catalogue, so import under a new label")
        }
        if catalogue != .builtin, let held = try weightedRuns(label: label, db: db), held > 0 {
            throw CatalogueConflict(description: "source label '\(label)' already holds \(held) run(s) with weights over the built-in sources; "
                                    + "declare other sources under a new label")
        }
        for (i, s) in catalogue.sources.enumerated() {
            try CatalogueSourceRecord(label: label, position: i, name: s.name, reasoningShare: s.reasoningShare,
                                      visualShare: s.visualShare, availableTokens: s.availableTokens).insert(db)
        }
    }

    static func weightedRuns(label: String, db: Database) throws -> Int? {
        try Int.fetchOne(db, sql: """
            SELECT count(*) FROM runs JOIN mixtures ON mixtures.id = runs.mixture_id WHERE runs.label = ? AND mixtures.kind = 'weights'
            """, arguments: [label])
    }

    /// Refuses runs whose weighted mixtures are over other sources than `catalogue`.
    static func checkMixtures(_ runs: [NewRun], match catalogue: SourceCatalogue, label: String) throws {
        for run in runs {
            guard let m = run.mixture, !m.isSharesOnly, m.catalogue != catalogue else { continue }
            let line = run.provenance["import_line"]?.numberValue.map { "line \(Int($0)): " } ?? ""
            throw CatalogueConflict(description: "\(line)the mixture of run \(run.name.map { "'\($0)'" } ?? "at \(Quantity.format(run.params))") "
                                    + "is over the sources \(m.catalogue.namesForMessages), but source label '\(label)' has "
                                    + (catalogue.isBuiltin ? "the built-in sources" : "the sources \(catalogue.namesForMessages)")
                                    + (m.catalogue.names == catalogue.names ? " with other tag shares or available tokens" : ""))
        }
    }
}
