import Foundation
import Testing
import PlannerTestSupport
import VisionMixCore
@testable import Planner

/// A known response surface standing in for a fitted law, so the search can be checked
/// against an optimum worked out by hand. Replicates shift the surface by fixed offsets.
func sharesLaws() -> LawSet {
    // Vision peaks at 60% reasoning and 15% visual; language falls with reasoning.
    let vision = KnownLaw(category: "vqa_avg", space: .shares, spread: { 1 + $0.reasoningShare! }) { m, _ in
        40 - 30 * pow(m.reasoningShare! - 0.6, 2) - 60 * pow(m.visualShare! - 0.15, 2)
    }
    let language = KnownLaw(category: "text_acc", space: .shares, spread: { 1 + $0.reasoningShare! }) { m, _ in 60 - 10 * m.reasoningShare! }
    return LawSet(source: "known", laws: ["vqa_avg": vision, "text_acc": language], defaultParams: 1e9, defaultTokens: 1e10)
}

@Test func findsTheKnownOptimumInTheSharesSpace() throws {
    var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset("language_favorable")!,
                                    baselineName: "language_favorable")
    req.candidates = 2000
    let r = try sharesLaws().recommend(req)
    #expect(r.weights == nil && r.space == .shares)
    #expect(abs(r.reasoningShare! - 0.6) < 0.01 && abs(r.visualShare! - 0.15) < 0.01)
    #expect(r.baseline.margin > 0)
    #expect(r.baseline.probabilityBetter == 1.0)
    #expect(!r.pareto.isEmpty)
}

@Test func aLanguageFloorPullsTheRecipeBackAndBinds() throws {
    var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset("balanced")!, baselineName: "balanced")
    req.constraints = [try ScoreConstraint.parse("text_acc>=55.5")] // reasoning <= 45%
    req.candidates = 2000
    let r = try sharesLaws().recommend(req)
    #expect(r.reasoningShare! <= 0.45 + 1e-6 && r.reasoningShare! > 0.43)
    #expect(r.binding.contains("text_acc>=55.5"))
}

@Test func impossibleConstraintsAreNamed() throws {
    var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset("balanced")!, baselineName: "balanced")
    req.candidates = 500
    req.constraints = [try ScoreConstraint.parse("text_acc>=70")]
    #expect(performing: { _ = try sharesLaws().recommend(req) }, throws: { "\($0)".contains("text_acc>=70") && "\($0)".contains("highest predicted text_acc") })
    req.constraints = [try ScoreConstraint.parse("text_acc>=58"), try ScoreConstraint.parse("vqa_avg>=39.9")]
    #expect(performing: { _ = try sharesLaws().recommend(req) }, throws: { "\($0)".contains("text_acc>=58 and vqa_avg>=39.9") })
    req.constraints = []
    req.bounds = try MixtureBound.parseList("reasoning>=70,visual>=40")
    #expect(performing: { _ = try sharesLaws().recommend(req) }, throws: { "\($0)".contains("lower bounds add up to 110.0%") })
}

func weightsLaws() -> LawSet {
    // A data-mixing style surface over all six sources.
    let t: [Double] = [0.5, -0.2, 0.8, -0.6, 0.9, 1.1]
    let vision = KnownLaw(category: "vqa_avg", space: .weights, spread: { 1 + $0.reasoningShare! }) { m, _ in
        30 + 2 * exp(zip(t, m.vector).map(*).reduce(0, +)) - 8 * pow(m.weight(.code) - 0.3, 2)
    }
    let language = KnownLaw(category: "text_acc", space: .weights, spread: { 1 + $0.reasoningShare! }) { m, _ in 55 - 6 * (m.weight(.code) + m.weight(.math)) }
    return LawSet(source: "known", laws: ["vqa_avg": vision, "text_acc": language], defaultParams: 1e9, defaultTokens: 1e12)
}

