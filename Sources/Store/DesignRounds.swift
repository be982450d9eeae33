import Foundation
import GRDB

/// A round of an adaptive sweep: the runs it designed (a sweep spec, nil for the assessment
/// after the last round) and the state of the recommendation they were designed from.
public struct DesignRoundRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "design_rounds"
    public var sweepName: String
    public var round: Int
    public var label: String
    public var spec: String?
    /// The design as JSON (`RunDesign`).
    public var design: String
    public var probabilityBeatsBaseline: Double?
    public var probabilityNotBest: Double
    public var expectedRegret: Double
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case sweepName = "sweep_name", round, label, spec, design, createdAt = "created_at"
        case probabilityBeatsBaseline = "probability_beats_baseline", probabilityNotBest = "probability_not_best"
        case expectedRegret = "expected_regret"
    }

    public init(sweepName: String, round: Int, label: String, spec: String?, design: String, probabilityBeatsBaseline: Double?,
                probabilityNotBest: Double, expectedRegret: Double, createdAt: Date = Date()) {
        self.sweepName = sweepName; self.round = round; self.label = label; self.spec = spec; self.design = design
        self.probabilityBeatsBaseline = probabilityBeatsBaseline; self.probabilityNotBest = probabilityNotBest
        self.expectedRegret = expectedRegret; self.createdAt = createdAt
    }
}

extension ResultStore {
    /// Stores a round once: a round already stored (a resumed sweep that designed it before its
    /// kill) is kept as it was, and returned, so its runs are the ones that were started.
    @discardableResult
    public func saveDesignRound(_ round: DesignRoundRecord) throws -> DesignRoundRecord {
        try writeRetrying { db in
            if let stored = try DesignRoundRecord.fetchOne(db, key: ["sweep_name": round.sweepName, "round": round.round]) { return stored }
            try round.insert(db)
            return round
        }
    }

    /// The rounds of the adaptive sweep `sweepName`, in order.
    public func designRounds(sweepName: String) throws -> [DesignRoundRecord] {
        try pool.read { db in
            try DesignRoundRecord.filter(Column("sweep_name") == sweepName).order(Column("round")).fetchAll(db)
        }
    }
}

extension ResultStore {
    /// Every round of every adaptive sweep under `label`, by sweep and round.
    public func designRounds(label: String) throws -> [DesignRoundRecord] {
        try pool.read { db in
            try DesignRoundRecord.filter(Column("label") == label).order(Column("sweep_name"), Column("round")).fetchAll(db)
        }
    }
}
