// Matrix products summed in OpenBLAS's blocked order, without OpenBLAS.
//
// OpenBLAS 0.3.21's level-3 driver, on its Cooperlake kernels, sums each element of C alone: K
// is cut into blocks (`openBLASKBlock`), each block is one chain of fused multiply-adds from
// zero in K order, and each block's sum is added to C (after C is zeroed when β = 0). A C
// comparison of that model against `cblas_sgemm` found every element equal (K from 160 to
// 2,048, with blocks of 320, 320 + 320, 240 + 240, 192 + 193; docs/performance.md, "The
// trainer's own products"). Computed so, a product keeps OpenBLAS's bits while skipping its
// packing of both operands and its pass that zeroes C: the xl model's products have one side
// of 160, where packing is a tenth of OpenBLAS's time. Products OpenBLAS hands to other kernels
// (small-matrix and direct ones, which round differently) and every other core type keep OpenBLAS.
import Foundation

/// Whether `sgemm` computes blocked products itself: in a build for Zen 4 (`VISIONMIX_NEEDS_ZEN4`,
/// whose 16-lane vectors the tiles are written for) on OpenBLAS's Cooperlake kernels, the only
/// ones whose order it is checked against, unless VISIONMIX_OWN_SGEMM=0 (which measures OpenBLAS
/// beside it on the same build).
nonisolated(unsafe) var ownSgemm: Bool = {
    #if VISIONMIX_NEEDS_ZEN4
    return blasCoreName == "Cooperlake" && ProcessInfo.processInfo.environment["VISIONMIX_OWN_SGEMM"] != "0"
    #else
    return false
    #endif
}()

/// Whether the trainer computes its large products itself (`ownSgemm`).
public var computesOwnProducts: Bool { ownSgemm }

/// The longest K block of OpenBLAS's driver (GEMM_Q of its Cooperlake kernels).
let openBLASQ = 320

/// The length of the next K block OpenBLAS's driver sums with `remaining` terms left (its GEMM_Q
/// is 320 and its unroll 16 for the Cooperlake kernels): a remainder between one and two
/// blocks is halved rather than leaving a short last block.
@inline(__always)
func openBLASKBlock(_ remaining: Int) -> Int {
    let q = openBLASQ, unroll = 16
    if remaining >= 2 * q { return q }
    if remaining > q { return (remaining / 2 + unroll - 1) / unroll * unroll }
    return remaining
}

/// True when OpenBLAS would compute this call with its blocked kernels on one thread (its
/// threaded driver blocks K otherwise) and `blockedSgemm` can take it: α = 1, β of 0 or 1, N a
/// whole number of 16-float vectors, more than 100³ multiply-adds (smaller calls go to
/// OpenBLAS's small-matrix kernels), and not the untransposed β = 0 products under 28·512²
/// multiply-adds that OpenBLAS gives to its direct kernel.
@inline(__always)
func ownSgemmTakes(_ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, _ alpha: Float, _ beta: Float) -> Bool {
    guard ownSgemm, blasThreads == 1, alpha == 1, beta == 0 || beta == 1, N % 16 == 0 else { return false }
    let work = M * N * K
    guard work > blockedSgemmMinimumWork else { return false }
    return transA || transB || beta != 0 || work >= 28 * 512 * 512
}

/// The trainer's own products' vector: 16 floats, one AVX-512 register. The tiles here and the
/// attention products (AttentionProducts.swift) load and store it unaligned.
typealias Lanes = SIMD16<Float>
@inline(__always) func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
@inline(__always) func store(_ p: FloatPtr, _ v: Lanes) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }

/// Row-major C(M×N) = op(A)(M×K) · op(B)(K×N) + β·C for β of 0 or 1, α = 1, N a multiple of 16,
/// each element summed as OpenBLAS's blocked kernels sum it. For each K block, op(B) is packed
/// in panels of 32 columns (16 for the last of an odd count), up to `chunkColumns` at a time
/// (they stay in L2); each 8-row tile of op(A) then runs over every panel of the chunk while its
/// rows stay in L1. (Rows of B a few cache lines apart, read in place, fall into a few of L1's
/// sets and come from L2 each time.)
func blockedSgemm(_ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int,
                  _ A: ConstFloatPtr, _ lda: Int, _ B: ConstFloatPtr, _ ldb: Int,
                  _ beta: Float, _ C: FloatPtr, _ ldc: Int, kBlocks: [Range<Int>]? = nil) {
    precondition(kBlocks == nil || beta == 1, "blocks of a padded sum add to C")
    let chunkColumns = 256
    let rowStride = transA ? 1 : lda, kStride = transA ? lda : 1
    // On the stack where the thread's stack has room, so a training step allocates nothing.
    withUnsafeTemporaryAllocation(of: Float.self, capacity: min(K, openBLASQ) * min(N, chunkColumns)) { buffer in
        let packed = buffer.baseAddress!
        var block = 0, ls = 0
        while ls < K {
            let ks = kBlocks.map { $0[block] } ?? ls..<(ls + openBLASKBlock(K - ls))
            let kb = ks.count
            let tile = TileSums(kb: kb, rowStride: rowStride, kStride: kStride, ldc: ldc, zeroC: ks.lowerBound == 0 && beta == 0)
            var nc = 0
            while nc < N {
                let columns = min(chunkColumns, N - nc)
                packPanels(transB, B, ldb, rows: ks, columns: nc..<(nc + columns), into: packed)
                let a = A + ks.lowerBound * kStride
                var m0 = 0
                while m0 < M {
                    let full = M - m0 >= 8
                    var n0 = nc
                    while n0 < nc + columns {
                        let width = nc + columns - n0 >= 32 ? 32 : 16
                        let panel = ConstFloatPtr(packed + (n0 - nc) * kb)
                        if !full {
                            for m in m0..<M { tile.row(a + m * rowStride, panel, C + m * ldc + n0, vectors: width / 16) }
                        } else if width == 32 {
                            tile.rows8x32(a + m0 * rowStride, panel, C + m0 * ldc + n0)
                        } else {
                            tile.rows8x16(a + m0 * rowStride, panel, C + m0 * ldc + n0)
                        }
                        n0 += width
                    }
                    m0 += full ? 8 : M - m0
                }
                nc += columns
            }
            block += 1
            ls = kBlocks.map { block < $0.count ? $0[block].lowerBound : K } ?? ls + kb
        }
    }
}

