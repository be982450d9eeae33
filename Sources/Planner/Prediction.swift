import Foundation
import VisionMixCore

/// One category's predicted score with its bootstrap interval.
public struct Prediction: Codable, Sendable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double
    public var family: String
    public var extrapolated: Bool
    /// The chance level of the scores the law was fitted to, to read the value against.
    public var chance: Double?
}

/// The answer to `predict`: every fitted category at one mixture, size and budget.
public struct PredictionReport: Codable, Sendable {
    public var source: String
    public var params: Double
    public var tokens: Double
    public var mixture: Mixture
    /// Nil when the mixture's sources have no tag shares.
    public var reasoningShare: Double?
    public var visualShare: Double?
    public var scores: [String: Prediction]

    enum CodingKeys: String, CodingKey {
        case source, params, tokens, mixture, scores
        case reasoningShare = "reasoning_share", visualShare = "visual_share"
    }
}

/// The central interval of an ensemble: 5th and 95th percentiles by default.
func interval(_ xs: [Double], level: Double = 0.90) -> (Double, Double)? {
    let s = xs.filter(\.isFinite).sorted()
    guard s.count >= 2 else { return nil }
    func q(_ p: Double) -> Double {
        let h = p * Double(s.count - 1)
        let i = Int(h.rounded(.down)), f = h - Double(i)
        return i + 1 < s.count ? s[i] * (1 - f) + s[i + 1] * f : s[i]
    }
    return (q((1 - level) / 2), q(1 - (1 - level) / 2))
}

extension LawSet {
    public func predict(_ category: String, params: Double, tokens: Double, mixture: Mixture) throws -> Prediction {
        let law = try law(category)
        let v = law.predict(params: params, tokens: tokens, mixture: mixture)
        let (lo, hi) = interval(law.ensemble(params: params, tokens: tokens, mixture: mixture)) ?? (v, v)
        return Prediction(value: v, low: min(lo, v), high: max(hi, v), family: law.family,
                          extrapolated: law.isExtrapolation(params: params, tokens: tokens, mixture: mixture), chance: law.chance)
    }

    /// Every fitted category at once (`visionmix predict`).
    public func predictAll(params: Double?, tokens: Double?, mixture: Mixture) throws -> PredictionReport {
        guard let n = params ?? defaultParams else { throw PlannerError.missing("give --params (the laws were fitted at several sizes)") }
        guard let d = tokens ?? defaultTokens else { throw PlannerError.missing("give --tokens (the laws were fitted at several budgets)") }
        if mixture.isSharesOnly, let w = laws.values.first(where: { $0.space == .weights }) {
            throw PlannerError.missing("the \(w.category) law reads per-source weights; give the mixture as source=weight pairs")
        }
        if !mixture.isSharesOnly, mixture.catalogue != catalogue, laws.values.contains(where: { $0.space != nil }) {
            throw PlannerError.missing("the mixture is over " + mixture.catalogue.namesForMessages + ", but the laws of '\(source)' are over "
                                       + catalogue.namesForMessages)
        }
        if !mixture.hasShares, let s = laws.values.first(where: { $0.space == .shares }) {
            throw PlannerError.missing("the \(s.category) law reads reasoning/visual shares, and this mixture has none (its sources have no tag shares)")
        }
        var scores: [String: Prediction] = [:]
        for c in categories { scores[c] = try predict(c, params: n, tokens: d, mixture: mixture) }
        return PredictionReport(source: source, params: n, tokens: d, mixture: mixture,
                                reasoningShare: mixture.reasoningShare, visualShare: mixture.visualShare, scores: scores)
    }
}
