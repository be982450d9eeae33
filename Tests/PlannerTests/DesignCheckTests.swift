import Foundation
import Testing
import PlannerTestSupport
import VisionMixCore
@testable import Planner

/// The runs `bumpLaws` designs, measured under `truth`, and the check of them.
func checkedDesign(truth: (Mixture) -> Double) throws -> (design: RunDesign, check: LackOfFit) {
    let design = try bumpLaws(bump: 400).designRuns(try designRequest(runs: 2))
    let measured = design.runs.map { r -> Double? in
        truth(try! Mixture(reasoningShare: r.mixture.reasoningShare!, visualShare: r.mixture.visualShare!))
    }
    return (design, try #require(design.lackOfFit(measured: measured)))
}

@Test func designedRunsMeasuredFarFromTheLawFailTheCheckAndTheNextRoundFillsTheSpace() throws {
    // Another form: where the ensemble's optima sent the runs (the bumps), the planted truth
    // falls 400 points below the law, far outside every refit, which no refit of the law can show.
    let (design, check) = try checkedDesign { m in
        func near(_ r: Double, _ v: Double) -> Double { exp(-(pow(m.reasoningShare! - r, 2) + pow(m.visualShare! - v, 2)) / 0.005) }
        return bumpLaws(bump: 400).laws["vqa_avg"]!.predict(params: 1e9, tokens: 1e10, mixture: m) - 400 * (near(0.1, 0.7) + near(0.8, 0.05))
    }
    #expect(design.runs.allSatisfy { $0.ensembleMean != nil && $0.ensembleSD != nil })
    #expect(!check.passed && check.runs == 2)
    // χ² with 2 degrees of freedom: 99% below 9.21, so the bound on the mean of z² is 4.61.
    #expect(abs(check.threshold - 4.605) < 0.01 && check.meanSquaredZ > check.threshold)
    var req = try designRequest(runs: 2)
    req.lackOfFit = check
    let next = try bumpLaws(bump: 400).designRuns(req)
    #expect(next.lackOfFit == check && next.runs.count == 2)
    #expect(next.runs.allSatisfy { $0.role == "space_filling" && $0.reason.contains("space-filling") && $0.reason.contains("above χ²'s 99% bound") })
    // Maximin: the second run keeps its distance from the first.
    let a = next.runs[0].mixture, b = next.runs[1].mixture
    #expect(hypot(a.reasoningShare! - b.reasoningShare!, a.visualShare! - b.visualShare!) > 0.2)
}

@Test func designedRunsMeasuredAsALawOfTheEnsemblePredictsPassTheCheckAndTheDesignIsUnchanged() throws {
    // The truth is one of the refits (the middle one) with a seed's noise: the law's form is right.
    let (_, check) = try checkedDesign { m in
        bumpLaws(bump: 400).laws["vqa_avg"]!.replicate(25, params: 1e9, tokens: 1e10, mixture: m) + 0.5
    }
    #expect(check.passed && check.meanSquaredZ <= check.threshold)
    var req = try designRequest(runs: 2)
    req.lackOfFit = check
    let next = try bumpLaws(bump: 400).designRuns(req)
    let unchecked = try bumpLaws(bump: 400).designRuns(try designRequest(runs: 2))
    #expect(next.runs.map(\.role) == unchecked.runs.map(\.role) && next.runs.allSatisfy { $0.role != "space_filling" })
    #expect(next.runs.map(\.mixture.place) == unchecked.runs.map(\.mixture.place))
    #expect(next.lackOfFit?.passed == true)
}

@Test func theCheckReadsOnlyMeasuredRuns() {
    #expect(LackOfFit([(mean: 10, sd: 1, noise: 1, measured: nil)]) == nil)
    let one = LackOfFit([(mean: 10, sd: 0, noise: 2, measured: 16), (mean: 10, sd: 0, noise: 2, measured: nil)])
    // z = 6 / 2 = 3 on one run: z² 9 against χ²₁'s 99% quantile 6.63.
    #expect(one?.runs == 1 && abs(one!.meanSquaredZ - 9) < 1e-9 && one?.passed == false)
}
