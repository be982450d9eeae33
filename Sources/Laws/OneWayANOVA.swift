import CNumerics

/// One-way analysis of variance of a score over groups (mixtures), from each group's mean,
/// standard deviation and size. The spread (max − min) of many group means grows with their
/// number even when the groups do not differ; F compares the variance between the means with
/// the variance within the groups, and its p-value does not drift with the count.
public struct OneWayANOVA: Equatable, Sendable {
    public let f: Double
    public let dfBetween: Int
    public let dfWithin: Int
    /// P(F ≥ f) when the groups share one mean (GSL's upper tail of the F distribution).
    public let p: Double

    /// `nil` when there is nothing to test: fewer than two groups, no group with two members,
    /// or no variance within the groups.
    public init?(groups: [(mean: Double, sd: Double, n: Int)]) {
        let k = groups.count, n = groups.map(\.n).reduce(0, +)
        guard k >= 2, n > k else { return nil }
        let grand = groups.map { $0.mean * Double($0.n) }.reduce(0, +) / Double(n)
        let between = groups.map { Double($0.n) * ($0.mean - grand) * ($0.mean - grand) }.reduce(0, +)
        let within = groups.map { Double($0.n - 1) * $0.sd * $0.sd }.reduce(0, +)
        guard within > 0 else { return nil }
        dfBetween = k - 1
        dfWithin = n - k
        f = (between / Double(dfBetween)) / (within / Double(dfWithin))
        p = gsl_cdf_fdist_Q(f, Double(dfBetween), Double(dfWithin))
    }
}
