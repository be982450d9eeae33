// Every layer of the model as a pair of plain functions, xxxForward / xxxBackward, in the style
// of llm.c. Tensors are flat row-major Float buffers; the shapes are stated once per pair:
//   B batch, T sequence length, C width, NH heads, hs = C/NH head size, V vocabulary, N = B*T rows
//   (or the sum of the lengths of sequences stacked without padding, SequenceRows).
// Backward functions overwrite input-gradient buffers ("= ") unless stated "+=" (accumulate).
// Parameter gradients always accumulate (+=), so the caller zeroes them once per step.
import CNumerics
import Foundation

public typealias FloatPtr = UnsafeMutablePointer<Float>
public typealias ConstFloatPtr = UnsafePointer<Float>

// MARK: - sgemm

/// Sets OpenBLAS's thread count (deterministic results need the same count every run).
/// (CNumerics is imported only in this file: with Foundation's Dispatch in the same file it clashes on fd_set.)
public func setBLASThreads(_ n: Int) {
    blasThreads = max(1, n)
    openblas_set_num_threads(Int32(blasThreads))
}

/// OpenBLAS's thread count as last set here (before any setting, more than one: OpenBLAS starts
/// with one per core).
nonisolated(unsafe) var blasThreads = 0

/// OpenBLAS's build description and core name.
public var blasDescription: String { String(cString: openblas_get_config()) + " · " + blasCoreName }

/// The core type whose kernels OpenBLAS chose in this process (BLASKernels).
var blasCoreName: String { String(cString: openblas_get_corename()) }

/// Row-major C(M×N) = alpha · op(A)(M×K) · op(B)(K×N) + beta · C, over OpenBLAS. On more than
/// one worker thread a large product is split along the longer of M and N, one single-threaded
/// OpenBLAS call per chunk (Parallel.swift says why); K is never split, so each element of C is
/// summed the same way whatever the scheduling.
/// - rowsOf: the M rows are some of a product over this many rows, gathered, and must keep the
///   bits they have there: where that product is the trainer's own, they are too, whatever M
///   (`sgemmRowsKeepBits`).
@inline(__always)
func sgemm(_ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, _ alpha: Float,
           _ A: ConstFloatPtr, _ lda: Int, _ Bm: ConstFloatPtr, _ ldb: Int,
           _ beta: Float, _ Cm: FloatPtr, _ ldc: Int, rowsOf fullRows: Int? = nil) {
    let own = fullRows.map { sgemmCallsAreOwn(transA, transB, $0, N, K, beta: beta) && alpha == 1 } ?? false
    forEachSgemmCall(M, N, K) { m, n in
        sgemm1(transA, transB, m.count, n.count, K, alpha, A + (transA ? m.lowerBound : m.lowerBound * lda), lda,
               Bm + (transB ? n.lowerBound * ldb : n.lowerBound), ldb, beta, Cm + m.lowerBound * ldc + n.lowerBound, ldc, own: own)
    }
}

/// Runs `call(rows, columns)` for each part of C an M×N×K product is split into: one per worker
/// thread along the longer of M and N, run in parallel, or the whole of C.
@inline(__always)
func forEachSgemmCall(_ M: Int, _ N: Int, _ K: Int, _ call: (Range<Int>, Range<Int>) -> Void) {
    guard sgemmChunks(M, N, K) > 1 else { return call(0..<M, 0..<N) }
    if M >= N {
        parallelChunks(M) { r, _ in call(r, 0..<N) }
    } else {
        parallelChunks(N) { r, _ in call(0..<M, r) }
    }
}

/// The parts `forEachSgemmCall` splits C into, without running anything.
func sgemmCallShapes(_ M: Int, _ N: Int, _ K: Int) -> [(rows: Int, columns: Int)] {
    let k = sgemmChunks(M, N, K)
    let long = M >= N ? M : N
    return (0..<k).map { c in
        let part = (c + 1) * long / k - c * long / k
        return M >= N ? (part, N) : (M, part)
    }
}

/// Below this many multiply-adds a product is not worth a second thread.
let splitSgemmMinimumWork = 1 << 18

