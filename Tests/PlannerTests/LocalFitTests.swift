import Foundation
import Laws
import Testing
import VisionMixCore
@testable import Planner

/// A score that saturates in each of the reasoning, visual and remaining shares (scale ρ = 0.1),
/// its one maximum at reasoning 35%, visual 25%: smooth, but not a quadratic.
private func saturating(_ r: Double, _ v: Double) -> Double {
    let optimum = [0.35, 0.25, 0.4], rho = 0.1
    let a = optimum.map { exp(($0 - 0.4) / rho) }
    return 20 + 40 * zip(a, [r, v, 1 - r - v]).reduce(0) { $0 + $1.0 * (1 - exp(-max($1.1, 0) / rho)) }
}

/// Runs on a lattice of the shares (step 0.15, the simplex's edges among them) with a
/// deterministic noise of ±0.1.
private func latticeRuns(_ score: (Double, Double) -> Double) throws -> [LawPoint] {
    var points: [LawPoint] = []
    for i in 0...6 {
        for j in 0...(6 - i) {
            let r = 0.15 * Double(i), v = 0.15 * Double(j), e = (i + 2 * j) % 3 == 0 ? 0.1 : -0.1
            points.append(LawPoint(params: 1e6, tokens: 1e6, mixture: try Mixture(reasoningShare: r, visualShare: v), score: score(r, v) + e))
        }
    }
    return points
}

private func recipe(_ law: FittedLaw) throws -> Mixture {
    let laws = LawSet(source: "team", laws: ["team_score": FittedCategoryLaw(law)], defaultParams: 1e6, defaultTokens: 1e6)
    var req = RecommendationRequest(objective: try Objective.parse("team_score"), baseline: Mixture.preset("balanced")!, baselineName: "balanced")
    req.candidates = 2000
    return try laws.recommend(req).mixture(catalogue: laws.catalogue)
}

private func fit(_ points: [LawPoint], near: LocalFit? = nil) throws -> FitResult {
    var options = FitOptions()
    options.bootstrap = 0
    options.near = near
    return try fitPoints(points, category: "team_score", family: .family(.quadraticShares), options: options)
}

@Test func aQuadraticRefittedNearItsRecipeRecommendsNearerTheOptimumOfALawItCannotHold() throws {
    let runs = try latticeRuns(saturating)
    let global = try fit(runs)
    let first = try recipe(global.law)
    let local = try fit(runs, near: try LocalFit(centre: first, bandwidth: LocalFit.standardBandwidth))
    let second = try recipe(local.law)
    let best = saturating(0.35, 0.25)
    let regret = { (m: Mixture) in best - saturating(m.reasoningShare!, m.visualShare!) }
    // The lattice's edges, where the law bends hardest, pull the global quadratic's peak away
    // from them; weighted near the recipe, the refit's peak is nearer the optimum.
    #expect(regret(second) < 0.5 * regret(first), "global recipe \(first.sharesDescription) regret \(regret(first)); local \(second.sharesDescription) regret \(regret(second))")
    #expect(local.local == (try LocalFit(centre: first, bandwidth: 0.15)) && global.local == nil)
    #expect(local.notes.contains { $0.hasPrefix("fitted near reasoning share") && $0.contains("bandwidth 0.15") && $0.contains("the 28 runs count as") })
    // A local law is meant to miss the far runs; no lack-of-fit test is made over them.
    #expect(local.law.lackOfFit == nil)
    let decoded = try FitJSON.decode(try FitJSON.encode(local, pretty: false))
    #expect(decoded.local == local.local)
}

@Test func aLawThatHoldsTheRunsExactlyIsTheSameFittedNearAnyMixture() throws {
    let quadratic = { (r: Double, v: Double) in 40 - 20 * (r - 0.5) * (r - 0.5) - 10 * (v - 0.2) * (v - 0.2) + 6 * (r - 0.5) * (v - 0.2) }
    let runs = try latticeRuns { r, v in quadratic(r, v) }.map { p -> LawPoint in
        var exact = p
        exact.score = quadratic(p.mixture!.reasoningShare!, p.mixture!.visualShare!)
        return exact
    }
    let global = try fit(runs)
    let local = try fit(runs, near: try LocalFit(centre: try Mixture(reasoningShare: 0.8, visualShare: 0.1), bandwidth: 0.1))
    for (name, value) in global.parameters {
        #expect(abs(value - local.parameters[name]!) < 1e-6 * max(1, abs(value)), "\(name): \(value) vs \(local.parameters[name]!)")
    }
}

@Test func aFitNearAMixtureRefusesWhatItCannotWeigh() throws {
    let runs = try latticeRuns(saturating)
    let centre = try Mixture(reasoningShare: 0.3, visualShare: 0.2)
    for h in [0, -0.1, .nan, .infinity, 2.5] {
        #expect(throws: LawError.self) { try LocalFit(centre: centre, bandwidth: h) }
    }
    var options = FitOptions()
    options.bootstrap = 0
    options.near = try LocalFit(centre: centre, bandwidth: 0.15)
    // One family is refitted: `auto` would weigh the candidates differently from how it scored them.
    #expect(throws: LawError.self) { try fitPoints(runs, category: "team_score", family: .auto, options: options) }
    // Kernel ridge takes no run weights; a per-source family cannot place shares-only runs.
    #expect(throws: LawError.self) { try fitPoints(runs, category: "team_score", family: .family(.kernelRidge), options: options) }
    #expect(throws: LawError.self) { try fitPoints(runs, category: "team_score", family: .family(.mixingExponential), options: options) }
}
