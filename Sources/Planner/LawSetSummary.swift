import Foundation
import VisionMixCore

/// What a planning form needs to know of a source's laws before asking anything: the mixture
/// space to offer (six source weights, two shares, or none), the size and budget the laws
/// were fitted at, and per category its family, chance level and fitted span.
public struct LawSetSummary: Encodable, Sendable {
    public struct Category: Encodable, Sendable {
        public var category: String
        public var family: String
        public var space: MixtureSpace?
        public var chance: Double?
        public var higherIsBetter: Bool
        /// [min, max] of the model sizes and budgets the law was fitted on (nil for laws not fitted from runs).
        public var params: [Double]?
        public var tokens: [Double]?

        enum CodingKeys: String, CodingKey {
            case category, family, space, chance, params, tokens
            case higherIsBetter = "higher_is_better"
        }
    }

    /// A named mixture to start a form from, in both spaces.
    public struct Preset: Encodable, Sendable {
        public var name: String
        public var about: String
        /// Percent per source.
        public var weights: [String: Double]
        /// Nil when the sources have no tag shares.
        public var reasoningShare: Double?
        public var visualShare: Double?
        enum CodingKeys: String, CodingKey { case name, about, weights, reasoningShare = "reasoning_share", visualShare = "visual_share" }
    }

    public var source: String
    public var space: MixtureSpace?
    /// The text sources a weights mixture names, in order.
    public var sources: [String]
    public var defaultParams: Double?
    public var defaultTokens: Double?
    public var categories: [Category]
    /// The named mixtures of the paper that a form can start from (`Mixture.presets`).
    public var presets: [Preset]

    enum CodingKeys: String, CodingKey {
        case source, space, sources, categories, presets
        case defaultParams = "default_params", defaultTokens = "default_tokens"
    }
}

extension LawSet {
    public var summary: LawSetSummary {
        let cats = categories.map { c -> LawSetSummary.Category in
            let law = laws[c]!
            let ranges = (law as? FittedCategoryLaw)?.law.ranges
            return LawSetSummary.Category(category: c, family: law.family, space: law.space, chance: law.chance,
                                          higherIsBetter: MetricCatalogue.higherIsBetter(c), params: ranges?.params, tokens: ranges?.tokens)
        }
        // The presets of the laws' sources: the paper's for the built-in ones, else uniform and natural.
        let named = catalogue.isBuiltin ? Mixture.presets.map { ($0.name, $0.about) } : Mixture.generalPresets.map { ($0.name, $0.about) }
        let presets = named.compactMap { name, about -> LawSetSummary.Preset? in
            guard let m = Mixture.preset(name, catalogue: catalogue) else { return nil }
            return LawSetSummary.Preset(name: name, about: about,
                                        weights: Dictionary(uniqueKeysWithValues: catalogue.names.map { ($0, m.weight(named: $0) * 100) }),
                                        reasoningShare: m.reasoningShare, visualShare: m.visualShare)
        }
        return LawSetSummary(source: source, space: Self.space(of: Array(laws.values)), sources: catalogue.names,
                             defaultParams: defaultParams, defaultTokens: defaultTokens, categories: cats, presets: presets)
    }
}