/// The OpenBLAS calls `sgemm` makes of an M×N×K product: one per worker thread, or one.
private func sgemmChunks(_ M: Int, _ N: Int, _ K: Int) -> Int {
    let k = workerThreads
    return k > 1 && !inParallelSection && M * N * K >= splitSgemmMinimumWork && max(M, N) >= 2 * k ? k : 1
}

/// OpenBLAS hands a product of at most 100³ multiply-adds to its small-matrix kernels, which
/// round differently from its blocked ones; the blocked kernels sum each element of C alone, in
/// K order, so an element's bits do not depend on M, N or where the element sits.
let blockedSgemmMinimumWork = 1_000_000

/// True when every OpenBLAS call of `sgemm` over an M×N×K product runs the blocked kernels: then
/// each element of C has the bits it has inside any larger product with the same K and operands.
func sgemmRunsBlocked(_ M: Int, _ N: Int, _ K: Int) -> Bool {
    sgemmCallShapes(M, N, K).allSatisfy { $0.rows * $0.columns * K > blockedSgemmMinimumWork }
}

@inline(__always)
private func sgemm1(_ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, _ alpha: Float,
                    _ A: ConstFloatPtr, _ lda: Int, _ Bm: ConstFloatPtr, _ ldb: Int,
                    _ beta: Float, _ Cm: FloatPtr, _ ldc: Int, own: Bool) {
    if own || ownSgemmTakes(transA, transB, M, N, K, alpha, beta) {
        return blockedSgemm(transA, transB, M, N, K, A, lda, Bm, ldb, beta, Cm, ldc)
    }
    openBLASSgemm(transA, transB, M, N, K, alpha, A, lda, Bm, ldb, beta, Cm, ldc)
}

/// One `cblas_sgemm` call, row-major.
@inline(__always)
func openBLASSgemm(_ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, _ alpha: Float,
                   _ A: ConstFloatPtr, _ lda: Int, _ Bm: ConstFloatPtr, _ ldb: Int,
                   _ beta: Float, _ Cm: FloatPtr, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(M), Int32(N), Int32(K), alpha, A, Int32(lda), Bm, Int32(ldb), beta, Cm, Int32(ldc))
}

// MARK: - fast vectorisable exp

/// exp(x) for x in [-87, 88] with Cephes' polynomial (relative error ~2e-7); written so the
/// loops that call it auto-vectorise (no libm call).
@inline(__always)
func fastExp(_ x0: Float) -> Float {
    let x = x0 < -87 ? -87 : (x0 > 88 ? 88 : x0)
    let magic: Float = 12582912            // 1.5·2^23: adding and subtracting rounds to nearest
    let n = (x * 1.442695041 + magic) - magic
    let r = x - n * 0.693359375 + n * 2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let e = p * r * r + r + 1
    return e * Float(bitPattern: UInt32(bitPattern: Int32(n) + 127) << 23)
}

// MARK: - SIMD reductions (LLVM will not reorder a scalar Float sum, so these vectorise by hand;
// the summation order is fixed, so results stay deterministic)

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

@inline(__always) func vsum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(), i = 0
    while i + 8 <= n { acc += load8(p + i); i += 8 }
    var r = acc.sum()
    while i < n { r += p[i]; i += 1 }
    return r
}

@inline(__always) func vdot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(), i = 0
    while i + 8 <= n { acc += load8(a + i) * load8(b + i); i += 8 }
    var r = acc.sum()
    while i < n { r += a[i] * b[i]; i += 1 }
    return r
}

@inline(__always) func vdot3(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(), i = 0
    while i + 8 <= n { acc += load8(a + i) * load8(b + i) * load8(c + i); i += 8 }
    var r = acc.sum()
    while i < n { r += a[i] * b[i] * c[i]; i += 1 }
    return r
}

@inline(__always) func vmax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: -Float.greatestFiniteMagnitude), i = 0
    while i + 8 <= n { let x = load8(p + i); acc.replace(with: x, where: x .> acc); i += 8 }   // pointwiseMax is not inlined
    var r = acc.max()
    while i < n { r = Swift.max(r, p[i]); i += 1 }
    return r
}

