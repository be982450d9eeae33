import Foundation
import VisionMixCore

/// What a picture of a fitted law needs, computed by the law itself so that no client
/// re-implements a family: the runs as points with the law's value and 90% band at each, and
/// the law as curves over D (one per fitted model size), over N (at the largest budget) or
/// over a share, each with its bootstrap band. The page that draws it only draws.
public struct LawPlot: Codable, Sendable {
    public struct Point: Codable, Sendable {
        public var runId: Int64?
        public var params: Double
        public var tokens: Double
        public var reasoningShare: Double?
        public var visualShare: Double?
        public var score: Double
        /// The law's value at the run's inputs, and its interval there.
        public var predicted: Double
        public var low: Double
        public var high: Double
        public var residual: Double
        /// Inside the size and budget the law was fitted on (a mixture law fits one of each).
        public var inFit: Bool
        /// At the model size the hold-out left out (scored by a fit made without it).
        public var heldOut: Bool
        public var chance: Double?

        enum CodingKeys: String, CodingKey {
            case params, tokens, score, predicted, low, high, residual, chance
            case runId = "run_id", reasoningShare = "reasoning_share", visualShare = "visual_share"
            case inFit = "in_fit", heldOut = "held_out"
        }
    }

    /// The law along one input with the others fixed.
    public struct Curve: Codable, Sendable {
        /// `tokens`, `params`, `reasoning_share` or `visual_share`.
        public var axis: String
        public var label: String
        /// The inputs held fixed along the curve.
        public var params: Double?
        public var tokens: Double?
        public var x: [Double]
        public var value: [Double]
        public var low: [Double]
        public var high: [Double]
        /// Drawn from the parameters fitted without the held-out size (the hold-out's law).
        public var holdoutFit: Bool

        enum CodingKeys: String, CodingKey {
            case axis, label, params, tokens, x, value, low, high
            case holdoutFit = "holdout_fit"
        }
    }

    public var category: String
    public var family: String
    public var chance: Double?
    public var intervalLevel: Double
    public var points: [Point]
    public var curves: [Curve]
    /// The mixture the curves are drawn at, when the law reads one.
    public var curveMixture: Mixture?

    enum CodingKeys: String, CodingKey {
        case category, family, chance, points, curves
        case intervalLevel = "interval_level", curveMixture = "curve_mixture"
    }
}

extension FittedLaw {
    /// Samples along each curve: smooth at the width of a page's chart.
    public static let plotSamples = 48
    /// Curves over D are drawn for at most this many model sizes (the largest ones).
    public static let plotMaxSizes = 8

    /// The plot of this law over `points` (the category's runs, fitted or not). `holdout` is
    /// the fit's hold-out, whose size is marked and whose own law is drawn at that size.
    public func plot(points: [LawPoint], holdout: HoldoutMetrics? = nil) -> LawPlot {
        let inFit: (LawPoint) -> Bool = { p in
            Self.within(p.params, ranges.params) && Self.within(p.tokens, ranges.tokens)
        }
        let mixture = dependsOnMixture ? Self.commonMixture(points.filter(inFit)) : nil
        let plotted = points.map { p -> LawPlot.Point in
            let (v, lo, hi) = predictInterval(params: p.params, tokens: p.tokens, mixture: p.mixture)
            return LawPlot.Point(runId: p.runId, params: p.params, tokens: p.tokens, reasoningShare: p.mixture?.reasoningShare,
                                 visualShare: p.mixture?.visualShare, score: p.score, predicted: v, low: lo, high: hi,
                                 residual: p.score - v, inFit: inFit(p),
                                 heldOut: holdout.map { inFit(p) && Self.same(p.params, $0.params) } ?? false, chance: p.chance)
        }
        var curves: [LawPlot.Curve] = []
        switch family.kind {
        case .sizeData, .joint:
            curves = tokenCurves(points.filter(inFit), mixture: mixture, holdout: holdout) + [paramCurve(mixture: mixture)]
        case .oneDimensional:
            curves = [axisCurve(shape.axis ?? .params, mixture: mixture)].compactMap { $0 }
        case .mixture:
            // Share laws draw along each share through the fitted mixtures' centre; laws of
            // per-source weights have no such line, and are read from their points' residuals.
            if family == .quadraticShares, let m = mixture {
                curves = [shareCurve(.reasoningShare, through: m), shareCurve(.visualShare, through: m)].compactMap { $0 }
            }
        }
        return LawPlot(category: category, family: family.rawValue, chance: chance, intervalLevel: intervalLevel,
                       points: plotted, curves: curves, curveMixture: mixture)
    }

    /// One curve over D per fitted model size, from the smallest positive budget to the largest;
    /// at the held-out size, also the hold-out's law (fitted without that size).
    func tokenCurves(_ fitted: [LawPoint], mixture: Mixture?, holdout: HoldoutMetrics?) -> [LawPlot.Curve] {
        let positive = ranges.tokens.filter { $0 > 0 }
        let lowD = fitted.map(\.tokens).filter { $0 > 0 }.min() ?? positive.min()
        guard let lowD, let highD = ranges.tokens.last, highD > lowD else { return [] }
        let xs = Self.logSpaced(lowD, highD)
        func curve(_ label: String, params n: Double, parameters: [Double]? = nil) -> LawPlot.Curve {
            sample("tokens", label, xs: xs, fixedParams: n, fixedTokens: nil, mixture: mixture, parameters: parameters) { (n, $0) }
        }
        var out: [LawPlot.Curve] = []
        for n in distinct(fitted.map(\.params)).suffix(Self.plotMaxSizes) {
            out.append(curve("N = \(Quantity.format(n))", params: n))
            if let h = holdout, Self.same(n, h.params), let p = holdoutParameters(h) {
                var c = curve("N = \(Quantity.format(n)), fitted without it", params: n, parameters: p)
                c.holdoutFit = true
                out.append(c)
            }
        }
        return out
    }

