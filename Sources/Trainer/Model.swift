// The transformer LM: parameters, gradients and activations in contiguous arenas allocated once,
// and forward/backward as a sequence of the layer pairs in Layers.swift.
//
// Per layer l (x = residual input, (B,T,C)):
//   ln1 = rmsnorm(x)             qkv = ln1·Wqkvᵀ (B,T,3C), rope(q,k)    atty = attention(qkv) (B,T,C)
//   res2 = x + atty·Wattprojᵀ    ln2 = rmsnorm(res2)   fch = ln2·Wfcᵀ (B,T,4C)   fchg = gelu(fch)
//   res3 = res2 + fchg·Wfcprojᵀ  (the next layer's x)
// Then lnf = rmsnorm(res3[L-1]), logits = lnf·wteᵀ (B,T,V), cross-entropy against the targets.
import Foundation

/// A deterministic generator (SplitMix64) with normal samples by Box–Muller.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// A contiguous Float arena with named slices.
final class Arena {
    let base: FloatPtr
    let count: Int
    init(_ count: Int) {
        self.count = max(count, 1)
        base = .allocate(capacity: self.count)
        base.initialize(repeating: 0, count: self.count)
    }
    deinit { base.deallocate() }
}

public final class Model {
    public let config: ModelConfig
    public let layout: ParameterLayout
    /// Maximum sequences per forward (B ≤ maxBatch, T ≤ config.context).
    public let maxBatch: Int

    private let paramArena: Arena, gradArena: Arena, actArena: Arena
    public var params: FloatPtr { paramArena.base }
    public var grads: FloatPtr { gradArena.base }
    public var parameterCount: Int { layout.total }
    /// Floats held by the activation and scratch arena.
    public var activationCount: Int { actArena.count }

    // Activations (sized for maxBatch × context) — each a cache that backward reads.
    private let encoded: FloatPtr                          // (B,T,C)
    private let ln1: [FloatPtr], ln1rstd: [FloatPtr]       // (B,T,C), (B,T)
    private let qkv: [FloatPtr], atty: [FloatPtr]          // (B,T,3C) after rope, (B,T,C)
    private let att: [FloatPtr]                            // (B,NH,T,T)
    private let res2: [FloatPtr], ln2: [FloatPtr], ln2rstd: [FloatPtr]
    private let fch: [FloatPtr], fchg: [FloatPtr]          // (B,T,4C)
    private let res3: [FloatPtr]                           // (B,T,C)
    private let lnf: FloatPtr, lnfrstd: FloatPtr           // (B,T,C), (B,T)
    /// Logits, turned into probabilities in place by the loss and into dlogits by backward (B,T,V).
    private let probs: FloatPtr
    /// Per-position losses (B,T) of the last forward (0 where the target was < 0).
    public let losses: FloatPtr
    // Backward scratch, shared by all layers.
    private let dres: FloatPtr, dbtc: FloatPtr, datty: FloatPtr, dqkv: FloatPtr, dfchg: FloatPtr, dfch: FloatPtr, dscratch: FloatPtr
    private let cosT: [Float], sinT: [Float]

    private var inputs: [Int32], targets: [Int32]
    private var lastB = 0, lastT = 0, lastP = 0, lastCount = 0
    /// Rows with a target, in order, and their targets: the rows the output head runs on when
    /// `scoredCount` is set (headOnScoredRows).
    private var scoredRows: [Int], scoredTargets: [Int32]
    private var scoredCount: Int?
    /// The last forward ran packed rows (scoring only: backward does not know their attention).
    private var lastPacked = false
    /// The stacked sequences of the last forward (nil: a padded batch), each row's place in the
    /// padded batch and its position, and scratch for weight gradients in the padded order.
    private var lastRows: SequenceRows?
    private var paddedRow: [Int], rowPosition: [Int32]
    private var paddedArena: Arena?
    /// False runs the head on every row whatever the targets (tests compare the two).
    var headRunsOnScoredRows = true
    /// Whether the last forward ran the last layer above its attention on the scored rows alone
    /// (`topLayerForwardOnScoredRows`), and whether the last backward did.
    private(set) var topLayerForwardRanOnScoredRows = false
    private(set) var topLayerBackwardRanOnScoredRows = false
    /// Whether the last forward ran the head on its scored rows alone.
    var headRanOnScoredRows: Bool { scoredCount != nil }
    private var lastPrefix: ConstFloatPtr?