/// True when every call `sgemm` makes of this product is the trainer's own.
func sgemmCallsAreOwn(_ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, beta: Float) -> Bool {
    sgemmCallShapes(M, N, K).allSatisfy { ownSgemmTakes(transA, transB, $0.rows, $0.columns, K, 1, beta) }
}

/// Whether M rows of a product over `fullRows` rows, gathered and computed alone (`sgemm`'s
/// `rowsOf`), have the bits they have in the full product: it is the trainer's own (which sums
/// every element alike whatever M), or the M rows alone still run OpenBLAS's blocked kernels.
func sgemmRowsKeepBits(_ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, of fullRows: Int) -> Bool {
    sgemmCallsAreOwn(transA, transB, fullRows, N, K, beta: 0) || sgemmRunsBlocked(M, N, K)
}

/// dweight (OC,IC) += doutᵀ·inp, where the R rows of dout and inp are the rows of a weight
/// gradient over `paddedRows` rows that are not zero: `rowsBefore(p)` counts those before padded
/// row p. The sum runs in the K blocks OpenBLAS would sum the padded product in, each over its
/// present rows alone: a row whose output gradient is zero adds nothing to a chain (fma(0, x, s)
/// = s, and a chain that starts at +0 never reaches -0), so the result has the padded product's bits without its
/// zero rows or the copies that spread the rows to their places. False, with nothing computed,
/// when the padded product would not be the trainer's own.
func ownWeightGradient(_ dweight: FloatPtr, _ dout: ConstFloatPtr, _ inp: ConstFloatPtr, rows R: Int, _ IC: Int, _ OC: Int,
                       paddedRows: Int, rowsBefore: (Int) -> Int) -> Bool {
    guard sgemmCallsAreOwn(true, false, OC, IC, paddedRows, beta: 1) else { return false }
    var blocks: [Range<Int>] = [], p = 0
    while p < paddedRows {
        let kb = openBLASKBlock(paddedRows - p)
        let present = rowsBefore(p)..<rowsBefore(p + kb)
        if !present.isEmpty { blocks.append(present) }
        p += kb
    }
    precondition(blocks.last?.upperBound ?? 0 == R)
    guard !blocks.isEmpty else { return true }
    forEachSgemmCall(OC, IC, paddedRows) { m, n in
        blockedSgemm(true, false, m.count, n.count, R, dout + m.lowerBound, OC, inp + n.lowerBound, IC,
                     1, dweight + m.lowerBound * IC + n.lowerBound, IC, kBlocks: blocks)
    }
    return true
}

/// Packs op(B)[rows][columns] panel after panel, 32 columns wide (16 for the last of an odd
/// count), each panel's rows contiguous: the panel of columns n0… starts at (n0 − first) · rows.
private func packPanels(_ transB: Bool, _ B: ConstFloatPtr, _ ldb: Int, rows: Range<Int>, columns: Range<Int>, into packed: FloatPtr) {
    let kb = rows.count
    var n0 = columns.lowerBound
    while n0 < columns.upperBound {
        let width = columns.upperBound - n0 >= 32 ? 32 : 16
        let panel = packed + (n0 - columns.lowerBound) * kb
        if transB {
            for j in 0..<width {
                let column = B + (n0 + j) * ldb + rows.lowerBound
                for k in 0..<kb { panel[k * width + j] = column[k] }
            }
        } else {
            for k in 0..<kb { (panel + k * width).update(from: B + (rows.lowerBound + k) * ldb + n0, count: width) }
        }
        n0 += width
    }
}

/// One K block's sums over a tile of C: each element a chain of fused multiply-adds from zero in
/// K order, then added to C (to zero when `zeroC`: OpenBLAS zeroes C for β = 0, so a sum of -0
/// is stored as +0, as OpenBLAS stores it).
private struct TileSums {
    let kb: Int, rowStride: Int, kStride: Int, ldc: Int, zeroC: Bool

