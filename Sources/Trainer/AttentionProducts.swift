// Attention's per-head products, summed as OpenBLAS 0.3.21's Cooperlake kernels sum them,
// without OpenBLAS.
//
// OpenBLAS runs each head's products (T ≤ 128 rows, head size 16 or 20) through its small-matrix
// and blocked kernels, call by call, and spends more time packing and dispatching than
// multiplying. Compared element by element with `cblas_sgemm` (`attentionProductsKeepOpenBLASBits`):
// - Q·Kᵀ and dO·Vᵀ (row-major NT, K = head size): each element one chain of fused multiply-adds
//   from zero in K order, then times α.
// - Pᵀ·dO and dSᵀ·Q (row-major TN, K = query rows): the same, in query order.
// - P·V and dS·K (row-major NN, N = head size): the first 16 columns one chain in key order; the
//   columns past 16 (4 at head size 20) in 16 lanes, key k into lane k mod 16, the lanes then
//   added in neighbouring pairs ((l0 + l1) + (l2 + l3)) + …, when the call's K is at least 32
//   (one chain below 32); then times α.
// A causal row sees no key past itself, so its probabilities and score gradients past the
// diagonal are zeros: chains from +0 are left unchanged by zero terms (fma(±0, x, s) = s, and
// +0 + -0 = +0), so the products below stop at the diagonal and keep every bit.
import Foundation

/// Whether attention's per-head products are the trainer's own (`ownSgemm`): for the head
/// sizes whose OpenBLAS order is modelled above, 16 and 20.
@inline(__always)
func ownAttentionProducts(hs: Int) -> Bool {
    ownSgemm && (hs == 16 || hs == 20)
}

@inline(__always) private func broadcast(_ x: Float) -> Lanes { Lanes(repeating: x) }

/// The first `count` floats at p (up to 16), zeros after: the last vector of a row of T floats
/// when T is not a whole number of vectors.
@inline(__always) private func load(_ p: UnsafePointer<Float>, count: Int) -> Lanes {
    if count >= 16 { return load(p) }
    var v = Lanes()
    for l in 0..<count { v[l] = p[l] }
    return v
}

@inline(__always) private func store(_ p: FloatPtr, _ v: Lanes, count: Int) {
    if count >= 16 { return store(p, v) }
    for l in 0..<count { p[l] = v[l] }
}

/// S[i][j] = α·Σ_k X[i][k]·Y[j][k] over the head size hs, for rows i < L and keys j ≤ i (and the
/// keys past i up to the end of its 16-key vector or of the row's ldS floats, which the softmax
/// overwrites).
func ownCausalScores(_ S: FloatPtr, _ ldS: Int, _ X: ConstFloatPtr, _ ldx: Int, _ Y: ConstFloatPtr, _ ldy: Int,
                     L: Int, hs: Int, alpha: Float) {
    let width = (L + 15) / 16 * 16
    withUnsafeTemporaryAllocation(of: Float.self, capacity: hs * width) { buffer in
        let yT = buffer.baseAddress!   // (hs, width): Yᵀ, zero past L
        for j in 0..<L {
            let y = Y + j * ldy
            for k in 0..<hs { yT[k * width + j] = y[k] }
        }
        for k in 0..<hs { (yT + k * width + L).initialize(repeating: 0, count: width - L) }
        var i0 = 0
        while i0 < L {
            let rows = min(8, L - i0)
            let keys = (i0 + rows + 15) / 16 * 16
            var j0 = 0
            while j0 < keys {
                let pair = keys - j0 >= 32
                let last = ldS - j0 - (pair ? 16 : 0)   // floats the row has left for the last vector
                if rows == 8 {
                    scoreRows8(S + i0 * ldS + j0, ldS, X + i0 * ldx, ldx, yT + j0, width, hs: hs, alpha: alpha, pair: pair, last: last)
                } else {
                    for i in i0..<(i0 + rows) {
                        scoreRow(S + i * ldS + j0, X + i * ldx, yT + j0, width, hs: hs, alpha: alpha, pair: pair, last: last)
                    }
                }
                j0 += pair ? 32 : 16
            }
            i0 += rows
        }
    }
}

