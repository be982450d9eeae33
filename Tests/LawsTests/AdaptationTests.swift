import Fits
import Foundation
import Testing
import Store
import VisionMixCore
@testable import Laws

/// The standard sweep stores its xl reasoning line twice: adapted as everywhere else, and with
/// the LM frozen. Laws are fitted to one adaptation; the frozen runs must not pull them.
@Test func lawsFitTheRunsOfOneAdaptation() throws {
    #expect(Adaptations.of(runName: "xl|balanced|1M|seed 1|object|1M") == "standard")
    #expect(Adaptations.of(runName: "xl|balanced|1M|seed 1|object|1M|precise") == "standard")
    #expect(Adaptations.of(runName: "xl|balanced|1M|seed 1|object|1M|frozen-lm") == "frozen-lm")
    #expect(Adaptations.of(runName: nil) == "standard")

    let (store, runs) = try importReference("paper-scaling.csv", source: "p", mix: "web_crawl")
    func fit(_ label: String) throws -> FitResult {
        try #require(try SourceFits.fit(store: store, label: label, categories: ["knowledge"], family: .family(.chinchillaAdditive),
                                        options: quickOptions(bootstrap: 0), save: false).fits.first)
    }
    let alone = try fit("p")
    // As many runs again, named as frozen-LM runs and ten points lower: pooled, they would pull
    // the law down by five. On a tie of counts the standard adaptation is the one fitted.
    let frozen = runs.enumerated().map { i, r in
        NewRun(name: "xl|web_crawl|1M|seed \(i)|object|1M|frozen-lm", params: r.params, tokens: r.tokens, seed: i,
               mixture: r.mixture, scores: r.scores.mapValues { $0 - 10 })
    }
    try store.insertRuns(frozen, label: "p", origin: "trainer")
    let mixed = try fit("p")
    #expect(mixed.train.rmse == alone.train.rmse)
    #expect(mixed.law.predict(params: 1e9, tokens: 2e10) == alone.law.predict(params: 1e9, tokens: 2e10))
    let left = Adaptations.fitted(try store.runs(RunFilter(source: "p"))).leftOut
    #expect(left.count == 1 && left.first?.adaptation == "frozen-lm" && left.first?.count == runs.count)
    // A source of frozen-LM runs alone is fitted on them.
    try store.insertRuns(frozen, label: "q", origin: "trainer")
    let own = try fit("q")
    #expect(abs(own.law.predict(params: 1e9, tokens: 2e10) - (alone.law.predict(params: 1e9, tokens: 2e10) - 10)) < 0.5)
}
