import Fits
import Foundation
import Store
import Testing
@testable import Laws

/// On the paper's scaling figure, fitted on the four smaller sizes, the chosen
/// family predicts the largest size better than the additive Chinchilla form and the
/// per-budget log-linear baseline, in each category.
@Test(arguments: ["general", "knowledge", "ocr_chart"])
func chosenFamilyBeatsBaselinesAtTheLargestSize(category: String) throws {
    let (_, runs) = try importReference("paper-scaling.csv", source: "paper_scaling", mix: "web_crawl")
    var o = quickOptions(bootstrap: 0)
    o.holdOutLargest = true
    let r = try fitCategory(runs: runs, category: category, family: .auto, options: o)
    let cands = Dictionary(uniqueKeysWithValues: (r.selection?.candidates ?? []).map { ($0.family, $0) })
    let chosen = try #require(r.holdout?.mae)
    let chin = try #require(cands["chinchilla_additive"]?.holdoutMAE)
    let loglin = try #require(cands["loglinear_n"]?.holdoutMAE)
    print("\(category): chosen \(r.family) \(chosen)  chinchilla \(chin)  loglinear \(loglin)")
    #expect(r.holdout?.points == 8)
    #expect(chosen < chin)
    #expect(chosen < loglin)
    #expect(r.family != "loglinear_n" && r.family != "chinchilla_additive")
}