    /// The law over N at the largest fitted budget, across the fitted sizes.
    func paramCurve(mixture: Mixture?) -> LawPlot.Curve {
        let d = ranges.tokens.last ?? 0
        let xs = Self.logSpaced(ranges.params.first ?? 1, ranges.params.last ?? 1)
        return sample("params", "D = \(Quantity.format(d))", xs: xs, fixedParams: nil, fixedTokens: d, mixture: mixture) { ($0, d) }
    }

    /// A 1-D law along its own axis, over the fitted span.
    func axisCurve(_ axis: InputAxis, mixture: Mixture?) -> LawPlot.Curve? {
        switch axis {
        case .params: return paramCurve(mixture: mixture)
        case .tokens:
            let n = ranges.params.last ?? 1, lo = ranges.tokens.filter { $0 > 0 }.min() ?? 1, hi = ranges.tokens.last ?? 1
            guard hi > lo else { return nil }
            return sample("tokens", "N = \(Quantity.format(n))", xs: Self.logSpaced(lo, hi), fixedParams: n, fixedTokens: nil, mixture: mixture) { (n, $0) }
        case .reasoningShare, .visualShare:
            return mixture.flatMap { shareCurve(axis, through: $0) }
        }
    }

    /// The law along one share, the other held at `m`'s, over the fitted span of that share.
    func shareCurve(_ axis: InputAxis, through m: Mixture) -> LawPlot.Curve? {
        let span = axis == .reasoningShare ? ranges.reasoningShare : ranges.visualShare
        guard let span, span.count == 2, span[1] > span[0], let mr = m.reasoningShare, let mv = m.visualShare else { return nil }
        let n = ranges.params.last ?? 1, d = ranges.tokens.last ?? 0
        let xs = (0..<Self.plotSamples).map { span[0] + (span[1] - span[0]) * Double($0) / Double(Self.plotSamples - 1) }
        var c = LawPlot.Curve(axis: axis.rawValue, label: axis == .reasoningShare
                              ? String(format: "visual share %.0f%%", mv * 100)
                              : String(format: "reasoning share %.0f%%", mr * 100),
                              params: n, tokens: d, x: [], value: [], low: [], high: [], holdoutFit: false)
        for x in xs {
            let r = axis == .reasoningShare ? x : mr, v = axis == .visualShare ? x : mv
            guard let mix = try? Mixture(reasoningShare: r, visualShare: v) else { continue }
            let (value, lo, hi) = predictInterval(params: n, tokens: d, mixture: mix)
            c.x.append(x); c.value.append(value); c.low.append(lo); c.high.append(hi)
        }
        return c.x.count >= 2 ? c : nil
    }

    /// Values of the law (or of `parameters`, without a band) at each x, with `at` giving (N, D).
    func sample(_ axis: String, _ label: String, xs: [Double], fixedParams: Double?, fixedTokens: Double?, mixture: Mixture?,
                parameters: [Double]? = nil, _ at: (Double) -> (Double, Double)) -> LawPlot.Curve {
        var c = LawPlot.Curve(axis: axis, label: label, params: fixedParams, tokens: fixedTokens, x: xs,
                              value: [], low: [], high: [], holdoutFit: false)
        for x in xs {
            let (n, d) = at(x)
            if let parameters {
                let v = evaluate(parameters, params: n, tokens: d, mixture: mixture)
                c.value.append(v); c.low.append(v); c.high.append(v)
            } else {
                let (v, lo, hi) = predictInterval(params: n, tokens: d, mixture: mixture)
                c.value.append(v); c.low.append(lo); c.high.append(hi)
            }
        }
        return c
    }

    /// The hold-out's parameters in this law's order, when it has every one.
    func holdoutParameters(_ h: HoldoutMetrics) -> [Double]? {
        let p = parameterNames.compactMap { h.parameters[$0] }
        return p.count == parameterNames.count ? p : nil
    }

    /// The mixture the most fitted runs share (ties to the first in key order), for laws that read one.
    static func commonMixture(_ points: [LawPoint]) -> Mixture? {
        var counts: [String: (n: Int, mixture: Mixture)] = [:]
        for p in points { if let m = p.mixture { counts[m.canonicalKey, default: (0, m)].n += 1 } }
        let best = counts.max { a, b in a.value.n != b.value.n ? a.value.n < b.value.n : a.key > b.key }
        return best?.value.mixture
    }

    static func logSpaced(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo > 0, hi > lo else { return [lo, hi].filter { $0 > 0 } }
        let a = log(lo), b = log(hi)
        return (0..<plotSamples).map { exp(a + (b - a) * Double($0) / Double(plotSamples - 1)) }
    }

    static func within(_ x: Double, _ r: [Double]) -> Bool {
        guard r.count == 2 else { return true }
        let slack = 1e-9 * max(1, abs(r[1]))
        return x >= r[0] - slack && x <= r[1] + slack
    }

    static func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }
}
