// The run pipeline on a tiny budget: one NewRun per checkpoint with every catalogue metric and
// its chance, deterministic for a seed and thread count.
import Testing
import Foundation
import Sweeps
import Store
import Trainer
import VisionMixCore
import World

@Suite struct RunPipelineTests {
    static func tiny() -> RunSettings {
        var s = RunSettings()
        s.adaptation.alignSteps = 2; s.adaptation.alignBatch = 4
        s.adaptation.instructSteps = 4; s.adaptation.instructBatch = 4
        s.adaptation.projectorHidden = 8
        s.evaluation.perFamily = 1; s.evaluation.textPerKind = 2; s.adaptation.curveFractions = [0.5, 1]; s.evaluation.pplTokensPerSource = 200
        return s
    }

    @Test func tinyRunIsCompleteAndDeterministic() throws {
        let spec = RunSpec(size: "xs", mix: "balanced", tokens: 4096, checkpoints: [0, 2048, 4096], seed: 3, encoder: "object")
        var phases = Set<String>()
        let a = try executeRun(spec, threads: 1, settings: Self.tiny()) { phases.insert($0.phase) }
        let b = try executeRun(spec, threads: 1, settings: Self.tiny()) { _ in }
        #expect(a.count == 3)
        #expect(a.map(\.tokens) == [0, 2048, 4096])
        #expect(phases.isSuperset(of: ["pretrain", "align", "instruct", "done"]))
        for (x, y) in zip(a, b) { #expect(x.scores == y.scores) }
        let names = MetricCatalogue.standard.map(\.name)
        for r in a {
            for n in names { #expect(r.scores[n] != nil, "missing \(n)") }
            for n in names where n != "ppl" { #expect(r.chance[n] != nil, "no chance for \(n)") }
            #expect(r.attributes == ["size": "xs", "encoder": "object"])
            #expect(r.provenance["world_version"] != nil && r.provenance["hyperparameters"] != nil)
            // Every family's accuracy, so a group's score can be traced to its families.
            guard case .object(let families)? = r.provenance["family_accuracy"] else { Issue.record("no family_accuracy"); continue }
            #expect(Set(families.keys) == Set(QuestionFamily.allCases.map(\.rawValue)))
            for case .number(let v) in families.values { #expect(v >= 0 && v <= 100) }
        }
        #expect(abs(a[0].chance["vqa_avg"]! - 26.0) < 3)
    }

    /// Runs that differ only in their adaptation share one pre-trained LM, and each gets the rows
    /// it gets alone: the same LM at every checkpoint, adapted from a clean copy each time.
    @Test func runsSharingAPretrainingScoreAsTheyDoAlone() throws {
        let a = RunSpec(size: "xs", mix: "balanced", tokens: 4096, checkpoints: [0, 4096], seed: 2, encoder: "object")
        var b = a
        b.profile = "frozen"
        b.encoder = "patch"
        var frozen = Self.tiny()
        frozen.adaptation.lmLearningRateScale = 0
        frozen.evaluation.reasoningMultiplier = 2
        let shared = try executeRuns([(a, Self.tiny()), (b, frozen)], threads: 1) { _ in }
        let aloneA = try executeRun(a, threads: 1, settings: Self.tiny()) { _ in }
        let aloneB = try executeRun(b, threads: 1, settings: frozen) { _ in }
        #expect(shared.count == 2 && shared[0].count == 2 && shared[1].count == 2)
        for (x, y) in zip(shared[0], aloneA) { #expect(x.scores == y.scores && x.tokens == y.tokens) }
        for (x, y) in zip(shared[1], aloneB) { #expect(x.scores == y.scores && x.tokens == y.tokens) }
        #expect(shared[0].map { $0.scores["vqa_avg"] } != shared[1].map { $0.scores["vqa_avg"] }, "the two adaptations differ")
        #expect(shared[1][0].attributes["encoder"] == "patch")
        #expect(shared[0][1].provenance["pretraining_shared_by"] == .array([.string("standard"), .string("frozen")]))
        var other = b
        other.seed = 3
        #expect(throws: SweepError.self) { try executeRuns([(a, Self.tiny()), (other, frozen)], threads: 1) { _ in } }
    }

    @Test func patchEncoderRuns() throws {
        let spec = RunSpec(size: "xs", mix: "code=100", tokens: 2048, checkpoints: [2048], seed: 1, encoder: "patch")
        let r = try executeRun(spec, threads: 1, settings: Self.tiny()) { _ in }
        #expect(r.count == 1 && r[0].scores["vqa_avg"] != nil)
    }
}
