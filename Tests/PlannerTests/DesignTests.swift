import Foundation
import Testing
import PlannerTestSupport
import VisionMixCore
@testable import Planner

/// A vision law peaking at 60% reasoning / 15% visual whose replicates agree everywhere except
/// in two bumps: at 10% / 70% the replicates with positive offsets rise above the peak, at 80% /
/// 5% (by half as much again) those with negative offsets do. Under most replicates the recipe
/// is not the best, and only runs at the bumps can tell which replicates are right.
func bumpLaws(bump: Double, category: String = "team_score") -> LawSet {
    @Sendable func near(_ m: Mixture, _ r: Double, _ v: Double) -> Double {
        exp(-(pow(m.reasoningShare! - r, 2) + pow(m.visualShare! - v, 2)) / 0.005)
    }
    let vision = KnownLaw(category: category, space: .shares, spread: { m in bump * near(m, 0.1, 0.7) - 1.5 * bump * near(m, 0.8, 0.05) }) { m, _ in
        50 - 30 * pow(m.reasoningShare! - 0.6, 2) - 30 * pow(m.visualShare! - 0.15, 2)
    }
    return LawSet(source: "known", laws: [category: vision], defaultParams: 1e9, defaultTokens: 1e10)
}

/// A request for `runs` runs of the regret strategy; the objective is a team's own score (no
/// bounds), unless `objective` names a catalogue accuracy.
func designRequest(runs: Int, objective: String = "team_score") throws -> DesignRequest {
    var rec = RecommendationRequest(objective: try Objective.parse(objective), baseline: Mixture.preset("language_favorable")!,
                                    baselineName: "language_favorable")
    rec.candidates = 2000
    var req = DesignRequest(recommendation: rec, runs: runs, noise: 1)
    req.candidates = 2000
    req.strategy = .regret
    return req
}

@Test func theRunsGoWhereTheReplicatesDisagreeAboutTheOptimumMostCostlyFirst() throws {
    let d = try bumpLaws(bump: 400).designRuns(try designRequest(runs: 3))
    #expect(abs(d.recipe.reasoningShare! - 0.6) < 0.02 && abs(d.recipe.visualShare! - 0.15) < 0.02)
    // Offsets run from −0.25 to 0.24: 25 of the 50 replicates prefer the second bump, 20 the first.
    #expect(d.probabilityNotBest > 0.8 && d.replicates == 50)
    #expect(d.expectedRegret > 10)
    // The second bump costs the recipe more under the replicates that prefer it, so it comes first.
    let first = d.runs[0], second = d.runs[1]
    #expect(abs(first.mixture.reasoningShare! - 0.8) < 0.05 && abs(first.mixture.visualShare! - 0.05) < 0.05)
    #expect(abs(second.mixture.reasoningShare! - 0.1) < 0.05 && abs(second.mixture.visualShare! - 0.7) < 0.05)
    #expect(first.role == "replicate_optimum" && first.optimumOf > 0)
    #expect(first.expectedRegretAfter < first.expectedRegretBefore)
    #expect(first.reason.contains(String(format: "disagrees by %.1f points near reasoning 80%% visual 5%%", first.disagreement)))
    #expect(d.expectedRegretAfter < d.expectedRegret / 2)
    #expect(d.runs.count == 3)
}

@Test func anAccuracyIsValuedWithinZeroToAHundred() throws {
    // Bumps of 400 points put some replicates at 150% accuracy: the design reads them as 100%.
    let d = try bumpLaws(bump: 400, category: "vqa_avg").designRuns(try designRequest(runs: 3, objective: "vqa_avg"))
    #expect(d.runs.allSatisfy { $0.predicted <= 100 && $0.disagreement <= 100 })
    #expect(d.expectedRegret <= 100 && d.runs.contains { $0.disagreement > 40 })
}

@Test func anEnsembleThatAgreesLeavesNothingToSettle() throws {
    let d = try bumpLaws(bump: 0).designRuns(try designRequest(runs: 2))
    #expect(d.probabilityNotBest == 0 && d.expectedRegret == 0 && d.expectedRegretAfter == 0)
    #expect(d.runs.count == 2 && d.runs.allSatisfy { $0.disagreement == 0 })
}

@Test func runsAtASmallerSizeAreValuedThroughTheLawsThatLinkTheSizes() throws {
    // The replicates' offsets do not depend on the size, so a run at the smaller size (5 points
    // lower everywhere) tells them apart as well as one at the target: either goes to the bump.
    let vision = KnownLaw(category: "team_score", space: .shares, spread: { m in
        400 * exp(-(pow(m.reasoningShare! - 0.1, 2) + pow(m.visualShare! - 0.7, 2)) / 0.005)
    }) { m, n in 50 - 30 * pow(m.reasoningShare! - 0.6, 2) - 30 * pow(m.visualShare! - 0.15, 2) - (n < 1e9 ? 5 : 0) }
    let laws = LawSet(source: "known", laws: ["team_score": vision], defaultParams: 1e9, defaultTokens: 1e10)
    var req = try designRequest(runs: 1)
    req.scales = [DesignScale(size: "small", params: 1e8, tokens: 1e10), DesignScale(size: "target", params: 1e9, tokens: 1e10)]
    let d = try laws.designRuns(req)
    #expect(d.runs.count == 1 && ["small", "target"].contains(d.runs[0].size))
    #expect(abs(d.runs[0].mixture.reasoningShare! - 0.1) < 0.05)
}

