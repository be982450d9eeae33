import Foundation
import GRDB
import VisionMixCore

/// A run as the rest of VisionMix sees it: its key facts, its mixture and its scores.
public struct StoredRun: Codable, Sendable, Equatable {
    public var id: Int64
    /// The result's source label (`--source`).
    public var source: String
    public var origin: String
    public var name: String?
    public var params: Double
    public var tokens: Double
    public var seed: Int?
    public var mixture: Mixture?
    public var reasoningShare: Double?
    public var visualShare: Double?
    public var scores: [String: Double]
    /// The chance level of each score that has one (multiple-choice accuracy): how far a
    /// score is from guessing is what says whether a model learnt anything.
    public var chance: [String: Double]
    public var status: String
    public var durationSeconds: Double?
    public var provenance: [String: JSONValue]

    enum CodingKeys: String, CodingKey {
        case id, source, origin, name, params, tokens, seed, mixture, scores, chance, status, provenance
        case reasoningShare = "reasoning_share", visualShare = "visual_share", durationSeconds = "duration_seconds"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        source = try c.decode(String.self, forKey: .source)
        origin = try c.decode(String.self, forKey: .origin)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        params = try c.decode(Double.self, forKey: .params)
        tokens = try c.decode(Double.self, forKey: .tokens)
        seed = try c.decodeIfPresent(Int.self, forKey: .seed)
        mixture = try c.decodeIfPresent(Mixture.self, forKey: .mixture)
        reasoningShare = try c.decodeIfPresent(Double.self, forKey: .reasoningShare)
        visualShare = try c.decodeIfPresent(Double.self, forKey: .visualShare)
        scores = try c.decode([String: Double].self, forKey: .scores)
        // Runs written before chance levels were exported have none.
        chance = try c.decodeIfPresent([String: Double].self, forKey: .chance) ?? [:]
        status = try c.decode(String.self, forKey: .status)
        durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds)
        provenance = try c.decode([String: JSONValue].self, forKey: .provenance)
    }

    init(id: Int64, source: String, origin: String, name: String?, params: Double, tokens: Double, seed: Int?,
         mixture: Mixture?, scores: [String: Double], chance: [String: Double], status: String,
         durationSeconds: Double?, provenance: [String: JSONValue]) {
        self.id = id; self.source = source; self.origin = origin; self.name = name
        self.params = params; self.tokens = tokens; self.seed = seed; self.mixture = mixture
        self.reasoningShare = mixture?.reasoningShare; self.visualShare = mixture?.visualShare
        self.scores = scores; self.chance = chance; self.status = status
        self.durationSeconds = durationSeconds; self.provenance = provenance
    }

    public func encode(to encoder: Encoder) throws {
        // Always write every key (null where unknown), so consumers see one stable shape.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encode(origin, forKey: .origin)
        try c.encode(name, forKey: .name)
        try c.encode(params, forKey: .params)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(seed, forKey: .seed)
        try c.encode(mixture, forKey: .mixture)
        try c.encode(reasoningShare, forKey: .reasoningShare)
        try c.encode(visualShare, forKey: .visualShare)
        try c.encode(scores, forKey: .scores)
        try c.encode(chance, forKey: .chance)
        try c.encode(status, forKey: .status)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(provenance, forKey: .provenance)
    }
}

/// A new run to store: what the trainer produces or an import row holds.
public struct NewRun: Sendable {
    public var name: String?
    public var params: Double
    public var tokens: Double
    public var seed: Int?
    public var mixture: Mixture?
    public var scores: [String: Double]
    public var chance: [String: Double]
    /// Extra key columns (text attributes such as an encoder name) that tell runs apart.
    public var attributes: [String: String]
    public var provenance: [String: JSONValue]
    public var startedAt: Date?
    public var finishedAt: Date?
    public var durationSeconds: Double?

