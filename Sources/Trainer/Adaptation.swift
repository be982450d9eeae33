// Vision adaptation, the MLLM pipeline in miniature:
//   1. alignment: the projector alone learns, on captions, to turn frozen encoder features into
//      visual tokens the LM can caption from;
//   2. visual instruction tuning: projector and LM learn together on question–answer pairs over
//      the adaptation half of the entities.
// Both budgets are fixed and small (AdaptationConfig), so what pre-training put in the LM matters.
//
// A sequence is [P visual tokens][text]; the loss covers the caption (alignment) or the answer
// and the <eod> after it (instruction tuning; scoring uses the same form, so options of different
// lengths compete as complete answers).
import Foundation
import World

public struct AdaptationConfig: Codable, Equatable, Sendable {
    // Budgets chosen by a study at xl (docs/vision.md, "Budgets"): a longer alignment makes
    // models start reading their visual tokens more reliably, and costs little since the frozen
    // LM skips its weight gradients; 480 instruction steps keep one xl checkpoint under a minute.
    public var alignSteps = 100
    public var alignBatch = 24
    public var alignLearningRate: Float = 6e-3
    public var instructSteps = 480
    public var instructBatch = 16
    public var projectorLearningRate: Float = 6e-3
    /// The LM's instruction-tuning peak rate, as a fraction of the size's pre-training rate.
    /// A tenth, as in real MLLM recipes (LLaVA tunes its LM at 2e-5 after pre-training near
    /// 3e-4): at the full rate, 480 steps taught even an untrained xl LM the question language,
    /// and pre-training's gain drowned in adaptation noise (docs/vision.md, "LM learning rate").
    public var lmLearningRateScale: Float = 0.1
    public var projectorHidden = 64
    /// Context of the adapted model (rotary positions carry no weights, so a shorter context
    /// than pre-training's loads the same weights and saves activation memory).
    public var context = 64
    /// Points of the instruction-tuning budget where the adaptation curve is scored.
    public var curveFractions: [Double] = [0.25, 0.5, 1.0]
    /// Families instruction tuning never shows: evaluation asks them zero-shot, so only what the
    /// LM brought from pre-training (plus the skills the other families teach) can answer them.
    /// Comparing and combining counts: the paper's benchmarks are not in its instruction data
    /// either, and these two are what reasoning text practises over symbols (docs/vision.md).
    public var zeroShotFamilies: [QuestionFamily] = [.compareCounts, .countArithmetic]

    public init() {}

    /// The families instruction tuning trains on.
    public var instructionFamilies: [QuestionFamily] { QuestionFamily.allCases.filter { !zeroShotFamilies.contains($0) } }

    /// Instruction-tuning steps at which the curve is scored (the last is the full budget).
    public var curveSteps: [Int] { curveFractions.map { max(1, Int((Double(instructSteps) * $0).rounded())) } }
}

/// One training or scoring sequence: features of its image and its text.
public struct VisualExample: Sendable {
    public var features: [Float]     // (P,F)
    public var tokens: [Int32]
    /// Text tokens from this index on carry the loss.
    public var scoredFrom: Int
    public init(features: [Float], tokens: [Int32], scoredFrom: Int) {
        self.features = features; self.tokens = tokens; self.scoredFrom = scoredFrom
    }
}

/// Encoded adaptation data of one run (alignment captions, instruction questions).
public struct AdaptationData: Sendable {
    public let captions: [VisualExample]
    public let instructions: [VisualExample]

    public init(encoder: VisionEncoder, config: AdaptationConfig, seed: UInt64) {
        captions = Captions.make(seed: seed &+ 11, count: config.alignSteps * config.alignBatch).map {
            VisualExample(features: encoder.encode(Renderer.render($0.scene)), tokens: $0.tokens, scoredFrom: 0)
        }
        let eod = Tokenizer.shared.endOfDocument
        instructions = QuestionBank.instructionSet(seed: seed &+ 12, count: config.instructSteps * config.instructBatch, families: config.instructionFamilies).map {
            VisualExample(features: encoder.encode($0.image), tokens: $0.prompt + $0.options[$0.correct] + [eod], scoredFrom: $0.prompt.count)
        }
    }
}

/// A model that reads images: an LM, a projector and a frozen encoder.
public final class VisualModel {
    public let model: Model
    public let projector: Projector
    public let encoder: VisionEncoder
    public var P: Int { encoder.tokens }
    private var xbuf: [Float] = [], prefix: [Float] = [], dprefix: [Float] = []
    private var inputs: [Int32] = [], targets: [Int32] = []

    /// A copy of `weights` (pre-trained LM parameters of `config`) with a fresh projector.
    public init(config: ModelConfig, weights: ConstFloatPtr, encoder: VisionEncoder, adaptation: AdaptationConfig,
                maxBatch: Int, seed: UInt64) throws {
        var c = config
        c.context = min(config.context, adaptation.context)
        model = try Model(config: c, maxBatch: maxBatch, seed: seed)
        model.params.update(from: weights, count: model.parameterCount)
        self.encoder = encoder
        projector = Projector(features: encoder.features, hidden: adaptation.projectorHidden, width: c.width, tokens: encoder.tokens, seed: seed)
    }

