import Foundation
import Testing
@testable import Trainer

let tinyModel = ModelConfig(vocabularySize: 64, context: 16, layers: 2, width: 16, heads: 2)

func tinyTraining(seed: UInt64, tokens: Int = 8 * 16 * 200) -> TrainConfig {
    var c = TrainConfig(batch: 8, tokens: tokens, learningRate: 1e-2, seed: seed, threads: 1)
    c.evalAtTokens = [8 * 16 * 20, 8 * 16 * 100]
    c.evalBatches = 2
    return c
}

/// The index of the first element whose bits differ (nil: none).
func firstDifference(_ a: [Float], _ b: [Float]) -> Int? { a.indices.first { a[$0].bitPattern != b[$0].bitPattern } }

/// Whether the trainer computes its own products, as the tests that compare a path against
/// OpenBLAS's set it: OpenBLAS's alone everywhere, and the trainer's own where OpenBLAS runs its
/// Cooperlake kernels, the only ones whose order they follow (BlockedSgemm.swift).
let ownSgemmSettings = blasCoreName == "Cooperlake" ? [false, true] : [false]

private let ownSgemmLock = NSLock()

/// Runs `body` as the only test that sets `ownSgemm`, and restores it after.
func settingOwnSgemm(_ body: () throws -> Void) rethrows {
    ownSgemmLock.lock()
    let saved = ownSgemm
    defer { ownSgemm = saved; ownSgemmLock.unlock() }
    try body()
}

func train(_ model: ModelConfig, _ config: TrainConfig, streamSeed: UInt64 = 1) throws -> TrainResult {
    let trainer = try Trainer(model: model, training: config)
    var val = SyntheticStream(vocabularySize: model.vocabularySize, seed: 1_000_003)
    let validation = val.nextTokens(trainer.validationTokenCount(batches: config.evalBatches))
    return try trainer.run(stream: SyntheticStream(vocabularySize: model.vocabularySize, seed: streamSeed &+ config.seed), validation: validation)
}

@Suite(.serialized) struct TrainingTests {   // serialized: the thread count is process-wide
    @Test func scheduleWarmsUpThenDecays() {
        let s = LearningRateSchedule(peak: 1, minFraction: 0.1, warmupSteps: 10, totalSteps: 110)
        #expect(s.rate(0) == 0.1)
        #expect(s.rate(9) == 1)
        #expect(abs(s.rate(60) - 0.55) < 1e-5)
        #expect(abs(s.rate(110) - 0.1) < 1e-6)
        #expect(s.rate(30) > s.rate(31))
    }

    @Test func clippingBoundsTheNorm() {
        var g: [Float] = [3, 4, 0]
        let n = g.withUnsafeMutableBufferPointer { clipGradients($0.baseAddress!, 3, maxNorm: 1) }
        #expect(n == 5)
        #expect(abs(g[0] - 0.6) < 1e-5 && abs(g[1] - 0.8) < 1e-5)
    }

    @Test func lossFallsAndEvaluationsHappenAtBudgets() throws {
        let r = try train(tinyModel, tinyTraining(seed: 1))
        #expect(r.lossCurve.count == r.steps)
        #expect(r.evaluations.map(\.tokens) == [8 * 16 * 20, 8 * 16 * 100, 8 * 16 * 200])
        let first = r.lossCurve.first!.loss
        let last = r.lossCurve.suffix(20).map(\.loss).reduce(0, +) / 20
        #expect(first > log(64) - 0.3)
        #expect(last < first - 0.3, "loss \(first) → \(last)")
        #expect(r.evaluations.last!.validationLoss < r.evaluations.first!.validationLoss)
    }

    @Test func sameSeedSameCurveBitForBit() throws {
        let a = try train(tinyModel, tinyTraining(seed: 7, tokens: 8 * 16 * 8))
        let b = try train(tinyModel, tinyTraining(seed: 7, tokens: 8 * 16 * 8))
        let c = try train(tinyModel, tinyTraining(seed: 8, tokens: 8 * 16 * 8))
        #expect(a.lossCurve.map(\.loss.bitPattern) == b.lossCurve.map(\.loss.bitPattern))
        #expect(a.evaluations == b.evaluations)
        #expect(a.lossCurve.map(\.loss) != c.lossCurve.map(\.loss))
    }

    // Two threads are tested in a process of their own (CLITests, `twoThreadsAreDeterministicToo`):
    // the thread count is process-wide, and every other test here trains at one thread beside it.

