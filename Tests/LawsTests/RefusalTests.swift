import Fits
import Foundation
import Store
import Testing
@testable import Laws

/// Bad input is refused with a message that says what is wrong.
@Test func refusesTooFewPointsNamingTheMinimum() throws {
    let pts = (1...5).map { LawPoint(params: Double($0) * 1e8, tokens: Double($0 % 3) * 1e9, score: Double($0)) }
    #expect(throws: LawError.tooFewPoints(family: "saturating_interaction", have: 5, need: 8)) {
        try fitPoints(pts, category: "x", family: .family(.saturatingInteraction), options: quickOptions(bootstrap: 0))
    }
    #expect(LawError.tooFewPoints(family: "saturating_interaction", have: 5, need: 8).description.contains("at least 8"))
}

@Test func refusesNonFiniteValues() throws {
    var pts = (1...10).map { LawPoint(params: Double($0) * 1e8, tokens: 0, score: Double($0)) }
    pts[3].score = .nan
    #expect(throws: LawError.self) { try fitPoints(pts, category: "x", family: .family(.power1D), options: quickOptions(bootstrap: 0)) }
    pts[3].score = 1; pts[4].params = .infinity
    do {
        _ = try fitPoints(pts, category: "x", family: .family(.power1D), options: quickOptions(bootstrap: 0))
        Issue.record("infinite input accepted")
    } catch let e as LawError { #expect(e.description.contains("NaN or infinite")) }
}

@Test func refusesUnknownCategoryListingKnownOnes() throws {
    let (_, runs) = try importReference("paper-scaling.csv", source: "paper_scaling", mix: "web_crawl")
    do {
        _ = try fitCategory(runs: runs, category: "genral", family: .auto, options: quickOptions(bootstrap: 0))
        Issue.record("unknown category accepted")
    } catch let e as LawError {
        #expect(e.description.contains("unknown category 'genral'"))
        #expect(e.description.contains("general, knowledge, ocr_chart"))
    }
}

@Test func refusesUnknownFamilyAndUnidentifiableData() throws {
    #expect(throws: LawError.self) { try LawFamilySelection.parse("cubic") }
    // Mixture laws need source weights that vary; the scaling data has one mixture.
    let (_, runs) = try importReference("paper-scaling.csv", source: "paper_scaling", mix: "web_crawl")
    do {
        _ = try fitCategory(runs: runs, category: "general", family: .family(.mixingExponential), options: quickOptions(bootstrap: 0))
        Issue.record("one-mixture data accepted by a mixture law")
    } catch let e as LawError { #expect(e.description.contains("mixtures")) }
    // 1-D power law needs x > 0: D = 0 checkpoints are named.
    let pts = [0.0, 1, 2, 3, 4, 5].map { LawPoint(params: 1e9, tokens: $0 * 1e9, score: $0) }
    do {
        _ = try fitPoints(pts, category: "x", family: .family(.power1D), options: quickOptions(bootstrap: 0))
        Issue.record("zero x accepted")
    } catch let e as LawError { #expect(e.description.contains("positive")) }
}

/// Non-convergence is reported, never a crash: scores of ±1e200 overflow every start, and
/// the fit is refused as not converged.
@Test func pathologicalDataIsRefusedAsNotConverged() throws {
    var pts: [LawPoint] = []
    for i in 0..<12 {
        let score: Double = i % 2 == 0 ? 1e200 : -1e200
        pts.append(LawPoint(params: 1e9 * Double(1 + i % 3), tokens: 1e9 * Double(i / 3), score: score))
    }
    // Every start overflows: the refusal names the family and says no start gave a finite fit.
    #expect(performing: { try fitPoints(pts, category: "x", family: .family(.chinchillaAdditive), options: quickOptions(bootstrap: 5)) },
            throws: { e in
                guard case let .notConverged(family, reason)? = e as? LawError else { return false }
                return family == "chinchilla_additive" && reason.contains("no start gave a finite fit")
            })
}
