import Foundation
import Testing
@testable import Laws

/// Two scores of eight items with ties on both sides: items 1 and 4 tie at the smaller scale,
/// items 1 and 6 at the larger.
private let smaller = [3.1, 4.7, 2.2, 5.0, 4.7, 1.3, 3.9, 2.8]
private let larger = [2.0, 3.5, 2.6, 4.1, 3.0, 1.1, 3.5, 1.9]

@Test func ranksAverageTiesAsScipyDoes() {
    // scipy.stats.rankdata([3.1, 4.7, 2.2, 5.0, 4.7, 1.3, 3.9, 2.8]) (scipy 1.17.1)
    #expect(RankAgreement.ranks(smaller) == [4, 6.5, 2, 8, 6.5, 1, 5, 3])
}

@Test func spearmanAndKendallMatchScipy() throws {
    // scipy.stats.spearmanr(smaller, larger).statistic and scipy.stats.kendalltau(smaller, larger).statistic
    // (τ-b, scipy's default), scipy 1.17.1, on the vectors above.
    #expect(abs(try #require(RankAgreement.spearman(smaller, larger)) - 0.8734939759036143) < 1e-12)
    #expect(abs(try #require(RankAgreement.kendallTauB(smaller, larger)) - 0.7407407407407407) < 1e-12)
    // scipy.stats.spearmanr / kendalltau of [0.5, 0.1, 0.9, 0.3, 0.7, 0.2] and [0.2, 0.4, 0.8, 0.1, 0.9, 0.3]: no ties.
    let a = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2], b = [0.2, 0.4, 0.8, 0.1, 0.9, 0.3]
    #expect(abs(try #require(RankAgreement.spearman(a, b)) - 0.4285714285714286) < 1e-12)
    #expect(abs(try #require(RankAgreement.kendallTauB(a, b)) - 0.2) < 1e-12)
    #expect(RankAgreement.spearman([1, 2, 3], [3, 2, 1]) == -1)
    #expect(RankAgreement.kendallTauB([1, 2, 3], [3, 2, 1]) == -1)
    // Every item tied on one side: no order, no correlation (scipy answers nan).
    #expect(RankAgreement.spearman([1, 2, 3], [4, 4, 4]) == nil)
    #expect(RankAgreement.kendallTauB([4, 4, 4], [1, 2, 3]) == nil)
    #expect(RankAgreement.spearman([1], [2]) == nil)
}

@Test func decisionAccuracyCountsPairsAsDocumented() throws {
    // 28 pairs: (1, 6) tie at the larger scale and are left out, 27 remain. Of those, (0, 2),
    // (2, 7) and (4, 6) are ordered the other way round at the smaller scale, and (1, 4) tie
    // there and score one half: (27 − 3 − 1 + 0.5) / 27.
    #expect(RankAgreement.decisionAccuracy(smaller: smaller, larger: larger) == 23.5 / 27)
    #expect(RankAgreement.decisionAccuracy(smaller: [1, 2, 3], larger: [10, 20, 30]) == 1)
    #expect(RankAgreement.decisionAccuracy(smaller: [3, 2, 1], larger: [10, 20, 30]) == 0)
    #expect(RankAgreement.decisionAccuracy(smaller: [1, 2, 3], larger: [5, 5, 5]) == nil)
    // An item drawn twice by a bootstrap is not a pair of mixtures.
    #expect(RankAgreement.decisionAccuracy(smaller: [1, 1, 3], larger: [1, 2, 3], identity: [0, 0, 1]) == 1)
    #expect(RankAgreement.decisionAccuracy(smaller: [1, 1, 3], larger: [1, 2, 3]) == 2.5 / 3)
}

@Test func bootstrapIsSeededAndCoversWhatTheSeedsAllow() throws {
    let items = 8
    let clean = (0..<items).map { [Double($0)] }, doubled = (0..<items).map { [2 * Double($0) + 1] }
    // One seed each and the same order at both scales: every resample agrees perfectly.
    let perfect = RankBootstrap().estimate(smaller: clean, larger: doubled)
    let rho = try #require(perfect.spearman)
    #expect(rho.value == 1 && rho.low == 1 && rho.high == 1)
    #expect(perfect.decisionAccuracy?.low == 1)

    // Seeds that disagree about every neighbouring pair widen the interval; the point estimate
    // is that of the seed means, and the same seed gives the same draws.
    let noisy = (0..<items).map { i in [Double(i) - 1.6, Double(i) + 1.6] }
    let a = RankBootstrap().estimate(smaller: noisy, larger: doubled)
    let b = RankBootstrap().estimate(smaller: noisy, larger: doubled)
    #expect(a == b)
    let s = try #require(a.spearman)
    let low = try #require(s.low)
    #expect(s.value == 1 && low < 0.9 && s.high == 1, "\(s)")
    var other = RankBootstrap(); other.seed = 2
    #expect(other.estimate(smaller: noisy, larger: doubled) != a)

    // Three items: a ninth of the resamples (3 of 27 draws) pick one item thrice and have no
    // order, so about 1,778 of 2,000 are defined (binomial SD 14).
    let three = RankBootstrap().estimate(smaller: [[1], [2], [3]], larger: [[1], [3], [2]])
    let defined = try #require(three.spearman?.replicates)
    #expect(defined > 1700 && defined < 1850, "\(defined)")
}

@Test func percentilesInterpolateAsNumpyDoes() {
    // numpy.percentile([0, 1, ..., 9], [5, 95]) = [0.45, 8.55]
    let (lo, hi) = RankBootstrap.percentiles((0..<10).map(Double.init), level: 0.9)
    #expect(abs(lo! - 0.45) < 1e-12 && abs(hi! - 8.55) < 1e-12)
    #expect(RankBootstrap.percentiles([], level: 0.9) == (nil, nil))
}