/// p[i] = exp(p[i] − shift) for i < n; returns the sum.
@inline(__always) func vexpShiftSum(_ p: FloatPtr, _ n: Int, _ shift: Float) -> Float {
    for i in 0..<n { p[i] = fastExp(p[i] - shift) }
    return vsum(p, n)
}

// MARK: - sequences of different lengths
// A batch whose sequences end before T computes only their rows, stacked: (N,·) activations with
// N = Σ length. Attention keeps (T,T) blocks per (b,h) and sums P·V and dS·K over T keys, as a
// padded batch does (the keys past a row are zero-weighted), which OpenBLAS's small-matrix
// kernels need to give the padded batch's bits; the other products are per row.

/// Where each sequence's rows lie among the stacked activations: sequence b is rows
/// start[b] ..< start[b] + length[b], at positions 0 ..< length[b]; T is the longest length.
public struct SequenceRows: Sendable {
    public let T: Int
    public let start: [Int], length: [Int]
    public var rows: Int { (start.last ?? 0) + (length.last ?? 0) }

    public init(lengths: [Int], T: Int) {
        precondition(lengths.allSatisfy { $0 >= 1 && $0 <= T })
        self.T = T
        length = lengths
        var starts: [Int] = [], first = 0
        for L in lengths { starts.append(first); first += L }
        start = starts
    }
}

// MARK: - encoder (token embedding, with an optional externally supplied prefix)
// out (B,T,C); tokens (B,T); wte (V,C); prefix (B,P,C) replaces the embeddings of positions t < P.

public func encoderForward(_ out: FloatPtr, _ tokens: UnsafePointer<Int32>, _ wte: ConstFloatPtr,
                           _ prefix: ConstFloatPtr?, _ P: Int, _ B: Int, _ T: Int, _ C: Int, rows: SequenceRows? = nil) {
    for b in 0..<B {
        let first = rows?.start[b] ?? b * T
        for t in 0..<(rows?.length[b] ?? T) {
            let o = out + (first + t) * C
            if let prefix, t < P {
                o.update(from: prefix + (b * P + t) * C, count: C)
            } else {
                o.update(from: wte + Int(tokens[first + t]) * C, count: C)
            }
        }
    }
}

/// dwte += scatter of dout; dprefix (B,P,C) = dout at prefix positions (if given).
public func encoderBackward(_ dwte: FloatPtr, _ dprefix: FloatPtr?, _ dout: ConstFloatPtr,
                            _ tokens: UnsafePointer<Int32>, _ P: Int, _ B: Int, _ T: Int, _ C: Int, rows: SequenceRows? = nil) {
    for b in 0..<B {
        let first = rows?.start[b] ?? b * T
        for t in 0..<(rows?.length[b] ?? T) {
            let d = dout + (first + t) * C
            if t < P {
                if let dprefix { (dprefix + (b * P + t) * C).update(from: d, count: C) }
                continue
            }
            let w = dwte + Int(tokens[first + t]) * C
            for i in 0..<C { w[i] += d[i] }
        }
    }
}

// MARK: - RMSNorm
// out (N,C) = inp · rstd · weight; rstd (N) cached for backward; weight (C).

public let rmsnormEpsilon: Float = 1e-5

public func rmsnormForward(_ out: FloatPtr, _ rstd: FloatPtr, _ inp: ConstFloatPtr, _ weight: ConstFloatPtr,
                           _ N: Int, _ C: Int) {
    parallelChunks(N, minimumPerChunk: 64) { rows, _ in
        for n in rows {
            let x = inp + n * C, o = out + n * C
            let ss = vdot(x, x, C)
            let s = 1 / (ss / Float(C) + rmsnormEpsilon).squareRoot()
            rstd[n] = s
            for i in 0..<C { o[i] = x[i] * s * weight[i] }
        }
    }
}

