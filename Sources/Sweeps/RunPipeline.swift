// One run of a sweep, end to end: pre-train one LM on the World mixture, and at every checkpoint
// budget (0 included) adapt a copy to vision, evaluate it, and describe the result as a NewRun.
// Deterministic for a given seed and thread count (every stream and initialisation is seeded,
// and the trainer's parallel loops use fixed chunks).
import Foundation
import Store
import Trainer
import VisionMixCore
import World

/// Progress of one run, for progress bars.
public struct RunEvent: Sendable {
    /// "pretrain", "align", "instruct", "evaluate" or "done".
    public var phase: String
    /// The checkpoint budget being adapted (nil while pre-training).
    public var checkpoint: Double?
    /// Fraction of the whole run done (0–1), estimated from the work each phase has left.
    public var fraction: Double
    /// Training tokens per second of the current phase (0 while evaluating).
    public var tokensPerSecond: Double
    /// Loss of the current training step, if any.
    public var loss: Float?
}

/// Fixed settings of the pipeline, recorded with every run.
public struct RunSettings: Sendable {
    public var adaptation = AdaptationConfig()
    public var evaluation = EvaluationConfig()
    public init() {}

    /// The standard pre-training budget (tokens), the same for every size so budgets line up.
    /// Measured on this 2-core machine under load (docs/vision.md): a run with five checkpoints
    /// costs about a minute at xs/s and several minutes at xl.
    public static func standardTokens(size: String) -> Double { 1_000_000 }
}

/// The git commit of the working directory, if it is a repository.
func gitCommit() -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "rev-parse", "HEAD"]
    let out = Pipe()
    p.standardOutput = out; p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return nil }
    let s = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return s.isEmpty ? nil : s
}

public func executeRun(_ spec: RunSpec, threads: Int, progress: (RunEvent) -> Void) throws -> [NewRun] {
    try executeRun(spec, threads: threads, settings: RunSettings(), progress: progress)
}

public func executeRun(_ spec: RunSpec, threads: Int, settings: RunSettings, progress: (RunEvent) -> Void) throws -> [NewRun] {
    try executeRuns([(spec, settings)], threads: threads, progress: progress)[0]
}

/// Runs that differ only in how they are adapted and scored share one pre-training: pre-training
/// reads neither the profile nor the encoder, so the LM is trained once and each checkpoint is
/// adapted once per run. Every run's rows are those `executeRun` gives it alone, to the bit
/// (a test checks it). One array of rows per run, in the order given.
/// With `state`, what the runs finish is saved at each pre-training checkpoint and a saved
/// state is continued from (`PipelineState`).
public func executeRuns(_ runs: [(spec: RunSpec, settings: RunSettings)], threads: Int, state: PipelineState? = nil,
                        progress: (RunEvent) -> Void) throws -> [[NewRun]] {
    guard let first = runs.first?.spec else { return [] }
    for r in runs where r.spec.pretrainingKey != first.pretrainingKey {
        throw SweepError.bad("runs \(first.summary) and \(r.spec.summary) do not share a pre-training")
    }
    // The trainer's and the adaptation's callbacks are optional closures (formally escaping);
    // none outlives this call.
    return try withoutActuallyEscaping(progress) { try runPipeline(runs, threads: threads, state: state, progress: $0) }
}

/// One run's adaptation: what its checkpoints are adapted and scored with, and its rows so far.
private final class AdaptedRun {
    let encoder: VisionEncoder
    let adapt: AdaptationConfig
    let evaluation: EvaluationConfig
    let data: AdaptationData
    let lmRate: Float
    /// Token-equivalents of one checkpoint's adaptation, for the progress fraction.
    let work: Double
    var rows: [NewRun] = []

    init(spec: RunSpec, settings: RunSettings, size: ModelSize) throws {
        guard let encoder = VisionEncoders.named(spec.encoder) else {
            throw SweepError.bad("unknown encoder '\(spec.encoder)' (encoders: \(VisionEncoders.names.joined(separator: ", ")))")
        }
        self.encoder = encoder
        adapt = settings.adaptation
        evaluation = settings.evaluation
        // Everything a checkpoint's adaptation reads is made once per run.
        data = AdaptationData(encoder: encoder, config: adapt, seed: UInt64(spec.seed))
        _ = VisionEvalSet.shared(encoder: encoder, config: evaluation)
        lmRate = size.learningRate * adapt.lmLearningRateScale
        work = Double(adapt.alignSteps * adapt.alignBatch + adapt.instructSteps * adapt.instructBatch) * 40 * 1.5
    }
}

