// Gradient checks against central finite differences: every layer, then the whole model.
// Layer checks use the scalar loss Σ out ⊙ R (R random), accumulated in Double.
import Testing
@testable import Trainer

/// Random fp32 buffer.
final class Buf {
    var a: [Float]
    init(_ n: Int, _ rng: inout SplitMix64, std: Double = 1) { a = (0..<n).map { _ in Float(rng.normal() * std) } }
    init(zeros n: Int) { a = [Float](repeating: 0, count: n) }
    var p: FloatPtr { a.withUnsafeMutableBufferPointer { $0.baseAddress! } }
}

/// Compares analytic gradients of `x` with central differences of `loss` at a few coordinates
/// (the largest-gradient ones and some random ones) and along a random direction.
func checkGradient(_ name: String, _ x: Buf, _ analytic: [Float], eps: Float = 1e-2, tolerance: Double = 2e-2,
                   _ loss: () -> Double) {
    var rng = SplitMix64(seed: 99)
    let n = x.a.count
    var idx = Array(analytic.indices.sorted { abs(analytic[$0]) > abs(analytic[$1]) }.prefix(4))
    for _ in 0..<4 { idx.append(Int(rng.next() % UInt64(n))) }
    var worst = 0.0
    for i in idx {
        let orig = x.a[i]
        x.a[i] = orig + eps; let lp = loss()
        x.a[i] = orig - eps; let lm = loss()
        x.a[i] = orig
        let numeric = (lp - lm) / (2 * Double(eps))
        let a = Double(analytic[i])
        let err = abs(a - numeric) / max(abs(a), abs(numeric), 1e-3)
        worst = max(worst, err)
        #expect(err < tolerance, "\(name)[\(i)]: analytic \(a) numeric \(numeric)")
    }
    // directional derivative along a random unit direction
    let d = (0..<n).map { _ in Float(rng.normal()) }
    let dn = Float(d.reduce(0) { $0 + Double($1 * $1) }.squareRoot())
    let orig = x.a
    for i in 0..<n { x.a[i] = orig[i] + eps * d[i] / dn }
    let lp = loss()
    for i in 0..<n { x.a[i] = orig[i] - eps * d[i] / dn }
    let lm = loss()
    x.a = orig
    let numeric = (lp - lm) / (2 * Double(eps))
    let a = zip(analytic, d).reduce(0.0) { $0 + Double($1.0 * $1.1 / dn) }
    let err = abs(a - numeric) / max(abs(a), abs(numeric), 1e-3)
    #expect(err < tolerance, "\(name) direction: analytic \(a) numeric \(numeric)")
}