/// dinp += ∂; dweight += ∂.
public func rmsnormBackward(_ dinp: FloatPtr, _ dweight: FloatPtr, _ dout: ConstFloatPtr, _ inp: ConstFloatPtr,
                            _ weight: ConstFloatPtr, _ rstd: ConstFloatPtr, _ N: Int, _ C: Int) {
    // Rows are independent for dinp; dweight sums over rows, so it is split by columns, each
    // column summed in row order as on one thread.
    parallelChunks(N, minimumPerChunk: 64) { rows, _ in
        for n in rows {
            let x = inp + n * C, d = dout + n * C, dx = dinp + n * C
            let s = rstd[n]
            let m = vdot3(d, weight, x, C) * s / Float(C)   // mean of (dout·w)·xhat
            for i in 0..<C { dx[i] += s * (d[i] * weight[i] - x[i] * s * m) }
        }
    }
    parallelChunks(C, minimumPerChunk: 16) { cols, _ in
        for n in 0..<N {
            let x = inp + n * C, d = dout + n * C, s = rstd[n]
            for i in cols { dweight[i] += d[i] * x[i] * s }
        }
    }
}

// MARK: - matmul (no bias)
// out (N,OC) = inp (N,IC) · weightᵀ, weight (OC,IC).

public func matmulForward(_ out: FloatPtr, _ inp: ConstFloatPtr, _ weight: ConstFloatPtr, _ N: Int, _ IC: Int, _ OC: Int,
                          rowsOf fullRows: Int? = nil) {
    sgemm(false, true, N, OC, IC, 1, inp, IC, weight, IC, 0, out, OC, rowsOf: fullRows)
}

/// dinp (N,IC) = dout · weight; dweight (OC,IC) += doutᵀ · inp, unless `dweight` is nil (a frozen
/// weight: half of the layer's backward work is skipped).
public func matmulBackward(_ dinp: FloatPtr, _ dweight: FloatPtr?, _ dout: ConstFloatPtr, _ inp: ConstFloatPtr,
                           _ weight: ConstFloatPtr, _ N: Int, _ IC: Int, _ OC: Int) {
    matmulBackwardInput(dinp, dout, weight, N, IC, OC)
    if let dweight { matmulBackwardWeight(dweight, dout, inp, N, IC, OC) }
}

/// dinp (N,IC) = dout · weight.
public func matmulBackwardInput(_ dinp: FloatPtr, _ dout: ConstFloatPtr, _ weight: ConstFloatPtr, _ N: Int, _ IC: Int, _ OC: Int,
                                rowsOf fullRows: Int? = nil) {
    sgemm(false, false, N, IC, OC, 1, dout, OC, weight, IC, 0, dinp, IC, rowsOf: fullRows)
}

/// dweight (OC,IC) += doutᵀ · inp, summed over the N rows.
public func matmulBackwardWeight(_ dweight: FloatPtr, _ dout: ConstFloatPtr, _ inp: ConstFloatPtr, _ N: Int, _ IC: Int, _ OC: Int) {
    sgemm(true, false, OC, IC, N, 1, dout, OC, inp, IC, 1, dweight, IC)
}

// MARK: - rotary positions (in place on the q and k parts of qkv)
// qkv (B,T,3C) laid out [q | k | v], each C = NH·hs; pairs (2i, 2i+1) of a head rotate by t·θᵢ,
// θᵢ = 10000^(−2i/hs). Tables cosT/sinT (maxT, hs/2).

public func ropeTables(maxT: Int, headSize hs: Int) -> (cos: [Float], sin: [Float]) {
    var c = [Float](repeating: 0, count: maxT * hs / 2), s = c
    for t in 0..<maxT {
        for i in 0..<hs / 2 {
            let theta = pow(10000.0, -2.0 * Double(i) / Double(hs))
            c[t * hs / 2 + i] = Float(cos(Double(t) * theta))
            s[t * hs / 2 + i] = Float(sin(Double(t) * theta))
        }
    }
    return (c, s)
}

