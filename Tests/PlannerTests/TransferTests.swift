import Foundation
import Laws
import Store
import Testing
import TestScratch
import VisionMixCore
@testable import Planner

private func storeWith(_ runs: [NewRun], label: String = "t") throws -> ResultStore {
    let store = try ResultStore(path: Scratch.directory("transfer").appendingPathComponent("t.sqlite").path)
    try store.insertRuns(runs, label: label, origin: "import")
    return store
}

private func shares(_ r: Double, _ v: Double) -> Mixture { try! Mixture(reasoningShare: r, visualShare: v) }

/// A run named as a sweep names it, so the size and the profile can be read back.
private func run(_ size: String, _ params: Double, _ tokens: Double, _ mix: Mixture, seed: Int, _ score: Double,
                 profile: String = "standard", category: String = "vqa_avg") -> NewRun {
    let name = RunName(size: size, mix: "reasoning=\(Int(mix.reasoningShare! * 100)),visual=\(Int(mix.visualShare! * 100))",
                       tokens: Quantity.format(tokens), seed: seed, encoder: "object", checkpoints: Quantity.format(tokens), profile: profile)
    return NewRun(name: name.text, params: params, tokens: tokens, seed: seed, mixture: mix, scores: [category: score])
}

@Test func transferAveragesSeedsAndComparesTheScalesThatShareMixtures() throws {
    let a = shares(0.1, 0.1), b = shares(0.3, 0.1), c = shares(0.5, 0.1), d = shares(0.7, 0.1)
    var runs = [
        // s at 1M: a's two seeds average to 20. b's seed 1 is also rescored under the precise
        // profile, on other questions: not averaged in.
        run("s", 1000, 1e6, a, seed: 1, 10), run("s", 1000, 1e6, a, seed: 2, 30),
        run("s", 1000, 1e6, b, seed: 1, 26), run("s", 1000, 1e6, b, seed: 1, 90, profile: "precise"),
        run("s", 1000, 1e6, c, seed: 1, 30), run("s", 1000, 1e6, d, seed: 1, 40),
        // l orders c above d, the one pair s gets wrong.
        run("l", 5000, 1e6, a, seed: 1, 1), run("l", 5000, 1e6, b, seed: 1, 2), run("l", 5000, 1e6, c, seed: 1, 4), run("l", 5000, 1e6, d, seed: 1, 3),
        // A checkpoint of s with only two of the mixtures.
        run("s", 1000, 250_000, a, seed: 1, 5), run("s", 1000, 250_000, b, seed: 1, 6),
        // Another encoder at l: no other scale of its condition.
        NewRun(name: "l|reasoning=10,visual=10|1M|seed 1|patch|1M", params: 5000, tokens: 1e6, seed: 1, mixture: a, scores: ["vqa_avg": 9]),
    ]
    runs.append(NewRun(params: 5000, tokens: 1e6, mixture: a, scores: ["text_acc": 50]))
    let report = try Transfer.report(store: try storeWith(runs), source: "t", category: "vqa_avg")

    // The precise rescoring of b is a scale of its own: compared with l and with the 250K
    // checkpoint (one mixture each), never with the standard scoring of the same models.
    #expect(report.comparisons.map { "\($0.smaller.label) vs \($0.larger.label)" }
            == ["s (1K) @ 1M vs l (5K) @ 1M", "s (1K) @ 1M precise vs l (5K) @ 1M", "s (1K) @ 250K vs s (1K) @ 1M", "s (1K) @ 250K vs s (1K) @ 1M precise"])
    #expect(report.comparisons[1].reason == "1 mixture measured at both (3 needed)")
    #expect(report.unpaired.map(\.scale.condition) == ["patch"] && report.unpaired.first?.mixtures == 1)
    let sizes = try #require(report.comparisons.first)
    #expect(sizes.kind == .size && sizes.smaller.label == "s (1K) @ 1M" && sizes.larger.label == "l (5K) @ 1M")
    let rows = Dictionary(uniqueKeysWithValues: sizes.mixtures.map { ($0.mixture, $0) })
    #expect(rows["reasoning=10,visual=10"]?.smaller == 20 && rows["reasoning=10,visual=10"]?.smallerSeeds == 2)
    #expect(rows["reasoning=30,visual=10"]?.smaller == 26 && rows["reasoning=30,visual=10"]?.smallerSeeds == 1)
    let agreement = try #require(sizes.agreement)
    // scipy.stats.spearmanr([20, 26, 30, 40], [1, 2, 4, 3]) = 0.8; kendalltau = 0.6667 (τ-b).
    #expect(abs(try #require(agreement.spearman?.value) - 0.8) < 1e-12)
    #expect(abs(try #require(agreement.kendall?.value) - 4.0 / 6) < 1e-12)
    #expect(agreement.decisionAccuracy?.value == 5.0 / 6)
    #expect(agreement.spearman?.low != nil && agreement.spearman!.low! <= 0.8 && agreement.spearman!.high! >= 0.8)

    let budgets = report.comparisons[2]
    #expect(budgets.kind == .budget && budgets.agreement == nil && budgets.reason == "2 mixtures measured at both (3 needed)")
    #expect(report.resamples == RankBootstrap.defaultResamples && report.minimumMixtures == 3)
}

