import Foundation

/// A pre-training data mixture.
///
/// Either weights over the six text sources (fractions summing to 1), or — when a result
/// reports nothing more — only the reasoning and visual shares of the tokens.
public struct Mixture: Hashable, Codable, Sendable {
    /// Fractions per source, summing to 1; `nil` for a shares-only mixture.
    public let weights: [TextSource: Double]?
    /// Fraction (0–1) of tokens in reasoning-centric segments.
    public let reasoningShare: Double
    /// Fraction (0–1) of tokens in segments describing the visual world.
    public let visualShare: Double

    /// Builds a mixture from fractions that already sum to 1 (within 1e-6).
    public init(fractions: [TextSource: Double]) throws {
        try self.init(weights: fractions, scale: .fraction, normalise: false)
    }

    /// Builds a mixture from raw weights; `normalise` rescales weights that don't sum to
    /// 100% (or 1) instead of refusing them.
    public init(weights raw: [TextSource: Double], scale: WeightScale, normalise: Bool) throws {
        for (s, w) in raw {
            if !w.isFinite { throw MixtureError.notFinite(source: s.name) }
            if w < 0 { throw MixtureError.negative(source: s.name, value: w) }
        }
        let total = raw.totalWeight
        guard total > 0 else { throw MixtureError.sumsToZero }
        let unit = scale == .percent ? 100.0 : 1.0
        if !normalise && abs(total - unit) > 1e-6 * unit {
            throw MixtureError.badSum(total: total, expected: unit)
        }
        var w: [TextSource: Double] = [:]
        for s in TextSource.allCases { w[s] = (raw[s] ?? 0) / total }
        weights = w
        reasoningShare = TextSource.allCases.reduce(0) { $0 + w[$1]! * $1.reasoningShare }
        visualShare = TextSource.allCases.reduce(0) { $0 + w[$1]! * $1.visualShare }
    }

    /// A mixture known only by its reasoning and visual shares (fractions 0–1).
    public init(reasoningShare: Double, visualShare: Double) throws {
        for (name, v) in [("reasoning_share", reasoningShare), ("visual_share", visualShare)] {
            if !v.isFinite { throw MixtureError.notFinite(source: name) }
            if v < 0 || v > 1 { throw MixtureError.shareOutOfRange(name: name, value: v) }
        }
        if reasoningShare + visualShare > 1 + 1e-9 {
            throw MixtureError.sharesExceedOne(reasoning: reasoningShare, visual: visualShare)
        }
        weights = nil
        self.reasoningShare = reasoningShare
        self.visualShare = visualShare
    }

    public var isSharesOnly: Bool { weights == nil }

    public func weight(_ s: TextSource) -> Double { weights?[s] ?? 0 }

    /// Weights as a plain vector in `TextSource.allCases` order.
    public var vector: [Double] { TextSource.allCases.map { weight($0) } }

    /// A stable text form, used as part of a run's identity: `web_crawl=0.5,...` with
    /// weights in millionths, or `reasoning=600000,visual=150000`.
    public var canonicalKey: String {
        // Integer micro-units: exact, fast, and immune to locale or printf differences.
        func r(_ x: Double) -> String { String(Int((x * 1e6).rounded())) }
        if let w = weights {
            return TextSource.allCases.map { "\($0.name)=\(r(w[$0]!))" }.joined(separator: ",")
        }
        return "reasoning=\(r(reasoningShare)),visual=\(r(visualShare))"
    }

    /// Human-readable percentages, e.g. `web_crawl 40% · code 35% · ...`.
    public var description: String {
        if let w = weights {
            return TextSource.allCases.filter { w[$0]! > 0 }
                .map { "\($0.name) \(Self.pct(w[$0]!))" }.joined(separator: " · ")
        }
        return "reasoning \(Self.pct(reasoningShare)) · visual \(Self.pct(visualShare))"
    }

    static func pct(_ x: Double) -> String {
        let p = x * 100
        return p == p.rounded() ? String(format: "%.0f%%", p) : String(format: "%.1f%%", p)
    }

    // MARK: presets

