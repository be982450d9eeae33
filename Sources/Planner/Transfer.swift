import Fits
import Foundation
import Laws
import Store
import VisionMixCore

/// One scale a source was measured at: a model size at a token budget, under one way of
/// scoring: a condition (the encoder and any extra key attributes of the runs) and an
/// evaluation profile.
public struct TransferScale: Codable, Sendable, Hashable, Comparable {
    public var params: Double
    public var tokens: Double
    /// The size's name in the runs' names (`xs` … `xl`), when they all give the same one.
    public var size: String?
    /// The encoder and key attributes the runs were scored with; empty when the runs say none.
    /// Only scales of one condition are compared.
    public var condition: String
    /// The evaluation profile of the runs' names (`standard` for runs without one). Scales of
    /// one size and budget under two profiles are not compared with each other.
    public var profile: String

    enum CodingKeys: String, CodingKey { case params, tokens, size, condition, profile }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(params, forKey: .params); try c.encode(tokens, forKey: .tokens)
        try c.encode(size, forKey: .size); try c.encode(condition, forKey: .condition); try c.encode(profile, forKey: .profile)
    }

    /// `xl (1.37M) @ 1M`, `1.37M @ 1M` for runs whose names give no size, `xl (1.37M) @ 1M precise`
    /// under another profile than `standard`.
    public var label: String {
        (size.map { "\($0) (\(Quantity.format(params)))" } ?? Quantity.format(params)) + " @ " + Quantity.format(tokens)
            + (profile == "standard" ? "" : " " + profile)
    }

    /// The profile as it sorts: `standard` before the others.
    var profileRank: String { profile == "standard" ? "" : profile }

    public static func < (a: TransferScale, b: TransferScale) -> Bool {
        (a.condition, a.params, a.tokens, a.profileRank) < (b.condition, b.params, b.tokens, b.profileRank)
    }
}

/// A mixture measured at both scales of a comparison: its seed means and how many seeds each has.
public struct TransferMixture: Codable, Sendable {
    public var mixture: String
    /// Nil (null in JSON) when the mixture's sources have no tag shares.
    public var reasoningShare: Double?
    public var visualShare: Double?
    public var smaller: Double
    public var larger: Double
    public var smallerSeeds: Int
    public var largerSeeds: Int
    enum CodingKeys: String, CodingKey {
        case mixture, smaller, larger
        case reasoningShare = "reasoning_share", visualShare = "visual_share"
        case smallerSeeds = "smaller_seeds", largerSeeds = "larger_seeds"
    }

    public func encode(to encoder: Encoder) throws {
        // Every key written, null where unknown.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mixture, forKey: .mixture); try c.encode(reasoningShare, forKey: .reasoningShare)
        try c.encode(visualShare, forKey: .visualShare); try c.encode(smaller, forKey: .smaller); try c.encode(larger, forKey: .larger)
        try c.encode(smallerSeeds, forKey: .smallerSeeds); try c.encode(largerSeeds, forKey: .largerSeeds)
    }
}

/// Whether the smaller scale orders the common mixtures as the larger one does.
public struct TransferComparison: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// Two model sizes at one budget, or each at its largest budget.
        case size
        /// Two budgets (checkpoints) of one size.
        case budget
    }
    public var kind: Kind
    public var smaller: TransferScale
    public var larger: TransferScale
    public var mixtures: [TransferMixture]
    /// Nil, with `reason`, when too few mixtures were measured at both.
    public var agreement: RankAgreementEstimate?
    public var reason: String?

    enum CodingKeys: String, CodingKey { case kind, smaller, larger, mixtures, agreement, reason }

    public func encode(to encoder: Encoder) throws {
        // Every key, null where unknown, so consumers see one shape.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind); try c.encode(smaller, forKey: .smaller); try c.encode(larger, forKey: .larger)
        try c.encode(mixtures, forKey: .mixtures); try c.encode(agreement, forKey: .agreement); try c.encode(reason, forKey: .reason)
    }
}

/// `visionmix transfer` and `GET /v1/transfer`: every comparison of a source's scales for one category.
public struct TransferReport: Codable, Sendable {
    public var source: String
    public var category: String
    public var resamples: Int
    public var intervalLevel: Double
    public var seed: UInt
    public var minimumMixtures: Int
    public var comparisons: [TransferComparison]
    /// Scales in no comparison, with their number of mixtures: no other scale of their
    /// condition (encoder, attributes) at their size or budget.
    public var unpaired: [UnpairedScale]
    /// Runs of another adaptation than the one compared (as the fitter leaves them out).
    public var leftOut: [String: Int]
    enum CodingKeys: String, CodingKey {
        case source, category, resamples, seed, comparisons, unpaired
        case intervalLevel = "interval_level", minimumMixtures = "minimum_mixtures", leftOut = "left_out"
    }