    @inline(__always) func finish(_ c: FloatPtr, _ sum: Lanes) {
        store(c, (zeroC ? Lanes() : load(c)) + sum)
    }

    /// C[0..<8][0..<32] from a, the first row's element at k = 0.
    @inline(__always) func rows8x32(_ a: ConstFloatPtr, _ panel: ConstFloatPtr, _ c: FloatPtr) {
        var s00 = Lanes(), s01 = Lanes(), s10 = Lanes(), s11 = Lanes(), s20 = Lanes(), s21 = Lanes(), s30 = Lanes(), s31 = Lanes()
        var s40 = Lanes(), s41 = Lanes(), s50 = Lanes(), s51 = Lanes(), s60 = Lanes(), s61 = Lanes(), s70 = Lanes(), s71 = Lanes()
        let r = rowStride
        var ak = a, p = panel
        for _ in 0..<kb {
            let b0 = load(p), b1 = load(p + 16)
            var x = Lanes(repeating: ak[0]); s00 = s00.addingProduct(x, b0); s01 = s01.addingProduct(x, b1)
            x = Lanes(repeating: ak[r]); s10 = s10.addingProduct(x, b0); s11 = s11.addingProduct(x, b1)
            x = Lanes(repeating: ak[2 * r]); s20 = s20.addingProduct(x, b0); s21 = s21.addingProduct(x, b1)
            x = Lanes(repeating: ak[3 * r]); s30 = s30.addingProduct(x, b0); s31 = s31.addingProduct(x, b1)
            x = Lanes(repeating: ak[4 * r]); s40 = s40.addingProduct(x, b0); s41 = s41.addingProduct(x, b1)
            x = Lanes(repeating: ak[5 * r]); s50 = s50.addingProduct(x, b0); s51 = s51.addingProduct(x, b1)
            x = Lanes(repeating: ak[6 * r]); s60 = s60.addingProduct(x, b0); s61 = s61.addingProduct(x, b1)
            x = Lanes(repeating: ak[7 * r]); s70 = s70.addingProduct(x, b0); s71 = s71.addingProduct(x, b1)
            ak += kStride; p += 32
        }
        let l = ldc
        finish(c, s00); finish(c + 16, s01); finish(c + l, s10); finish(c + l + 16, s11)
        finish(c + 2 * l, s20); finish(c + 2 * l + 16, s21); finish(c + 3 * l, s30); finish(c + 3 * l + 16, s31)
        finish(c + 4 * l, s40); finish(c + 4 * l + 16, s41); finish(c + 5 * l, s50); finish(c + 5 * l + 16, s51)
        finish(c + 6 * l, s60); finish(c + 6 * l + 16, s61); finish(c + 7 * l, s70); finish(c + 7 * l + 16, s71)
    }

    /// C[0..<8][0..<16]: the last panel of a width that is an odd number of vectors.
    @inline(__always) func rows8x16(_ a: ConstFloatPtr, _ panel: ConstFloatPtr, _ c: FloatPtr) {
        var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes(), s4 = Lanes(), s5 = Lanes(), s6 = Lanes(), s7 = Lanes()
        let r = rowStride
        var ak = a, p = panel
        for _ in 0..<kb {
            let b = load(p)
            s0 = s0.addingProduct(Lanes(repeating: ak[0]), b); s1 = s1.addingProduct(Lanes(repeating: ak[r]), b)
            s2 = s2.addingProduct(Lanes(repeating: ak[2 * r]), b); s3 = s3.addingProduct(Lanes(repeating: ak[3 * r]), b)
            s4 = s4.addingProduct(Lanes(repeating: ak[4 * r]), b); s5 = s5.addingProduct(Lanes(repeating: ak[5 * r]), b)
            s6 = s6.addingProduct(Lanes(repeating: ak[6 * r]), b); s7 = s7.addingProduct(Lanes(repeating: ak[7 * r]), b)
            ak += kStride; p += 16
        }
        let l = ldc
        finish(c, s0); finish(c + l, s1); finish(c + 2 * l, s2); finish(c + 3 * l, s3)
        finish(c + 4 * l, s4); finish(c + 5 * l, s5); finish(c + 6 * l, s6); finish(c + 7 * l, s7)
    }

    /// One row of C, 1 or 2 vectors wide: the rows left over after the 8-row tiles.
    @inline(__always) func row(_ a: ConstFloatPtr, _ panel: ConstFloatPtr, _ c: FloatPtr, vectors: Int) {
        var s0 = Lanes(), s1 = Lanes()
        var ak = a, p = panel
        for _ in 0..<kb {
            let x = Lanes(repeating: ak[0])
            s0 = s0.addingProduct(x, load(p))
            if vectors == 2 { s1 = s1.addingProduct(x, load(p + 16)) }
            ak += kStride; p += 16 * vectors
        }
        finish(c, s0)
        if vectors == 2 { finish(c + 16, s1) }
    }
}