    public init(name: String? = nil, params: Double, tokens: Double, seed: Int? = nil, mixture: Mixture?,
                scores: [String: Double], chance: [String: Double] = [:], attributes: [String: String] = [:],
                provenance: [String: JSONValue] = [:], startedAt: Date? = nil, finishedAt: Date? = nil,
                durationSeconds: Double? = nil) {
        self.name = name; self.params = params; self.tokens = tokens; self.seed = seed; self.mixture = mixture
        self.scores = scores; self.chance = chance; self.attributes = attributes; self.provenance = provenance
        self.startedAt = startedAt; self.finishedAt = finishedAt; self.durationSeconds = durationSeconds
    }

    /// The run's identity within its label: name, size, tokens, seed, mixture and attributes.
    public var key: String {
        var parts = [
            "name=\(name ?? "")",
            "params=\(params)",
            "tokens=\(tokens)",
            "seed=\(seed.map(String.init) ?? "")",
            "mix=\(mixture?.canonicalKey ?? "")",
        ]
        parts += attributes.keys.sorted().map { "\($0)=\(attributes[$0]!)" }
        return parts.joined(separator: ";")
    }
}

public struct RunFilter: Sendable {
    public var source: String?
    public var origin: String?
    public var params: Double?
    public var tokens: Double?
    /// A mixture's `canonicalKey`: only runs of exactly that mixture.
    public var mixtureKey: String?
    public var sweepId: Int64?
    public var limit: Int?
    public var offset: Int
    public init(source: String? = nil, origin: String? = nil, params: Double? = nil, tokens: Double? = nil, mixtureKey: String? = nil,
                sweepId: Int64? = nil, limit: Int? = nil, offset: Int = 0) {
        self.source = source; self.origin = origin; self.params = params; self.tokens = tokens; self.mixtureKey = mixtureKey
        self.sweepId = sweepId; self.limit = limit; self.offset = offset
    }
}

extension ResultStore {
    /// Stores runs in one transaction: all of them or, on any error, none. Runs whose key is
    /// already stored under `label` are skipped. Returns the ids of the new runs. `catalogue`,
    /// when given, is declared for `label` in the same transaction (`declare(_:label:db:)`); the
    /// runs' weighted mixtures must be over the label's catalogue. The rows are prepared before
    /// the store's write lock is taken (`insertStaged`), so a large batch holds it only while
    /// SQLite copies them.
    @discardableResult
    public func insertRuns(_ runs: [NewRun], label: String, origin: String, sweepId: Int64? = nil,
                           catalogue: SourceCatalogue? = nil) throws -> InsertOutcome {
        try insertStaged(runs, label: label, origin: origin, sweepId: sweepId, catalogue: catalogue)
    }

    public struct InsertOutcome: Sendable {
        public var inserted: [Int64] = []
        public var skipped = 0
        public var newMetrics: [String] = []
    }

    /// Runs matching `filter`, oldest first, with their mixtures and scores.
    public func runs(_ filter: RunFilter = RunFilter()) throws -> [StoredRun] {
        try pool.read { db in
            var (sql, args) = Self.whereClause(filter, select: "*")
            sql += " ORDER BY id"
            if let l = filter.limit { sql += " LIMIT \(max(0, l)) OFFSET \(max(0, filter.offset))" }
            let recs = try RunRecord.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            return try Self.assemble(recs, db: db)
        }
    }

    /// How many runs match `filter`, ignoring its limit and offset (for paging).
    public func countRuns(_ filter: RunFilter = RunFilter()) throws -> Int {
        try pool.read { db in
            let (sql, args) = Self.whereClause(filter, select: "count(*)")
            return try Int.fetchOne(db, sql: sql, arguments: StatementArguments(args)) ?? 0
        }
    }

