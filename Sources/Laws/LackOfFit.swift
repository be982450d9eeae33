import CNumerics
import Foundation

/// The lack-of-fit F test of a fitted law against its replicated runs. Runs repeated at the
/// same size, budget and mixture (seeds) measure the seed noise apart from any law: their
/// spread about their own means is the pure error. What the law misses of those means beyond
/// it is the lack of fit. A law whose form holds the data misses the means by about the seed
/// noise (F near 1); a wrong form misses them by more, and its recipe can sit off the best
/// mixture by more than its bootstrap intervals show, since every refit shares the form.
///
/// With run weights w (the least squares' own), a group g of runs at one input has the
/// weighted mean ȳ_g and weight W_g = Σ w; SS_pure = Σ w (y − ȳ_g)² on n − m degrees of
/// freedom, SS_lack = Σ_g W_g (ȳ_g − ŷ_g)² on m − k, for n runs, m distinct inputs and k
/// parameters.
public struct LackOfFit: Codable, Sendable, Equatable {
    public var runs: Int
    /// Distinct inputs (size, budget, mixture) among the runs.
    public var inputs: Int
    /// Inputs measured more than once.
    public var replicated: Int
    public var f: Double
    public var dfLack: Int
    public var dfPure: Int
    /// P(F ≥ f) when the law's form holds the data (GSL's upper tail of the F distribution).
    public var p: Double
    /// The seed noise the replicates show, √(SS_pure / (n − m)).
    public var pureErrorSD: Double
    /// How far, as an SD, the law misses the inputs' means, √(SS_lack / (m − k)).
    public var lackSD: Double

    /// The level under which `fit` notes and `recommend` warns that the form misses the data.
    public static let level = 0.01

    public var rejectsTheForm: Bool { p < Self.level }

    enum CodingKeys: String, CodingKey {
        case runs, inputs, replicated, f, p
        case dfLack = "df_lack", dfPure = "df_pure", pureErrorSD = "pure_error_sd", lackSD = "lack_sd"
    }

    /// nil when there is nothing to test: no input measured twice, no more inputs than
    /// parameters, or replicates that agree to the digit.
    public init?(points: [LawPoint], predictions: [Double], parameters k: Int) {
        var groups: [String: [Int]] = [:], order: [String] = []
        for (i, p) in points.enumerated() {
            let key = String(format: "%.17g|%.17g|", p.params, p.tokens) + (p.mixture?.canonicalKey ?? "")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(i)
        }
        let n = points.count, m = order.count
        guard n > m, m > k else { return nil }
        var pure = 0.0, lack = 0.0
        // Summed in the order the runs came in, so the same runs give the same bits in every process.
        for key in order {
            let members = groups[key]!
            let w = members.map { points[$0].weight }, total = w.reduce(0, +)
            let mean = zip(members, w).reduce(0.0) { $0 + $1.1 * points[$1.0].score } / total
            pure += zip(members, w).reduce(0.0) { $0 + $1.1 * (points[$1.0].score - mean) * (points[$1.0].score - mean) }
            let miss = mean - predictions[members[0]]
            lack += total * miss * miss
        }
        guard pure > 0 else { return nil }
        runs = n; inputs = m; replicated = order.filter { groups[$0]!.count > 1 }.count
        dfLack = m - k; dfPure = n - m
        pureErrorSD = (pure / Double(dfPure)).squareRoot()
        lackSD = (lack / Double(dfLack)).squareRoot()
        f = (lack / Double(dfLack)) / (pure / Double(dfPure))
        p = gsl_cdf_fdist_Q(f, Double(dfLack), Double(dfPure))
    }

    /// One line for people, with the numbers.
    public var summary: String {
        String(format: "lack of fit: the law misses the means of its %d inputs by an SD of %.2f against the replicates' seed SD of %.2f "
               + "(%d inputs measured more than once; F = %.2f on %d and %d df, p = %.3g)",
               inputs, lackSD, pureErrorSD, replicated, f, dfLack, dfPure, p)
    }
}
