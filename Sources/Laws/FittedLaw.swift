import Foundation
import VisionMixCore

/// The span of the data a law was fitted on; predictions outside it are extrapolations.
public struct FittedRanges: Codable, Sendable, Equatable {
    public var params: [Double]
    public var tokens: [Double]
    /// [min, max] of the mixtures' reasoning and visual shares (nil when runs had no mixture).
    public var reasoningShare: [Double]?
    public var visualShare: [Double]?
    /// [min, max] weight per source, for runs with per-source weights.
    public var sourceWeights: [String: [Double]]
    /// The hull of the training mixtures in the reasoning × visual plane, and over source weights.
    public var shareHull: MixtureHull?
    public var weightHull: MixtureHull?
    /// The sources the weights are over, when they are not the built-in ones (the order of the
    /// weight hull's coordinates).
    public var sources: SourceCatalogue?

    enum CodingKeys: String, CodingKey {
        case params, tokens, sources
        case reasoningShare = "reasoning_share", visualShare = "visual_share", sourceWeights = "source_weights"
        case shareHull = "share_hull", weightHull = "weight_hull"
    }

    init(points: [LawPoint]) {
        func span(_ xs: [Double]) -> [Double] { [xs.min() ?? 0, xs.max() ?? 0] }
        params = span(points.map(\.params))
        tokens = span(points.map(\.tokens))
        let mixes = points.compactMap(\.mixture)
        let everyMixture = mixes.count == points.count && !mixes.isEmpty
        let shared = everyMixture && mixes.allSatisfy(\.hasShares)
        reasoningShare = shared ? span(mixes.map { $0.reasoningShare! }) : nil
        visualShare = shared ? span(mixes.map { $0.visualShare! }) : nil
        sourceWeights = [:]
        if everyMixture, let catalogue = mixes.first?.catalogue, mixes.allSatisfy({ !$0.isSharesOnly && $0.catalogue == catalogue }) {
            for (i, name) in catalogue.names.enumerated() { sourceWeights[name] = span(mixes.map { $0.fractions![i] }) }
            weightHull = MixtureHull(points: mixes.map(\.vector))
            sources = catalogue.isBuiltin ? nil : catalogue
        }
        if shared {
            shareHull = MixtureHull(points: mixes.map { [$0.reasoningShare!, $0.visualShare!] })
        }
    }
}

/// A fitted scaling law for one score category: what the Planner consumes.
///
/// Stored as JSON (inside the `fits` table body and fits/<source>/<category>.json). Evaluate
/// it with `predict`, get a bootstrap interval with `predictInterval`, and check
/// `isExtrapolation` before trusting a prediction far from the data.
public struct FittedLaw: Codable, Sendable, Equatable {
    public var category: String
    public var family: LawFamily
    public var formula: String
    /// The family bound to its data (parameter names and bounds, input scales, sources).
    public var shape: LawShape
    /// Best-fit natural parameter values, in `shape.parameterNames` order.
    public var parameters: [Double]
    /// Bootstrap replicates of the parameter vector (resampled runs); empty if bootstrap was off.
    public var ensemble: [[Double]]
    /// Default two-sided level of `predictInterval` (the fit's interval level).
    public var intervalLevel: Double
    public var ranges: FittedRanges
    /// The mean chance level of the fitted scores (nil when the runs did not record one).
    public var chance: Double?
    /// The lack-of-fit test against the runs measured more than once (nil without replicates).
    public var lackOfFit: LackOfFit?

    enum CodingKeys: String, CodingKey {
        case category, family, formula, shape, parameters, ensemble, ranges, chance
        case lackOfFit = "lack_of_fit"
        case intervalLevel = "interval_level"
    }

    public var parameterNames: [String] { shape.parameterNames }

    /// The sources the law's mixtures were over: the built-in ones unless the fit recorded others.
    public var catalogue: SourceCatalogue { ranges.sources ?? .builtin }

    /// Whether the mixture changes the law's value (mixture and joint laws, 1-D laws of a share).
    public var dependsOnMixture: Bool {
        switch family.kind {
        case .mixture, .joint: true
        case .sizeData: false
        case .oneDimensional: shape.axis == .reasoningShare || shape.axis == .visualShare
        }
    }

