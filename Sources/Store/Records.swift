import Foundation
import GRDB

// Plain record structs, one per table. Columns are snake_case in SQL and camelCase here.

/// A built-in text source and its reasoning/visual tag shares (0–1); declared catalogues live
/// in `source_catalogues`.
public struct SourceRecord: SnakeCaseColumns, Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "sources"
    public var name: String
    public var reasoningShare: Double
    public var visualShare: Double
}

/// A mixture: per-source weights in `mixture_weights`, or only its shares (`kind == "shares"`).
/// The shares are kept for shares-only mixtures and mixtures of the built-in sources; those of
/// a declared catalogue's mixture follow from the catalogue of the label that reads it.
public struct MixtureRecord: SnakeCaseColumns, Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "mixtures"
    public var id: Int64?
    public var canonicalKey: String
    public var kind: String
    public var reasoningShare: Double?
    public var visualShare: Double?
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct MixtureWeightRecord: SnakeCaseColumns, Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "mixture_weights"
    public var mixtureId: Int64
    public var source: String
    public var weight: Double
}

/// One result: a model of `params` parameters after `tokens` pre-training tokens.
public struct RunRecord: SnakeCaseColumns, Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "runs"
    public var id: Int64?
    /// The result's source label (`--source`): "paper", "calibration", "cluster-a", ...
    public var label: String
    /// "trainer" for the embedded trainer, "import" for results trained elsewhere.
    public var origin: String
    /// Identity within the label, built from the key columns; re-imports match on it.
    public var runKey: String
    public var name: String?
    public var params: Double
    public var tokens: Double
    public var seed: Int?
    public var mixtureId: Int64?
    /// "complete", "running" or "failed".
    public var status: String
    public var startedAt: Date?
    public var finishedAt: Date?
    public var durationSeconds: Double?
    /// JSON: world version, hyperparameters, git commit, import file, attributes.
    public var provenance: String
    public var sweepId: Int64?
    public var createdAt: Date
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct ScoreRecord: SnakeCaseColumns, Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "scores"
    public var runId: Int64
    public var metric: String
    public var value: Double
    /// The metric's chance level where one exists (multiple-choice accuracy).
    public var chance: Double?
}

public struct MetricRecord: SnakeCaseColumns, Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "metrics"
    public var name: String
    public var groupName: String
    public var higherIsBetter: Bool
    public var about: String
    public var custom: Bool
}

public struct SweepRecord: SnakeCaseColumns, Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "sweeps"
    public var id: Int64?
    public var name: String
    /// JSON of the sweep spec.
    public var spec: String
    /// "pending", "running", "complete", "cancelled", "failed".
    public var status: String
    public var createdAt: Date
    public var updatedAt: Date
    /// The source label the sweep's runs are stored under.
    public var label: String
    /// The process running the sweep (for `sweep cancel`).
    public var pid: Int?
    /// Runs (one per size × mixture × seed) the spec expands to.
    public var totalRuns: Int
    /// Why a sweep failed, or what it ended with.
    public var message: String?

    public init(name: String, spec: String, label: String, totalRuns: Int) {
        self.name = name; self.spec = spec; self.label = label; self.totalRuns = totalRuns
        status = "pending"; createdAt = Date(); updatedAt = Date()
    }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct FitRecord: SnakeCaseColumns, Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "fits"
    public var id: Int64?
    public var label: String
    public var category: String
    public var family: String
    /// JSON of the whole fit (parameters, intervals, diagnostics, validation).
    public var body: String
    public var createdAt: Date
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct RecommendationRecord: SnakeCaseColumns, Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "recommendations"
    public var id: Int64?
    public var label: String
    public var objective: String
    /// JSON of the request and of the recipe.
    public var request: String
    public var recipe: String
    public var createdAt: Date
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Records whose Swift camelCase properties map to snake_case columns.
public protocol SnakeCaseColumns {}

extension FetchableRecord where Self: SnakeCaseColumns {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
}

extension EncodableRecord where Self: SnakeCaseColumns {
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}