/// Eight rows of scores over 16 keys (32 with `pair`), `last` floats of the last vector stored.
@inline(__always)
private func scoreRows8(_ s: FloatPtr, _ ldS: Int, _ x: ConstFloatPtr, _ ldx: Int, _ yT: ConstFloatPtr, _ width: Int,
                        hs: Int, alpha: Float, pair: Bool, last: Int) {
    var s00 = Lanes(), s01 = Lanes(), s10 = Lanes(), s11 = Lanes(), s20 = Lanes(), s21 = Lanes(), s30 = Lanes(), s31 = Lanes()
    var s40 = Lanes(), s41 = Lanes(), s50 = Lanes(), s51 = Lanes(), s60 = Lanes(), s61 = Lanes(), s70 = Lanes(), s71 = Lanes()
    for k in 0..<hs {
        let y0 = load(yT + k * width), y1 = pair ? load(yT + k * width + 16) : Lanes()
        var b = broadcast(x[k]); s00 = s00.addingProduct(b, y0); s01 = s01.addingProduct(b, y1)
        b = broadcast(x[ldx + k]); s10 = s10.addingProduct(b, y0); s11 = s11.addingProduct(b, y1)
        b = broadcast(x[2 * ldx + k]); s20 = s20.addingProduct(b, y0); s21 = s21.addingProduct(b, y1)
        b = broadcast(x[3 * ldx + k]); s30 = s30.addingProduct(b, y0); s31 = s31.addingProduct(b, y1)
        b = broadcast(x[4 * ldx + k]); s40 = s40.addingProduct(b, y0); s41 = s41.addingProduct(b, y1)
        b = broadcast(x[5 * ldx + k]); s50 = s50.addingProduct(b, y0); s51 = s51.addingProduct(b, y1)
        b = broadcast(x[6 * ldx + k]); s60 = s60.addingProduct(b, y0); s61 = s61.addingProduct(b, y1)
        b = broadcast(x[7 * ldx + k]); s70 = s70.addingProduct(b, y0); s71 = s71.addingProduct(b, y1)
    }
    let a = broadcast(alpha), n = pair ? 16 : last
    store(s, s00 * a, count: n); store(s + ldS, s10 * a, count: n); store(s + 2 * ldS, s20 * a, count: n)
    store(s + 3 * ldS, s30 * a, count: n); store(s + 4 * ldS, s40 * a, count: n); store(s + 5 * ldS, s50 * a, count: n)
    store(s + 6 * ldS, s60 * a, count: n); store(s + 7 * ldS, s70 * a, count: n)
    guard pair else { return }
    let t = s + 16
    store(t, s01 * a, count: last); store(t + ldS, s11 * a, count: last); store(t + 2 * ldS, s21 * a, count: last)
    store(t + 3 * ldS, s31 * a, count: last); store(t + 4 * ldS, s41 * a, count: last); store(t + 5 * ldS, s51 * a, count: last)
    store(t + 6 * ldS, s61 * a, count: last); store(t + 7 * ldS, s71 * a, count: last)
}

/// One row of scores over 16 keys (32 with `pair`), `last` floats of the last vector stored.
@inline(__always)
private func scoreRow(_ s: FloatPtr, _ x: ConstFloatPtr, _ yT: ConstFloatPtr, _ width: Int, hs: Int, alpha: Float, pair: Bool,
                      last: Int) {
    var s0 = Lanes(), s1 = Lanes()
    for k in 0..<hs {
        let b = broadcast(x[k])
        s0 = s0.addingProduct(b, load(yT + k * width))
        if pair { s1 = s1.addingProduct(b, load(yT + k * width + 16)) }
    }
    store(s, s0 * broadcast(alpha), count: pair ? 16 : last)
    if pair { store(s + 16, s1 * broadcast(alpha), count: last) }
}

/// O[i][c] = α·Σ_{j ≤ i} P[i][j]·V[j][c] for rows i < L and c < hs (16 or 20), P zero past the
/// diagonal; `callKeys` is the K of the OpenBLAS call whose bits these keep (lanes from 32 on).
func ownCausalRowProducts(_ O: FloatPtr, _ ldo: Int, _ P: ConstFloatPtr, _ ldp: Int, _ V: ConstFloatPtr, _ ldv: Int,
                          L: Int, hs: Int, alpha: Float, callKeys: Int) {
    var i0 = 0
    while i0 < L {
        let rows = min(8, L - i0)
        if rows == 8 {
            rowProducts8(O + i0 * ldo, ldo, P + i0 * ldp, ldp, V, ldv, keys: i0 + 8, alpha: alpha)
        } else {
            for i in i0..<(i0 + rows) { rowProduct(O + i * ldo, P + i * ldp, V, ldv, keys: i + 1, alpha: alpha) }
        }
        i0 += rows
    }
    guard hs > 16 else { return }
    precondition(hs == 20, "the columns past 16 are written for 4 of them")
    if callKeys < 32 {
        for i in 0..<L {
            var sum = SIMD4<Float>()
            for j in 0...i {
                sum = sum.addingProduct(SIMD4(repeating: P[i * ldp + j]), UnsafeRawPointer(V + j * ldv + 16).loadUnaligned(as: SIMD4<Float>.self))
            }
            UnsafeMutableRawPointer(O + i * ldo + 16).storeBytes(of: sum * alpha, as: SIMD4<Float>.self)
        }
        return
    }
    laneRowProducts(O + 16, ldo, P, ldp, V + 16, ldv, L: L, alpha: alpha)
}