    public init(config: ModelConfig, maxBatch: Int, seed: UInt64) throws {
        try config.validate()
        self.config = config
        self.maxBatch = maxBatch
        layout = ParameterLayout(config)
        paramArena = Arena(layout.total)
        gradArena = Arena(layout.total)
        let acts = ActivationLayout(config, batch: maxBatch, scratchThreads: maxWorkerThreads)
        actArena = Arena(acts.total)
        let base = actArena.base
        encoded = base + acts.encoded
        ln1 = acts.layers.map { base + $0.ln1 }; ln1rstd = acts.layers.map { base + $0.ln1rstd }
        qkv = acts.layers.map { base + $0.qkv }; atty = acts.layers.map { base + $0.atty }; att = acts.layers.map { base + $0.att }
        res2 = acts.layers.map { base + $0.res2 }; ln2 = acts.layers.map { base + $0.ln2 }; ln2rstd = acts.layers.map { base + $0.ln2rstd }
        fch = acts.layers.map { base + $0.fch }; fchg = acts.layers.map { base + $0.fchg }; res3 = acts.layers.map { base + $0.res3 }
        lnf = base + acts.lnf; lnfrstd = base + acts.lnfrstd
        probs = base + acts.probs; losses = base + acts.losses
        dres = base + acts.dres; dbtc = base + acts.dbtc; datty = base + acts.datty
        dqkv = base + acts.dqkv; dfchg = base + acts.dfchg; dfch = base + acts.dfch; dscratch = base + acts.dscratch
        let T = config.context, BT = maxBatch * T
        (cosT, sinT) = ropeTables(maxT: T, headSize: config.headSize)
        inputs = [Int32](repeating: 0, count: BT)
        targets = [Int32](repeating: -1, count: BT)
        scoredRows = [Int](repeating: 0, count: BT)
        paddedRow = [Int](repeating: 0, count: BT); rowPosition = [Int32](repeating: 0, count: BT)
        scoredTargets = [Int32](repeating: 0, count: BT)
        initialize(seed: seed)
    }

    /// GPT-2 style initialisation: N(0, 0.02), residual projections scaled by 1/√(2L), norms 1.
    public func initialize(seed: UInt64) {
        var rng = SplitMix64(seed: seed ^ 0x5EED_0F_4D0DE1)
        let residualStd = 0.02 / (2 * Double(config.layers)).squareRoot()
        let projections = Set(layout.attproj + layout.fcproj)
        for t in layout.tensors {
            let p = params + t.offset
            if !t.decay { p.update(repeating: 1, count: t.count); continue }
            let std = projections.contains(t.offset) ? residualStd : 0.02
            for i in 0..<t.count { p[i] = Float(rng.normal() * std) }
        }
    }

    public func zeroGrad() { grads.update(repeating: 0, count: layout.total) }

