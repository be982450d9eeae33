import Foundation

/// How far the order of items (mixtures) at one scale agrees with their order at another:
/// Spearman's ρ, Kendall's τ-b and DataDecide's pairwise decision accuracy. Pure: numbers in,
/// numbers out; `Planner.Transfer` decides what the items and the scales are.
public enum RankAgreement {
    /// Average ranks (1-based), ties sharing the mean of the ranks they span, as
    /// `scipy.stats.rankdata(method="average")`.
    public static func ranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var r = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let mean = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = mean }
            i = j + 1
        }
        return r
    }

    /// Spearman's ρ: Pearson's correlation of the average ranks (`scipy.stats.spearmanr`).
    /// Nil when it is undefined: fewer than two items, or every item tied on one side.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count)
        guard x.count >= 2 else { return nil }
        let rx = ranks(x), ry = ranks(y)
        let mx = rx.reduce(0, +) / Double(rx.count), my = ry.reduce(0, +) / Double(ry.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in rx.indices {
            let a = rx[i] - mx, b = ry[i] - my
            sxy += a * b; sxx += a * a; syy += b * b
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Kendall's τ-b (`scipy.stats.kendalltau`, its default variant): concordant minus
    /// discordant pairs over the geometric mean of the pairs untied on each side. Nil when one
    /// side has every item tied.
    public static func kendallTauB(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count)
        var concordant = 0, discordant = 0, untiedX = 0, untiedY = 0
        for i in x.indices {
            for j in x.indices where j > i {
                let dx = order(x[i], x[j]), dy = order(y[i], y[j])
                if dx != 0 { untiedX += 1 }
                if dy != 0 { untiedY += 1 }
                if dx * dy > 0 { concordant += 1 } else if dx * dy < 0 { discordant += 1 }
            }
        }
        guard untiedX > 0, untiedY > 0 else { return nil }
        return Double(concordant - discordant) / (Double(untiedX) * Double(untiedY)).squareRoot()
    }

    /// The share of item pairs that the smaller scale orders as the larger one does
    /// (DataDecide's decision accuracy). A pair tied at the larger scale has no order to
    /// predict and is left out; a pair tied only at the smaller scale counts one half, what a
    /// coin flip between the two would score. Pairs whose `identity` is equal are the same
    /// item drawn twice by a bootstrap and are left out too. Nil when no pair is ordered at
    /// the larger scale.
    public static func decisionAccuracy(smaller: [Double], larger: [Double], identity: [Int]? = nil) -> Double? {
        precondition(smaller.count == larger.count)
        var credit = 0.0, counted = 0
        for i in smaller.indices {
            for j in smaller.indices where j > i {
                if let id = identity, id[i] == id[j] { continue }
                let target = order(larger[i], larger[j])
                guard target != 0 else { continue }
                counted += 1
                let guess = order(smaller[i], smaller[j])
                credit += guess == target ? 1 : (guess == 0 ? 0.5 : 0)
            }
        }
        return counted > 0 ? credit / Double(counted) : nil
    }

    /// The order of two scores: 1 when `a < b`, −1 when `a > b`, 0 on a tie.
    public static func order(_ a: Double, _ b: Double) -> Int { a < b ? 1 : (a > b ? -1 : 0) }
}

/// A statistic with its percentile bootstrap interval.
public struct BootstrapEstimate: Codable, Sendable, Equatable {
    public var value: Double
    public var low: Double?
    public var high: Double?
    /// Resamples in which the statistic was defined (a resample that draws one mixture over
    /// and over has no order); the interval is over these.
    public var replicates: Int

    // Every key, null where unknown, so consumers see one shape.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(value, forKey: .value); try c.encode(low, forKey: .low); try c.encode(high, forKey: .high)
        try c.encode(replicates, forKey: .replicates)
    }
}

