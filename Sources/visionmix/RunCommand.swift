import ArgumentParser
import Foundation
import Store
import Sweeps
import Trainer
import VisionMixCore
import World

/// Key metrics shown in the score tables (every catalogue metric is stored).
let keyMetrics = ["general", "knowledge", "ocr_chart", "vision_centric", "vqa_avg", "vqa_avg_curve", "blind_vqa_avg",
                  "perception", "reasoning", "text_acc", "text_reasoning", "ppl"]

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pre-train, adapt and evaluate one run end to end, and store its scores.",
        discussion: """
            Pre-trains one LM of --size on --mix (World text) for --tokens, and at every --checkpoints budget \
            (0 included) adapts a copy to vision (alignment on captions, then visual instruction tuning) and \
            scores it on held-out scenes. One stored run per checkpoint, all in one transaction under --source. \
            Progress goes to stderr; the score table (or --json) to stdout. Same seed and --threads give the \
            same scores.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Model size name (xs, s, m, l, xl).") var size: String
    @Option(help: "Mixture: a preset, source=weight list or reasoning=..,visual=.. shares.") var mix = "balanced"
    @Option(help: "Pre-training tokens (e.g. 2M; default: the size's standard budget).") var tokens: String?
    @Option(help: "Comma-separated checkpoint budgets (default: 0 and a quarter, half and all of --tokens).") var checkpoints: String?
    @Option(help: "Random seed.") var seed = 1
    @Option(help: "Vision encoder: \(VisionEncoders.names.joined(separator: ", ")).") var encoder = VisionEncoders.defaultName
    @Option(help: "Label the results are stored under.") var source = "calibration"
    @Option(help: "Threads.") var threads = 2
    @Flag(help: "Do not store the results.") var dryRun = false
    @Flag(help: "Print JSON.") var json = false
    // Adaptation knobs, for studies of the pipeline itself (they are recorded with every run).
    @OptionGroup var budgets: AdaptationBudgetOptions

    func run() throws {
        let settings = budgets.settings
        guard ModelSize.named(size) != nil else { throw UserError("unknown size '\(size)'; sizes are " + ModelSize.all.map(\.name).joined(separator: ", ")) }
        guard VisionEncoders.named(encoder) != nil else { throw UserError("unknown encoder '\(encoder)'; encoders are " + VisionEncoders.names.joined(separator: ", ")) }
        guard MetricCatalogue.isValidName(source) else { throw UserError("--source must be a plain label (letters, digits, _)") }
        try Checks.threads(threads)
        // The range a sweep spec's seeds are held to, so a run stored here could be a sweep's.
        try Checks.within(seed, 0...Int(Int32.max), option: "--seed")
        do { _ = try MixtureSpec.parse(mix) } catch { throw UserError("--mix: \(error)") }
        let total: Double
        if let tokens {
            total = try Checks.runTokens(tokens)
        } else { total = RunSettings.standardTokens(size: size.lowercased()) }
        var budgets = [0, total / 4, total / 2, total]
        if let checkpoints {
            budgets = try checkpoints.split(separator: ",").map {
                guard let x = Quantity.parse(String($0)), x >= 0, x <= total else { throw UserError("--checkpoints: '\($0)' is not a budget in 0…\(Quantity.format(total))") }
                return x
            }
        }
        let spec = RunSpec(size: size.lowercased(), mix: mix, tokens: total, checkpoints: budgets, seed: seed, encoder: encoder)
        let store = dryRun ? nil : try global.openStore()
        if !json { note("run \(spec.summary) · encoder \(encoder) · \(threads) thread(s)") }
        let bar = ProgressBar(total: 1, label: "run")
        let t0 = Date()
        var runs: [NewRun]
        do { runs = try executeRun(spec, threads: threads, settings: settings) { e in
            let at = e.checkpoint.map { " @" + Quantity.format($0) } ?? ""
            bar.update(e.fraction, detail: String(format: "%@%@ · %.0f tok/s", e.phase, at, e.tokensPerSecond)
                       + (e.loss.map { String(format: " · loss %.3f", $0) } ?? ""), force: e.phase == "done")
        } } catch let e as SweepError { throw UserError(e.description) }
        bar.finish()
        // The same identity a sweep gives the run: exports say what it was, and a sweep with
        // this run in its spec finds it stored.
        let standard = RunSettings()
        let custom = settings.adaptation != standard.adaptation || settings.evaluation != standard.evaluation
        for i in runs.indices { runs[i].name = spec.identifier + (custom ? "|custom budgets" : "") }
        if let store {
            let out = try store.insertRuns(runs, label: source, origin: "trainer")
            if !json { note("stored \(out.inserted.count) run(s) under '\(source)' in \(global.databasePath)" + (out.skipped > 0 ? " (\(out.skipped) already present)" : "")) }
        }
        try printScores(runs, json: json, seconds: Date().timeIntervalSince(t0))
    }
}

func printScores(_ runs: [NewRun], json: Bool, seconds: Double) throws {
    if json {
        struct Row: Encodable {
            let tokens: Double; let params: Double; let seed: Int?; let scores: [String: Double]; let chance: [String: Double]
            let wall_seconds: JSONValue?
        }
        struct Out: Encodable { let runs: [Row]; let seconds: Double }
        try printJSON(Out(runs: runs.map { Row(tokens: $0.tokens, params: $0.params, seed: $0.seed, scores: $0.scores, chance: $0.chance,
                                               wall_seconds: $0.provenance["wall_seconds"]) }, seconds: seconds))
        return
    }
    var t = TextTable(["tokens"] + keyMetrics)
    for r in runs { t.add([Quantity.format(r.tokens)] + keyMetrics.map { r.scores[$0].map { fmt($0, 1) } ?? "" }) }
    if let c = runs.first?.chance { t.add(["chance"] + keyMetrics.map { c[$0].map { fmt($0, 1) } ?? "" }) }
    print(t.render())
    print(String(format: "%.1f s", seconds))
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a saved LM checkpoint on the vision and language sets.",
        discussion: """
            A raw LM cannot read images, so the checkpoint is first adapted exactly as in a run (alignment of a \
            fresh projector on captions, then visual instruction tuning of projector and LM); the file itself \
            is not changed. Language scores (ppl, text_acc, text_reasoning) are of the LM as saved.
            """
    )
    @Option(help: "A checkpoint written by `visionmix train --checkpoint-dir`.") var weights: String
    @Option(help: "Vision encoder: \(VisionEncoders.names.joined(separator: ", ")).") var encoder = VisionEncoders.defaultName
    @Option(help: "Seed of the adaptation.") var seed = 1
    @Option(help: "Threads.") var threads = 2
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var budgets: AdaptationBudgetOptions

    func run() throws {
        guard let enc = VisionEncoders.named(encoder) else { throw UserError("unknown encoder '\(encoder)'; encoders are " + VisionEncoders.names.joined(separator: ", ")) }
        let ck: Checkpoint
        do { ck = try Checkpoint.read(from: weights) } catch { throw UserError("\(weights): \(error)") }
        guard ck.config.vocabularySize == Tokenizer.shared.vocabularySize else {
            throw UserError("\(weights) has vocabulary \(ck.config.vocabularySize), not the World vocabulary \(Tokenizer.shared.vocabularySize)")
        }
        setThreads(threads)
        let model = try Model(checkpoint: ck, maxBatch: 16)
        let lr = ModelSize.all.first { $0.width == ck.config.width && $0.layers == ck.config.layers }?.learningRate ?? 1e-3
        let settings = budgets.settings
        let t0 = Date()
        let data = AdaptationData(encoder: enc, config: settings.adaptation, seed: UInt64(seed))
        let r = try VisionPipeline.adaptAndEvaluate(languageModel: model, encoder: enc, data: data, adaptation: settings.adaptation,
                                                    evaluation: settings.evaluation, lmLearningRate: lr * settings.adaptation.lmLearningRateScale,
                                                    seed: UInt64(seed) &+ 0xADA7)
        let seconds = Date().timeIntervalSince(t0)
        if json {
            struct Out: Encodable {
                let tokens_trained: Int; let scores: [String: Double]; let chance: [String: Double]
                let families: [String: Double]
                let seconds: Double; let align_seconds: Double; let instruct_seconds: Double; let evaluate_seconds: Double
            }
            try printJSON(Out(tokens_trained: ck.tokensTrained, scores: r.scores.values, chance: r.scores.chance,
                              families: Dictionary(uniqueKeysWithValues: r.families.map { ($0.key.rawValue, $0.value) }), seconds: seconds,
                              align_seconds: r.alignSeconds, instruct_seconds: r.instructSeconds, evaluate_seconds: r.evalSeconds))
            return
        }
        var t = TextTable(["metric", "score", "chance"])
        for m in MetricCatalogue.standard { if let v = r.scores.values[m.name] { t.add([m.name, fmt(v, 1), r.scores.chance[m.name].map { fmt($0, 1) } ?? ""]) } }
        print(t.render())
        print(String(format: "%.1f s", Date().timeIntervalSince(t0)))
    }
}


/// Overrides of the standard adaptation and evaluation budgets, for studies of the budgets
/// themselves (hidden: sweeps and stored calibration results use the standard ones).
struct AdaptationBudgetOptions: ParsableArguments {
    @Option(help: .hidden) var alignSteps: Int?
    @Option(help: .hidden) var instructSteps: Int?
    @Option(help: .hidden) var instructBatch: Int?
    @Option(help: .hidden) var lmLrScale: Float?
    @Option(help: .hidden) var projectorLr: Float?
    @Option(help: .hidden) var alignLr: Float?
    @Option(help: .hidden) var perFamily: Int?
    @Option(help: .hidden) var reasoningMultiplier: Int?
    @Option(help: .hidden) var zeroShot: String?

    var settings: RunSettings {
        var s = RunSettings()
        if let alignSteps { s.adaptation.alignSteps = alignSteps }
        if let instructSteps { s.adaptation.instructSteps = instructSteps }
        if let instructBatch { s.adaptation.instructBatch = instructBatch }
        if let lmLrScale { s.adaptation.lmLearningRateScale = lmLrScale }
        if let projectorLr { s.adaptation.projectorLearningRate = projectorLr }
        if let alignLr { s.adaptation.alignLearningRate = alignLr }
        if let perFamily { s.evaluation.perFamily = perFamily }
        if let reasoningMultiplier { s.evaluation.reasoningMultiplier = reasoningMultiplier }
        if let families = try? zeroShotFamilies() { s.adaptation.zeroShotFamilies = families }
        return s
    }

    func validate() throws {
        _ = try zeroShotFamilies()
        for (name, value) in [("--per-family", perFamily), ("--reasoning-multiplier", reasoningMultiplier)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1 (a family with no questions has no accuracy)") }
        }
    }

    /// `--zero-shot none` or a comma list of family names; nil when not given.
    func zeroShotFamilies() throws -> [QuestionFamily]? {
        guard let zeroShot else { return nil }
        if zeroShot == "none" { return [] }
        return try zeroShot.split(separator: ",").map {
            guard let f = QuestionFamily(name: String($0)) else {
                throw ValidationError("--zero-shot: unknown family '\($0)'; families are " + QuestionFamily.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return f
        }
    }
}