    /// Forward pass over B sequences of length T (row-major (B,T) tokens).
    /// - targets: (B,T) next tokens; a target < 0 is ignored. Without targets only logits are made.
    /// - prefix: optional (B,P,C) input embeddings that replace the token embeddings of positions
    ///   0..<P in every sequence (the hook for visual tokens; their tokens are ignored).
    /// - packed: rows that share a prefix within each sequence (PackedRows); scoring only.
    /// - lengths: sequence b ends after lengths[b] positions (≤ T): the positions after it are
    ///   padding, neither computed nor scored (their targets must be < 0), and activations and
    ///   `losses` hold the sequences' rows stacked (SequenceRows). Results are the bits of the
    ///   padded batch.
    /// - Returns: the mean loss over positions with a target (0 if none).
    @discardableResult
    public func forward(inputs inp: UnsafePointer<Int32>, targets tgt: UnsafePointer<Int32>?, B: Int, T: Int,
                        prefix: ConstFloatPtr? = nil, prefixLength P: Int = 0, packed: PackedRows? = nil,
                        lengths: [Int]? = nil) -> Float {
        precondition(B <= maxBatch && T <= config.context && P <= T)
        precondition(packed.map { $0.position.count == B * T && $0.shared.count == B && $0.position.allSatisfy { $0 < config.context } } ?? true)
        precondition(packed == nil || lengths == nil, "packed rows come padded")
        lastPacked = packed != nil
        let rows = lengths.map { SequenceRows(lengths: $0, T: T) }
        precondition(rows.map { $0.start.count == B } ?? true)
        let C = config.width, NH = config.heads, V = config.vocabularySize, N = rows?.rows ?? B * T
        var r = 0
        for b in 0..<B {
            for t in 0..<T {
                let i = b * T + t
                precondition(inp[i] >= 0 && Int(inp[i]) < V, "token \(inp[i]) outside the vocabulary")
                guard t < rows?.length[b] ?? T else { precondition((tgt?[i] ?? -1) < 0, "a target on padding"); continue }
                inputs[r] = inp[i]
                targets[r] = tgt.map { $0[i] } ?? -1
                paddedRow[r] = i; rowPosition[r] = Int32(t)
                r += 1
            }
        }
        lastB = B; lastT = T; lastP = prefix == nil ? 0 : P; lastPrefix = prefix; lastRows = rows
        let W = params
        inputs.withUnsafeBufferPointer { encoderForward(encoded, $0.baseAddress!, W + layout.wte, prefix, lastP, B, T, C, rows: rows) }
        scoredCount = tgt == nil ? nil : headOnScoredRows(N)
        let topOnScoredRows = scoredCount.map { config.layers > 0 && topLayerForwardRunsOnScoredRows($0) } ?? false
        topLayerForwardRanOnScoredRows = topOnScoredRows
        var x = UnsafePointer(encoded)
        for l in 0..<config.layers {
            rmsnormForward(ln1[l], ln1rstd[l], x, W + layout.ln1[l], N, C)
            matmulForward(qkv[l], ln1[l], W + layout.qkv[l], N, C, 3 * C)
            if rows == nil {
                ropeForward(qkv[l], cosT, sinT, B, T, C, NH, positions: packed?.position)
            } else {
                ropeForward(qkv[l], cosT, sinT, 1, N, C, NH, positions: rowPosition)
            }
            attentionForward(atty[l], att[l], qkv[l], B, T, C, NH, packed: packed, rows: rows)
            if topOnScoredRows && l == config.layers - 1 { topLayerForwardOnScoredRows(scoredCount!, x); break }
            matmulForward(dbtc, atty[l], W + layout.attproj[l], N, C, C)
            residualForward(res2[l], x, dbtc, N * C)
            rmsnormForward(ln2[l], ln2rstd[l], res2[l], W + layout.ln2[l], N, C)
            matmulForward(fch[l], ln2[l], W + layout.fc[l], N, C, 4 * C)
            geluForward(fchg[l], fch[l], N * 4 * C)
            matmulForward(dbtc, fchg[l], W + layout.fcproj[l], N, 4 * C, C)
            residualForward(res3[l], res2[l], dbtc, N * C)
            x = UnsafePointer(res3[l])
        }
        if !topOnScoredRows { rmsnormForward(lnf, lnfrstd, x, W + layout.lnf, N, C) }
        if let S = scoredCount {
            headForwardOnScoredRows(S, N)
        } else {
            matmulForward(probs, lnf, W + layout.wte, N, C, V)
            guard tgt != nil else { lastCount = 0; return 0 }
            targets.withUnsafeBufferPointer { crossEntropyForward(losses, probs, $0.baseAddress!, N, V) }
        }
        var sum = 0.0, count = 0
        for i in 0..<N where targets[i] >= 0 { sum += Double(losses[i]); count += 1 }
        lastCount = count
        return count > 0 ? Float(sum / Double(count)) : 0
    }