    /// Name → best-fit value.
    public var parameterValues: [String: Double] {
        Dictionary(uniqueKeysWithValues: zip(shape.parameterNames, parameters))
    }

    /// The law's value for a model of `params` parameters after `tokens` pre-training tokens on
    /// `mixture` (ignored by size–data and 1-D laws of N or D; required by mixture and joint laws).
    public func predict(params: Double, tokens: Double, mixture: Mixture? = nil) -> Double {
        evaluate(parameters, params: params, tokens: tokens, mixture: mixture)
    }

    /// The prediction with a percentile interval over the bootstrap ensemble. Without an
    /// ensemble the interval collapses to the value.
    public func predictInterval(params: Double, tokens: Double, mixture: Mixture? = nil,
                                level: Double? = nil) -> (value: Double, low: Double, high: Double) {
        let value = predict(params: params, tokens: tokens, mixture: mixture)
        let preds = ensembleValues(params: params, tokens: tokens, mixture: mixture).filter(\.isFinite)
        guard preds.count >= 2 else { return (value, value, value) }
        let a = (1 - (level ?? intervalLevel)) / 2
        return (value, quantile(preds, a), quantile(preds, 1 - a))
    }

    /// The law's value under every bootstrap replicate, in replicate order (the inputs are
    /// turned into features once, not once per replicate).
    public func ensembleValues(params: Double, tokens: Double, mixture: Mixture? = nil) -> [Double] {
        let features = Features(params: params, tokens: tokens, mixture: mixture, shape: shape)
        return ensemble.map { shape.evaluate($0, features) }
    }

    /// True when any input lies outside the fitted ranges of N, D or the mixture.
    public func isExtrapolation(params: Double, tokens: Double, mixture: Mixture? = nil) -> Bool {
        !extrapolationReasons(params: params, tokens: tokens, mixture: mixture).isEmpty
    }

    /// Which inputs are outside the fitted ranges, in words (empty inside them).
    public func extrapolationReasons(params: Double, tokens: Double, mixture: Mixture? = nil) -> [String] {
        var out: [String] = []
        func check(_ name: String, _ x: Double, _ r: [Double]?) {
            guard let r, r.count == 2 else { return }
            let slack = 1e-9 * max(1, abs(r[1]))
            if x < r[0] - slack || x > r[1] + slack {
                out.append("\(name) \(String(format: "%g", x)) is outside the fitted range [\(String(format: "%g", r[0])), \(String(format: "%g", r[1]))]")
            }
        }
        check("N", params, ranges.params)
        check("D", tokens, ranges.tokens)
        if let m = mixture {
            if let r = m.reasoningShare, let v = m.visualShare {
                check("reasoning share", r, ranges.reasoningShare)
                check("visual share", v, ranges.visualShare)
            }
            if let f = m.fractions, !ranges.sourceWeights.isEmpty {
                if m.catalogue != catalogue {
                    out.append("the mixture is over the sources " + m.catalogue.namesForMessages + ", the law's are " + catalogue.namesForMessages)
                    return out
                }
                for (name, w) in zip(m.catalogue.names, f) { check("\(name) weight", w, ranges.sourceWeights[name]) }
            }
            // Inside every per-axis range can still be far from any fitted mixture.
            if out.isEmpty {
                let usesWeights = family == .mixingExponential || family == .saturatingPerSource
                if usesWeights, let hull = ranges.weightHull, !m.isSharesOnly {
                    let d = hull.distance(m.vector)
                    if d > hull.tolerance { out.append(String(format: "the mixture is %.1f points from the hull of the fitted mixtures' weights", d * 100)) }
                } else if let hull = ranges.shareHull, let r = m.reasoningShare, let v = m.visualShare {
                    let d = hull.distance([r, v])
                    if d > hull.tolerance { out.append(String(format: "the mixture's shares are %.1f points from the hull of the fitted mixtures' shares", d * 100)) }
                }
            }
        } else if family.kind == .mixture || family.kind == .joint {
            out.append("the law needs a mixture")
        }
        return out
    }

    /// The law with parameter vector `p` (the best fit or one bootstrap replicate).
    public func evaluate(_ p: [Double], params: Double, tokens: Double, mixture: Mixture?) -> Double {
        shape.evaluate(p, Features(params: params, tokens: tokens, mixture: mixture, shape: shape))
    }
}