    /// Forward over a batch of examples; returns the mean loss and T, the longest example's
    /// length. Only each example's own rows are computed (`Model.forward`'s `lengths`), with the
    /// bits of the batch padded to T; `model.losses` holds their losses, the examples' rows
    /// stacked (a batch of one: (1,T)).
    @discardableResult
    public func forward(_ batch: ArraySlice<VisualExample>) -> (loss: Float, T: Int) {
        let B = batch.count, F = encoder.features, Pn = P
        let T = min(model.config.context, Pn + (batch.map(\.tokens.count).max() ?? 0))
        if xbuf.count < B * Pn * F { xbuf = [Float](repeating: 0, count: B * Pn * F) }
        if inputs.count < B * T { inputs = [Int32](repeating: 0, count: B * T); targets = inputs }
        for i in 0..<(B * T) { inputs[i] = 0; targets[i] = -1 }
        var lengths: [Int] = []
        for (b, ex) in batch.enumerated() {
            for i in 0..<(Pn * F) { xbuf[b * Pn * F + i] = ex.features[i] }
            let rows = PackedSequence(example: ex, index: b, visualTokens: Pn, context: T)
            for t in 0..<rows.count { inputs[b * T + t] = rows.inputs[t]; targets[b * T + t] = rows.targets[t] }
            lengths.append(rows.count)
        }
        projector.forward(xbuf, B: B, into: &prefix)
        let loss = prefix.withUnsafeBufferPointer { pre in
            model.forward(inputs: inputs, targets: targets, B: B, T: T, prefix: pre.baseAddress!, prefixLength: Pn,
                          lengths: lengths.contains { $0 < T } ? lengths : nil)
        }
        return (loss, T)
    }

    /// Backward of the last forward: projector grads +=, and LM grads += unless `frozenLM`
    /// (alignment), which skips the LM's weight gradients and leaves its grads unspecified.
    public func backward(frozenLM: Bool = false) {
        let n = model.maxBatch * P * model.config.width
        if dprefix.count < n { dprefix = [Float](repeating: 0, count: n) }
        dprefix.withUnsafeMutableBufferPointer { model.backward(dprefix: $0.baseAddress!, weightGradients: !frozenLM) }
        projector.backward(dprefix, x: xbuf)
    }
}

public struct AdaptationProgress: Sendable {
    public var stage: String     // "align" or "instruct"
    public var step: Int, steps: Int
    public var loss: Float
    public var tokensPerSecond: Double
}

public enum Adaptation {
    /// Alignment: trains the projector only, on captions (the LM's weights are left untouched).
    public static func align(_ vm: VisualModel, data: AdaptationData, config: AdaptationConfig,
                             progress: ((AdaptationProgress) -> Void)? = nil) {
        let t0 = Date()
        var tokens = 0
        for step in 0..<config.alignSteps {
            let batch = data.captions[(step * config.alignBatch)..<((step + 1) * config.alignBatch)]
            let (loss, T) = vm.forward(batch)
            tokens += batch.count * T
            vm.projector.zeroGrad()
            vm.backward(frozenLM: true)
            let lr = config.alignLearningRate * Float(cosineFactor(step, config.alignSteps))
            vm.projector.update(lr: lr)
            progress?(AdaptationProgress(stage: "align", step: step + 1, steps: config.alignSteps, loss: loss,
                                         tokensPerSecond: Double(tokens) / max(1e-9, Date().timeIntervalSince(t0))))
        }
    }

    /// Visual instruction tuning: projector and LM together. `onCurve(step)` is called at every
    /// `config.curveSteps` point (score the model there). At an LM rate of 0 the LM is frozen as
    /// in alignment: its weight gradients are skipped, which changes no bit of the result (they
    /// are clipped apart from the projector's, and AdamW at rate 0 moves nothing).
    public static func instruct(_ vm: VisualModel, data: AdaptationData, config: AdaptationConfig, lmLearningRate: Float,
                                progress: ((AdaptationProgress) -> Void)? = nil, onCurve: (Int) throws -> Void) rethrows {
        // No optimizer, no LM gradients: frozen.
        let opt = lmLearningRate == 0 ? nil : AdamW(layout: vm.model.layout)
        let curve = Set(config.curveSteps)
        let t0 = Date()
        var tokens = 0
        for step in 0..<config.instructSteps {
            let batch = data.instructions[(step * config.instructBatch)..<((step + 1) * config.instructBatch)]
            let (loss, T) = vm.forward(batch)
            tokens += batch.count * T
            if opt != nil { vm.model.zeroGrad() }
            vm.projector.zeroGrad()
            vm.backward(frozenLM: opt == nil)
            let f = Float(cosineFactor(step, config.instructSteps))
            if let opt {
                clipGradients(vm.model.grads, vm.model.parameterCount, maxNorm: 1)
                opt.update(params: vm.model.params, grads: vm.model.grads, lr: lmLearningRate * f)
            }
            vm.projector.update(lr: config.projectorLearningRate * f)
            progress?(AdaptationProgress(stage: "instruct", step: step + 1, steps: config.instructSteps, loss: loss,
                                         tokensPerSecond: Double(tokens) / max(1e-9, Date().timeIntervalSince(t0))))
            if curve.contains(step + 1) { try onCurve(step + 1) }
        }
    }

    /// Warmup over the first 5% of steps, then cosine to 10%.
    static func cosineFactor(_ step: Int, _ steps: Int) -> Double {
        let warm = max(1, steps / 20)
        if step < warm { return Double(step + 1) / Double(warm) }
        let p = Double(step - warm) / Double(max(1, steps - warm))
        return 0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * p))
    }
}
