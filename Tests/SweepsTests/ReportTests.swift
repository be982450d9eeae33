import Fits
import Foundation
import Laws
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

    /// The headline: of the lifts from the untrained model to the largest budget, the largest in
    /// seed SDs, stated with both numbers, drawn with its seed band, the chance level the runs
    /// recorded, and the fitted law over its points.
    @Test func headlineIsTheLargestPretrainingLiftAgainstItsSeedBand() throws {
        let dir = Scratch.directory("report-headline")
        let store = try ResultStore(path: dir.appendingPathComponent("t.sqlite").path)
        // vqa_avg at m: 27 ± 1 untrained, 37 ± 2 at 500K → +10 against a pooled SD of √2.5 = 1.58.
        // reasoning at m: 34 ± 4 → 40 ± 4, +6 against 4: a smaller lift in seed SDs. xs stays flat.
        let scores: [String: [Double: [[Double]]]] = [
            "m": [0: [[26, 30], [27, 34], [28, 38]], 250_000: [[32, 33], [33, 36], [34, 39]], 500_000: [[35, 36], [37, 40], [39, 44]]],
            "xs": [0: [[27, 30], [28, 31], [29, 32]], 250_000: [[27, 31], [28, 30], [29, 32]], 500_000: [[28, 30], [28, 31], [28, 32]]],
        ]
        var runs: [NewRun] = []
        for (size, params) in [("m", 205_248.0), ("xs", 20_560.0)] {
            for seed in 1...3 {
                let spec = RunSpec(size: size, mix: "balanced", tokens: 5e5, checkpoints: [0, 2.5e5, 5e5], seed: seed, encoder: "object")
                for (tokens, bySeed) in scores[size]! {
                    let v = bySeed[seed - 1]
                    // The blank-image control stays where the untrained model is.
                    runs.append(NewRun(name: spec.identifier, params: params, tokens: tokens, seed: seed, mixture: try spec.mixture,
                                       scores: ["vqa_avg": v[0], "reasoning": v[1], "blind_vqa_avg": 25 + Double(seed)],
                                       chance: ["vqa_avg": 27.5, "reasoning": 25]))
                }
            }
        }
        _ = try store.insertRuns(runs, label: "t", origin: "trainer")
        var options = FitOptions()
        options.bootstrap = 0
        options.randomStarts = 2
        _ = try SourceFits.fit(store: store, label: "t", categories: ["vqa_avg"], family: .family(.saturatingInteraction), options: options)
        let out = dir.appendingPathComponent("r")
        let md = try String(contentsOfFile: ReportWriter(store: store, label: "t").write(to: out.path), encoding: .utf8)
        #expect(md.contains("## What pre-training adds"), "\(md)")
        // Reasoning rises by 1.5 seed SDs and its bands overlap (6 − 4 − 4 = −2 points apart);
        // vqa_avg's stand 10 − 1 − 2 = 7 points apart: the headline.
        #expect(md.contains("Headline: at m (205K parameters), vqa_avg goes from 27.0 ± 1.0 with no pre-training to 37.0 ± 2.0 after 500K tokens of balanced "
                            + "(mean ± SD over 3 and 3 seeds): +10.0 points against a seed SD of 1.6 (6.3 seed SDs), and the two seed bands are 7.0 points apart; "
                            + "with the image blanked the same models score 27.0 ± 1.0 and 27.0 ± 1.0; chance is 27.5."), "\(md)")
        #expect(md.contains("| m (205K parameters) | balanced | reasoning | 34.0 ± 4.0 | 40.0 ± 4.0 | 500K | +6.0 | 4.0 | 1.5 | — | 25.0 |"), "\(md)")
        #expect(md.contains("| xs (20.6K parameters) | balanced | vqa_avg | 28.0 ± 1.0 | 28.0 ± 0.0 | 500K | +0.0 |"), "\(md)")
        #expect(try ReportWriter(store: store, label: "t").headline()?.category == "vqa_avg")
        let svg = try String(contentsOf: out.appendingPathComponent("headline-vqa_avg.svg"), encoding: .utf8)
        // Both sizes' bands, the chance the runs recorded, the fitted law dashed over each size.
        #expect(svg.components(separatedBy: "<polygon class=\"band\"").count - 1 == 2)
        #expect(svg.contains(">chance (27.5%)</text>") && svg.contains("vqa_avg (% accuracy)") && svg.contains("pre-training tokens"))
        #expect(svg.components(separatedBy: "stroke-dasharray=\"6,3\"").count - 1 == 2)
        #expect(svg.contains("saturating_interaction") && svg.contains("shaded: mean ± SD over 3"))
        // The scaling curves carry the same marks.
        let scaling = try String(contentsOf: out.appendingPathComponent("scaling-reasoning-balanced.svg"), encoding: .utf8)
        #expect(scaling.contains(">chance (25.0%)</text>") && scaling.contains("<polygon class=\"band\""))
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
