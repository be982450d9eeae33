import Foundation
import Laws
import Testing
import VisionMixCore
@testable import Planner

/// Ten share mixtures, three seeds each (deterministic noise of SD about 0.25), at one size
/// and budget; `effect` gives the score of a reasoning and visual share.
private func replicatedShareRuns(_ effect: (Double, Double) -> Double) throws -> [LawPoint] {
    let shares: [(Double, Double)] = [(0.02, 0.1), (0.1, 0.02), (0.2, 0.2), (0.4, 0.1), (0.6, 0.15), (0.8, 0.05),
                                      (0.3, 0.5), (0.1, 0.7), (0.5, 0.3), (0.05, 0.05)]
    return try shares.flatMap { r, v in
        try [-0.3, 0.0, 0.3].map { e in LawPoint(params: 1e6, tokens: 1e6, mixture: try Mixture(reasoningShare: r, visualShare: v), score: effect(r, v) + e) }
    }
}

@Test func aFitNotesWhetherItsFormHoldsTheReplicatedRuns() throws {
    var options = FitOptions()
    options.bootstrap = 8
    // A quadratic in the shares holds a quadratic's runs to their seed noise...
    let quadratic = try fitPoints(try replicatedShareRuns { r, v in 40 - 20 * (r - 0.5) * (r - 0.5) - 10 * (v - 0.2) * (v - 0.2) },
                                  category: "team_score", family: .family(.quadraticShares), options: options)
    let held = try #require(quadratic.law.lackOfFit)
    #expect(!held.rejectsTheForm && held.replicated == 10, "\(held)")
    #expect(quadratic.notes.contains { $0.hasPrefix("lack of fit: ") && !$0.contains("beyond their seed noise") })
    // ...and misses a law that saturates steeply near a share of zero by far more.
    let saturating = try fitPoints(try replicatedShareRuns { r, v in 30 + 10 * (1 - exp(-r / 0.05)) + 8 * (1 - exp(-v / 0.05)) },
                                   category: "team_score", family: .family(.quadraticShares), options: options)
    let missed = try #require(saturating.law.lackOfFit)
    #expect(missed.rejectsTheForm && missed.lackSD > 3 * missed.pureErrorSD, "\(missed)")
    #expect(saturating.notes.contains { $0.contains("the form misses these runs beyond their seed noise") })
    // The test travels with the stored law.
    let decoded = try JSONDecoder().decode(FittedLaw.self, from: JSONEncoder().encode(saturating.law))
    #expect(decoded.lackOfFit == missed)
}

@Test func recommendWarnsWhenALawOfTheObjectiveOrAConstraintMissesItsReplicatedRuns() throws {
    var options = FitOptions()
    options.bootstrap = 16
    func law(_ category: String, _ effect: (Double, Double) -> Double) throws -> FittedCategoryLaw {
        FittedCategoryLaw(try fitPoints(try replicatedShareRuns(effect), category: category, family: .family(.quadraticShares), options: options).law)
    }
    let quadratic = try law("team_score") { r, v in 40 - 20 * (r - 0.5) * (r - 0.5) - 10 * (v - 0.2) * (v - 0.2) }
    let saturating = try law("team_score") { r, v in 30 + 10 * (1 - exp(-r / 0.05)) + 8 * (1 - exp(-v / 0.05)) }
    let language = try law("language") { r, v in 30 + 10 * (1 - exp(-r / 0.05)) + 8 * (1 - exp(-v / 0.05)) }
    func recipe(_ laws: [any CategoryLaw], constraint: String? = nil) throws -> Recipe {
        let set = LawSet(source: "team", laws: Dictionary(uniqueKeysWithValues: laws.map { ($0.category, $0) }), defaultParams: 1e6, defaultTokens: 1e6)
        var req = RecommendationRequest(objective: try Objective.parse("team_score"), baseline: Mixture.preset("balanced")!, baselineName: "balanced")
        req.constraints = try constraint.map { [try ScoreConstraint.parse($0)] } ?? []
        req.candidates = 2000
        return try set.recommend(req)
    }
    let trusted = try recipe([quadratic])
    #expect(trusted.warnings.isEmpty, "\(trusted.warnings)")
    let missed = try recipe([saturating])
    #expect(missed.warnings.count == 1 && missed.warnings[0].hasPrefix("the law of team_score misses the means of its replicated runs beyond their seed noise"),
            "\(missed.warnings)")
    // A constraint's law moves the recipe as the objective's does.
    let constrained = try recipe([quadratic, language], constraint: "language>=0")
    #expect(constrained.warnings.count == 1 && constrained.warnings[0].hasPrefix("the law of language misses"), "\(constrained.warnings)")
}

@Test func aDesignFromALawThatMissesItsRunsSaysSo() throws {
    var options = FitOptions()
    options.bootstrap = 16
    let fit = try fitPoints(try replicatedShareRuns { r, v in 30 + 10 * (1 - exp(-r / 0.05)) + 8 * (1 - exp(-v / 0.05)) },
                            category: "team_score", family: .family(.quadraticShares), options: options)
    let laws = LawSet(source: "team", laws: ["team_score": FittedCategoryLaw(fit.law)], defaultParams: 1e6, defaultTokens: 1e6)
    var req = try designRequest(runs: 2)
    req.strategy = .spaceFilling
    let spaceFilling = try #require(try laws.designRuns(req).warnings)
    #expect(spaceFilling.count == 1 && spaceFilling[0].hasPrefix("the law of team_score misses"), "\(spaceFilling)")
    req.strategy = .regret
    let regret = try #require(try laws.designRuns(req).warnings)
    #expect(regret.count == 2 && regret[1].hasPrefix("the regret strategy places runs where the bootstrap refits disagree"), "\(regret)")
}
