import Foundation
import GRDB
import VisionMixCore

/// The values a source's runs take, for filters: model sizes, token budgets and mixtures,
/// each with its run count.
public struct RunFacets: Encodable, Sendable {
    public struct Value: Encodable, Sendable {
        public var value: Double
        public var runs: Int
    }

    public struct MixtureValue: Encodable, Sendable {
        /// The mixture as a spec the API and CLI read back (`web_crawl=40,code=60` in percent,
        /// or `reasoning=60,visual=15`), which selects exactly these runs.
        public var spec: String
        /// Nil when the label's sources have no tag shares.
        public var reasoningShare: Double?
        public var visualShare: Double?
        public var runs: Int
        enum CodingKeys: String, CodingKey { case spec, runs, reasoningShare = "reasoning_share", visualShare = "visual_share" }
    }

    public var params: [Value]
    public var tokens: [Value]
    /// The most common mixtures first, at most `RunFacets.maxMixtures`.
    public var mixtures: [MixtureValue]
    public var mixturesTotal: Int

    public static let maxMixtures = 200

    enum CodingKeys: String, CodingKey { case params, tokens, mixtures, mixturesTotal = "mixtures_total" }
}

extension ResultStore {
    public func facets(label: String) throws -> RunFacets {
        try pool.read { db in
            func values(_ column: String) throws -> [RunFacets.Value] {
                try Row.fetchAll(db, sql: "SELECT \(column) AS v, count(*) AS n FROM runs WHERE label = ? GROUP BY \(column) ORDER BY \(column)",
                                 arguments: [label]).map { RunFacets.Value(value: $0["v"], runs: $0["n"]) }
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.canonical_key AS k, m.reasoning_share AS r, m.visual_share AS v, count(*) AS n
                FROM runs JOIN mixtures m ON m.id = runs.mixture_id WHERE runs.label = ?
                GROUP BY m.id ORDER BY n DESC, m.canonical_key
                """, arguments: [label])
            // A declared catalogue's mixtures keep no shares in their row: they follow from the catalogue.
            let catalogue = try Self.catalogue(label: label, db: db)
            let mixtures = rows.prefix(RunFacets.maxMixtures).map { row in
                let spec = Self.spec(canonicalKey: row["k"])
                var (r, v): (Double?, Double?) = (row["r"], row["v"])
                if r == nil, let m = try? MixtureSpec.parse(spec, catalogue: catalogue).mixture { (r, v) = (m.reasoningShare, m.visualShare) }
                return RunFacets.MixtureValue(spec: spec, reasoningShare: r, visualShare: v, runs: row["n"])
            }
            return RunFacets(params: try values("params"), tokens: try values("tokens"), mixtures: Array(mixtures), mixturesTotal: rows.count)
        }
    }

    /// A canonical key (weights or shares in millionths) as a spec that parses back to it:
    /// weights in percent (millionths are exact in four decimals of a percent), shares as
    /// fractions (a share below 1% written in percent would read as a fraction).
    static func spec(canonicalKey: String) -> String {
        let shares = canonicalKey.hasPrefix("reasoning=")
        return canonicalKey.split(separator: ",").compactMap { part -> String? in
            let kv = part.split(separator: "=")
            guard kv.count == 2, let micro = Int(kv[1]) else { return nil }
            if shares { return "\(kv[0])=" + decimal(micro, places: 6) }
            return micro == 0 ? nil : "\(kv[0])=" + decimal(micro, places: 4)
        }.joined(separator: ",")
    }

    /// `micro` millionths in percent (4 places) or as a fraction (6 places), without trailing zeros.
    static func decimal(_ micro: Int, places: Int) -> String {
        let unit = places == 4 ? 10_000 : 1_000_000
        let whole = micro / unit, frac = micro % unit
        guard frac != 0 else { return "\(whole)" }
        var f = String(format: "%0\(places)d", frac)
        while f.hasSuffix("0") { f.removeLast() }
        return "\(whole).\(f)"
    }
}