/// The three statistics of one pair of scales, each with its interval.
public struct RankAgreementEstimate: Codable, Sendable, Equatable {
    public var spearman: BootstrapEstimate?
    public var kendall: BootstrapEstimate?
    public var decisionAccuracy: BootstrapEstimate?
    enum CodingKeys: String, CodingKey { case spearman, kendall, decisionAccuracy = "decision_accuracy" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spearman, forKey: .spearman); try c.encode(kendall, forKey: .kendall)
        try c.encode(decisionAccuracy, forKey: .decisionAccuracy)
    }
}

/// Percentile bootstrap of the rank agreement between two scales measured on the same items.
/// Each resample draws the items with replacement and, within each drawn item, its seeds
/// with replacement at each scale, then averages the drawn seeds: the interval covers both
/// which mixtures happened to be measured and the seed noise of each mean. Deterministic for
/// a seed (GSL's Mersenne twister).
public struct RankBootstrap: Sendable {
    /// Resamples per pair of scales. Percentile intervals want at least 1,000 (Efron and
    /// Tibshirani); at 2,000 the rank of the 5th percentile itself is uncertain by about half a
    /// percentile point (√(0.05 · 0.95 / 2000) = 0.005), and a whole report of the shipped
    /// calibration takes a few seconds.
    public static let defaultResamples = 2000
    public static let defaultSeed: UInt = 1
    public static let defaultLevel = 0.9

    public var resamples = RankBootstrap.defaultResamples
    public var seed = RankBootstrap.defaultSeed
    /// Central coverage of the interval (0.9: the 5th to the 95th percentile).
    public var level = RankBootstrap.defaultLevel

    public init() {}

    /// `smaller[i]` and `larger[i]` are the seed scores of item i at each scale (at least one
    /// each); the point estimates are of the seed means.
    public func estimate(smaller: [[Double]], larger: [[Double]]) -> RankAgreementEstimate {
        precondition(smaller.count == larger.count && smaller.allSatisfy { !$0.isEmpty } && larger.allSatisfy { !$0.isEmpty })
        let a = smaller.map(Self.mean), b = larger.map(Self.mean)
        var rho: [Double] = [], tau: [Double] = [], acc: [Double] = []
        let rng = RandomSource(seed: seed)
        let n = smaller.count
        for _ in 0..<resamples {
            // Seeds first, one draw per item and scale, so an item drawn twice is one measurement.
            let sa = smaller.map { s in Self.mean((0..<s.count).map { _ in s[rng.below(s.count)] }) }
            let sb = larger.map { s in Self.mean((0..<s.count).map { _ in s[rng.below(s.count)] }) }
            let pick = (0..<n).map { _ in rng.below(n) }
            let x = pick.map { sa[$0] }, y = pick.map { sb[$0] }
            if let v = RankAgreement.spearman(x, y) { rho.append(v) }
            if let v = RankAgreement.kendallTauB(x, y) { tau.append(v) }
            if let v = RankAgreement.decisionAccuracy(smaller: x, larger: y, identity: pick) { acc.append(v) }
        }
        func estimate(_ point: Double?, _ draws: [Double]) -> BootstrapEstimate? {
            guard let point else { return nil }
            let (lo, hi) = Self.percentiles(draws, level: level)
            return BootstrapEstimate(value: point, low: lo, high: hi, replicates: draws.count)
        }
        return RankAgreementEstimate(spearman: estimate(RankAgreement.spearman(a, b), rho),
                                     kendall: estimate(RankAgreement.kendallTauB(a, b), tau),
                                     decisionAccuracy: estimate(RankAgreement.decisionAccuracy(smaller: a, larger: b), acc))
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    /// The central `level` interval of `draws`, linearly interpolated between order statistics
    /// (numpy's default percentile); nil ends when there are no draws.
    static func percentiles(_ draws: [Double], level: Double) -> (Double?, Double?) {
        guard !draws.isEmpty else { return (nil, nil) }
        let s = draws.sorted()
        func q(_ p: Double) -> Double {
            let h = p * Double(s.count - 1), i = Int(h.rounded(.down)), f = h - Double(i)
            return i + 1 < s.count ? s[i] + f * (s[i + 1] - s[i]) : s[i]
        }
        return (q((1 - level) / 2), q((1 + level) / 2))
    }
}