@Test func aDesignWithoutAnEnsembleOrRunsIsRefused() throws {
    let flat = KnownLaw(category: "team_score", space: .shares, offsets: []) { m, _ in 50 - 30 * pow(m.reasoningShare! - 0.6, 2) }
    let laws = LawSet(source: "known", laws: ["team_score": flat], defaultParams: 1e9, defaultTokens: 1e10)
    #expect(throws: PlannerError.self) { try laws.designRuns(try designRequest(runs: 2)) }
    do { _ = try laws.designRuns(try designRequest(runs: 2)) } catch let e as PlannerError {
        #expect(e.description.contains("no bootstrap ensemble"))
    }
    #expect(throws: PlannerError.self) { try bumpLaws(bump: 1).designRuns(try designRequest(runs: 0)) }
    var noisy = try designRequest(runs: 1)
    noisy.noise = 0
    #expect(throws: PlannerError.self) { try bumpLaws(bump: 1).designRuns(noisy) }
}

@Test func farthestFirstSpreadsAFixedPoolAwayFromWhatIsTaken() {
    // Integer coordinates, so equal distances are equal to the bit and ties go to the lower index.
    let line = (0...10).map { [Double($0), 10 - Double($0)] }
    // Nothing taken: the point nearest the centre, then the two ends, then the quarters.
    #expect(SpaceFilling.farthestFirst(line, limit: 5) == [5, 0, 10, 2, 7])
    // One end taken: the other end first, then the middle.
    #expect(SpaceFilling.farthestFirst(line, taken: [[0, 10]], limit: 2) == [10, 5])
    #expect(SpaceFilling.farthestFirst(line, limit: 0).isEmpty && SpaceFilling.farthestFirst([], limit: 3).isEmpty)
    #expect(SpaceFilling.farthestFirst(line, limit: 50).count == line.count)
    #expect(abs(SpaceFilling.distance([0, 0], [3, 4]) - 5) < 1e-12)
}

@Test func spaceFillingRunsOfASharesLawFillTheRecipesNeighbourhoodInsideTheBounds() throws {
    var req = try designRequest(runs: 4)
    req.recommendation.bounds = try MixtureBound.parseList("reasoning<=50")
    let byRegret = try bumpLaws(bump: 400).designRuns(req)
    req.strategy = .spaceFilling
    let d = try bumpLaws(bump: 400).designRuns(req)
    #expect(d.strategy == .spaceFilling && d.runs.count == 4)
    #expect(d.runs.allSatisfy { $0.role == "space_filling" && $0.mixture.reasoningShare! <= 0.5 + 1e-9 })
    // The recipe and its regret are the laws', whatever places the runs.
    #expect(d.expectedRegret == byRegret.expectedRegret && d.probabilityNotBest == byRegret.probabilityNotBest)
    // In the shares space they fill the recipe's neighbourhood (the tenth of the draws nearest
    // it, in a bounded triangle of side about 0.7), apart from one another.
    let recipe = [d.recipe.reasoningShare!, d.recipe.visualShare!]
    let points = d.runs.map { [$0.mixture.reasoningShare!, $0.mixture.visualShare!] }
    let farthest = points.map { SpaceFilling.distance($0, recipe) }.max()!
    let closest = points.indices.flatMap { i in points.indices.filter { $0 > i }.map { SpaceFilling.distance(points[i], points[$0]) } }.min()!
    #expect(farthest < 0.2 && closest > 0.03, "farthest from the recipe \(farthest), closest pair \(closest)")
    // The refits agree near the recipe (they differ only at the bumps, far from it), so these
    // runs are valued as settling nothing, to within rounding; never as making it worse.
    #expect(d.runs.allSatisfy { $0.expectedRegretAfter <= $0.expectedRegretBefore * (1 + 1e-6) && $0.reason.hasPrefix("space-filling near the recipe: ") })
    #expect(d.expectedRegretAfter <= d.expectedRegret)
}

@Test func spaceFillingRunsOfAPerSourceLawSpreadOverTheWholeSimplex() throws {
    // A law of the weights is a global form: its runs go wherever the fitted ones are not.
    let law = KnownLaw(category: "team_score", space: .weights) { (m: Mixture) -> Double in
        let squares = m.vector.map { (w: Double) -> Double in (w - 1.0 / 6) * (w - 1.0 / 6) }
        return 50 - 30 * squares.reduce(0, +)
    }
    let laws = LawSet(source: "known", laws: ["team_score": law], defaultParams: 1e9, defaultTokens: 1e10)
    var req = try designRequest(runs: 4)
    req.strategy = .spaceFilling
    let d = try laws.designRuns(req)
    let points = d.runs.map { (run: DesignedRun) -> [Double] in run.mixture.weights!.sorted { $0.key < $1.key }.map { $0.value } }
    let closest = points.indices.flatMap { i in points.indices.filter { $0 > i }.map { SpaceFilling.distance(points[i], points[$0]) } }.min()!
    #expect(d.runs.count == 4 && closest > 0.4, "closest pair \(closest)")
    #expect(d.runs.allSatisfy { $0.reason.hasPrefix("space-filling: ") })
    // Hand-written laws record no fitted mixtures: the first run is far from nothing, the
    // others from the runs before them.
    #expect(d.runs[0].reason.contains("is the first run placed (the laws record no fitted mixtures)"), "\(d.runs[0].reason)")
    #expect(d.runs.dropFirst().allSatisfy { $0.reason.contains("from the runs before it (the laws record no fitted mixtures)") })
    #expect(!d.runs.contains { $0.reason.contains("inf") }, "\(d.runs.map(\.reason))")
}