@inline(__always)
private func rotate(_ qkv: FloatPtr, _ cosT: ConstFloatPtr, _ sinT: ConstFloatPtr, _ sign: Float,
                    _ B: Int, _ T: Int, _ C: Int, _ NH: Int, positions: [Int32]? = nil) {
    let hs = C / NH, half = hs / 2
    parallelChunks(B * T, minimumPerChunk: 64) { rows, _ in
        for bt in rows {
            let t = positions.map { Int($0[bt]) } ?? bt % T
            let row = qkv + bt * 3 * C
            let ct = cosT + t * half, st = sinT + t * half
            for part in 0..<2 {            // q then k
                for h in 0..<NH {
                    let x = row + part * C + h * hs
                    for i in 0..<half {
                        let a = x[2 * i], bb = x[2 * i + 1], c = ct[i], s = sign * st[i]
                        x[2 * i] = a * c - bb * s
                        x[2 * i + 1] = a * s + bb * c
                    }
                }
            }
        }
    }
}

/// Row bt sits at position `positions[bt]` when given (packed rows), else at bt mod T.
public func ropeForward(_ qkv: FloatPtr, _ cosT: ConstFloatPtr, _ sinT: ConstFloatPtr, _ B: Int, _ T: Int, _ C: Int, _ NH: Int,
                        positions: [Int32]? = nil) {
    rotate(qkv, cosT, sinT, 1, B, T, C, NH, positions: positions)
}

/// The rotation is orthogonal, so its backward rotates dqkv (in place) by −t·θᵢ.
public func ropeBackward(_ dqkv: FloatPtr, _ cosT: ConstFloatPtr, _ sinT: ConstFloatPtr, _ B: Int, _ T: Int, _ C: Int, _ NH: Int,
                         positions: [Int32]? = nil) {
    rotate(dqkv, cosT, sinT, -1, B, T, C, NH, positions: positions)
}

// MARK: - causal self-attention
// out (B,T,C); att (B,NH,T,T) softmax probabilities cached for backward (zero above the diagonal);
// qkv (B,T,3C). Per (b,h): S = Q·Kᵀ/√hs (sgemm T×T×hs), causal softmax, O = P·V (sgemm T×hs×T).

/// Rows of sequences that each hold one shared prefix and several segments after it (scoring the
/// options of a question in one pass, PackedScoring.swift): row bt sits at rotary position
/// `position[bt]` and attends to the first `shared[b]` rows of its sequence and to the rows of
/// its own segment, from `segmentStart[bt]` up to itself. Rows of the prefix have segment start 0.
public struct PackedRows: Sendable {
    public var position: [Int32], segmentStart: [Int32]   // (B,T)
    public var shared: [Int32]                            // (B)
}

/// With `packed`, each row's softmax covers the keys it sees (PackedRows); without, all keys up
/// to itself.
public func attentionForward(_ out: FloatPtr, _ att: FloatPtr, _ qkv: ConstFloatPtr,
                             _ B: Int, _ T: Int, _ C: Int, _ NH: Int, packed: PackedRows? = nil, rows: SequenceRows? = nil) {
    let hs = C / NH, C3 = 3 * C
    let scale = 1 / Float(hs).squareRoot()
    let own = ownAttentionProducts(hs: hs)
    parallelChunks(B * NH) { range, _ in
        for bh in range {
            let b = bh / NH, h = bh % NH
            let first = rows?.start[b] ?? b * T, L = rows?.length[b] ?? T
            let q = qkv + first * C3 + h * hs, k = q + C, v = q + 2 * C
            let a = att + (b * NH + h) * T * T
            if own {   // S = QKᵀ/√hs
                ownCausalScores(a, T, q, C3, k, C3, L: L, hs: hs, alpha: scale)
            } else {
                causalProducts(L, T) { rows, keys in
                    sgemm(false, true, rows.count, keys, hs, scale, q + rows.lowerBound * C3, C3, k, C3, 0, a + rows.lowerBound * T, T)
                }
            }
            for t in 0..<L {
                let row = a + t * T
                if let packed {
                    packedSoftmax(row, t, T, shared: Int(packed.shared[b]), segmentStart: Int(packed.segmentStart[b * T + t]))
                    continue
                }
                let mx = vmax(row, t + 1)
                let inv = 1 / vexpShiftSum(row, t + 1, mx)
                for j in 0..<(t + 1) { row[j] *= inv }
                for j in (t + 1)..<T { row[j] = 0 }
            }
            let o = out + first * C + h * hs
            if own {   // O = P·V
                ownCausalRowProducts(o, C, a, T, v, C3, L: L, hs: hs, alpha: 1, callKeys: T)
            } else {
                causalProducts(L, T, keysOfLastRows: T) { rows, keys in
                    sgemm(false, false, rows.count, hs, keys, 1, a + rows.lowerBound * T, T, v, C3, 0, o + rows.lowerBound * C, C)
                }
            }
        }
    }
}

