// Adapt a copy of a pre-trained LM and score it: the per-checkpoint step of a run, shared by the
// sweep pipeline (Sweeps/RunPipeline.swift) and `visionmix evaluate`.
import Foundation
import World

/// The World mixture sampler is the pre-training stream of every real run.
extension MixtureSampler: TokenStream {}

public struct CheckpointScores: Sendable {
    /// Final scores (after the full instruction-tuning budget), language scores of the
    /// pre-trained LM, and `<metric>_curve` means over the adaptation curve.
    public var scores: Scores
    /// Scores at each curve point (instruction-tuning step → vision and text scores).
    public var curve: [(step: Int, scores: Scores)]
    /// Accuracy (%) of each question family after the full instruction-tuning budget.
    public var families: [QuestionFamily: Double]
    public var alignSeconds: Double, instructSeconds: Double, evalSeconds: Double
}

public enum VisionPipeline {
    /// Scores of an LM with parameters `weights` (shape `config`), adapted with `encoder`.
    /// - language scores (ppl, text_acc, text_reasoning) come from `languageModel`, the
    ///   pre-trained LM itself (what the mixture keeps of language), before adaptation;
    /// - vision scores come from the adapted copy at each curve point; blind scores at the end;
    /// - `<metric>_curve` is the mean over the curve points of each vision metric, and of the
    ///   text probes measured on the adapting model (how much instruction tuning costs them).
    public static func adaptAndEvaluate(languageModel: Model, encoder: VisionEncoder, data: AdaptationData,
                                        adaptation: AdaptationConfig, evaluation: EvaluationConfig,
                                        lmLearningRate: Float, seed: UInt64,
                                        progress: ((AdaptationProgress) -> Void)? = nil) throws -> CheckpointScores {
        let evalSet = VisionEvalSet.shared(encoder: encoder, config: evaluation)
        let language = LanguageEvalSet.shared(config: evaluation)
        var t = Date()
        var evalSeconds = 0.0
        var scores = language.score(languageModel)
        evalSeconds += Date().timeIntervalSince(t)
        let vm = try VisualModel(config: languageModel.config, weights: languageModel.params, encoder: encoder,
                                 adaptation: adaptation, maxBatch: max(adaptation.instructBatch, adaptation.alignBatch, 64), seed: seed)
        t = Date()
        Adaptation.align(vm, data: data, config: adaptation, progress: progress)
        let alignSeconds = Date().timeIntervalSince(t)
        var curve: [(Int, Scores)] = []
        var families: [QuestionFamily: Double] = [:]
        t = Date()
        var inEval = 0.0
        Adaptation.instruct(vm, data: data, config: adaptation, lmLearningRate: lmLearningRate, progress: progress) { step in
            let e = Date()
            var s: Scores
            (s, families) = evalSet.scoreByFamily(vm)
            s.merge(language.multipleChoice(vm.model))
            curve.append((step, s))
            inEval += Date().timeIntervalSince(e)
        }
        let instructSeconds = Date().timeIntervalSince(t) - inEval
        t = Date()
        guard let final = curve.last?.1 else { throw TrainerError.invalidConfig("the adaptation curve is empty") }
        for (k, v) in final.values where !k.hasPrefix("text_") { scores.values[k] = v; scores.chance[k] = final.chance[k] }
        scores.merge(evalSet.score(vm, blind: true))
        for k in final.values.keys {
            scores.values[k + "_curve"] = curve.map { $0.1.values[k]! }.reduce(0, +) / Double(curve.count)
            scores.chance[k + "_curve"] = final.chance[k]
        }
        evalSeconds += inEval + Date().timeIntervalSince(t)
        return CheckpointScores(scores: scores, curve: curve, families: families, alignSeconds: alignSeconds, instructSeconds: instructSeconds, evalSeconds: evalSeconds)
    }
}