private func runPipeline(_ members: [(spec: RunSpec, settings: RunSettings)], threads: Int, state: PipelineState?,
                         progress: @escaping (RunEvent) -> Void) throws -> [[NewRun]] {
    let spec = members[0].spec
    guard let size = ModelSize.named(spec.size) else {
        throw SweepError.bad("unknown size '\(spec.size)' (sizes: \(ModelSize.all.map(\.name).joined(separator: ", ")))")
    }
    let adapted = try members.map { try AdaptedRun(spec: $0.spec, settings: $0.settings, size: size) }
    let mixture = try spec.mixture
    let started = Date()
    let seed = UInt64(spec.seed)
    let modelConfig = size.config(vocabularySize: Tokenizer.shared.vocabularySize)
    var train = TrainConfig(batch: size.batch, tokens: Int(spec.tokens), learningRate: size.learningRate, seed: seed, threads: threads)
    let budgets = Array(Set(spec.checkpoints + [spec.tokens])).sorted()
    train.evalAtTokens = budgets.filter { $0 > 0 }.map { Int($0) }
    train.evalBatches = 1
    let trainer = try Trainer(model: modelConfig, training: train)

    // Work estimate, in token-equivalents, for the overall fraction.
    let totalWork = spec.tokens + Double(budgets.count) * adapted.reduce(0) { $0 + $1.work }
    var doneWork = 0.0

    _ = LanguageEvalSet.shared(config: members[0].settings.evaluation)
    var validationStream = MixtureSampler(mixture: mixture, seed: seed ^ 0x7A11_DA7E)
    let validation = validationStream.nextTokens(trainer.validationTokenCount(batches: 1))

    var pending = budgets
    let saved = try state?.load(members: adapted.count, mixture: mixture)
    if let saved {
        for (run, rows) in zip(adapted, saved.rows) { run.rows = rows }
        pending.removeAll { b in saved.rows[0].contains { $0.tokens == b } }
    }
    var pretrainSeconds = 0.0
    let commit = gitCommit()
    // Recorded with every row: the profiles whose adaptations this one LM fed.
    let sharedWith = members.count > 1 ? members.map { $0.spec.profile } : []

    func adaptCheckpoint(_ model: Model, tokensTrained: Int, validationLoss: Float?) throws {
        let due = pending.filter { $0 <= Double(tokensTrained) }
        guard !due.isEmpty else { return }
        pending.removeAll { $0 <= Double(tokensTrained) }
        for run in adapted { try adaptCheckpoint(model, run: run, due: due, tokensTrained: tokensTrained, validationLoss: validationLoss) }
    }

    func adaptCheckpoint(_ model: Model, run: AdaptedRun, due: [Double], tokensTrained: Int, validationLoss: Float?) throws {
        let adapt = run.adapt, evalConfig = run.evaluation
        let t0 = Date()
        let base = doneWork
        let result = try VisionPipeline.adaptAndEvaluate(
            languageModel: model, encoder: run.encoder, data: run.data, adaptation: adapt, evaluation: evalConfig,
            lmLearningRate: run.lmRate, seed: seed &+ 0xADA7) { p in
                let stepWork = p.stage == "align" ? Double(p.step * adapt.alignBatch) : Double(adapt.alignSteps * adapt.alignBatch + p.step * adapt.instructBatch)
                progress(RunEvent(phase: p.stage, checkpoint: due.last, fraction: min(1, (base + stepWork * 60) / totalWork),
                                  tokensPerSecond: p.tokensPerSecond, loss: p.loss))
            }
        doneWork = base + run.work
        let seconds = Date().timeIntervalSince(t0)
        let lmRate = run.lmRate
        for budget in due {
            var hyper: [String: JSONValue] = [
                "batch": .number(Double(train.batch)), "learning_rate": .number(Double(train.learningRate)),
                "total_tokens": .number(spec.tokens), "align_steps": .number(Double(adapt.alignSteps)),
                "align_batch": .number(Double(adapt.alignBatch)), "align_learning_rate": .number(Double(adapt.alignLearningRate)),
                "instruct_steps": .number(Double(adapt.instructSteps)), "instruct_batch": .number(Double(adapt.instructBatch)),
                "projector_learning_rate": .number(Double(adapt.projectorLearningRate)),
                "lm_instruct_learning_rate": .number(Double(lmRate)), "projector_hidden": .number(Double(adapt.projectorHidden)),
                "adaptation_context": .number(Double(adapt.context)),
                "curve_steps": .array(adapt.curveSteps.map { .number(Double($0)) }),
                "zero_shot_families": .array(adapt.zeroShotFamilies.map { .string($0.rawValue) }),
                "eval_per_family": .number(Double(evalConfig.perFamily)),
                "eval_knowledge_multiplier": .number(Double(evalConfig.knowledgeMultiplier)),
                "eval_reasoning_multiplier": .number(Double(evalConfig.reasoningMultiplier)), "text_per_kind": .number(Double(evalConfig.textPerKind)),
                "ppl_tokens_per_source": .number(Double(evalConfig.pplTokensPerSource)),
                "layers": .number(Double(modelConfig.layers)), "width": .number(Double(modelConfig.width)),
                "heads": .number(Double(modelConfig.heads)), "context": .number(Double(modelConfig.context)),
                "vocabulary": .number(Double(modelConfig.vocabularySize)),
            ]
            if let v = validationLoss { hyper["validation_loss"] = .number(Double(v)) }
            var prov: [String: JSONValue] = [
                "world_version": .string(WorldVersion.current), "hyperparameters": .object(hyper),
                "tokens_trained": .number(Double(tokensTrained)), "threads": .number(Double(threads)),
                "wall_seconds": .object(["pretrain_so_far": .number(pretrainSeconds), "align": .number(result.alignSeconds),
                                         "instruct": .number(result.instructSeconds), "evaluate": .number(result.evalSeconds),
                                         "checkpoint_total": .number(seconds)]),
                "curve": .array(result.curve.map { pt in .object(["step": .number(Double(pt.step)),
                                                                  "vqa_avg": .number(pt.scores.values["vqa_avg"] ?? .nan)]) }),
                "family_accuracy": .object(Dictionary(uniqueKeysWithValues: result.families.map { ($0.key.rawValue, .number($0.value)) })),
                "pipeline": .string("vision-1"),
            ]
            if let commit { prov["git_commit"] = .string(commit) }
            if !sharedWith.isEmpty { prov["pretraining_shared_by"] = .array(sharedWith.map { .string($0) }) }
            run.rows.append(NewRun(params: Double(model.parameterCount), tokens: budget, seed: spec.seed, mixture: mixture,
                               scores: result.scores.values, chance: result.scores.chance,
                               attributes: ["size": size.name, "encoder": run.encoder.name], provenance: prov,
                               startedAt: started, finishedAt: Date(), durationSeconds: Date().timeIntervalSince(started)))
        }
    }

    if budgets.first == 0 { try adaptCheckpoint(trainer.model, tokensTrained: 0, validationLoss: nil) }
    let stream = MixtureSampler(mixture: mixture, seed: seed)
    var lastPretrain = Date()
    // SIGTERM stops training at the end of a step, with the state saved beside the rows so far.
    let stopIfAsked: (Int) throws -> Void = { step in
        guard StopRequest.isRequested, step + 1 < trainer.steps, let state else { return }
        try state.save(trainer.state(nextStep: step + 1), rows: adapted.map(\.rows))
        throw SweepError.bad("stopped by SIGTERM after step \(step + 1) of \(trainer.steps); the next task continues from \(state.directory.path)")
    }
    _ = try trainer.run(stream: stream, validation: validation, resumingFrom: saved?.training, afterStep: stopIfAsked, progress: { p in
        pretrainSeconds += Date().timeIntervalSince(lastPretrain); lastPretrain = Date()
        if p.step % 4 == 0 || p.step == p.steps {
            progress(RunEvent(phase: "pretrain", checkpoint: nil, fraction: min(1, (doneWork + Double(p.tokens)) / totalWork),
                              tokensPerSecond: p.tokensPerSecond, loss: p.loss))
        }
    }) { e, model in
        try adaptCheckpoint(model, tokensTrained: e.tokens, validationLoss: e.validationLoss)
        lastPretrain = Date()   // adaptation time is not pre-training time
        // Each finished checkpoint is kept, so even a task killed outright loses only the steps since.
        try state?.save(trainer.state(nextStep: e.step + 1), rows: adapted.map(\.rows))
    }
    progress(RunEvent(phase: "done", checkpoint: nil, fraction: 1, tokensPerSecond: 0, loss: nil))
    return adapted.map(\.rows)
}
