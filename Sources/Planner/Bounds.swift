import Foundation
import VisionMixCore

/// A bound on one component of a recipe: a source's weight (`code<=40`), or in the shares
/// space the reasoning, visual or other share (`reasoning>=50`), in percent of the mixture.
public struct MixtureBound: Sendable, Equatable, CustomStringConvertible {
    public enum Relation: String, Sendable { case atLeast = ">=", atMost = "<=", exactly = "=" }
    /// As the user named it; `SearchSpace` resolves it against its components.
    public var component: String
    public var relation: Relation
    public var percent: Double

    public init(component: String, relation: Relation, percent: Double) throws {
        guard percent.isFinite, (0...100).contains(percent) else {
            throw PlannerError.badBound("'\(component)\(relation.rawValue)\(percent.formatted())': bounds are percentages from 0 to 100")
        }
        self.component = component; self.relation = relation; self.percent = percent
    }

    public var description: String { "\(component)\(relation.rawValue)\(percent.formatted())" }

    /// `code<=40,literature>=2` (a `%` sign and spaces allowed).
    public static func parseList(_ text: String) throws -> [MixtureBound] {
        try text.split(separator: ",").map { raw in
            let t = raw.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "%", with: "")
            guard let rel = [Relation.atLeast, .atMost, .exactly].first(where: { t.contains($0.rawValue) }) else {
                throw PlannerError.badBound("'\(raw)' is not NAME<=PERCENT or NAME>=PERCENT")
            }
            let parts = t.components(separatedBy: rel.rawValue)
            guard parts.count == 2, let v = Double(strict: parts[1]), v.isFinite else {
                throw PlannerError.badBound("'\(raw)': the bound is not a number")
            }
            guard v >= 0 && v <= 100 else { throw PlannerError.badBound("'\(raw)': bounds are percentages from 0 to 100") }
            return try MixtureBound(component: parts[0], relation: rel, percent: v)
        }
    }
}

/// Tokens available of one source: with a repetition limit, a cap on its weight. The source is
/// named as the user named it; `SearchSpace` resolves it against the laws' catalogue.
public struct SourceAvailability: Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var tokens: Double

    public init(source: String, tokens: Double) throws {
        guard !source.isEmpty else { throw PlannerError.badAvailability("a source name is empty") }
        guard tokens.isFinite, tokens >= 0 else {
            throw PlannerError.badAvailability("\(source): available tokens must be a non-negative count like 2T")
        }
        self.source = source; self.tokens = tokens
    }

    public var description: String { "\(source)=\(Quantity.format(tokens))" }

    /// `code=2T,math=500B`.
    public static func parseList(_ text: String) throws -> [SourceAvailability] {
        try text.split(separator: ",").map { raw in
            let parts = raw.replacingOccurrences(of: " ", with: "").split(separator: "=").map(String.init)
            guard parts.count == 2 else { throw PlannerError.badAvailability("'\(raw)' is not SOURCE=TOKENS (e.g. code=2T)") }
            guard let tokens = Quantity.parse(parts[1]) else {
                throw PlannerError.badAvailability("'\(parts[1])' is not a token count like 500B")
            }
            return try SourceAvailability(source: parts[0], tokens: tokens)
        }
    }
}
