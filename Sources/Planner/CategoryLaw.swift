import Laws
import VisionMixCore

/// In which space a law reads mixtures: per-source weights, or reasoning/visual shares only.
public enum MixtureSpace: String, Codable, Sendable {
    case weights, shares
}

/// What the planner needs of a fitted law: a prediction, a bootstrap ensemble for
/// uncertainty, and whether a query lies outside the fitted ranges.
///
/// The ensemble is indexed by bootstrap replicate: replicate `b` is one parameter draw, so the
/// difference between two mixtures can be taken replicate by replicate (the probability that
/// a recipe beats a baseline).
public protocol CategoryLaw: Sendable {
    var category: String { get }
    var family: String { get }
    /// How the law reads mixtures; `nil` for a law of size and tokens alone.
    var space: MixtureSpace? { get }
    func predict(params: Double, tokens: Double, mixture: Mixture) -> Double
    func ensemble(params: Double, tokens: Double, mixture: Mixture) -> [Double]
    /// Bootstrap replicate `index` alone: `ensemble(...)[index]` without evaluating the others,
    /// for searches that optimise one replicate at a time (`RunDesign`'s replicate optima).
    func replicate(_ index: Int, params: Double, tokens: Double, mixture: Mixture) -> Double
    func isExtrapolation(params: Double, tokens: Double, mixture: Mixture) -> Bool
    /// The mixtures the law was fitted on, as points of `space` (reasoning, visual, other
    /// shares, or source weights): the search samples between them to stay in range.
    func anchors(in space: MixtureSpace) -> [[Double]]
    /// The chance level of the scores the law was fitted to, if they recorded one.
    var chance: Double? { get }
    /// How the law misses its replicated runs against their seed noise, when it was fitted on any.
    var lackOfFit: LackOfFit? { get }
}

extension CategoryLaw {
    public func replicate(_ index: Int, params: Double, tokens: Double, mixture: Mixture) -> Double {
        let e = ensemble(params: params, tokens: tokens, mixture: mixture)
        return index < e.count ? e[index] : .nan
    }
    public func anchors(in space: MixtureSpace) -> [[Double]] { [] }
    public var chance: Double? { nil }
    public var lackOfFit: LackOfFit? { nil }
}

/// The laws of one result source, by category.
public struct LawSet: Sendable {
    public var source: String
    public var laws: [String: any CategoryLaw]
    /// The sources the laws' mixtures are over: recipes are weights of these.
    public var catalogue: SourceCatalogue
    /// Model size and token budget the laws were fitted at, used when a query gives none.
    public var defaultParams: Double?
    public var defaultTokens: Double?

    public init(source: String, laws: [String: any CategoryLaw], defaultParams: Double? = nil, defaultTokens: Double? = nil,
                catalogue: SourceCatalogue = .builtin) {
        self.source = source; self.laws = laws; self.defaultParams = defaultParams; self.defaultTokens = defaultTokens
        self.catalogue = catalogue
    }

    /// The space recipes live in for these laws: per-source weights if any law reads them,
    /// else the reasoning/visual shares; `nil` if no law depends on the mixture.
    public static func space(of laws: [any CategoryLaw]) -> MixtureSpace? {
        if laws.contains(where: { $0.space == .weights }) { return .weights }
        return laws.contains { $0.space == .shares } ? .shares : nil
    }

    public var categories: [String] { laws.keys.sorted() }

    public func law(_ category: String) throws -> any CategoryLaw {
        guard let l = laws[category] else {
            throw PlannerError.unknownCategory(category, available: categories)
        }
        return l
    }
}

public enum PlannerError: Error, CustomStringConvertible, Equatable {
    case unknownCategory(String, available: [String])
    case badObjective(String)
    case badConstraint(String)
    case badBound(String)
    /// Token availability or the repetition limit that goes with it.
    case badAvailability(String)
    case infeasible(String)
    case missing(String)

    public var description: String {
        switch self {
        case let .unknownCategory(c, a):
            "no fitted law for category '\(c)'" + (a.isEmpty ? " (no fits for this source; run `visionmix fit --all` first)" : "; fitted: " + a.joined(separator: ", "))
        case let .badObjective(m), let .badConstraint(m), let .badBound(m), let .badAvailability(m), let .infeasible(m), let .missing(m): m
        }
    }
}