/// Whether the attention's products skip the keys a causal row cannot see (`causalProducts`):
/// on OpenBLAS's Cooperlake kernels, whose small-matrix kernels those products run on and whose
/// order of summation the skipping is checked against (below).
nonisolated(unsafe) var causalProductsKeepBits = blasCoreName == "Cooperlake"

/// Runs `product(rows, keys)` for the parts of a per-head attention product over L query rows:
/// rows [0, L) with keys [0, L) (`keysOfLastRows` for the last part when given), or, where
/// `causalProductsKeepBits` and L ≥ 64, the first rows [0, s) with keys [0, s) alone (s about
/// L/2, a multiple of 16) and the rest with every key. A row sees no key past itself, so the
/// skipped scores are never read and the skipped terms of P·V and dS·K are zeros; OpenBLAS's
/// small-matrix kernels sum a QKᵀ element in one chain over the head size, and a P·V element in
/// one chain or in 16 lanes of k mod 16 (its K ≥ 32 either way), so the trailing zeros left out
/// change no bit (`attentionSkipsNoBitOfTheKeysItCannotSee`).
@inline(__always)
func causalProducts(_ L: Int, _ T: Int, keysOfLastRows: Int? = nil, _ product: (Range<Int>, Int) -> Void) {
    guard causalProductsKeepBits && L >= 64 else { return product(0..<L, keysOfLastRows ?? L) }
    let s = L / 2 / 16 * 16
    product(0..<s, s)
    product(s..<L, keysOfLastRows ?? L)
}

/// Runs `product(keys, queries)` for the parts of a per-head gradient summed over queries for
/// each key (dV, dK) with L rows: every key over every query, or, where `causalProductsKeepBits`,
/// L ≥ 64 and both parts stay on OpenBLAS's blocked kernels (more than 1,200 elements of C each),
/// the keys [0, s) over every query and the keys [s, L) over the queries [s, L) alone. A query
/// before a key adds a zero term at the head of that key's chain from zero, which the blocked
/// kernels sum one element at a time in query order, so leaving it out changes no bit.
@inline(__always)
func causalKeyProducts(_ L: Int, _ hs: Int, _ product: (Range<Int>, Range<Int>) -> Void) {
    let s = L / 2 / 16 * 16
    guard causalProductsKeepBits && L >= 64 && min(s, L - s) * hs > 1200 else { return product(0..<L, 0..<L) }
    product(0..<s, 0..<L)
    product(s..<L, s..<L)
}

/// Softmax of row t's scores over the keys [0, shared) and [segmentStart, t], zero elsewhere.
@inline(__always)
private func packedSoftmax(_ row: FloatPtr, _ t: Int, _ T: Int, shared: Int, segmentStart start: Int) {
    let sh = min(shared, start), own = t + 1 - start
    let mx = max(vmax(row, sh), vmax(row + start, own))
    let inv = 1 / (vexpShiftSum(row, sh, mx) + vexpShiftSum(row + start, own, mx))
    for j in 0..<sh { row[j] *= inv }
    for j in sh..<start { row[j] = 0 }
    for j in start...t { row[j] *= inv }
    for j in (t + 1)..<T { row[j] = 0 }
}

