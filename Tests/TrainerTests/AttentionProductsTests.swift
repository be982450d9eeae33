import Testing
@testable import Trainer

/// The trainer's own attention products against `cblas_sgemm` over the whole causal products
/// OpenBLAS would compute, at every sequence length up to the context.
@Suite struct AttentionProductsTests {
    /// Every score, row product and key product a causal row uses has OpenBLAS's bits, for head
    /// sizes 16 and 20 (the lanes past 16), α of 1 and 1/√hs, every length up to contexts of
    /// 128 and of rows that end inside a vector (45, 77); nothing is written past a row's end.
    @Test(arguments: [128, 45, 77])
    func attentionProductsKeepOpenBLASBits(T: Int) {
        guard blasCoreName == "Cooperlake" else { return }
        for hs in [16, 20] {
            var rng = SplitMix64(seed: UInt64(hs))
            let ld = 3 * hs + 5   // rows of Q, K, V and dO sit apart as in qkv
            let x = Buf(T * ld, &rng), y = Buf(T * ld, &rng)
            // Causal weights (probabilities or score gradients): zero past the diagonal.
            let weights = Buf(T * T, &rng)
            for i in 0..<T { for j in (i + 1)..<T { weights.a[i * T + j] = 0 } }
            for L in 1...T {
                for alpha: Float in [1, 1 / Float(hs).squareRoot()] {
                    let label = "T \(T), hs \(hs), L \(L), α \(alpha)"
                    let own = Buf(zeros: T * T), blas = Buf(zeros: T * T)
                    ownCausalScores(own.p, T, x.p, ld, y.p, ld, L: L, hs: hs, alpha: alpha)
                    openBLASSgemm(false, true, L, L, hs, alpha, x.p, ld, y.p, ld, 0, blas.p, T)
                    #expect(firstCausalDifference(own, blas, L: L, T: T) == nil, "scores, \(label)")

                    let ownRows = Buf(zeros: T * ld), blasRows = Buf(zeros: T * ld)
                    ownCausalRowProducts(ownRows.p, ld, weights.p, T, y.p, ld, L: L, hs: hs, alpha: alpha, callKeys: T)
                    openBLASSgemm(false, false, L, hs, T, alpha, weights.p, T, y.p, ld, 0, blasRows.p, ld)
                    #expect(firstDifference(ownRows.a, blasRows.a) == nil, "row products, \(label)")

                    let ownKeys = Buf(zeros: T * ld), blasKeys = Buf(zeros: T * ld)
                    ownCausalKeyProducts(ownKeys.p, ld, weights.p, T, x.p, ld, L: L, hs: hs, alpha: alpha)
                    openBLASSgemm(true, false, L, hs, L, alpha, weights.p, T, x.p, ld, 0, blasKeys.p, ld)
                    #expect(firstDifference(ownKeys.a, blasKeys.a) == nil, "key products, \(label)")
                }
            }
        }
    }

    /// With a call's K under 32 OpenBLAS sums the columns past 16 in one chain, not in lanes.
    @Test func rowProductsOfShortCallsSumInOneChain() {
        guard blasCoreName == "Cooperlake" else { return }
        let T = 16, hs = 20, ld = 64
        var rng = SplitMix64(seed: 5)
        let v = Buf(T * ld, &rng), p = Buf(T * T, &rng)
        for i in 0..<T { for j in (i + 1)..<T { p.a[i * T + j] = 0 } }
        let own = Buf(zeros: T * ld), blas = Buf(zeros: T * ld)
        ownCausalRowProducts(own.p, ld, p.p, T, v.p, ld, L: T, hs: hs, alpha: 1, callKeys: T)
        openBLASSgemm(false, false, T, hs, T, 1, p.p, T, v.p, ld, 0, blas.p, ld)
        #expect(firstDifference(own.a, blas.a) == nil)
    }
}

/// The first (row, key) with j ≤ i < L whose bits differ.
private func firstCausalDifference(_ a: Buf, _ b: Buf, L: Int, T: Int) -> (Int, Int)? {
    for i in 0..<L { for j in 0...i where a.a[i * T + j].bitPattern != b.a[i * T + j].bitPattern { return (i, j) } }
    return nil
}
