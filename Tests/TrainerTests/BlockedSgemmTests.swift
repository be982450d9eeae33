import Foundation
import Testing
@testable import Trainer

/// Products of each kind the model makes (forward: op(B) transposed; input gradient: neither;
/// weight gradient: op(A) transposed, β = 1), with K in one block, two halves and many blocks,
/// rows left over after the 8-row tiles and a last panel 16 columns wide.
private let shapes: [(transA: Bool, transB: Bool, M: Int, N: Int, K: Int, beta: Float)] = [
    (false, true, 301, 480, 160, 0), (false, true, 64, 80, 700, 0), (false, true, 200, 48, 321, 1),
    (false, false, 300, 160, 640, 0), (false, false, 45, 208, 480, 1),
    (true, false, 160, 96, 2048, 1), (true, false, 37, 160, 1000, 0),
]

private struct Operands {
    let A: [Float], B: [Float], C: [Float], lda: Int, ldb: Int
    init(_ s: (transA: Bool, transB: Bool, M: Int, N: Int, K: Int, beta: Float), seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        lda = s.transA ? s.M : s.K
        ldb = s.transB ? s.K : s.N
        A = (0..<(s.M * s.K)).map { _ in Float(rng.normal()) }
        B = (0..<(s.K * s.N)).map { _ in Float(rng.normal()) }
        C = (0..<(s.M * s.N)).map { _ in Float(rng.normal()) }
    }

    func product(_ s: (transA: Bool, transB: Bool, M: Int, N: Int, K: Int, beta: Float),
                 _ multiply: (ConstFloatPtr, ConstFloatPtr, FloatPtr) -> Void) -> [Float] {
        var out = C
        A.withUnsafeBufferPointer { a in B.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { c in
            multiply(a.baseAddress!, b.baseAddress!, c.baseAddress!)
        } } }
        return out
    }
}

@Suite(.serialized) struct BlockedSgemmTests {   // serialized: `ownSgemm` is process-wide
    /// Each element is OpenBLAS's order written out one multiply-add at a time: per K block, a
    /// fused chain from zero, added to C (zeroed first for β = 0).
    @Test func eachElementIsAChainOfFusedMultiplyAddsPerKBlock() {
        for (i, s) in shapes.enumerated() {
            let o = Operands(s, seed: UInt64(i))
            let own = o.product(s) { a, b, c in blockedSgemm(s.transA, s.transB, s.M, s.N, s.K, a, o.lda, b, o.ldb, s.beta, c, s.N) }
            var written = o.C
            for m in 0..<s.M {
                for n in 0..<s.N {
                    var c: Float = s.beta == 0 ? 0 : written[m * s.N + n], k0 = 0
                    while k0 < s.K {
                        let kb = openBLASKBlock(s.K - k0)
                        var sum: Float = 0
                        for k in k0..<(k0 + kb) {
                            let a = s.transA ? o.A[k * o.lda + m] : o.A[m * o.lda + k]
                            let b = s.transB ? o.B[n * o.ldb + k] : o.B[k * o.ldb + n]
                            sum = sum.addingProduct(a, b)
                        }
                        c = c + sum
                        k0 += kb
                    }
                    written[m * s.N + n] = c
                }
            }
            #expect(firstDifference(own, written) == nil, "\(s)")
        }
        #expect(openBLASKBlock(2048) == 320 && openBLASKBlock(640) == 320 && openBLASKBlock(480) == 240)
    }

    /// Against OpenBLAS itself, where its Cooperlake kernels run: every product, and a model's
    /// losses and gradients with the products computed either way, bit for bit.
    @Test(.enabled(if: blasCoreName == "Cooperlake", "OpenBLAS's order is checked on its Cooperlake kernels only"))
    func theOwnProductsKeepOpenBLASsBits() throws {
        setThreads(1)   // OpenBLAS on one thread, as the trainer runs it
        for (i, s) in shapes.enumerated() where s.M * s.N * s.K > blockedSgemmMinimumWork {
            let o = Operands(s, seed: UInt64(100 + i))
            let own = o.product(s) { a, b, c in blockedSgemm(s.transA, s.transB, s.M, s.N, s.K, a, o.lda, b, o.ldb, s.beta, c, s.N) }
            let blas = o.product(s) { a, b, c in openBLASSgemm(s.transA, s.transB, s.M, s.N, s.K, 1, a, o.lda, b, o.ldb, s.beta, c, s.N) }
            #expect(firstDifference(own, blas) == nil, "\(s)")
        }
        try settingOwnSgemm { try modelKeepsItsBits() }
    }

    private func modelKeepsItsBits() throws {
        let config = ModelConfig(vocabularySize: 512, context: 64, layers: 2, width: 64, heads: 4)
        let B = 16, T = 64, N = B * T
        var rng = SplitMix64(seed: 5)
        let inputs = (0..<N).map { _ in Int32(rng.next() % 512) }, targets = (0..<N).map { _ in Int32(rng.next() % 512) }
        for threads in [1, 2] {
            setThreads(threads)
            defer { setThreads(1) }
            var results: [(losses: [Float], grads: [Float])] = []
            for own in [true, false] {
                ownSgemm = own
                let model = try Model(config: config, maxBatch: B, seed: 3)
                model.zeroGrad()
                _ = model.forward(inputs: inputs, targets: targets, B: B, T: T)
                model.backward()
                results.append((Array(UnsafeBufferPointer(start: model.losses, count: N)),
                                Array(UnsafeBufferPointer(start: model.grads, count: model.parameterCount))))
            }
            #expect(firstDifference(results[0].losses, results[1].losses) == nil, "losses, \(threads) threads")
            #expect(firstDifference(results[0].grads, results[1].grads) == nil, "gradients, \(threads) threads")
        }
    }
}