/// dqkv (B,T,3C) = ∂ (overwritten); scratch (maxWorkerThreads,T,T) holds dP and then dS.
public func attentionBackward(_ dqkv: FloatPtr, _ scratch: FloatPtr, _ dout: ConstFloatPtr, _ qkv: ConstFloatPtr,
                              _ att: ConstFloatPtr, _ B: Int, _ T: Int, _ C: Int, _ NH: Int, rows: SequenceRows? = nil) {
    let hs = C / NH, C3 = 3 * C
    let scale = 1 / Float(hs).squareRoot()
    let own = ownAttentionProducts(hs: hs)
    parallelChunks(B * NH) { range, chunk in
        let scratch = scratch + chunk * T * T
        for bh in range {
            let b = bh / NH, h = bh % NH
            let first = rows?.start[b] ?? b * T, L = rows?.length[b] ?? T
            let q = qkv + first * C3 + h * hs, k = q + C, v = q + 2 * C
            let dq = dqkv + first * C3 + h * hs, dk = dq + C, dv = dq + 2 * C
            let a = att + (b * NH + h) * T * T
            let d = dout + first * C + h * hs
            if own {
                ownCausalScores(scratch, T, d, C, v, C3, L: L, hs: hs, alpha: 1)                // dP = dO·Vᵀ
                ownCausalKeyProducts(dv, C3, a, T, d, C, L: L, hs: hs, alpha: 1)                 // dV = Pᵀ·dO
            } else {
                causalProducts(L, T) { rows, keys in
                    sgemm(false, true, rows.count, keys, hs, 1, d + rows.lowerBound * C, C, v, C3, 0, scratch + rows.lowerBound * T, T)
                }
                causalKeyProducts(L, hs) { keys, queries in
                    sgemm(true, false, keys.count, hs, queries.count, 1, a + queries.lowerBound * T + keys.lowerBound, T,
                          d + queries.lowerBound * C, C, 0, dv + keys.lowerBound * C3, C3)
                }
            }
            for t in 0..<L {                                                   // dS = P ⊙ (dP − Σ P·dP)
                let p = a + t * T, ds = scratch + t * T
                let dot = vdot(p, ds, t + 1)
                for j in 0..<(t + 1) { ds[j] = p[j] * (ds[j] - dot) }
                for j in (t + 1)..<T { ds[j] = 0 }
            }
            if own {
                ownCausalRowProducts(dq, C3, scratch, T, k, C3, L: L, hs: hs, alpha: scale, callKeys: T)  // dQ = dS·K/√hs
                ownCausalKeyProducts(dk, C3, scratch, T, q, C3, L: L, hs: hs, alpha: scale)           // dK = dSᵀ·Q/√hs
            } else {
                causalProducts(L, T, keysOfLastRows: T) { rows, keys in
                    sgemm(false, false, rows.count, hs, keys, scale, scratch + rows.lowerBound * T, T, k, C3, 0, dq + rows.lowerBound * C3, C3)
                }
                causalKeyProducts(L, hs) { keys, queries in
                    sgemm(true, false, keys.count, hs, queries.count, scale, scratch + queries.lowerBound * T + keys.lowerBound, T,
                          q + queries.lowerBound * C3, C3, 0, dk + keys.lowerBound * C3, C3)
                }
            }
        }
    }
}

// MARK: - GELU (tanh approximation)
// out (N) = gelu(inp (N)).

private let geluScale: Float = 0.7978845608028654   // √(2/π)

@inline(__always)
private func tanhFast(_ u: Float) -> Float {
    let e = fastExp(2 * u)
    return 1 - 2 / (e + 1)
}

public func geluForward(_ out: FloatPtr, _ inp: ConstFloatPtr, _ N: Int) {
    parallelChunks(N, minimumPerChunk: 1 << 14) { r, _ in geluForwardRange(out, inp, r) }
}

@inline(__always) private func geluForwardRange(_ out: FloatPtr, _ inp: ConstFloatPtr, _ r: Range<Int>) {
    for i in r {
        let x = inp[i]
        let u = geluScale * (x + 0.044715 * x * x * x)
        out[i] = 0.5 * x * (1 + tanhFast(u))
    }
}

