// The training loop: data loader → forward → backward → clip → AdamW, with evaluation hooks at
// chosen token budgets (one run gives a data-scaling curve).
import Foundation

public struct LossPoint: Codable, Equatable, Sendable {
    public var step: Int, tokens: Int, loss: Float, learningRate: Float, gradientNorm: Float
}

public struct EvalPoint: Codable, Equatable, Sendable {
    public var step: Int, tokens: Int, validationLoss: Float
}

public struct TrainingProgress: Sendable {
    public var step: Int, steps: Int, tokens: Int, totalTokens: Int, loss: Float, tokensPerSecond: Double, seconds: Double
    public var etaSeconds: Double { tokensPerSecond > 0 ? Double(totalTokens - tokens) / tokensPerSecond : 0 }
}

public struct TrainResult: Codable, Sendable {
    public var parameters: Int
    public var steps: Int
    public var tokens: Int
    public var finalLoss: Float
    public var lossCurve: [LossPoint]
    public var evaluations: [EvalPoint]
    public var seconds: Double
    /// Training tokens per second, measured over the training steps only (evaluations excluded).
    public var tokensPerSecond: Double
}

public final class Trainer {
    public let model: Model
    public let config: TrainConfig
    public let optimizer: AdamW
    public let schedule: LearningRateSchedule
    public let steps: Int
    public var T: Int { model.config.context }

    public init(model modelConfig: ModelConfig, training: TrainConfig) throws {
        try modelConfig.validate()
        guard training.batch >= 1, training.tokens >= 1, training.threads >= 1 else {
            throw TrainerError.invalidConfig("batch, tokens and threads must be positive")
        }
        setThreads(training.threads)
        config = training
        model = try Model(config: modelConfig, maxBatch: training.batch, seed: training.seed)
        optimizer = AdamW(layout: model.layout, beta1: training.beta1, beta2: training.beta2,
                          epsilon: training.epsilon, weightDecay: training.weightDecay)
        let perStep = training.batch * modelConfig.context
        steps = max(1, (training.tokens + perStep - 1) / perStep)
        schedule = LearningRateSchedule(peak: training.learningRate, minFraction: training.minLearningRateFraction,
                                        warmupSteps: Int((training.warmupFraction * Double(steps)).rounded()), totalSteps: steps)
    }

    /// Mean loss over `tokens` cut into (B,T) batches (each batch uses B·T+1 tokens); no gradients.
    public func evaluate(_ tokens: [Int32]) -> Float {
        let B = config.batch, n = B * T
        var sum = 0.0, batches = 0
        var start = 0
        tokens.withUnsafeBufferPointer { buf in
            while start + n + 1 <= buf.count {
                sum += Double(model.forward(inputs: buf.baseAddress! + start, targets: buf.baseAddress! + start + 1, B: B, T: T))
                batches += 1
                start += n
            }
        }
        return batches > 0 ? Float(sum / Double(batches)) : .nan
    }

    /// Tokens needed by `evaluate` for `batches` validation batches.
    public func validationTokenCount(batches: Int) -> Int { batches * config.batch * T + 1 }

    /// Trains for `config.tokens` tokens from `stream`. At every budget in `config.evalAtTokens`
    /// (and at the end) the validation loss over `validation` is measured and `onEvaluation`
    /// is called (e.g. to save a checkpoint).
    /// With `resumingFrom`, the weights and optimizer are restored, the stream is replayed past
    /// the steps already done, and training goes on from there to the same result.
    /// `afterStep` is called once each step is whole (a point at which `state` can be saved).
    public func run<S: TokenStream>(stream: S, validation: [Int32], resumingFrom resume: TrainingState? = nil,
                                    afterStep: ((Int) throws -> Void)? = nil,
                                    progress: ((TrainingProgress) -> Void)? = nil,
                                    onEvaluation: ((EvalPoint, Model) throws -> Void)? = nil) throws -> TrainResult {
        var loader = DataLoader(stream: stream, B: config.batch, T: T)
        let perStep = config.batch * T
        let first = resume?.nextStep ?? 0
        if let resume { try restore(resume) }
        for _ in 0..<first { loader.next() }
        var budgets = config.evalAtTokens.filter { $0 > first * perStep }.sorted()
        var curve: [LossPoint] = []
        var evals: [EvalPoint] = []
        curve.reserveCapacity(steps / max(1, config.logEvery) + 1)
        var trainSeconds = 0.0
        let start = Date()
        var lastLoss: Float = .nan
        for step in first..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            loader.next()
            let loss = loader.withBatch { inp, tgt in model.forward(inputs: inp, targets: tgt, B: config.batch, T: T) }
            model.zeroGrad()
            model.backward()
            let norm = clipGradients(model.grads, model.parameterCount, maxNorm: config.gradientClip)
            let lr = schedule.rate(step)
            optimizer.update(params: model.params, grads: model.grads, lr: lr)
            trainSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            lastLoss = loss
            let tokens = (step + 1) * perStep
            if step % max(1, config.logEvery) == 0 || step == steps - 1 {
                curve.append(LossPoint(step: step, tokens: tokens, loss: loss, learningRate: lr, gradientNorm: norm))
            }
            let isLast = step == steps - 1
            if let first = budgets.first, tokens >= first || isLast {
                budgets.removeAll { $0 <= tokens }
                let e = EvalPoint(step: step, tokens: tokens, validationLoss: evaluate(validation))
                evals.append(e)
                try onEvaluation?(e, model)
            } else if isLast, evals.last?.tokens != tokens {
                let e = EvalPoint(step: step, tokens: tokens, validationLoss: evaluate(validation))
                evals.append(e)
                try onEvaluation?(e, model)
            }
            if let progress {
                progress(TrainingProgress(step: step + 1, steps: steps, tokens: tokens, totalTokens: steps * perStep, loss: loss,
                                  tokensPerSecond: Double(tokens) / max(trainSeconds, 1e-9), seconds: Date().timeIntervalSince(start)))
            }
            try afterStep?(step)
        }
        let tokens = steps * perStep
        return TrainResult(parameters: model.parameterCount, steps: steps, tokens: tokens, finalLoss: lastLoss,
                           lossCurve: curve, evaluations: evals, seconds: Date().timeIntervalSince(start),
                           tokensPerSecond: Double(tokens) / max(trainSeconds, 1e-9))
    }
}

/// Peak resident set size of this process in bytes (VmHWM from /proc/self/status; 0 if unknown).
public func peakResidentBytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

/// Steady-state training throughput of one configuration: `steps` timed steps after `warmup`
/// untimed ones, on the synthetic stream.
public func benchmarkTraining(model: ModelConfig, batch: Int, threads: Int, steps: Int, warmup: Int = 2,
                              learningRate: Float = 1e-3) throws -> (tokensPerSecond: Double, finalLoss: Float) {
    let config = TrainConfig(batch: batch, tokens: (steps + warmup) * batch * model.context, learningRate: learningRate,
                             seed: 1, threads: threads)
    let trainer = try Trainer(model: model, training: config)
    var t0: UInt64 = 0, t1: UInt64 = 0
    let r = try trainer.run(stream: SyntheticStream(vocabularySize: model.vocabularySize, seed: 1), validation: [], progress: { p in
        if p.step == warmup { t0 = DispatchTime.now().uptimeNanoseconds }
        if p.step == warmup + steps { t1 = DispatchTime.now().uptimeNanoseconds }
    })
    let seconds = Double(t1 - t0) / 1e9
    return (Double(steps * batch * model.context) / seconds, r.finalLoss)
}