/// Eight rows of the first 16 columns, over the keys [0, keys).
@inline(__always)
private func rowProducts8(_ o: FloatPtr, _ ldo: Int, _ p: ConstFloatPtr, _ ldp: Int, _ v: ConstFloatPtr, _ ldv: Int,
                          keys: Int, alpha: Float) {
    var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes(), s4 = Lanes(), s5 = Lanes(), s6 = Lanes(), s7 = Lanes()
    for j in 0..<keys {
        let x = load(v + j * ldv)
        s0 = s0.addingProduct(broadcast(p[j]), x); s1 = s1.addingProduct(broadcast(p[ldp + j]), x)
        s2 = s2.addingProduct(broadcast(p[2 * ldp + j]), x); s3 = s3.addingProduct(broadcast(p[3 * ldp + j]), x)
        s4 = s4.addingProduct(broadcast(p[4 * ldp + j]), x); s5 = s5.addingProduct(broadcast(p[5 * ldp + j]), x)
        s6 = s6.addingProduct(broadcast(p[6 * ldp + j]), x); s7 = s7.addingProduct(broadcast(p[7 * ldp + j]), x)
    }
    let a = broadcast(alpha)
    store(o, s0 * a); store(o + ldo, s1 * a); store(o + 2 * ldo, s2 * a); store(o + 3 * ldo, s3 * a)
    store(o + 4 * ldo, s4 * a); store(o + 5 * ldo, s5 * a); store(o + 6 * ldo, s6 * a); store(o + 7 * ldo, s7 * a)
}

/// One row of the first 16 columns, over the keys [0, keys).
@inline(__always)
private func rowProduct(_ o: FloatPtr, _ p: ConstFloatPtr, _ v: ConstFloatPtr, _ ldv: Int, keys: Int, alpha: Float) {
    var s = Lanes()
    for j in 0..<keys { s = s.addingProduct(broadcast(p[j]), load(v + j * ldv)) }
    store(o, s * broadcast(alpha))
}

/// The 4 columns past the first 16: each element's terms in 16 lanes by key mod 16, over whole
/// 16-key vectors up to the row's diagonal, the lanes then added in neighbouring pairs.
private func laneRowProducts(_ O: FloatPtr, _ ldo: Int, _ P: ConstFloatPtr, _ ldp: Int, _ V: ConstFloatPtr, _ ldv: Int,
                             L: Int, alpha: Float) {
    let width = (L + 15) / 16 * 16
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * width) { buffer in
        let vT = buffer.baseAddress!   // (4, width): those columns of V transposed, zero past L
        for j in 0..<L {
            for c in 0..<4 { vT[c * width + j] = V[j * ldv + c] }
        }
        for c in 0..<4 { (vT + c * width + L).initialize(repeating: 0, count: width - L) }
        for i in 0..<L {
            var l0 = Lanes(), l1 = Lanes(), l2 = Lanes(), l3 = Lanes()
            var j0 = 0
            while j0 <= i {
                let x = load(P + i * ldp + j0, count: ldp - j0)
                l0 = l0.addingProduct(x, load(vT + j0)); l1 = l1.addingProduct(x, load(vT + width + j0))
                l2 = l2.addingProduct(x, load(vT + 2 * width + j0)); l3 = l3.addingProduct(x, load(vT + 3 * width + j0))
                j0 += 16
            }
            let o = O + i * ldo
            o[0] = pairwiseSum(l0) * alpha; o[1] = pairwiseSum(l1) * alpha
            o[2] = pairwiseSum(l2) * alpha; o[3] = pairwiseSum(l3) * alpha
        }
    }
}

/// ((l0 + l1) + (l2 + l3)) + … over 16 lanes.
@inline(__always)
private func pairwiseSum(_ l: Lanes) -> Float {
    let h8 = l.evenHalf + l.oddHalf, h4 = h8.evenHalf + h8.oddHalf, h2 = h4.evenHalf + h4.oddHalf
    return h2[0] + h2[1]
}

