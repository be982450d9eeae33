import Foundation

/// A pre-training data mixture.
///
/// Either weights over the sources of a catalogue (fractions summing to 1, in the catalogue's
/// order), or — when a result reports nothing more — only the reasoning and visual shares of
/// the tokens. A weighted mixture has shares when its catalogue gives every source tag shares.
public struct Mixture: Hashable, Codable, Sendable {
    /// The sources the weights are over (the built-in six for a shares-only mixture).
    public let catalogue: SourceCatalogue
    /// Fractions in the catalogue's order, summing to 1; `nil` for a shares-only mixture.
    public let fractions: [Double]?
    /// Fraction (0–1) of tokens in reasoning-centric segments; nil when the catalogue has no tags.
    public let reasoningShare: Double?
    /// Fraction (0–1) of tokens in segments describing the visual world; nil when the catalogue has no tags.
    public let visualShare: Double?

    /// Builds a mixture of the built-in sources from fractions that already sum to 1 (within 1e-6).
    public init(fractions: [TextSource: Double]) throws {
        try self.init(weights: fractions, scale: .fraction, normalise: false)
    }

    /// Builds a mixture of the built-in sources from raw weights; `normalise` rescales weights
    /// that don't sum to 100% (or 1) instead of refusing them.
    public init(weights raw: [TextSource: Double], scale: WeightScale, normalise: Bool) throws {
        try self.init(vector: TextSource.allCases.map { raw[$0] ?? 0 }, catalogue: .builtin, scale: scale, normalise: normalise)
    }

    /// Builds a mixture from raw weights by source name (sources left out weigh 0); a name the
    /// catalogue does not hold is refused with the nearest one.
    public init(weights raw: [String: Double], catalogue: SourceCatalogue, scale: WeightScale, normalise: Bool) throws {
        var v = [Double](repeating: 0, count: catalogue.count)
        var given = [Bool](repeating: false, count: catalogue.count)
        for (name, w) in raw {
            guard let i = catalogue.index(of: name) else { throw MixtureError.unknownSource(name, catalogue: catalogue) }
            if given[i] { throw MixtureError.malformed("\(catalogue.names[i]) is given twice") }
            given[i] = true
            v[i] = w
        }
        try self.init(vector: v, catalogue: catalogue, scale: scale, normalise: normalise)
    }

    /// Builds a mixture from raw weights in the catalogue's order.
    public init(vector raw: [Double], catalogue: SourceCatalogue, scale: WeightScale, normalise: Bool) throws {
        precondition(raw.count == catalogue.count, "a weight vector has one weight per source of its catalogue")
        for (i, w) in raw.enumerated() {
            if !w.isFinite { throw MixtureError.notFinite(source: catalogue.names[i]) }
            if w < 0 { throw MixtureError.negative(source: catalogue.names[i], value: w) }
        }
        // Summed in catalogue order: a dictionary's order changes from process to process, and a
        // sum in that order would make the same mixture's weights differ in the last bit between runs.
        let total = raw.reduce(0) { $0 + $1 }
        guard total > 0 else { throw MixtureError.sumsToZero }
        let unit = scale == .percent ? 100.0 : 1.0
        if !normalise && abs(total - unit) > 1e-6 * unit {
            throw MixtureError.badSum(total: total, expected: unit)
        }
        let f = raw.map { $0 / total }
        self.catalogue = catalogue
        fractions = f
        if catalogue.hasTags {
            reasoningShare = zip(f, catalogue.sources).reduce(0) { $0 + $1.0 * $1.1.reasoningShare! }
            visualShare = zip(f, catalogue.sources).reduce(0) { $0 + $1.0 * $1.1.visualShare! }
        } else {
            reasoningShare = nil
            visualShare = nil
        }
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
        catalogue = .builtin
        fractions = nil
        self.reasoningShare = reasoningShare
        self.visualShare = visualShare
    }

    public var isSharesOnly: Bool { fractions == nil }

    /// Whether the mixture has reasoning and visual shares (from its catalogue's tags, or given).
    public var hasShares: Bool { reasoningShare != nil }

    /// Fractions by source name; `nil` for a shares-only mixture.
    public var weights: [String: Double]? {
        fractions.map { f in Dictionary(uniqueKeysWithValues: zip(catalogue.names, f)) }
    }

    /// The weight of a built-in source (0 when the catalogue has no source of that name).
    public func weight(_ s: TextSource) -> Double { weight(named: s.name) }

    /// The weight of the source called `name` (0 for a source the catalogue does not hold).
    public func weight(named name: String) -> Double {
        guard let f = fractions, let i = catalogue.index(of: name) else { return 0 }
        return f[i]
    }

    /// Weights as a plain vector in the catalogue's order (zeros for a shares-only mixture).
    public var vector: [Double] { fractions ?? [Double](repeating: 0, count: catalogue.count) }

    /// A stable text form, used as part of a run's identity: `web_crawl=500000,...` with
    /// weights in millionths in the catalogue's order, or `reasoning=600000,visual=150000`.
    public var canonicalKey: String {
        // Integer micro-units: exact, fast, and immune to locale or printf differences.
        func r(_ x: Double) -> String { String(Int((x * 1e6).rounded())) }
        if let f = fractions {
            return zip(catalogue.names, f).map { "\($0)=\(r($1))" }.joined(separator: ",")
        }
        return "reasoning=\(r(reasoningShare!)),visual=\(r(visualShare!))"
    }

