import Foundation
import TestScratch
import Store
import Testing
@testable import Sweeps
import VisionMixCore

@Suite struct ReportTests {
    /// The report's verdict on whether a size's mixtures are told apart from seed noise: the
    /// spread of the mixtures' means against the pooled seed SD, with runs scored another way
    /// (here the `precise` profile) in a row of their own rather than pooled as seeds, and a
    /// one-way ANOVA over the mixtures.
    @Test func mixturesAgainstSeedNoisePerSizeAndScoring() throws {
        let dir = Scratch.directory("report")
        let store = try ResultStore(path: dir.appendingPathComponent("t.sqlite").path)
        func run(_ mix: String, _ seed: Int, _ reasoning: Double, profile: String = "standard") throws -> NewRun {
            let spec = RunSpec(size: "xl", mix: mix, tokens: 1e6, checkpoints: [1e6], seed: seed, encoder: "object", profile: profile)
            return NewRun(name: spec.identifier, params: 1.37e6, tokens: 1e6, seed: seed, mixture: try spec.mixture,
                          scores: ["reasoning": reasoning])
        }
        // Standard: means 41 and 45, seed SDs √2 and √8 → pooled √5, ratio 4/√5 = 1.8.
        // Precise: the same mixtures on other questions, means 40 and 46, seed SD √2 → 6/√2 = 4.2.
        _ = try store.insertRuns([
            try run("web_crawl", 1, 40), try run("web_crawl", 2, 42), try run("balanced", 1, 43), try run("balanced", 2, 47),
            try run("web_crawl", 1, 39, profile: "precise"), try run("web_crawl", 2, 41, profile: "precise"),
            try run("balanced", 1, 45, profile: "precise"), try run("balanced", 2, 47, profile: "precise"),
        ], label: "t", origin: "trainer")
        let md = try String(contentsOfFile: ReportWriter(store: store, label: "t").write(to: dir.appendingPathComponent("r").path), encoding: .utf8)
        #expect(md.contains("## Mixtures against seed noise"))
        // ANOVA: between 16 on 1 df against within 10 on 2 → F = 3.2; precise 36 against 4 → F = 18
        // (p from scipy.stats.f.sf).
        #expect(md.contains("| 1.37M | object | 1M | 2 | reasoning | 4.0 | 2.24 | 1.8 | F(1, 2) = 3.2, p = 0.22 |"), "\(md)")
        #expect(md.contains("| 1.37M | object · precise | 1M | 2 | reasoning | 6.0 | 1.41 | 4.2 | F(1, 2) = 18.0, p = 0.051 |"), "\(md)")

        // Runs adapted with the LM frozen get their row here, and stay out of the curves: the
        // seed-noise table's spread of means is still that of the standard adaptation (46 − 40).
        _ = try store.insertRuns([
            try run("web_crawl", 1, 20, profile: "frozen-lm"), try run("web_crawl", 2, 22, profile: "frozen-lm"),
            try run("balanced", 1, 30, profile: "frozen-lm"), try run("balanced", 2, 32, profile: "frozen-lm"),
        ], label: "t", origin: "trainer")
        let withFrozen = try String(contentsOfFile: ReportWriter(store: store, label: "t").write(to: dir.appendingPathComponent("r2").path), encoding: .utf8)
        #expect(withFrozen.contains("| 1.37M | object · frozen-lm | 1M | 2 | reasoning | 10.0 | 1.41 | 7.1 |"), "\(withFrozen)")
        #expect(withFrozen.contains("4 of them were adapted under 'frozen-lm'"), "\(withFrozen)")
        #expect(withFrozen.contains("| reasoning | 4 | 1.77 | 6.00 |"), "\(withFrozen)")
    }

    @Test func scoringIsReadFromARunsIdentifier() {
        let standard = RunSpec(size: "xs", mix: "balanced", tokens: 1e5, checkpoints: [1e5], seed: 1, encoder: "patch")
        var precise = standard
        precise.profile = "precise"
        #expect(RunName(standard.identifier)?.scoring == "patch")
        #expect(RunName(precise.identifier)?.scoring == "patch · precise")
        #expect(RunName("an imported row") == nil && RunName(nil) == nil)
        // The name a sweep has always written, read back field by field.
        let name = RunName("xl|reasoning=25,visual=15|1M|seed 3|object|1M|frozen-lm")
        #expect(name == RunName(size: "xl", mix: "reasoning=25,visual=15", tokens: "1M", seed: 3, encoder: "object",
                                checkpoints: "1M", profile: "frozen-lm"))
        #expect(name?.text == "xl|reasoning=25,visual=15|1M|seed 3|object|1M|frozen-lm")
        #expect(RunName("xs|balanced|1M|seed 1|object|0,250K,500K,1M")?.profile == "standard")
        #expect(standard.identifier == "xs|balanced|100K|seed 1|patch|100K")
    }
}