    /// Logits (B,T,V) of the last forward called without targets.
    public var logits: ConstFloatPtr { UnsafePointer(probs) }

    /// Backward pass of the last forward (which must have had targets): grads += ∂(mean loss)/∂params.
    /// - dprefix: if given, receives the (B,P,C) gradient of the prefix embeddings (overwritten).
    /// - weightGradients: false for a frozen LM (alignment), which needs only `dprefix`: the matmul
    ///   weight gradients, half of the backward work, are skipped and `grads` is left unspecified.
    public func backward(dprefix: FloatPtr? = nil, weightGradients: Bool = true) {
        precondition(!lastPacked, "backward of a packed forward")
        let B = lastB, T = lastT, C = config.width, NH = config.heads, V = config.vocabularySize
        let rows = lastRows, N = rows?.rows ?? B * T
        let W = params, G = grads
        /// dinp = dout·W, and W's gradient += doutᵀ·inp unless frozen.
        func linearBackward(_ dinp: FloatPtr, _ weight: Int, _ dout: ConstFloatPtr, _ inp: ConstFloatPtr, _ IC: Int, _ OC: Int) {
            matmulBackwardInput(dinp, dout, W + weight, N, IC, OC)
            if weightGradients { weightGradient(G + weight, dout, inp, N, IC, OC) }
        }
        let scale = lastCount > 0 ? 1 / Float(lastCount) : 0
        let xLast = config.layers > 0 ? UnsafePointer(res3[config.layers - 1]) : UnsafePointer(encoded)
        if let S = scoredCount {
            headBackwardOnScoredRows(S, N, scale: scale, weightGradients: weightGradients)
        } else {
            targets.withUnsafeBufferPointer { crossEntropyBackward(probs, $0.baseAddress!, scale, N, V) }
            matmulBackwardInput(dbtc, probs, W + layout.wte, N, C, V)
            if weightGradients { headWeightGradient(rowsWithTargets: N) { $0 } }
        }
        // Above the last layer's attention only the scored rows carry a gradient.
        let topOnScoredRows = topLayerForwardRanOnScoredRows
            || (scoredCount.map { config.layers > 0 && topLayerRunsOnScoredRows($0, weightGradients: weightGradients) } ?? false)
        topLayerBackwardRanOnScoredRows = topOnScoredRows
        if topOnScoredRows {
            topLayerBackwardOnScoredRows(scoredCount!, weightGradients: weightGradients)
        } else {
            dres.update(repeating: 0, count: N * C)
            rmsnormBackward(dres, G + layout.lnf, dbtc, xLast, W + layout.lnf, lnfrstd, N, C)
        }
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let x = l == 0 ? UnsafePointer(encoded) : UnsafePointer(res3[l - 1])
            if !(topOnScoredRows && l == config.layers - 1) {
                // dres holds ∂res3: through the MLP branch
                linearBackward(dfchg, layout.fcproj[l], dres, fchg[l], 4 * C, C)
                geluBackward(dfch, fch[l], dfchg, N * 4 * C)   // separate buffers: in place would defeat vectorisation
                linearBackward(dbtc, layout.fc[l], dfch, ln2[l], C, 4 * C)
                rmsnormBackward(dres, G + layout.ln2[l], dbtc, res2[l], W + layout.ln2[l], ln2rstd[l], N, C)
                // dres holds ∂res2: through the attention branch
                linearBackward(datty, layout.attproj[l], dres, atty[l], C, C)
            }
            attentionBackward(dqkv, dscratch, datty, qkv[l], att[l], B, T, C, NH, rows: rows)
            if rows == nil {
                ropeBackward(dqkv, cosT, sinT, B, T, C, NH)
            } else {
                ropeBackward(dqkv, cosT, sinT, 1, N, C, NH, positions: rowPosition)
            }
            linearBackward(dbtc, layout.qkv[l], dqkv, ln1[l], C, 3 * C)
            rmsnormBackward(dres, G + layout.ln1[l], dbtc, x, W + layout.ln1[l], ln1rstd[l], N, C)
        }
        inputs.withUnsafeBufferPointer { encoderBackward(G + layout.wte, dprefix, dres, $0.baseAddress!, lastP, B, T, C, rows: rows) }
    }

    // MARK: weight gradients of stacked sequences
    // OpenBLAS blocks a product's sum over K by K's length, so a weight gradient summed over the
    // stacked rows alone would round differently from the padded batch's. It is summed over the
    // padded batch's rows instead, the stacked rows in their places and zeros between (a padded
    // row's output gradient is zero, so it added nothing there either).

    /// W's gradient += doutᵀ·inp over the last forward's rows, in the padded batch's order.
    private func weightGradient(_ dweight: FloatPtr, _ dout: ConstFloatPtr, _ inp: ConstFloatPtr, _ N: Int, _ IC: Int, _ OC: Int) {
        guard let rows = lastRows else { return matmulBackwardWeight(dweight, dout, inp, N, IC, OC) }
        if ownWeightGradient(dweight, dout, inp, rows: N, IC, OC, paddedRows: paddedTotal, rowsBefore: { p in
            let b = p / rows.T
            return b == rows.start.count ? N : rows.start[b] + min(p % rows.T, rows.length[b])
        }) { return }
        let (paddedOut, paddedIn) = paddedScratch()
        spreadToPaddedRows(paddedOut, dout, OC, rows)
        spreadToPaddedRows(paddedIn, inp, IC, rows)
        matmulBackwardWeight(dweight, paddedOut, paddedIn, rows.start.count * rows.T, IC, OC)
    }

    /// The head's weight gradient from dlogits in `probs`, whose row i belongs to model row
    /// `row(i)` (increasing, row(i) ≥ i): moved to their padded places in place, zeros between.
    private func headWeightGradient(rowsWithTargets S: Int, _ row: (Int) -> Int) {
        let V = config.vocabularySize, C = config.width
        func place(_ i: Int) -> Int { paddedPlace(row(i)) }
        let total = paddedTotal
        if sgemmCallsAreOwn(true, false, V, C, total, beta: 1) {
            // The S rows' dlogits are probs' first rows; their inputs, gathered, go into dres (free
            // until the last layer's backward).
            // (With the last layer on scored rows, lnf holds them gathered already.)
            let inPlace = S == rowCount || topLayerForwardRanOnScoredRows
            let gathered = inPlace ? UnsafePointer(lnf) : UnsafePointer(dres)
            if !inPlace { for i in 0..<S { (dres + i * C).update(from: lnf + row(i) * C, count: C) } }
            return compactWeightGradient(grads + layout.wte, probs, gathered, S, C, V, places: (0..<S).map(place))
        }
        precondition(!topLayerForwardRanOnScoredRows, "the last layer ran on scored rows without the trainer's own products")
        var next = total
        for i in stride(from: S - 1, through: 0, by: -1) {
            let to = place(i)
            (probs + (to + 1) * V).update(repeating: 0, count: (next - to - 1) * V)
            if to != i { (probs + to * V).update(from: probs + i * V, count: V) }
            next = to
        }
        probs.update(repeating: 0, count: next * V)
        var inp = UnsafePointer(lnf)
        if let rows = lastRows {
            let (_, paddedIn) = paddedScratch()
            spreadToPaddedRows(paddedIn, lnf, C, rows)
            inp = UnsafePointer(paddedIn)
        }
        matmulBackwardWeight(grads + layout.wte, probs, inp, total, C, V)
    }

    /// W's gradient += doutᵀ·inp over S rows that sit at `places` (increasing) of the padded
    /// product whose other rows are zero, with its bits (`ownWeightGradient`; the caller has
    /// checked that the padded product is the trainer's own).
    private func compactWeightGradient(_ dweight: FloatPtr, _ dout: ConstFloatPtr, _ inp: ConstFloatPtr, _ S: Int, _ IC: Int, _ OC: Int,
                                       places: [Int]) {
        let summed = ownWeightGradient(dweight, dout, inp, rows: S, IC, OC, paddedRows: paddedTotal) { p in
            var lo = 0, hi = S   // rows placed before p
            while lo < hi { let mid = (lo + hi) / 2; if places[mid] < p { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        precondition(summed)
    }

    /// The rows of the last forward: its sequences' rows stacked, or the whole batch.
    private var rowCount: Int { lastRows?.rows ?? lastB * lastT }

    /// The rows of the last forward's batch padded to its longest sequence.
    private var paddedTotal: Int { lastRows.map { $0.start.count * $0.T } ?? lastB * lastT }

    /// Row n of the last forward in the batch padded to its longest sequence.
    private func paddedPlace(_ n: Int) -> Int { lastRows == nil ? n : paddedRow[n] }

    /// dst (B·T, width) = the stacked rows of src in their padded places, zero on padding.
    private func spreadToPaddedRows(_ dst: FloatPtr, _ src: ConstFloatPtr, _ width: Int, _ rows: SequenceRows) {
        for b in 0..<rows.start.count {
            let L = rows.length[b], to = dst + b * rows.T * width
            to.update(from: src + rows.start[b] * width, count: L * width)
            (to + L * width).update(repeating: 0, count: (rows.T - L) * width)
        }
    }

    /// Two (maxBatch·context, 4C) buffers for the padded operands of weight gradients.
    private func paddedScratch() -> (FloatPtr, FloatPtr) {
        let n = maxBatch * config.context * 4 * config.width
        if paddedArena == nil { paddedArena = Arena(2 * n) }
        return (paddedArena!.base, paddedArena!.base + n)
    }

    // MARK: the output head on scored rows
    // Adaptation and scoring put a target on a few positions of each sequence (a caption, an
    // answer, an option). Logits, softmax and the input gradient of the head are per row, so they
    // run on those rows alone, gathered; the head's weight gradient sums over rows, and keeps
    // every row in place (its zero rows add nothing, but the order of the sum must not change).

    /// The number of rows with a target when the head should run on them alone: fewer than N,
    /// and products large enough for OpenBLAS's blocked kernels, so every logit and input
    /// gradient has the bits it has when the head runs on all N rows.
    private func headOnScoredRows(_ N: Int) -> Int? {
        guard headRunsOnScoredRows else { return nil }
        var S = 0
        for n in 0..<N where targets[n] >= 0 { scoredRows[S] = n; scoredTargets[S] = targets[n]; S += 1 }
        let C = config.width, V = config.vocabularySize
        return S < N && sgemmRowsKeepBits(false, true, S, V, C, of: N) && sgemmRowsKeepBits(false, false, S, C, V, of: N) ? S : nil
    }

    /// Logits, probabilities and losses of the S scored rows; losses of the other rows are 0.
    private func headForwardOnScoredRows(_ S: Int, _ N: Int) {
        let C = config.width, V = config.vocabularySize
        var gathered = UnsafePointer(lnf)   // gathered by the last layer on scored rows
        if !topLayerForwardRanOnScoredRows {
            for i in 0..<S { (dbtc + i * C).update(from: lnf + scoredRows[i] * C, count: C) }   // dbtc: free until backward
            gathered = UnsafePointer(dbtc)
        }
        matmulForward(probs, gathered, params + layout.wte, S, C, V, rowsOf: N)
        scoredTargets.withUnsafeBufferPointer { crossEntropyForward(losses, probs, $0.baseAddress!, S, V) }
        for i in stride(from: S - 1, through: 0, by: -1) { losses[scoredRows[i]] = losses[i] }   // rows only move down
        var next = 0
        for n in 0..<N {
            if next < S && scoredRows[next] == n { next += 1 } else { losses[n] = 0 }
        }
    }

    /// dbtc (N,C) = ∂lnf of the head (zero on rows without a target); wte's gradient += the
    /// head's, summed over all N rows as on the full head.
    private func headBackwardOnScoredRows(_ S: Int, _ N: Int, scale: Float, weightGradients: Bool) {
        let C = config.width, V = config.vocabularySize
        scoredTargets.withUnsafeBufferPointer { crossEntropyBackward(probs, $0.baseAddress!, scale, S, V) }
        matmulBackwardInput(dres, probs, params + layout.wte, S, C, V, rowsOf: N)
        dbtc.update(repeating: 0, count: N * C)
        for i in 0..<S { (dbtc + scoredRows[i] * C).update(from: dres + i * C, count: C) }
        if weightGradients { headWeightGradient(rowsWithTargets: S) { scoredRows[$0] } }
    }

    // MARK: the last layer above its attention, on scored rows
    // Only the scored rows' losses are asked for, and above the last layer's attention nothing
    // mixes rows: the attention's output projection, its residual, the MLP with its norm and the
    // final norm run on the scored rows alone, gathered, in forward as in backward. Their products
    // are the full products' rows (blocked kernels sum each element alone) and the rest works row
    // by row, so every bit is the full pass's. Backward, the gradient reaching the last layer is
    // zero on every other row (a zero row's products are +0, its norm terms add nothing); the
    // weight gradients sum the scored rows in the full product's K blocks (`ownWeightGradient`).
    // The attention's input gradient is taken on every row, as the attention needs.

    /// Gathered rows of the last layer (`ScoredActivations`).
    private var scoredArena: Arena?

    /// The last layer's activations and gradients on S gathered rows: the final norm's input,
    /// ln2, res2, atty, ∂res and a product's output (C each), fch and fchg (4C each), two rstd.
    private struct ScoredActivations { let x, ln2, res2, atty, dres, dbtc, fch, fchg, lnfrstd, ln2rstd: FloatPtr }

    private func scoredActivations(_ S: Int) -> ScoredActivations {
        let C = config.width
        if scoredArena == nil { scoredArena = Arena(maxBatch * config.context * (14 * C + 2)) }
        var next = scoredArena!.base
        func take(_ count: Int) -> FloatPtr { defer { next += count }; return next }
        return ScoredActivations(x: take(S * C), ln2: take(S * C), res2: take(S * C), atty: take(S * C), dres: take(S * C),
                                 dbtc: take(S * C), fch: take(S * 4 * C), fchg: take(S * 4 * C), lnfrstd: take(S), ln2rstd: take(S))
    }

    /// Whether the last layer's MLP can run on the S scored rows with the full pass's bits.
    private func topLayerRunsOnScoredRows(_ S: Int, weightGradients: Bool) -> Bool {
        let C = config.width, N = rowCount, total = paddedTotal
        guard sgemmRowsKeepBits(false, false, S, 4 * C, C, of: N), sgemmRowsKeepBits(false, false, S, C, 4 * C, of: N) else { return false }
        return !weightGradients || [(C, 4 * C), (4 * C, C), (C, C)].allSatisfy { sgemmCallsAreOwn(true, false, $0.0, $0.1, total, beta: 1) }
    }

    /// Whether forward can leave the last layer's other rows out: its products keep their bits on
    /// S rows, and whatever backward comes (weight gradients or not) can run on them, the head's
    /// weight gradient included.
    private func topLayerForwardRunsOnScoredRows(_ S: Int) -> Bool {
        let C = config.width, N = rowCount
        return [(C, C), (4 * C, C), (C, 4 * C)].allSatisfy { sgemmRowsKeepBits(false, true, S, $0.0, $0.1, of: N) }
            && topLayerRunsOnScoredRows(S, weightGradients: true)
            && sgemmCallsAreOwn(true, false, config.vocabularySize, C, paddedTotal, beta: 1)
    }

    /// From the attention's output in atty and the layer's input x to the final norm's output on
    /// the S scored rows, in lnf's first S rows; the layer's activations stay gathered.
    private func topLayerForwardOnScoredRows(_ S: Int, _ x: ConstFloatPtr) {
        let C = config.width, l = config.layers - 1, N = rowCount, W = params, g = scoredActivations(S)
        for i in 0..<S {
            let n = scoredRows[i]
            (g.atty + i * C).update(from: atty[l] + n * C, count: C)
            (g.x + i * C).update(from: x + n * C, count: C)   // the layer's input, until its output replaces it
        }
        matmulForward(g.dbtc, g.atty, W + layout.attproj[l], S, C, C, rowsOf: N)
        residualForward(g.res2, g.x, g.dbtc, S * C)
        rmsnormForward(g.ln2, g.ln2rstd, g.res2, W + layout.ln2[l], S, C)
        matmulForward(g.fch, g.ln2, W + layout.fc[l], S, C, 4 * C, rowsOf: N)
        geluForward(g.fchg, g.fch, S * 4 * C)
        matmulForward(g.dbtc, g.fchg, W + layout.fcproj[l], S, 4 * C, C, rowsOf: N)
        residualForward(g.x, g.res2, g.dbtc, S * C)
        rmsnormForward(lnf, g.lnfrstd, g.x, W + layout.lnf, S, C)
    }

    /// From the head's input gradient in dbtc (zero off the scored rows) to ∂res2 in dres and
    /// the attention's output gradient in datty, with the last layer's weight gradients.
    private func topLayerBackwardOnScoredRows(_ S: Int, weightGradients: Bool) {
        let C = config.width, l = config.layers - 1, N = rowCount, W = params, G = grads
        let g = scoredActivations(S)
        if !topLayerForwardRanOnScoredRows {
            for i in 0..<S {
                let n = scoredRows[i]
                for (to, from) in [(g.x, res3[l]), (g.ln2, ln2[l]), (g.res2, res2[l]), (g.atty, atty[l])] {
                    (to + i * C).update(from: from + n * C, count: C)
                }
                (g.fch + i * 4 * C).update(from: fch[l] + n * 4 * C, count: 4 * C)
                (g.fchg + i * 4 * C).update(from: fchg[l] + n * 4 * C, count: 4 * C)
                g.lnfrstd[i] = lnfrstd[n]; g.ln2rstd[i] = ln2rstd[l][n]
            }
        }
        for i in 0..<S { (g.dbtc + i * C).update(from: dbtc + scoredRows[i] * C, count: C) }
        let places = (0..<S).map { paddedPlace(scoredRows[$0]) }
        g.dres.update(repeating: 0, count: S * C)
        rmsnormBackward(g.dres, G + layout.lnf, g.dbtc, g.x, W + layout.lnf, g.lnfrstd, S, C)
        matmulBackwardInput(dfchg, g.dres, W + layout.fcproj[l], S, 4 * C, C, rowsOf: N)
        if weightGradients { compactWeightGradient(G + layout.fcproj[l], g.dres, g.fchg, S, 4 * C, C, places: places) }
        geluBackward(dfch, g.fch, dfchg, S * 4 * C)
        matmulBackwardInput(g.dbtc, dfch, W + layout.fc[l], S, C, 4 * C, rowsOf: N)
        if weightGradients { compactWeightGradient(G + layout.fc[l], dfch, g.ln2, S, C, 4 * C, places: places) }
        rmsnormBackward(g.dres, G + layout.ln2[l], g.dbtc, g.res2, W + layout.ln2[l], g.ln2rstd, S, C)
        dres.update(repeating: 0, count: N * C)
        for i in 0..<S { (dres + scoredRows[i] * C).update(from: g.dres + i * C, count: C) }
        matmulBackwardInput(datty, dres, W + layout.attproj[l], N, C, C)
        if weightGradients { compactWeightGradient(G + layout.attproj[l], g.dres, g.atty, S, C, C, places: places) }
    }

    // MARK: scoring

    /// Sum of log-probabilities of each `continuation` given its `prompt` (for multiple-choice
    /// scoring). Sequences longer than context+1 keep their last context+1 tokens. Consecutive
    /// items with the same prompt are scored packed (PackedScoring.swift).
    public func logLikelihoods(_ items: [(prompt: [Int32], continuation: [Int32])]) -> [Double] {
        let T = config.context
        let examples = items.map { item -> VisualExample in
            let all = Array((item.prompt + item.continuation).suffix(T + 1))
            return VisualExample(features: [], tokens: all, scoredFrom: all.count - min(item.continuation.count, T))
        }
        return packedLogLikelihoods(packedSequences(examples, visualTokens: 0, context: T), examples: items.count,
                                    model: self, visualTokens: 0, embed: nil)
    }
}