/// Property: for random bounds and availability, every recipe is a valid mixture that meets
/// every limit, and a recommendation is refused exactly when the limits leave no mixture.
@Test func recipesMeetRandomBoundsExactly() throws {
    var state: UInt64 = 12345
    func uniform() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
    let sources = TextSource.allCases
    let code = sources.firstIndex(of: .code)!
    var recipes = 0, refusals = 0
    for trial in 0..<40 {
        var lows = sources.map { _ in uniform() < 0.5 ? uniform() * 12 : 0 }
        var highs = sources.map { _ in uniform() < 0.5 ? 15 + uniform() * 60 : 100 }
        for i in lows.indices where lows[i] > highs[i] { swap(&lows[i], &highs[i]) }
        var parts: [String] = []
        for (i, s) in sources.enumerated() {
            if lows[i] > 0 { parts.append("\(s.name)>=\(lows[i])") }
            if highs[i] < 100 { parts.append("\(s.name)<=\(highs[i])") }
        }
        var req = RecommendationRequest(objective: try Objective.parse(trial % 2 == 0 ? "vqa_avg" : "0.5*vqa_avg+0.5*text_acc"),
                                        baseline: Mixture.preset("balanced")!, baselineName: "balanced")
        req.bounds = try MixtureBound.parseList(parts.joined(separator: ","))
        let codeTokens = 0.1e12 + uniform() * 0.3e12
        req.available = [try SourceAvailability(source: "code", tokens: codeTokens)]
        req.maxEpochs = 1
        req.candidates = 300
        req.seed = UInt64(trial)
        // With one epoch of a 1T-token run, code's availability caps its weight at codeTokens / 1T.
        var caps = highs.map { $0 / 100 }
        caps[code] = min(caps[code], codeTokens / 1e12)
        let feasible = lows.reduce(0, +) / 100 <= 1 && caps.reduce(0, +) >= 1 && zip(lows, caps).allSatisfy { $0 / 100 <= $1 }
        guard feasible else {
            #expect(throws: PlannerError.self, "trial \(trial): limits no mixture meets were accepted") { try weightsLaws().recommend(req) }
            refusals += 1
            continue
        }
        let r = try weightsLaws().recommend(req)
        recipes += 1
        let w = try #require(r.weights)
        #expect(abs(w.values.reduce(0, +) - 1) < 1e-9, "trial \(trial): sum \(w.values.reduce(0, +))")
        for (i, s) in sources.enumerated() {
            let x = w[s.name] ?? 0
            #expect(x >= 0)
            #expect(x >= lows[i] / 100 - 1e-9 && x <= highs[i] / 100 + 1e-9, "trial \(trial): \(s.name)=\(x) outside [\(lows[i]), \(highs[i])]")
        }
        #expect((w["code"] ?? 0) * 1e12 <= codeTokens + 1e-3, "trial \(trial): code exceeds its availability")
    }
    #expect(recipes >= 30, "only \(recipes) of 40 trials gave a recipe to check (\(refusals) refused)")
    // Availability below a lower bound is refused, naming both.
    var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset("balanced")!, baselineName: "balanced")
    req.bounds = try MixtureBound.parseList("code>=30")
    req.available = [try SourceAvailability(source: "code", tokens: 0.1e12)]
    req.maxEpochs = 1
    #expect(performing: { try weightsLaws().recommend(req) },
            throws: { "\($0)".contains("code>=30") && "\($0)".contains("code available 100B × 1 epochs") })
}

@Test func projectionLandsOnTheBoundedSimplex() throws {
    var box = SearchSpace(space: .weights)
    try box.apply(try MixtureBound.parseList("code<=40,literature>=2,math>=10"))
    for v in [[1.0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 5.0], [-3, 2, 0.1, 0, 0, 0.7]] {
        let w = box.project(v)
        #expect(abs(w.reduce(0, +) - 1) < 1e-12)
        #expect(w[5] <= 0.4 + 1e-15 && w[3] >= 0.02 - 1e-15 && w[4] >= 0.1 - 1e-15)
    }
}

@Test func objectivesAndConstraintsParse() throws {
    let o = try Objective.parse("0.5*general + 0.5*vision_centric")
    #expect(o.terms.map(\.category) == ["general", "vision_centric"])
    #expect(o.value(["general": 40, "vision_centric": 50]) == 45)
    #expect(throws: PlannerError.self) { try Objective.parse("half*general") }
    let c = try ScoreConstraint.parse("text_acc>=52.5")
    #expect(c.relation == .atLeast && c.threshold == 52.5 && c.violation(52) == 0.5)
    #expect(throws: PlannerError.self) { try ScoreConstraint.parse("text_acc=52") }
}

/// `minimize` and `maximize` take the weighted sum as written; without a word a loss counts
/// lower as better. A recipe that minimises a loss lands where the loss is lowest, and its
/// reported objective is the loss itself.
@Test func lossesAreMinimised() throws {
    #expect(try Objective.parse("minimize pile_cc_loss").sense == .minimize)
    #expect(try Objective.parse("maximise: 0.5*vqa_avg+0.5*text_acc").terms.count == 2)
    #expect(try Objective.parse("pile_cc_loss").value(["pile_cc_loss": 2]) == -2)
    #expect(try Objective.parse("maximize pile_cc_loss").value(["pile_cc_loss": 2]) == 2)
    #expect(MetricCatalogue.higherIsBetter("pile_cc_loss") == false && MetricCatalogue.higherIsBetter("loss") == false
            && MetricCatalogue.higherIsBetter("bpb") == false && MetricCatalogue.higherIsBetter("lossless_score") == true
            && MetricCatalogue.higherIsBetter("vqa_avg") == true && MetricCatalogue.higherIsBetter("ppl") == false)
    // A loss lowest at code 30%, math 20% (weights space).
    let loss = KnownLaw(category: "pile_cc_loss", space: .weights, spread: { _ in 0.01 }) { m, _ in
        2 + 4 * pow(m.weight(.code) - 0.3, 2) + 4 * pow(m.weight(.math) - 0.2, 2)
    }
    let laws = LawSet(source: "known", laws: ["pile_cc_loss": loss], defaultParams: 1e9, defaultTokens: 1e12)
    for text in ["minimize pile_cc_loss", "pile_cc_loss"] {
        var req = RecommendationRequest(objective: try Objective.parse(text), baseline: Mixture.preset("balanced")!, baselineName: "balanced")
        req.candidates = 3000
        let r = try laws.recommend(req)
        let w = try #require(r.weights)
        #expect(abs(w["code"]! - 0.3) < 0.03 && abs(w["math"]! - 0.2) < 0.03, "\(text): \(w)")
        #expect(r.baseline.margin > 0, "the recipe's loss is lower than balanced's: margin \(r.baseline.margin)")
        if text.hasPrefix("minimize") {
            #expect(abs(r.objectiveValue - r.scores["pile_cc_loss"]!.value) < 1e-9 && r.objectiveValue < r.baseline.objective)
        }
    }
}