    /// Human-readable percentages, e.g. `web_crawl 40% · code 35% · ...`.
    public var description: String {
        if let f = fractions {
            return zip(catalogue.names, f).filter { $0.1 > 0 }.map { "\($0.0) \(Self.pct($0.1))" }.joined(separator: " · ")
        }
        return "reasoning \(Self.pct(reasoningShare!)) · visual \(Self.pct(visualShare!))"
    }

    /// The shares in words, or why there are none.
    public var sharesDescription: String {
        guard let r = reasoningShare, let v = visualShare else { return "no reasoning/visual shares (the sources have no tag shares)" }
        return String(format: "reasoning share %.1f%% · visual share %.1f%%", r * 100, v * 100)
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

    /// Presets any catalogue has: equal weights, and weights in proportion to the available tokens.
    public static let generalPresets: [(name: String, about: String)] = [
        ("uniform", "every source weighted equally"),
        ("natural", "each source weighted by its available tokens (catalogues that state them)"),
    ]

    /// The preset called `name` over `catalogue`: the paper's mixtures for the built-in sources,
    /// and `uniform` or `natural` for any catalogue.
    public static func preset(_ name: String, catalogue: SourceCatalogue = .builtin) -> Mixture? {
        let key = name.lowercased()
        switch key {
        case "uniform":
            return try? Mixture(vector: [Double](repeating: 1, count: catalogue.count), catalogue: catalogue, scale: .fraction, normalise: true)
        case "natural":
            guard catalogue.hasAvailableTokens else { return nil }
            return try? Mixture(vector: catalogue.sources.map { $0.availableTokens! }, catalogue: catalogue, scale: .fraction, normalise: true)
        default:
            guard catalogue.isBuiltin, let p = presets.first(where: { $0.name == key }) else { return nil }
            return try? Mixture(weights: p.percent, scale: .percent, normalise: true)
        }
    }

    /// The names `preset` knows for `catalogue`.
    public static func presetNames(for catalogue: SourceCatalogue) -> [String] {
        (catalogue.isBuiltin ? presets.map(\.name) : []) + ["uniform"] + (catalogue.hasAvailableTokens ? ["natural"] : [])
    }

    // MARK: Codable — `{source: fraction}` or `{reasoning_share, visual_share}`; sources are
    // read against the catalogue in the decoder's `userInfo[.sourceCatalogue]` (else the built-in one)

    enum ShareKeys: String, CodingKey { case reasoning_share, visual_share }

    public init(from decoder: Decoder) throws {
        let catalogue = decoder.userInfo[.sourceCatalogue] as? SourceCatalogue ?? .builtin
        let c = try decoder.container(keyedBy: AnyKey.self)
        if c.contains(AnyKey("reasoning_share")) && !c.allKeys.contains(where: { catalogue.index(of: $0.stringValue) != nil }) {
            let s = try decoder.container(keyedBy: ShareKeys.self)
            try self.init(reasoningShare: s.decode(Double.self, forKey: .reasoning_share),
                          visualShare: s.decode(Double.self, forKey: .visual_share))
            return
        }
        var w: [String: Double] = [:]
        for k in c.allKeys {
            guard catalogue.index(of: k.stringValue) != nil else {
                if k.stringValue == "reasoning_share" || k.stringValue == "visual_share" { continue }
                throw MixtureError.unknownSource(k.stringValue, catalogue: catalogue)
            }
            w[k.stringValue] = try c.decode(Double.self, forKey: k)
        }
        let total = catalogue.names.reduce(0) { $0 + (w[$1] ?? 0) }
        try self.init(weights: w, catalogue: catalogue, scale: total > 1.5 ? .percent : .fraction, normalise: true)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        if let f = fractions {
            for (name, x) in zip(catalogue.names, f) { try c.encode(x, forKey: AnyKey(name)) }
        } else {
            try c.encode(reasoningShare!, forKey: AnyKey("reasoning_share"))
            try c.encode(visualShare!, forKey: AnyKey("visual_share"))
        }
    }
}

public enum WeightScale: String, Sendable { case percent, fraction }

public enum MixtureError: Error, CustomStringConvertible, Equatable {
    case negative(source: String, value: Double)
    case notFinite(source: String)
    case sumsToZero
    case badSum(total: Double, expected: Double)
    case unknownSource(String, catalogue: SourceCatalogue)
    case shareOutOfRange(name: String, value: Double)
    case sharesExceedOne(reasoning: Double, visual: Double)
    case malformed(String)

    public var description: String {
        switch self {
        case let .negative(s, v): "weight of \(s) is negative (\(v))"
        case let .notFinite(s): "weight of \(s) is not a finite number"
        case .sumsToZero: "weights sum to zero"
        case let .badSum(t, e): "weights sum to \(fmt(t)), expected \(fmt(e))"
        case let .unknownSource(n, c):
            "unknown source '\(n)'" + (c.suggestion(for: n).map { " (did you mean \($0)?)" } ?? "")
                + "; sources are " + c.namesForMessages
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