    @Test func dataLoaderContinuesTheStream() {
        var whole = SyntheticStream(vocabularySize: 64, seed: 5)
        let ref = whole.nextTokens(2 * 3 * 2 + 1)
        var loader = DataLoader(stream: SyntheticStream(vocabularySize: 64, seed: 5), B: 2, T: 3)
        loader.next()
        #expect(loader.buffer == Array(ref[0...6]))
        loader.next()
        #expect(loader.buffer == Array(ref[6...12]))
        loader.withBatch { inp, tgt in #expect(tgt[0] == inp[1]) }
    }

    @Test func logLikelihoodMatchesTheLoss() throws {
        let model = try Model(config: tinyModel, maxBatch: 4, seed: 2)
        // Options of one prompt (scored packed), a prompt of its own, a continuation cut to the context.
        let items: [(prompt: [Int32], continuation: [Int32])] = [([1, 2, 3], [4, 5]), ([1, 2, 3], [6]), ([1, 2, 3], [9, 9, 2]),
                                                                  ([7], [8, 9, 10]), ([3, 3], [3]), ([5], Array(repeating: 6, count: 20))]
        let scores = model.logLikelihoods(items)
        #expect(packedSequences(items.map { VisualExample(features: [], tokens: $0.prompt + $0.continuation, scoredFrom: $0.prompt.count) },
                                visualTokens: 0, context: tinyModel.context).count == 4)
        for (k, item) in items.enumerated() {
            let seq = Array((item.prompt + item.continuation).suffix(tinyModel.context + 1))
            let scored = min(item.continuation.count, tinyModel.context)
            let inp = Array(seq.dropLast()), n = inp.count
            var tgt = Array(seq.dropFirst())
            for t in 0..<(n - scored) { tgt[t] = -1 }
            let mean = model.forward(inputs: inp, targets: tgt, B: 1, T: n)
            #expect(abs(Double(mean) * Double(scored) + scores[k]) < 1e-4 * max(1, abs(scores[k])), "item \(k)")
        }
        #expect(scores.allSatisfy { $0 < 0 })
    }

    /// The head on the scored rows alone gives the bits of the head on every row: losses,
    /// parameter gradients and the prefix gradient, on one thread and on two; with a few scored
    /// rows a sequence (an answer), and with half of each sequence scored, where the last layer
    /// above its attention runs on the scored rows too.
    @Test(arguments: [false, true])
    func theHeadOnScoredRowsKeepsTheBitsOfTheFullHead(halfScored: Bool) throws {
        let config = ModelConfig(vocabularySize: 1024, context: 32, layers: 2, width: 64, heads: 4)
        let B = 16, T = 32, P = 4, C = config.width, N = B * T
        var rng = SplitMix64(seed: 7)
        let inputs = (0..<N).map { _ in Int32(rng.next() % 1024) }
        // Targets on the last few positions of each sequence, as answers and options have them.
        let first = { (n: Int) in halfScored ? T / 2 - (n / T) % 5 : T - 1 - (n / T) % 5 }
        let targets = (0..<N).map { n -> Int32 in n % T >= first(n) ? Int32(rng.next() % 1024) : -1 }
        let prefix = (0..<(B * P * C)).map { _ in Float(rng.normal() * 0.1) }
        for threads in [1, 2] { for own in ownSgemmSettings { for frozen in [false, true] { try settingOwnSgemm {
            setThreads(threads)
            defer { setThreads(1) }
            var results: [(losses: [Float], grads: [Float], dprefix: [Float])] = []
            for onScoredRows in [true, false] {
                ownSgemm = onScoredRows && own   // the full head through OpenBLAS alone
                let model = try Model(config: config, maxBatch: B, seed: 3)
                model.headRunsOnScoredRows = onScoredRows
                model.zeroGrad()
                prefix.withUnsafeBufferPointer { pre in
                    _ = model.forward(inputs: inputs, targets: targets, B: B, T: T, prefix: pre.baseAddress!, prefixLength: P)
                }
                #expect(model.headRanOnScoredRows == onScoredRows)
                // Forward leaves the last layer's other rows out only where any backward can: with
                // the trainer's own products, which keep the full products' bits on a few rows. (On
                // two threads this model's untransposed products are halves that OpenBLAS keeps,
                // so there the scored rows need to be many enough for its blocked kernels.)
                let ownFullProducts = own && (threads == 1 || halfScored)
                #expect(model.topLayerForwardRanOnScoredRows == (onScoredRows && ownFullProducts))
                var dprefix = [Float](repeating: 0, count: B * P * C)
                dprefix.withUnsafeMutableBufferPointer { model.backward(dprefix: $0.baseAddress!, weightGradients: !frozen) }
                // Without the trainer's own products, the last layer's backward runs on the scored
                // rows only for a frozen LM (its weight gradients would need them) and only with half
                // of each sequence scored (a few rows would go to OpenBLAS's small-matrix kernels).
                #expect(model.topLayerBackwardRanOnScoredRows == (onScoredRows && (ownFullProducts || (halfScored && frozen))))
                results.append((Array(UnsafeBufferPointer(start: model.losses, count: N)),
                                frozen ? [] : Array(UnsafeBufferPointer(start: model.grads, count: model.parameterCount)), dprefix))
            }
            let label = "\(threads) threads, own products \(own), frozen \(frozen)"
            #expect(firstDifference(results[0].losses, results[1].losses) == nil, "losses, \(label)")
            #expect(firstDifference(results[0].grads, results[1].grads) == nil, "gradients, \(label)")
            #expect(firstDifference(results[0].dprefix, results[1].dprefix) == nil, "prefix gradient, \(label)")
            #expect(results[0].losses.contains { $0 > 0 })
        } } } }
    }

    /// The attention's products that leave out the keys a causal row cannot see, through OpenBLAS
    /// split at half the rows or as the trainer's own, give the bits of the full products,
    /// forward and backward, at each size's head size and context, padded and stacked, plain and
    /// packed; on Cooperlake's kernels, where the products leave them out (elsewhere they do not).
    @Test func attentionSkipsNoBitOfTheKeysItCannotSee() throws {
        guard blasCoreName == "Cooperlake" else { return #expect(!causalProductsKeepBits) }
        for (T, C, NH) in [(64, 16, 2), (64, 32, 4), (128, 64, 4), (128, 96, 6), (128, 160, 8)] {
            var rng = SplitMix64(seed: UInt64(C))
            let B = 3, lengths = [T, T - 7, 64 + Int(rng.next() % UInt64(T - 63))]
            let qkv = Buf(B * T * 3 * C, &rng), dout = Buf(B * T * C, &rng)
            let stacked = SequenceRows(lengths: lengths, T: T)
            let shared = (0..<B).map { _ in Int32(3) }, segmentStart = (0..<(B * T)).map { Int32($0 % T < 3 ? 0 : 3 + ($0 % T - 3) / 20 * 20) }
            let packed = PackedRows(position: (0..<(B * T)).map { Int32($0 % T) }, segmentStart: segmentStart, shared: shared)
            for (rows, packing) in [(nil, nil), (stacked, nil), (nil, packed)] as [(SequenceRows?, PackedRows?)] { try settingOwnSgemm {
                var results: [[Float]] = []
                for (skipping, own) in [(false, false), (true, false), (true, true)] {
                    causalProductsKeepBits = skipping
                    ownSgemm = own
                    defer { causalProductsKeepBits = true }
                    let out = Buf(zeros: B * T * C), att = Buf(zeros: B * NH * T * T)
                    attentionForward(out.p, att.p, qkv.p, B, T, C, NH, packed: packing, rows: rows)
                    var result = out.a
                    if packing == nil {
                        let dqkv = Buf(zeros: B * T * 3 * C), scratch = Buf(zeros: maxWorkerThreads * T * T)
                        attentionBackward(dqkv.p, scratch.p, dout.p, qkv.p, att.p, B, T, C, NH, rows: rows)
                        result += dqkv.a
                    }
                    results.append(result)
                }
                let label = "T \(T), C \(C), stacked \(rows != nil), packed \(packing != nil)"
                #expect(firstDifference(results[0], results[1]) == nil, "keys skipped, \(label)")
                #expect(firstDifference(results[0], results[2]) == nil, "own products, \(label)")
            } }
        }
    }

    /// A batch of sequences of different lengths computed on their own rows gives the bits of
    /// the batch padded to the longest: losses, parameter gradients (frozen or not) and the
    /// prefix gradient, on one thread and on two.
    @Test func stackedSequencesKeepThePaddedBatchsBits() throws {
        for (width, heads) in [(16, 2), (64, 4)] {
            let config = ModelConfig(vocabularySize: 256, context: 48, layers: 2, width: width, heads: heads)
            let B = 12, T = 40, P = 3, C = config.width
            var rng = SplitMix64(seed: 11)
            let lengths = (0..<B).map { b in b == 5 ? T : 6 + Int(rng.next() % UInt64(T - 6)) }
            let inputs = (0..<(B * T)).map { _ in Int32(rng.next() % 256) }
            // Targets on the second half of each sequence (an answer), none on its padding.
            let targets = (0..<(B * T)).map { n -> Int32 in
                let t = n % T, L = lengths[n / T]
                return t >= L / 2 && t < L - 1 ? Int32(rng.next() % 256) : -1
            }
            let prefix = (0..<(B * P * C)).map { _ in Float(rng.normal() * 0.1) }
            for threads in [1, 2] { for own in ownSgemmSettings { try settingOwnSgemm {
                setThreads(threads)
                defer { setThreads(1) }
                for frozen in [false, true] {
                    var results: [(losses: [Float], grads: [Float], dprefix: [Float])] = []
                    for stacked in [true, false] {
                        ownSgemm = stacked && own   // the padded batch through OpenBLAS alone
                        let model = try Model(config: config, maxBatch: B, seed: 3)
                        model.zeroGrad()
                        prefix.withUnsafeBufferPointer { pre in
                            _ = model.forward(inputs: inputs, targets: targets, B: B, T: T, prefix: pre.baseAddress!, prefixLength: P,
                                              lengths: stacked ? lengths : nil)
                        }
                        var dprefix = [Float](repeating: 0, count: B * P * C)
                        dprefix.withUnsafeMutableBufferPointer { model.backward(dprefix: $0.baseAddress!, weightGradients: !frozen) }
                        // Losses in padded places; the matmul weights' gradients (frozen leaves the rest unspecified).
                        var losses = [Float](repeating: 0, count: B * T), row = 0
                        for b in 0..<B {
                            for t in 0..<(stacked ? lengths[b] : T) where t < lengths[b] { losses[b * T + t] = model.losses[row + t] }
                            row += stacked ? lengths[b] : T
                        }
                        let grads = frozen ? [] : Array(UnsafeBufferPointer(start: model.grads, count: model.parameterCount))
                        results.append((losses, grads, dprefix))
                    }
                    let label = "width \(width), \(threads) threads, frozen \(frozen), own products \(own)"
                    #expect(firstDifference(results[0].losses, results[1].losses) == nil, "losses, \(label)")
                    #expect(firstDifference(results[0].grads, results[1].grads) == nil, "gradients, \(label)")
                    #expect(firstDifference(results[0].dprefix, results[1].dprefix) == nil, "prefix gradient, \(label)")
                    #expect(results[0].losses.contains { $0 > 0 })
                }
            } } }
        }
    }

    @Test func sizesSpanAtLeast25x() {
        let counts = ModelSize.all.map { $0.config(vocabularySize: ModelSize.referenceVocabulary).parameterCount }
        #expect(counts == counts.sorted())
        #expect(Double(counts.last!) / Double(counts.first!) >= 25)
        for s in ModelSize.all { #expect((try? s.config(vocabularySize: 1000).validate()) != nil) }
    }
}

@Suite struct CheckpointTests {
    func saved() throws -> (Model, Data) {
        let model = try Model(config: tinyModel, maxBatch: 2, seed: 4)
        return (model, Checkpoint(model: model, tokensTrained: 123, seed: 4).encoded())
    }

    @Test func roundTrip() throws {
        let (model, data) = try saved()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmx-ckpt-\(getpid()).bin").path
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try Checkpoint.read(from: path)
        #expect(c.tokensTrained == 123 && c.seed == 4 && c.config == tinyModel)
        let copy = try Model(checkpoint: c, maxBatch: 2)
        let inp: [Int32] = Array(0..<16), tgt: [Int32] = Array(1..<17)
        #expect(copy.forward(inputs: inp, targets: tgt, B: 1, T: 16) == model.forward(inputs: inp, targets: tgt, B: 1, T: 16))
    }

    @Test func refusesCorruptOrMismatchedFiles() throws {
        let (_, data) = try saved()
        func refused(_ d: Data, _ fragment: String) {
            do { _ = try Checkpoint(data: d); Issue.record("accepted a bad file (\(fragment))") } catch {
                #expect("\(error)".contains(fragment), "\(error)")
            }
        }
        var flipped = data; flipped[200] ^= 0x10
        refused(flipped, "checksum mismatch")
        refused(data.prefix(data.count - 3), "truncated")
        refused(Data(repeating: 7, count: 200), "bad magic")
        var v2 = data; v2[8] = 2
        refused(v2, "version 2 is not supported")
        var badCount = data; badCount[16 + 8 * 5] ^= 1
        refused(badCount, "corrupt header")
        refused(Data(), "too short")
        let other = try Model(config: ModelConfig(vocabularySize: 64, context: 16, layers: 1, width: 16, heads: 2), maxBatch: 1, seed: 1)
        #expect(throws: TrainerError.self) { try other.load(try Checkpoint(data: data)) }
    }
}