@Test func transferNamesWhatIsMissing() throws {
    let store = try storeWith([run("s", 1000, 1e6, shares(0.1, 0.1), seed: 1, 10)])
    #expect(throws: TransferError.noRuns("nobody", known: ["t"])) { try Transfer.report(store: store, source: "nobody", category: "vqa_avg") }
    #expect(throws: TransferError.unknownCategory("general", available: ["vqa_avg"])) {
        try Transfer.report(store: store, source: "t", category: "general")
    }
}

/// Runs of the recipe of `sharesLaws` (60% reasoning, 15% visual), the baseline and two other
/// mixtures, at three sizes with the scores given in that order.
private func checkRuns(_ scores: [Double: [Double]]) -> [NewRun] {
    let mixtures = [shares(0.6, 0.15), Mixture.preset("language_favorable")!, shares(0.2, 0.5), shares(0.4, 0.05)]
    return scores.flatMap { params, values in
        zip(mixtures, values).map { m, v in NewRun(params: params, tokens: 1e10, seed: 1, mixture: m, scores: ["vqa_avg": v]) }
    }
}

private func recommend(_ runs: [NewRun]) throws -> Recipe {
    var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset("language_favorable")!,
                                    baselineName: "language_favorable")
    req.candidates = 2000
    let stored = runs.isEmpty ? [] : try storeWith(runs).runs(RunFilter(source: "t"))
    return try sharesLaws().recommend(req, checkingTransferIn: stored)
}

@Test func recommendWarnsWhenTheTwoLargestSizesDisagree() throws {
    // The largest size ranks the recipe's mixture first; the one below ranks every pair the other way.
    let r = try recommend(checkRuns([1e9: [50, 40, 30, 20], 1e8: [10, 20, 30, 40], 1e7: [50, 40, 30, 20]]))
    let check = try #require(r.transferCheck)
    #expect(check.larger.params == 1e9 && check.smaller.params == 1e8 && check.mixtures == 4)
    #expect(check.decisionAccuracy == 0 && check.sameOrder == false)
    #expect(check.recipeNearest?.mixture == "reasoning 60% · visual 15%" && check.recipeNearest!.distance < 0.02)
    #expect(check.baselineNearest?.distance == 0)
    #expect(r.warnings.count == 2, "\(r.warnings)")
    #expect(r.warnings[0].contains("order the recipe and language_favorable differently") && r.warnings[0].contains("scores 10.00 to 20.00 at 100M but 50.00 to 40.00 at 1B"), "\(r.warnings[0])")
    #expect(r.warnings[1].contains("decision accuracy 0.00, under 0.70"), "\(r.warnings[1])")
}

@Test func recommendIsQuietWhenTheTwoLargestSizesAgree() throws {
    // The smallest size disagrees, but only the two largest are compared.
    let r = try recommend(checkRuns([1e9: [50, 40, 30, 20], 1e8: [15, 14, 13, 12], 1e7: [10, 20, 30, 40]]))
    let check = try #require(r.transferCheck)
    #expect(check.decisionAccuracy == 1 && check.sameOrder == true && r.warnings.isEmpty)
    #expect(check.summary.contains("decision accuracy 1.00") && check.summary.contains("in the same order at both"), "\(check.summary)")

    // One size, or no runs: nothing to check, and nothing said.
    let one = try recommend(checkRuns([1e9: [50, 40, 30, 20]]))
    #expect(one.transferCheck == nil && one.warnings.isEmpty)
    #expect(try recommend([]).transferCheck == nil)
}