/// dinp (N) = gelu'(inp) · dout (dinp may alias dout).
public func geluBackward(_ dinp: FloatPtr, _ inp: ConstFloatPtr, _ dout: ConstFloatPtr, _ N: Int) {
    parallelChunks(N, minimumPerChunk: 1 << 14) { r, _ in geluBackwardRange(dinp, inp, dout, r) }
}

@inline(__always) private func geluBackwardRange(_ dinp: FloatPtr, _ inp: ConstFloatPtr, _ dout: ConstFloatPtr, _ r: Range<Int>) {
    for i in r {
        let x = inp[i]
        let u = geluScale * (x + 0.044715 * x * x * x)
        let th = tanhFast(u)
        let sech2 = 1 - th * th
        let g = 0.5 * (1 + th) + 0.5 * x * sech2 * geluScale * (1 + 3 * 0.044715 * x * x)
        dinp[i] = g * dout[i]
    }
}

// MARK: - residual
// out (N) = a + b.

public func residualForward(_ out: FloatPtr, _ a: ConstFloatPtr, _ b: ConstFloatPtr, _ N: Int) {
    parallelChunks(N, minimumPerChunk: 1 << 14) { r, _ in for i in r { out[i] = a[i] + b[i] } }
}
// residualBackward is the identity: the model keeps one running residual gradient buffer.

// MARK: - softmax + cross-entropy
// logits (N,V) are turned into probabilities in place; losses (N) = −log p[target];
// targets (N) with target < 0 meaning "no loss at this position" (loss 0, no gradient).

public func crossEntropyForward(_ losses: FloatPtr, _ probs: FloatPtr, _ targets: UnsafePointer<Int32>, _ N: Int, _ V: Int) {
  parallelChunks(N, minimumPerChunk: max(1, 8192 / V)) { range, _ in
    for n in range {
        let row = probs + n * V
        let mx = vmax(row, V)
        let tgt = Int(targets[n])
        let target = tgt >= 0 ? row[tgt] : 0
        let sum = vexpShiftSum(row, V, mx)
        let inv = 1 / sum
        for i in 0..<V { row[i] *= inv }
        losses[n] = tgt >= 0 ? log(sum) - (target - mx) : 0   // −log softmax[target], from the logits
    }
  }
}

/// dlogits (N,V) = (probs − onehot(target)) · scale, in place over probs (rows with target < 0 get 0).
public func crossEntropyBackward(_ dlogits: FloatPtr, _ targets: UnsafePointer<Int32>, _ scale: Float, _ N: Int, _ V: Int) {
  parallelChunks(N, minimumPerChunk: max(1, 8192 / V)) { range, _ in
    for n in range {
        let row = dlogits + n * V
        let tgt = Int(targets[n])
        if tgt < 0 { row.update(repeating: 0, count: V); continue }
        for i in 0..<V { row[i] *= scale }
        row[tgt] -= scale
    }
  }
}

// MARK: - measured peak

/// OpenBLAS's best sgemm throughput in GFLOP/s on `threads` threads, over square sizes 256…1536
/// (best of `repeats` runs each). This is the "peak" model FLOP utilisation is measured against:
/// OpenBLAS's own threading, which on square sizes this large is at its best.
public func measureSgemmPeak(threads: Int, repeats: Int = 5) -> (gflops: Double, size: Int) {
    setBLASThreads(threads)
    defer { setBLASThreads(1) }
    var best = (0.0, 0)
    for n in [256, 512, 1024, 1536] {
        let a = FloatPtr.allocate(capacity: n * n), b = FloatPtr.allocate(capacity: n * n), c = FloatPtr.allocate(capacity: n * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1; c[i] = 0 }
        let reps = max(2, (1 << 31) / (2 * n * n * n))
        for _ in 0..<repeats {
            let clock = ContinuousClock(), t0 = clock.now
            for _ in 0..<reps { openBLASSgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n) }
            let d = clock.now - t0
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            let g = 2 * Double(n * n * n) * Double(reps) / s / 1e9
            if g > best.0 { best = (g, n) }
        }
    }
    return best
}
