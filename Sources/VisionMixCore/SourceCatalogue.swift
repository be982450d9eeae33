import Foundation

/// One pre-training source of a catalogue: its name and what is known of it.
public struct Source: Codable, Hashable, Sendable {
    public var name: String
    /// Share (0–1) of the source's segments tagged reasoning-centric; nil when not measured.
    public var reasoningShare: Double?
    /// Share (0–1) of the source's segments tagged as describing the visual world; nil when not measured.
    public var visualShare: Double?
    /// Tokens of the source on hand, for capping its weight in a recipe; nil when not stated.
    public var availableTokens: Double?

    public init(name: String, reasoningShare: Double? = nil, visualShare: Double? = nil, availableTokens: Double? = nil) {
        self.name = name; self.reasoningShare = reasoningShare; self.visualShare = visualShare; self.availableTokens = availableTokens
    }

    enum CodingKeys: String, CodingKey {
        case name
        case reasoningShare = "reasoning_share", visualShare = "visual_share", availableTokens = "available_tokens"
    }
}

/// The sources a label's mixtures are made of, in a fixed order: the six built-in text sources
/// (`builtin`, the default) or a team's own (Pile domains, a crawl, a code set), declared with
/// `--sources FILE` and kept per label in the store.
///
/// The order is part of a mixture's identity (`Mixture.canonicalKey` lists weights in it) and
/// of every per-source vector (law features, hulls, the recommender's simplex).
public struct SourceCatalogue: Hashable, Sendable, Codable {
    public static let minimumSources = 2
    public static let maximumSources = 32

    public let sources: [Source]
    /// Position of each name, for lookups in the solver's and the sampler's loops.
    let positions: [String: Int]

    /// Names that would read as something else where sources are named: the share components
    /// of mixture specs and bounds, and the columns of a result file.
    public static let reservedNames: Set<String> = [
        "reasoning", "visual", "other", "reasoning_share", "visual_share", "reasoning_pct", "visual_pct",
        "run", "name", "run_name", "seed", "params", "parameters", "n_params", "params_b", "params_m",
        "tokens", "tokens_b", "tokens_m", "tokens_t", "category", "metric", "score", "value", "mix", "mixture",
        "mixture_name", "encoder", "model", "notes", "family", "uniform", "natural",
    ]

    /// Checks and orders `sources`: 2 to 32 of them, names plain and distinct, tag shares in
    /// 0–1 for every source or for none, available tokens positive.
    public init(_ sources: [Source]) throws {
        guard sources.count >= Self.minimumSources, sources.count <= Self.maximumSources else {
            throw CatalogueError("a catalogue holds \(Self.minimumSources) to \(Self.maximumSources) sources, not \(sources.count)")
        }
        var positions: [String: Int] = [:]
        for (i, s) in sources.enumerated() {
            try Self.check(s)
            if positions[s.name] != nil { throw CatalogueError("source '\(s.name)' is listed twice") }
            positions[s.name] = i
        }
        let tagged = sources.filter { $0.reasoningShare != nil }
        if !tagged.isEmpty && tagged.count < sources.count {
            let missing = sources.filter { $0.reasoningShare == nil }.map(\.name)
            throw CatalogueError("tag shares are given for some sources but not for " + missing.joined(separator: ", ")
                                 + "; give reasoning and visual shares for every source or for none")
        }
        self.sources = sources
        self.positions = positions
    }

    static func check(_ s: Source) throws {
        guard MetricCatalogue.isValidName(s.name), s.name == s.name.lowercased() else {
            throw CatalogueError("source name '\(s.name)' must be lower-case letters, digits and _ (starting with a letter, at most 64)")
        }
        guard !reservedNames.contains(s.name) else {
            throw CatalogueError("source name '\(s.name)' is reserved (it names a column or a share); rename the source")
        }
        if (s.reasoningShare == nil) != (s.visualShare == nil) {
            throw CatalogueError("source \(s.name): give both the reasoning and the visual share, or neither")
        }
        for (what, v) in [("reasoning share", s.reasoningShare), ("visual share", s.visualShare)] {
            if let v, !(v.isFinite && v >= 0 && v <= 1) {
                throw CatalogueError("source \(s.name): the \(what) must be a fraction from 0 to 1 (got \(v))")
            }
        }
        if let t = s.availableTokens, !(t.isFinite && t > 0) {
            throw CatalogueError("source \(s.name): available tokens must be a positive count (got \(t))")
        }
    }

    /// The six text sources of the paper with their measured tag shares.
    public static let builtin: SourceCatalogue = {
        let sources = TextSource.allCases.map { Source(name: $0.name, reasoningShare: $0.reasoningShare, visualShare: $0.visualShare) }
        return try! SourceCatalogue(sources)
    }()

    public var names: [String] { sources.map(\.name) }
    public var count: Int { sources.count }
    public var isBuiltin: Bool { self == Self.builtin }
    /// Whether every source has reasoning and visual tag shares, so mixtures have shares.
    public var hasTags: Bool { sources[0].reasoningShare != nil }
    /// Whether every source states its available tokens.
    public var hasAvailableTokens: Bool { sources.allSatisfy { $0.availableTokens != nil } }

    /// The position of `name`, accepting `-` for `_` and any letter case.
    public func index(of name: String) -> Int? {
        if let i = positions[name] { return i }
        return positions[name.lowercased().replacingOccurrences(of: "-", with: "_")]
    }

    /// The source called `name`, or an error naming the nearest one and every source.
    public func source(named name: String) throws -> Source {
        guard let i = index(of: name) else { throw MixtureError.unknownSource(name, catalogue: self) }
        return sources[i]
    }

    /// The nearest source name, for "did you mean" hints.
    public func suggestion(for name: String) -> String? {
        let key = name.lowercased()
        let ranked = names.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 }!
        if ranked.1 <= 3 || ranked.0.hasPrefix(key) || key.hasPrefix(ranked.0) { return ranked.0 }
        return nil
    }

    /// The catalogue's names for messages: all of them, or the first ten and a count.
    public var namesForMessages: String {
        names.count <= 10 ? names.joined(separator: ", ") : names.prefix(10).joined(separator: ", ") + " and \(names.count - 10) more"
    }

    // Equality and hashing by content: two catalogues with the same sources are one catalogue.
    public static func == (a: SourceCatalogue, b: SourceCatalogue) -> Bool { a.sources == b.sources }
    public func hash(into h: inout Hasher) { h.combine(sources) }

    // MARK: Codable — an array of sources, checked on the way in

    public init(from decoder: Decoder) throws {
        let sources = try decoder.singleValueContainer().decode([Source].self)
        do { try self.init(sources) } catch let e as CatalogueError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: e.description))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(sources)
    }
}

/// A catalogue that cannot be: too few or too many sources, a bad name or share.
public struct CatalogueError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension CodingUserInfoKey {
    /// The catalogue mixtures decode against (the built-in one when absent).
    public static let sourceCatalogue = CodingUserInfoKey(rawValue: "visionmix.sourceCatalogue")!
}
