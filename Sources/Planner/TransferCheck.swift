import Fits
import Foundation
import Laws
import Store
import VisionMixCore

/// A measured mixture standing in for a mixture that may not have been measured (the recipe,
/// the baseline): the measured one nearest it in the reasoning–visual share plane.
public struct StandIn: Codable, Sendable, Equatable {
    public var mixture: String
    /// Euclidean distance in shares from the mixture it stands in for (0 when it is that one).
    public var distance: Double
    /// The objective, from the seed means of its categories, at the smaller and the larger size.
    public var smaller: Double
    public var larger: Double
}

/// What `recommend` checks in the source's runs before its recipe is trusted: whether the two
/// largest measured sizes rank mixtures alike. The laws plan at one size; if the size below it
/// orders the measured mixtures differently, the order at the planned size may not hold at a
/// larger one either, and a recipe resting on it is a guess.
///
/// The recipe is a point the law chose and usually was not measured, so it is judged by its
/// stand-in: the mixture measured at both sizes nearest it in the share plane (the plane
/// `nearest_measured` uses), and the baseline likewise by the measured mixture nearest it
/// (itself when measured). The check compares the stand-ins, not the law's predictions: it
/// asks whether the measurements near the recipe agree across sizes, which no refit of the law
/// can show.
public struct TransferCheck: Codable, Sendable, Equatable {
    /// Below this decision accuracy between the two largest sizes, `recommend` warns. A coin
    /// scores 0.5; DataDecide's 150M models, at under 2% of the compute of its 1B targets,
    /// decide about 80% of pairs of pre-training corpora as the 1B models do, and it calls that
    /// a strong baseline (Magnusson et al. 2025, arXiv 2504.11393). At 0.7 the smaller size gets
    /// nearly a pair in three wrong: closer to the coin than to that reference.
    public static let minimumDecisionAccuracy = 0.7

    public var smaller: TransferScale
    public var larger: TransferScale
    /// Mixtures measured at both.
    public var mixtures: Int
    /// Nil with fewer than `Transfer.minimumMixtures` mixtures measured at both.
    public var decisionAccuracy: Double?
    public var recipeNearest: StandIn?
    public var baselineNearest: StandIn?
    /// Whether both sizes put the two stand-ins in the same order; nil when they are one
    /// mixture, or tie at either size.
    public var sameOrder: Bool?
    /// What could not be checked, and why.
    public var notes: [String] = []

    enum CodingKeys: String, CodingKey {
        case smaller, larger, mixtures, notes
        case decisionAccuracy = "decision_accuracy", recipeNearest = "recipe_nearest", baselineNearest = "baseline_nearest"
        case sameOrder = "same_order"
    }

    public func encode(to encoder: Encoder) throws {
        // Every key, null where unknown, as the recipe writes its own.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(smaller, forKey: .smaller); try c.encode(larger, forKey: .larger); try c.encode(mixtures, forKey: .mixtures)
        try c.encode(decisionAccuracy, forKey: .decisionAccuracy); try c.encode(recipeNearest, forKey: .recipeNearest)
        try c.encode(baselineNearest, forKey: .baselineNearest); try c.encode(sameOrder, forKey: .sameOrder); try c.encode(notes, forKey: .notes)
    }

    /// One line for people: the sizes compared and what they agree on.
    public var summary: String {
        var parts = ["transfer check, \(smaller.label) against \(larger.label) on \(mixtures) mixture\(mixtures == 1 ? "" : "s") measured at both"]
        if let a = decisionAccuracy { parts.append(String(format: "decision accuracy %.2f", a)) }
        if let r = recipeNearest, let b = baselineNearest, let same = sameOrder {
            parts.append("\(r.mixture) (nearest the recipe) and \(b.mixture) (nearest the baseline) in \(same ? "the same" : "opposite") order at both")
        }
        return (parts + notes).joined(separator: "; ")
    }

    /// The warnings for people, with the numbers.
    public func warnings(objective: String, baseline: String) -> [String] {
        var out: [String] = []
        let s = smaller.size ?? Quantity.format(smaller.params), l = larger.size ?? Quantity.format(larger.params)
        if sameOrder == false, let r = recipeNearest, let b = baselineNearest {
            let away = r.distance > 0 ? String(format: ", %.1f share points from the recipe", r.distance * 100) : ""
            out.append(String(format: "the two largest measured sizes order the recipe and %@ differently: %@ (the measured mixture nearest the recipe%@) against %@ scores %.2f to %.2f at %@ but %.2f to %.2f at %@ (%@, seed means)",
                              baseline, r.mixture, away, b.mixture, r.smaller, b.smaller, s, r.larger, b.larger, l, objective))
        }
        if let a = decisionAccuracy, a < Self.minimumDecisionAccuracy {
            out.append(String(format: "%@ orders only %.0f%% of the pairs of the %d mixtures measured at both %@ and %@ as %@ does (decision accuracy %.2f, under %.2f, on %@): the ranking of mixtures changes between the two largest sizes, so it may change again above %@",
                              s, a * 100, mixtures, s, l, l, a, Self.minimumDecisionAccuracy, objective, l))
        }
        return out
    }