/// G[j][c] = α·Σ_{q ≥ j} A[q][j]·B[q][c] for keys j < L and c < hs, each a chain in query order
/// (A zero before the diagonal, so the chain from zero starts there); rows of A hold `lda` floats.
/// The first 16 columns run 8 keys at a time, each key's 16 columns one vector stored as a row
/// of G; the 4 columns past 16 run 16 keys to a vector, written to G transposed.
func ownCausalKeyProducts(_ G: FloatPtr, _ ldg: Int, _ A: ConstFloatPtr, _ lda: Int, _ B: ConstFloatPtr, _ ldb: Int,
                          L: Int, hs: Int, alpha: Float) {
    var j0 = 0
    while j0 < L {
        let keys = min(8, L - j0)
        keyRows(G + j0 * ldg, ldg, A + j0 * lda + j0, lda, B + j0 * ldb, ldb, queries: L - j0, keys: keys, alpha: alpha)
        j0 += 8
    }
    guard hs > 16 else { return }
    precondition(hs == 20, "the columns past 16 run 4 to a pass")
    j0 = 0
    while j0 < L {
        let keys = min(16, L - j0), queries = L - j0, inRow = lda - j0
        let g = G + j0 * ldg + 16, b = B + j0 * ldb + 16
        if inRow >= 16 {
            keyProducts4(g, ldg, A + j0 * lda + j0, lda, b, ldb, queries: queries, keys: keys, alpha: alpha)
        } else {
            // The block's keys run past the end of A's rows: their columns, zero-padded to 16.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: queries * 16) { buffer in
                let block = buffer.baseAddress!
                for r in 0..<queries {
                    for j in 0..<16 { block[r * 16 + j] = j < inRow ? A[(j0 + r) * lda + j0 + j] : 0 }
                }
                keyProducts4(g, ldg, block, 16, b, ldb, queries: queries, keys: keys, alpha: alpha)
            }
        }
        j0 += 16
    }
}

/// Up to 8 keys' first 16 columns, over `queries` rows of A and B from the first key on.
@inline(__always)
private func keyRows(_ g: FloatPtr, _ ldg: Int, _ a: ConstFloatPtr, _ lda: Int, _ b: ConstFloatPtr, _ ldb: Int,
                     queries: Int, keys: Int, alpha: Float) {
    guard keys == 8 else {
        for j in 0..<keys {
            var s = Lanes()
            for r in j..<queries { s = s.addingProduct(broadcast(a[r * lda + j]), load(b + r * ldb)) }
            store(g + j * ldg, s * broadcast(alpha))
        }
        return
    }
    var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes(), s4 = Lanes(), s5 = Lanes(), s6 = Lanes(), s7 = Lanes()
    for r in 0..<queries {
        let x = load(b + r * ldb), ar = a + r * lda
        s0 = s0.addingProduct(broadcast(ar[0]), x); s1 = s1.addingProduct(broadcast(ar[1]), x)
        s2 = s2.addingProduct(broadcast(ar[2]), x); s3 = s3.addingProduct(broadcast(ar[3]), x)
        s4 = s4.addingProduct(broadcast(ar[4]), x); s5 = s5.addingProduct(broadcast(ar[5]), x)
        s6 = s6.addingProduct(broadcast(ar[6]), x); s7 = s7.addingProduct(broadcast(ar[7]), x)
    }
    let al = broadcast(alpha)
    store(g, s0 * al); store(g + ldg, s1 * al); store(g + 2 * ldg, s2 * al); store(g + 3 * ldg, s3 * al)
    store(g + 4 * ldg, s4 * al); store(g + 5 * ldg, s5 * al); store(g + 6 * ldg, s6 * al); store(g + 7 * ldg, s7 * al)
}

/// 16 keys (the first `keys` stored) by 4 columns, over `queries` rows of A and B from the
/// block's first key on.
@inline(__always)
private func keyProducts4(_ g: FloatPtr, _ ldg: Int, _ a: ConstFloatPtr, _ lda: Int, _ b: ConstFloatPtr, _ ldb: Int,
                          queries: Int, keys: Int, alpha: Float) {
    var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
    for r in 0..<queries {
        let x = load(a + r * lda), br = b + r * ldb
        s0 = s0.addingProduct(broadcast(br[0]), x); s1 = s1.addingProduct(broadcast(br[1]), x)
        s2 = s2.addingProduct(broadcast(br[2]), x); s3 = s3.addingProduct(broadcast(br[3]), x)
    }
    let al = broadcast(alpha)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * 16) { buffer in
        let tile = buffer.baseAddress!   // (4 columns, 16 keys), written to G transposed
        store(tile, s0 * al); store(tile + 16, s1 * al); store(tile + 32, s2 * al); store(tile + 48, s3 * al)
        for j in 0..<keys {
            for c in 0..<4 { g[j * ldg + c] = tile[c * 16 + j] }
        }
    }
}