func dot(_ out: [Float], _ r: [Float]) -> Double { zip(out, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }

@Suite struct LayerGradientChecks {
    @Test func matmul() {
        var rng = SplitMix64(seed: 1)
        let N = 6, IC = 5, OC = 7
        let inp = Buf(N * IC, &rng), w = Buf(OC * IC, &rng), r = Buf(N * OC, &rng), out = Buf(zeros: N * OC)
        func loss() -> Double { matmulForward(out.p, inp.p, w.p, N, IC, OC); return dot(out.a, r.a) }
        let dinp = Buf(zeros: N * IC), dw = Buf(zeros: OC * IC)
        matmulBackward(dinp.p, dw.p, r.p, inp.p, w.p, N, IC, OC)
        checkGradient("matmul.inp", inp, dinp.a, loss)
        checkGradient("matmul.weight", w, dw.a, loss)
    }

    @Test func rmsnorm() {
        var rng = SplitMix64(seed: 2)
        let N = 4, C = 8
        let inp = Buf(N * C, &rng), w = Buf(C, &rng), r = Buf(N * C, &rng), out = Buf(zeros: N * C), rstd = Buf(zeros: N)
        func loss() -> Double { rmsnormForward(out.p, rstd.p, inp.p, w.p, N, C); return dot(out.a, r.a) }
        _ = loss()
        let dinp = Buf(zeros: N * C), dw = Buf(zeros: C)
        rmsnormBackward(dinp.p, dw.p, r.p, inp.p, w.p, rstd.p, N, C)
        checkGradient("rmsnorm.inp", inp, dinp.a, loss)
        checkGradient("rmsnorm.weight", w, dw.a, loss)
    }

    @Test func rope() {
        var rng = SplitMix64(seed: 3)
        let B = 2, T = 5, C = 8, NH = 2
        let (c, s) = ropeTables(maxT: T, headSize: C / NH)
        let x = Buf(B * T * 3 * C, &rng), r = Buf(B * T * 3 * C, &rng), tmp = Buf(zeros: B * T * 3 * C)
        func loss() -> Double { tmp.a = x.a; ropeForward(tmp.p, c, s, B, T, C, NH); return dot(tmp.a, r.a) }
        let d = Buf(zeros: 0); d.a = r.a
        ropeBackward(d.p, c, s, B, T, C, NH)
        checkGradient("rope.qkv", x, d.a, loss)
    }

    @Test func attention() {
        var rng = SplitMix64(seed: 4)
        let B = 2, T = 5, C = 8, NH = 2
        let qkv = Buf(B * T * 3 * C, &rng), r = Buf(B * T * C, &rng)
        let out = Buf(zeros: B * T * C), att = Buf(zeros: B * NH * T * T)
        func loss() -> Double { attentionForward(out.p, att.p, qkv.p, B, T, C, NH); return dot(out.a, r.a) }
        _ = loss()
        let dqkv = Buf(zeros: B * T * 3 * C), scratch = Buf(zeros: maxWorkerThreads * T * T)
        attentionBackward(dqkv.p, scratch.p, r.p, qkv.p, att.p, B, T, C, NH)
        checkGradient("attention.qkv", qkv, dqkv.a, loss)
        // causality: the output at t must not depend on inputs after t
        _ = loss()
        let before = out.a
        qkv.a[(1 * T + 4) * 3 * C + 2] += 1     // perturb the last position of sequence 1
        _ = loss()
        for t in 0..<4 { for i in 0..<C { #expect(out.a[(1 * T + t) * C + i] == before[(1 * T + t) * C + i]) } }
    }

    @Test func gelu() {
        var rng = SplitMix64(seed: 5)
        let N = 24
        let inp = Buf(N, &rng, std: 2), r = Buf(N, &rng), out = Buf(zeros: N)
        func loss() -> Double { geluForward(out.p, inp.p, N); return dot(out.a, r.a) }
        let d = Buf(zeros: N)
        geluBackward(d.p, inp.p, r.p, N)
        checkGradient("gelu.inp", inp, d.a, eps: 1e-3, loss)
    }

    @Test func crossEntropy() {
        var rng = SplitMix64(seed: 6)
        let N = 5, V = 7
        let logits = Buf(N * V, &rng, std: 2), probs = Buf(zeros: N * V), losses = Buf(zeros: N)
        let targets: [Int32] = [3, 0, -1, 6, 2]
        func loss() -> Double {
            probs.a = logits.a
            crossEntropyForward(losses.p, probs.p, targets, N, V)
            return losses.a.reduce(0.0) { $0 + Double($1) } / 4
        }
        _ = loss()
        crossEntropyBackward(probs.p, targets, 0.25, N, V)
        checkGradient("crossentropy.logits", logits, probs.a, eps: 1e-3, loss)
    }

    @Test func encoderWithPrefix() {
        var rng = SplitMix64(seed: 7)
        let B = 2, T = 4, C = 3, V = 6, P = 2
        let wte = Buf(V * C, &rng), prefix = Buf(B * P * C, &rng), r = Buf(B * T * C, &rng), out = Buf(zeros: B * T * C)
        let tokens: [Int32] = [1, 2, 3, 3, 5, 0, 1, 4]
        func loss() -> Double { encoderForward(out.p, tokens, wte.p, prefix.p, P, B, T, C); return dot(out.a, r.a) }
        let dwte = Buf(zeros: V * C), dprefix = Buf(zeros: B * P * C)
        encoderBackward(dwte.p, dprefix.p, r.p, tokens, P, B, T, C)
        checkGradient("encoder.wte", wte, dwte.a, loss)
        checkGradient("encoder.prefix", prefix, dprefix.a, loss)
    }

    @Test func fastExpIsAccurate() {
        for x in stride(from: Float(-80), through: 80, by: 0.37) {
            let e = fastExp(x), ref = Float(Foundation.exp(Double(x)))
            #expect(abs(e - ref) / ref < 1e-6, "exp(\(x))")
        }
    }
}

@Suite struct ModelGradientCheck {
    /// The whole model, every parameter tensor, plus the prefix-embedding hook.
    @Test func wholeModel() throws {
        let cfg = ModelConfig(vocabularySize: 11, context: 6, layers: 2, width: 8, heads: 2)
        let B = 2, T = 6, P = 2
        let model = try Model(config: cfg, maxBatch: B, seed: 3)
        var rng = SplitMix64(seed: 8)
        // larger weights than the default init, so every path carries a visible gradient
        for i in 0..<model.parameterCount { model.params[i] += Float(rng.normal() * 0.3) }
        let inputs: [Int32] = (0..<(B * T)).map { _ in Int32(rng.next() % 11) }
        var targets: [Int32] = (0..<(B * T)).map { _ in Int32(rng.next() % 11) }
        targets[0] = -1; targets[1] = -1   // no loss on the prefix positions
        let prefix = Buf(B * P * cfg.width, &rng, std: 0.5)

        func loss() -> Double {
            model.forward(inputs: inputs, targets: targets, B: B, T: T, prefix: prefix.p, prefixLength: P)
            var s = 0.0
            for i in 0..<(B * T) where targets[i] >= 0 { s += Double(model.losses[i]) }
            return s / 10
        }
        _ = loss()
        model.zeroGrad()
        let dprefix = Buf(zeros: B * P * cfg.width)
        model.backward(dprefix: dprefix.p)
        let grads = Array(UnsafeBufferPointer(start: model.grads, count: model.parameterCount))
        for t in model.layout.tensors {
            let x = Buf(zeros: t.count)
            x.a = Array(UnsafeBufferPointer(start: model.params + t.offset, count: t.count))
            let g = Array(grads[t.offset..<(t.offset + t.count)])
            checkGradient("model.\(t.name)", x, g, eps: 1e-2, tolerance: 3e-2) {
                (model.params + t.offset).update(from: x.a, count: t.count)
                return loss()
            }
            (model.params + t.offset).update(from: x.a, count: t.count)
        }
        checkGradient("model.prefix", prefix, dprefix.a, eps: 1e-2, tolerance: 3e-2, loss)
    }
}

import Foundation