    /// The check of `recipe` in `runs` (the source's stored runs), or nil when fewer than two
    /// sizes were measured on the objective.
    public static func check(_ recipe: Recipe, request req: RecommendationRequest, runs stored: [StoredRun]) -> TransferCheck? {
        let (runs, _) = Adaptations.fitted(stored.filter { $0.status == "complete" })
        let measured = Transfer.measurements(runs) { req.objective.value($0.scores) }
        guard let (small, large) = twoLargest(measured, budget: recipe.tokens) else { return nil }
        let a = measured[small] ?? [:], b = measured[large] ?? [:]
        let common = Set(a.keys).intersection(b.keys).sorted()
        var check = TransferCheck(smaller: small, larger: large, mixtures: common.count)
        let shown = { (v: Double) in req.objective.sense == .minimize ? -v : v }
        if common.count >= Transfer.minimumMixtures {
            check.decisionAccuracy = RankAgreement.decisionAccuracy(smaller: common.map { a[$0]!.mean }, larger: common.map { b[$0]!.mean })
        } else {
            check.notes.append("decision accuracy needs \(Transfer.minimumMixtures) mixtures measured at both sizes; there \(common.count == 1 ? "is" : "are") \(common.count)")
        }
        func nearest(_ point: Mixture) -> (key: String, stand: StandIn)? {
            common.compactMap { k -> (String, StandIn)? in
                guard let d = Self.distance(a[k]!.mixture, point) else { return nil }
                return (k, StandIn(mixture: a[k]!.label, distance: d, smaller: shown(a[k]!.mean), larger: shown(b[k]!.mean)))
            }.min { ($0.1.distance, $0.0) < ($1.1.distance, $1.0) }.map { (key: $0.0, stand: $0.1) }
        }
        let recipeMixture = recipe.reasoningShare.flatMap { r in recipe.visualShare.flatMap { try? Mixture(reasoningShare: r, visualShare: $0) } }
            ?? recipe.weights.flatMap { try? Mixture(weights: $0, catalogue: req.baseline.catalogue, scale: .fraction, normalise: true) }
        let r = recipeMixture.flatMap(nearest), base = nearest(req.baseline)
        check.recipeNearest = r?.stand; check.baselineNearest = base?.stand
        if let r, let base {
            if r.key == base.key {
                check.notes.append("the measured mixture nearest the recipe, \(r.stand.mixture), is also the one nearest \(req.baselineName): no order to compare")
            } else {
                let x = RankAgreement.order(a[base.key]!.mean, a[r.key]!.mean), y = RankAgreement.order(b[base.key]!.mean, b[r.key]!.mean)
                check.sameOrder = x == 0 || y == 0 ? nil : x == y
                if x == 0 || y == 0 { check.notes.append("the two stand-ins tie at \(x == 0 ? small.label : large.label)") }
            }
        } else {
            check.notes.append("no mixture was measured at both sizes")
        }
        return check
    }

    /// The largest size and the one below it, each at `budget` when measured there, else at its
    /// largest budget; of their scales under one condition (any profiles), the two that share
    /// the most mixtures, scales of one profile first on a tie.
    /// How far apart two mixtures are: in the reasoning–visual share plane when both have
    /// shares, else over the source weights of their one catalogue; nil when neither applies.
    static func distance(_ m: Mixture, _ n: Mixture) -> Double? {
        if let r1 = m.reasoningShare, let v1 = m.visualShare, let r2 = n.reasoningShare, let v2 = n.visualShare {
            return ((r1 - r2) * (r1 - r2) + (v1 - v2) * (v1 - v2)).squareRoot()
        }
        guard let f = m.fractions, let g = n.fractions, m.catalogue == n.catalogue else { return nil }
        return zip(f, g).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    static func twoLargest(_ measured: [TransferScale: [String: Transfer.Measured]], budget: Double) -> (TransferScale, TransferScale)? {
        let scales = measured.keys.sorted()
        let sizes = Set(scales.map(\.params)).sorted(by: >)
        guard sizes.count >= 2 else { return nil }
        func at(_ params: Double, _ condition: String) -> [TransferScale] {
            let own = scales.filter { $0.params == params && $0.condition == condition }
            let tokens = own.contains { $0.tokens == budget } ? budget : own.map(\.tokens).max()
            return own.filter { $0.tokens == tokens }
        }
        var best: (TransferScale, TransferScale, Int)?
        for c in Set(scales.map(\.condition)).sorted() {
            for small in at(sizes[1], c) {
                for large in at(sizes[0], c) {
                    let n = Set(measured[small]!.keys).intersection(measured[large]!.keys).count
                    let better = best.map { n > $0.2 || (n == $0.2 && small.profile == large.profile && $0.0.profile != $0.1.profile) } ?? true
                    if better { best = (small, large, n) }
                }
            }
        }
        return best.map { ($0.0, $0.1) }
    }
}

extension LawSet {
    /// `recommend`, with the recipe checked against the source's stored runs (`TransferCheck`):
    /// what the CLI, the HTTP API and a finished sweep answer.
    public func recommend(_ req: RecommendationRequest, checkingTransferIn runs: [StoredRun]) throws -> Recipe {
        var recipe = try recommend(req)
        if let check = TransferCheck.check(recipe, request: req, runs: runs) {
            recipe.transferCheck = check
            recipe.warnings += check.warnings(objective: req.objective.text, baseline: req.baselineName)
        }
        return recipe
    }
}