    static func whereClause(_ filter: RunFilter, select: String) -> (String, [any DatabaseValueConvertible]) {
        var sql = "SELECT \(select) FROM runs WHERE 1"
        var args: [any DatabaseValueConvertible] = []
        if let s = filter.source { sql += " AND label = ?"; args.append(s) }
        if let o = filter.origin { sql += " AND origin = ?"; args.append(o) }
        if let p = filter.params { sql += " AND abs(params - ?) <= 1e-9 * params"; args.append(p) }
        if let d = filter.tokens { sql += " AND abs(tokens - ?) <= 1e-9 * max(1, tokens)"; args.append(d) }
        if let k = filter.mixtureKey { sql += " AND mixture_id = (SELECT id FROM mixtures WHERE canonical_key = ?)"; args.append(k) }
        if let w = filter.sweepId { sql += " AND sweep_id = ?"; args.append(w) }
        return (sql, args)
    }

    public func run(id: Int64) throws -> StoredRun? {
        try pool.read { db in
            guard let r = try RunRecord.fetchOne(db, key: id) else { return nil }
            return try Self.assemble([r], db: db).first
        }
    }

    /// Every source label with its run count.
    public func labels() throws -> [(label: String, runs: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT label, count(*) AS n FROM runs GROUP BY label ORDER BY label")
                .map { ($0["label"], $0["n"]) }
        }
    }

    public func metrics() throws -> [MetricRecord] {
        try pool.read { db in try MetricRecord.order(Column("name")).fetchAll(db) }
    }

    static func assemble(_ recs: [RunRecord], db: Database) throws -> [StoredRun] {
        guard !recs.isEmpty else { return [] }
        let ids = recs.compactMap(\.id)
        var scores: [Int64: [String: Double]] = [:], chance: [Int64: [String: Double]] = [:]
        // Chunked IN lists keep each statement under SQLite's variable limit.
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT run_id, metric, value, chance FROM scores WHERE run_id IN (\(marks))",
                                        arguments: StatementArguments(chunk)) {
                scores[row["run_id"], default: [:]][row["metric"]] = row["value"]
                if let c: Double = row["chance"] { chance[row["run_id"], default: [:]][row["metric"]] = c }
            }
        }
        // A mixture reads against its run's label's catalogue, so it is loaded once per label.
        var catalogues: [String: SourceCatalogue] = [:]
        var mixtures: [String: Mixture] = [:]
        for r in recs {
            guard let mid = r.mixtureId, mixtures["\(r.label)|\(mid)"] == nil else { continue }
            if catalogues[r.label] == nil { catalogues[r.label] = try catalogue(label: r.label, db: db) }
            mixtures["\(r.label)|\(mid)"] = try loadMixture(id: mid, catalogue: catalogues[r.label]!, db: db)
        }
        return recs.map { r in
            let m = r.mixtureId.flatMap { mixtures["\(r.label)|\($0)"] }
            let prov = (try? JSONValue.parse(r.provenance)).flatMap { v -> [String: JSONValue]? in
                if case let .object(o) = v { return o } else { return nil }
            } ?? [:]
            return StoredRun(id: r.id!, source: r.label, origin: r.origin, name: r.name, params: r.params, tokens: r.tokens,
                             seed: r.seed, mixture: m, scores: scores[r.id!] ?? [:], chance: chance[r.id!] ?? [:],
                             status: r.status, durationSeconds: r.durationSeconds, provenance: prov)
        }
    }

    static func loadMixture(id: Int64, catalogue: SourceCatalogue, db: Database) throws -> Mixture? {
        guard let rec = try MixtureRecord.fetchOne(db, key: id) else { return nil }
        if rec.kind == "shares", let r = rec.reasoningShare, let v = rec.visualShare { return try Mixture(reasoningShare: r, visualShare: v) }
        var w = [Double](repeating: 0, count: catalogue.count)
        for row in try MixtureWeightRecord.filter(Column("mixture_id") == id).fetchAll(db) {
            guard let i = catalogue.index(of: row.source) else {
                throw CatalogueConflict(description: "stored mixture \(id) weighs source '\(row.source)', which its label's catalogue does not hold")
            }
            w[i] = row.weight
        }
        return try Mixture(vector: w, catalogue: catalogue, scale: .fraction, normalise: true)
    }
}