    /// Named mixtures from the paper: `language_favorable` is its mix0, `balanced` its mix6.
    public static let presets: [(name: String, percent: [TextSource: Double], about: String)] = [
        ("language_favorable", [.webCrawl: 50, .encyclopedia: 2.5, .academia: 2.5, .literature: 20, .math: 5, .code: 20],
         "the paper's mix0: best for language, weakest for vision"),
        ("balanced", [.webCrawl: 40, .encyclopedia: 8, .academia: 5, .literature: 2, .math: 10, .code: 35],
         "the paper's mix6: the balanced recipe it recommends"),
        ("web_crawl", [.webCrawl: 100], "web-crawl text alone (the paper's scaling figure)"),
        // The eleven interpolation mixtures of the paper, from language_favorable to reasoning-heavy.
        ("mix0", [.webCrawl: 50.0, .encyclopedia: 2.5, .academia: 2.5, .literature: 20.0, .math: 5.0, .code: 20.0],
         "the paper's mix0 (Table 2)"),
        ("mix1", [.webCrawl: 48.3, .encyclopedia: 3.4, .academia: 2.9, .literature: 17.0, .math: 5.8, .code: 22.5],
         "the paper's mix1 (Table 2)"),
        ("mix2", [.webCrawl: 46.7, .encyclopedia: 4.3, .academia: 3.3, .literature: 14.0, .math: 6.7, .code: 25.0],
         "the paper's mix2 (Table 2)"),
        ("mix3", [.webCrawl: 45.0, .encyclopedia: 5.2, .academia: 3.8, .literature: 11.0, .math: 7.5, .code: 27.5],
         "the paper's mix3 (Table 2)"),
        ("mix4", [.webCrawl: 43.3, .encyclopedia: 6.1, .academia: 4.2, .literature: 8.0, .math: 8.3, .code: 30.0],
         "the paper's mix4 (Table 2)"),
        ("mix5", [.webCrawl: 41.7, .encyclopedia: 7.1, .academia: 4.6, .literature: 5.0, .math: 9.2, .code: 32.5],
         "the paper's mix5 (Table 2)"),
        ("mix6", [.webCrawl: 40.0, .encyclopedia: 8.0, .academia: 5.0, .literature: 2.0, .math: 10.0, .code: 35.0],
         "the paper's mix6 (Table 2)"),
        ("mix7", [.webCrawl: 36.5, .encyclopedia: 7.0, .academia: 7.5, .literature: 2.0, .math: 11.5, .code: 35.5],
         "the paper's mix7 (Table 2)"),
        ("mix8", [.webCrawl: 33.0, .encyclopedia: 6.5, .academia: 9.5, .literature: 2.0, .math: 12.0, .code: 37.0],
         "the paper's mix8 (Table 2)"),
        ("mix9", [.webCrawl: 29.5, .encyclopedia: 6.0, .academia: 11.5, .literature: 2.0, .math: 12.5, .code: 38.5],
         "the paper's mix9 (Table 2)"),
        ("mix10", [.webCrawl: 26.0, .encyclopedia: 5.5, .academia: 12.5, .literature: 2.0, .math: 13.0, .code: 41.0],
         "the paper's mix10 (Table 2)"),
    ]

    public static func preset(_ name: String) -> Mixture? {
        guard let p = presets.first(where: { $0.name == name.lowercased() }) else { return nil }
        return try? Mixture(weights: p.percent, scale: .percent, normalise: true)
    }

    // MARK: Codable — `{source: fraction}` or `{reasoning_share, visual_share}`

    enum ShareKeys: String, CodingKey { case reasoning_share, visual_share }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        if c.contains(AnyKey("reasoning_share")) && !c.allKeys.contains(where: { TextSource(name: $0.stringValue) != nil }) {
            let s = try decoder.container(keyedBy: ShareKeys.self)
            try self.init(reasoningShare: s.decode(Double.self, forKey: .reasoning_share),
                          visualShare: s.decode(Double.self, forKey: .visual_share))
            return
        }
        var w: [TextSource: Double] = [:]
        for k in c.allKeys {
            guard let s = TextSource(name: k.stringValue) else {
                if k.stringValue == "reasoning_share" || k.stringValue == "visual_share" { continue }
                throw MixtureError.unknownSource(k.stringValue)
            }
            w[s] = try c.decode(Double.self, forKey: k)
        }
        let total = w.totalWeight
        try self.init(weights: w, scale: total > 1.5 ? .percent : .fraction, normalise: true)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        if let w = weights {
            for s in TextSource.allCases { try c.encode(w[s]!, forKey: AnyKey(s.name)) }
        } else {
            try c.encode(reasoningShare, forKey: AnyKey("reasoning_share"))
            try c.encode(visualShare, forKey: AnyKey("visual_share"))
        }
    }
}

public enum WeightScale: String, Sendable { case percent, fraction }

public enum MixtureError: Error, CustomStringConvertible, Equatable {
    case negative(source: String, value: Double)
    case notFinite(source: String)
    case sumsToZero
    case badSum(total: Double, expected: Double)
    case unknownSource(String)
    case shareOutOfRange(name: String, value: Double)
    case sharesExceedOne(reasoning: Double, visual: Double)
    case malformed(String)

    public var description: String {
        switch self {
        case let .negative(s, v): "weight of \(s) is negative (\(v))"
        case let .notFinite(s): "weight of \(s) is not a finite number"
        case .sumsToZero: "weights sum to zero"
        case let .badSum(t, e): "weights sum to \(fmt(t)), expected \(fmt(e))"
        case let .unknownSource(n):
            "unknown source '\(n)'" + (TextSource.suggestion(for: n).map { " (did you mean \($0.name)?)" } ?? "")
                + "; sources are " + TextSource.allCases.map(\.name).joined(separator: ", ")
        case let .shareOutOfRange(n, v): "\(n) must lie in 0–1 (got \(v))"
        case let .sharesExceedOne(r, v): "reasoning and visual shares add up to more than 1 (\(r) + \(v))"
        case let .malformed(m): m
        }
    }
}

private func fmt(_ x: Double) -> String { String(format: "%g", x) }

/// A string coding key, for objects keyed by data (sources, metrics).
public struct AnyKey: CodingKey, Hashable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ s: String) { stringValue = s }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { return nil }
}

extension Dictionary where Key == TextSource, Value == Double {
    /// The sum of the weights in `TextSource.allCases` order. A dictionary's own order
    /// changes from process to process (Swift seeds its hashing per process), and a sum in
    /// that order would make the same mixture's weights differ in the last bit between runs.
    public var totalWeight: Double { TextSource.allCases.reduce(0) { $0 + (self[$1] ?? 0) } }
}