    public struct UnpairedScale: Codable, Sendable {
        public var scale: TransferScale
        public var mixtures: Int
    }
}

public enum TransferError: Error, CustomStringConvertible, Equatable {
    case noRuns(String, known: [String])
    case unknownCategory(String, available: [String])

    public var description: String {
        switch self {
        case let .noRuns(s, known):
            "no complete runs under source '\(s)'" + (known.isEmpty ? " (the store holds no runs)" : "; sources: " + known.joined(separator: ", "))
        case let .unknownCategory(c, available):
            "no run of this source has a score '\(c)'; categories: " + available.joined(separator: ", ")
        }
    }
}

/// Rank transfer between the scales of a source, as DataDecide measures it: for every pair of
/// sizes (and of budgets of one size) measured on the same mixtures, Spearman's ρ, Kendall's
/// τ-b and the pairwise decision accuracy, each with a percentile bootstrap interval.
public enum Transfer {
    /// Fewer common mixtures than this and a comparison is reported, not computed: two
    /// mixtures make one pair, and a correlation of two points is ±1 whatever they are.
    public static let minimumMixtures = 3

    /// The report for `category` over the complete runs of `source` that share one adaptation.
    public static func report(store: ResultStore, source: String, category: String,
                              bootstrap: RankBootstrap = RankBootstrap()) throws -> TransferReport {
        let stored = try store.runs(RunFilter(source: source)).filter { $0.status == "complete" }
        guard !stored.isEmpty else { throw TransferError.noRuns(source, known: try store.labels().map(\.label)) }
        return try report(runs: stored, source: source, category: category, bootstrap: bootstrap)
    }

    public static func report(runs stored: [StoredRun], source: String, category: String,
                              bootstrap: RankBootstrap = RankBootstrap()) throws -> TransferReport {
        let (runs, leftOut) = Adaptations.fitted(stored)
        guard runs.contains(where: { $0.scores[category] != nil }) else {
            throw TransferError.unknownCategory(category, available: Array(Set(runs.flatMap { $0.scores.keys })).sorted())
        }
        let measured = measurements(runs) { $0.scores[category] }
        let comparisons = pairs(Array(measured.keys)).map { compare($0.kind, $0.smaller, $0.larger, measured, bootstrap) }
        let paired = Set(comparisons.flatMap { [$0.smaller, $0.larger] })
        let unpaired = measured.keys.filter { !paired.contains($0) }.sorted()
            .map { TransferReport.UnpairedScale(scale: $0, mixtures: measured[$0]!.count) }
        return TransferReport(source: source, category: category, resamples: bootstrap.resamples, intervalLevel: bootstrap.level,
                              seed: bootstrap.seed, minimumMixtures: minimumMixtures, comparisons: comparisons, unpaired: unpaired,
                              leftOut: Dictionary(uniqueKeysWithValues: leftOut.map { ($0.adaptation, $0.count) }))
    }

    /// A mixture's measurements at one scale: one value per seed.
    struct Measured {
        var label: String
        var mixture: Mixture
        var seeds: [Double]
        var mean: Double { seeds.reduce(0, +) / Double(seeds.count) }
    }

    /// Every scale's mixtures with one score per pre-trained LM: the runs of one LM (its name's
    /// size, mixture, budget, seed and checkpoints) count once, at their mean; runs without a
    /// sweep's name are told apart by their seed, and a run without a seed is one of its own.
    static func measurements(_ runs: [StoredRun], score: (StoredRun) -> Double?) -> [TransferScale: [String: Measured]] {
        let scored = runs.compactMap { r -> (StoredRun, Mixture, Double)? in
            guard let m = r.mixture, let v = score(r), v.isFinite else { return nil }
            return (r, m, v)
        }
        var sizeNames: [Double: Set<String>] = [:]
        for (r, _, _) in scored { sizeNames[r.params, default: []].insert(RunName(r.name)?.size ?? "") }
        var bySeed: [TransferScale: [String: (label: String, mixture: Mixture, seeds: [String: [Double]])]] = [:]
        for (r, m, v) in scored {
            let names = sizeNames[r.params] ?? []
            let scale = TransferScale(params: r.params, tokens: r.tokens, size: names.count == 1 && names.first != "" ? names.first : nil,
                                      condition: condition(r), profile: RunName(r.name)?.profile ?? "standard")
            let key = m.canonicalKey, seed = RunName(r.name)?.pretrainingKey ?? r.seed.map { "seed \($0)" } ?? "run \(r.id)"
            var entry = bySeed[scale, default: [:]][key] ?? (RunName(r.name)?.mix ?? m.description, m, [:])
            entry.seeds[seed, default: []].append(v)
            bySeed[scale, default: [:]][key] = entry
        }
        return bySeed.mapValues { mixes in
            mixes.mapValues { e in
                Measured(label: e.label, mixture: e.mixture, seeds: e.seeds.keys.sorted().map { e.seeds[$0]!.reduce(0, +) / Double(e.seeds[$0]!.count) })
            }
        }
    }

