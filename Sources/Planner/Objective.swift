import Foundation
import VisionMixCore

/// A weighted sum of categories to optimise: `vqa_avg`, `0.5*general+0.5*vision_centric`,
/// `minimize pile_cc_loss` or `maximize 0.5*vqa_avg-0.5*ppl`. Without a word, each category
/// enters in its own direction (a loss or a perplexity with its sign flipped,
/// `MetricCatalogue.higherIsBetter`) and the sum is maximised; `maximize` and `minimize` take
/// the weighted sum as written.
public struct Objective: Sendable, CustomStringConvertible {
    public enum Sense: String, Sendable { case eachInItsDirection, maximize, minimize }

    public var terms: [(weight: Double, category: String)]
    public var text: String
    public var sense: Sense = .eachInItsDirection

    public static func parse(_ text: String) throws -> Objective {
        var body = text.trimmingCharacters(in: .whitespaces)
        var sense = Sense.eachInItsDirection
        for (word, s) in [("minimize", Sense.minimize), ("minimise", .minimize), ("maximize", .maximize), ("maximise", .maximize)] {
            let lower = body.lowercased()
            if lower.hasPrefix(word + " ") || lower.hasPrefix(word + ":") {
                body = String(body.dropFirst(word.count + 1)); sense = s
                break
            }
        }
        var objective = try parseSum(body, text: text)
        objective.sense = sense
        return objective
    }

    static func parseSum(_ body: String, text: String) throws -> Objective {
        let compact = body.replacingOccurrences(of: " ", with: "")
        guard !compact.isEmpty else { throw PlannerError.badObjective("the objective is empty") }
        var terms: [(Double, String)] = []
        // Split on + and - that start a new term (not the sign of an exponent).
        var pieces: [String] = []
        var cur = ""
        for c in compact {
            if (c == "+" || c == "-") && !cur.isEmpty && !isExponent(cur) && !cur.hasSuffix("*") {
                pieces.append(cur); cur = c == "-" ? "-" : ""
            } else { cur.append(c) }
        }
        pieces.append(cur)
        for p in pieces {
            let parts = p.split(separator: "*").map(String.init)
            var weight = 1.0
            var name: String
            switch parts.count {
            case 1:
                name = parts[0]
                if name.hasPrefix("-") { weight = -1; name.removeFirst() }
            case 2:
                guard let w = Double(strict: parts[0]), w.isFinite else {
                    throw PlannerError.badObjective("'\(parts[0])' in '\(text)' is not a number")
                }
                weight = w; name = parts[1]
            default: throw PlannerError.badObjective("'\(p)' is not WEIGHT*CATEGORY")
            }
            guard MetricCatalogue.isValidName(name) else { throw PlannerError.badObjective("'\(name)' is not a category name") }
            terms.append((weight, name))
        }
        return Objective(terms: terms, text: text)
    }

    /// `1e` or `-2.5E` so far: a sign after it is an exponent's. A category name that merely
    /// ends in e (`knowledge+general`) is not; schemathesis found that case splitting wrongly.
    static func isExponent(_ s: String) -> Bool {
        guard s.last == "e" || s.last == "E" else { return false }
        var mantissa = s.dropLast()
        if mantissa.hasPrefix("-") { mantissa = mantissa.dropFirst() }
        return !mantissa.isEmpty && Double(strict: mantissa) != nil
    }

    public var categories: [String] { terms.map(\.category) }

    public var description: String { text }

    /// The objective's value from per-category predictions, oriented so that higher is better.
    public func value(_ scores: [String: Double]) -> Double {
        switch sense {
        case .eachInItsDirection:
            terms.reduce(0) { acc, t in
                acc + t.weight * (MetricCatalogue.higherIsBetter(t.category) ? 1 : -1) * (scores[t.category] ?? .nan)
            }
        case .maximize: weightedSum(scores)
        case .minimize: -weightedSum(scores)
        }
    }

    /// The value to show: the weighted sum as written under `maximize` or `minimize`, else `value`.
    public func reported(_ scores: [String: Double]) -> Double { sense == .eachInItsDirection ? value(scores) : weightedSum(scores) }

    /// The weighted sum as written.
    public func weightedSum(_ scores: [String: Double]) -> Double {
        terms.reduce(0) { $0 + $1.weight * (scores[$1.category] ?? .nan) }
    }
}

/// A floor or ceiling on a predicted score: `text_acc>=52.5`, `ppl<=14`.
public struct ScoreConstraint: Sendable, CustomStringConvertible {
    public enum Relation: String, Sendable { case atLeast = ">=", atMost = "<=" }
    public var category: String
    public var relation: Relation
    public var threshold: Double

    public static func parse(_ text: String) throws -> ScoreConstraint {
        let t = text.replacingOccurrences(of: " ", with: "")
        for rel in [Relation.atLeast, .atMost] {
            let parts = t.components(separatedBy: rel.rawValue)
            if parts.count == 2 {
                guard MetricCatalogue.isValidName(parts[0]) else { throw PlannerError.badConstraint("'\(parts[0])' is not a category name in '\(text)'") }
                guard let v = Double(strict: parts[1]), v.isFinite else { throw PlannerError.badConstraint("'\(parts[1])' is not a number in '\(text)'") }
                return ScoreConstraint(category: parts[0], relation: rel, threshold: v)
            }
        }
        throw PlannerError.badConstraint("'\(text)' is not CATEGORY>=VALUE or CATEGORY<=VALUE")
    }

    /// How far a predicted value falls short of the constraint (0 when it holds).
    public func violation(_ value: Double) -> Double {
        guard value.isFinite else { return .infinity }
        return relation == .atLeast ? max(0, threshold - value) : max(0, value - threshold)
    }

    public var description: String { "\(category)\(relation.rawValue)\(threshold.formatted())" }
}

extension Double {
    /// Shortest plain text for a number: 52.5, 40, 0.15.
    func formatted() -> String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
