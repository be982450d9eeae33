import Fits
import Foundation
import TestScratch
import Laws
import Store
import Testing
import VisionMixCore
@testable import Planner

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Fits the shipped paper mixtures (3B, 50B tokens) the way `fit --all` does.
func paperLaws(family: LawFamilySelection = .auto) throws -> LawSet {
    let dir = Scratch.directory("planner")
    let store = try ResultStore(path: dir.appendingPathComponent("p.sqlite").path)
    let file = try ResultFile.read(path: repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path)
    try store.insertRuns(file.runs, label: "paper", origin: "import")
    let runs = try store.runs(RunFilter(source: "paper"))
    var options = FitOptions()
    options.bootstrap = 60
    var fits: [FittedLaw] = []
    for c in ["vqa_avg", "text_acc"] {
        fits.append(try fitCategory(runs: runs, category: c, family: family, options: options).law)
    }
    return LawSet(fits: fits, source: "paper")
}

/// The paper's own data recommends about 60% reasoning and 15% visual.
@Test func paperDataRecommendsAReasoningHeavyRecipe() throws {
    let laws = try paperLaws()
    var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset("language_favorable")!,
                                    baselineName: "language_favorable")
    req.constraints = [try ScoreConstraint.parse("text_acc>=52.5")]
    let r = try laws.recommend(req)
    #expect(r.weights == nil, "the paper's laws are over shares, so the recipe is a pair of shares")
    let reasoning = try #require(r.reasoningShare), visual = try #require(r.visualShare)
    #expect(reasoning >= 0.45 && reasoning <= 0.65, "reasoning \(reasoning)")
    #expect(visual >= 0.12 && visual <= 0.20, "visual \(visual)")
    let p = try #require(r.baseline.probabilityBetter)
    #expect(p > 0.5)
    #expect(r.scores["text_acc"]!.value >= 52.5 - 1e-6)
    #expect(r.params == 3e9 && r.tokens == 50e9)
}

@Test func predictionsCarryIntervalsAndFlagExtrapolation() throws {
    let laws = try paperLaws()
    let inside = try laws.predictAll(params: nil, tokens: nil, mixture: Mixture.preset("balanced")!)
    let v = try #require(inside.scores["vqa_avg"])
    #expect(!v.extrapolated && v.low <= v.value && v.value <= v.high)
    #expect(abs(v.value - 33.3) < 0.5) // the paper measured 33.3 for mix6
    let far = try laws.predictAll(params: 7e9, tokens: 1e12, mixture: Mixture.preset("balanced")!)
    let allFlagged = far.scores.values.allSatisfy { $0.extrapolated }
    #expect(allFlagged)
    let offLine = try laws.predictAll(params: nil, tokens: nil, mixture: try MixtureSpec.parse("reasoning=40,visual=5").mixture)
    #expect(offLine.scores["vqa_avg"]!.extrapolated)
}

@Test func sixSourceLawsGiveWeightedRecipesAndMegatronLists() throws {
    let laws = try paperLaws(family: .family(.mixingExponential))
    var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset("balanced")!, baselineName: "balanced")
    req.candidates = 4000
    req.allowExtrapolation = true
    req.bounds = try MixtureBound.parseList("code<=40,literature>=2")
    let r = try laws.recommend(req)
    let w = try #require(r.weights)
    #expect(abs(w.values.reduce(0, +) - 1) < 1e-9)
    #expect(w["code"]! <= 0.4 + 1e-9 && w["literature"]! >= 0.02 - 1e-9)
    let megatron = try r.megatron(dataPrefix: "/data")
    let listed = TextSource.allCases.filter { (w[$0.name] ?? 0) > 0 }.allSatisfy { megatron.contains("/data/\($0.name)_text_document") }
    #expect(megatron.hasPrefix("--data-path ") && listed)
}