    /// What a run was scored with beyond its size, budget, mixture, seed and profile: the
    /// encoder of its name and its key attributes. An order under one encoder says nothing of
    /// the order under another, so only scales of one condition are compared.
    static func condition(_ r: StoredRun) -> String {
        let attributes: String
        if case let .object(a)? = r.provenance["attributes"] {
            attributes = a.keys.sorted().map { "\($0)=\(a[$0]!.stringValue ?? a[$0]!.compactString)" }.joined(separator: ",")
        } else { attributes = "" }
        return [RunName(r.name)?.encoder ?? "", attributes].filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// The pairs to compare, within one condition: two sizes at each budget both were measured
    /// at, and at each one's largest budget when those differ (DataDecide's setup: every model
    /// at its final checkpoint); and every two budgets of one size. The profiles of a pair may
    /// differ: a rank order does not depend on the level of the scores, and a profile that asks
    /// more questions only measures each mixture more precisely. Two profiles of one size and
    /// budget are the same models, not two scales to compare.
    static func pairs(_ scales: [TransferScale]) -> [(kind: TransferComparison.Kind, smaller: TransferScale, larger: TransferScale)] {
        var out: [(TransferComparison.Kind, TransferScale, TransferScale)] = []
        let sorted = scales.sorted()
        var finalBudget: [String: Double] = [:]
        for s in sorted { finalBudget["\(s.condition)|\(s.params)"] = max(finalBudget["\(s.condition)|\(s.params)"] ?? 0, s.tokens) }
        func isFinal(_ s: TransferScale) -> Bool { finalBudget["\(s.condition)|\(s.params)"] == s.tokens }
        for a in sorted {
            for b in sorted where b.condition == a.condition && b > a && (a.params, a.tokens) != (b.params, b.tokens) {
                if a.params == b.params { out.append((.budget, a, b)) }
                else if a.tokens == b.tokens || (isFinal(a) && isFinal(b)) { out.append((.size, a, b)) }
            }
        }
        // Sizes first, by budget; then budgets, by size.
        return out.sorted { x, y in
            if x.0 != y.0 { return x.0 == .size }
            return x.0 == .size ? (x.2.tokens, x.1.params, x.2.params, x.1.profileRank, x.2.profileRank) < (y.2.tokens, y.1.params, y.2.params, y.1.profileRank, y.2.profileRank)
                : (x.1.params, x.1.tokens, x.2.tokens, x.1.profileRank, x.2.profileRank) < (y.1.params, y.1.tokens, y.2.tokens, y.1.profileRank, y.2.profileRank)
        }.map { (kind: $0.0, smaller: $0.1, larger: $0.2) }
    }

    static func compare(_ kind: TransferComparison.Kind, _ a: TransferScale, _ b: TransferScale,
                        _ measured: [TransferScale: [String: Measured]], _ bootstrap: RankBootstrap) -> TransferComparison {
        let ma = measured[a] ?? [:], mb = measured[b] ?? [:]
        let common = Set(ma.keys).intersection(mb.keys).sorted()
        let rows = common.map { k in
            TransferMixture(mixture: ma[k]!.label, reasoningShare: ma[k]!.mixture.reasoningShare, visualShare: ma[k]!.mixture.visualShare,
                            smaller: ma[k]!.mean, larger: mb[k]!.mean, smallerSeeds: ma[k]!.seeds.count, largerSeeds: mb[k]!.seeds.count)
        }
        var c = TransferComparison(kind: kind, smaller: a, larger: b, mixtures: rows)
        if common.count < minimumMixtures {
            c.reason = "\(common.count) mixture\(common.count == 1 ? "" : "s") measured at both (\(minimumMixtures) needed)"
        } else {
            c.agreement = bootstrap.estimate(smaller: common.map { ma[$0]!.seeds }, larger: common.map { mb[$0]!.seeds })
            if c.agreement?.spearman == nil { c.reason = "every mixture scores the same at one of the two scales" }
        }
        return c
    }
}
