@preconcurrency import CNumerics
import Glibc

/// Levenberg–Marquardt for small dense problems (n residuals, p ≲ 10 parameters), the method
/// GSL's `multifit_nlinear` trust region runs with its `lm` subproblem, Moré scaling and QR
/// solver, written over flat buffers so an iteration makes no library call.
///
/// Why not GSL itself: on the fitter's problems (40 residuals, 6 parameters) GSL's iteration
/// is a few dozen BLAS-1 calls on vectors of length 6 to 40, and their call overhead, OpenBLAS's
/// x87 `dnrm2` and GSL's pivoted QR were about 70% of a fit. The rules are GSL's:
/// - scaling D_j = max over iterations of ‖J_j‖ (a zero column counts 1), Moré (1978) eq. 6.3;
/// - damping μ₀ = 10⁻³·max_j (‖J_j‖/D_j)², then Nielsen's update: on an accepted step
///   μ ← μ·max(1/3, 1 − (2ρ − 1)³), on a rejected one μ ← μ·ν, ν ← 2ν (ν back to 2 on accept);
/// - a step v solves min ‖J v + f‖² + μ‖D v‖²; it is accepted when ρ, the actual over the
///   predicted reduction (‖Jv‖² + 2μ‖Dv‖², relative to ‖f‖²), is positive; sixteen rejections
///   in a row end the iteration with "no progress";
/// - convergence: |dx_i| < xtol² + xtol·|x_i| for every i (info 1), or
///   max_i |max(x_i, 1)·g_i| ≤ gtol·max(½‖f‖², 1) with g = Jᵀf (info 2).
/// The step comes from a Householder QR of J (once per iteration) and a Householder QR of the
/// stacked [R; √μ·D] (once per trial μ), where GSL folds √μ·D into R by Givens rotations as
/// MINPACK's `qrsolv` does; without GSL's column pivoting, which only matters for μ = 0 and μ
/// is never 0 here. So the iterates are GSL's up to
/// rounding; where a fit's optimum is a flat valley, rounding can move where along it a start
/// stops (docs/laws.md, "Solver").
final class LevenbergMarquardt {
    typealias Residuals = NonlinearLeastSquares.Residuals
    typealias Jacobian = NonlinearLeastSquares.Jacobian

    let n: Int
    let p: Int
    let residuals: Residuals
    let jacobian: Jacobian

    // Every buffer is allocated once; the names say what each holds during an iteration.
    private let x: UnsafeMutablePointer<Double>        // p: the current parameters
    private let f: UnsafeMutablePointer<Double>        // n: residuals at x
    private let Jc: UnsafeMutablePointer<Double>       // n×p column-major: Jacobian at x
    private let g: UnsafeMutablePointer<Double>        // p: Jᵀf
    private let D: UnsafeMutablePointer<Double>        // p: Moré's scaling
    private let dx: UnsafeMutablePointer<Double>       // p: the last step tried
    private let xTrial: UnsafeMutablePointer<Double>   // p
    private let fTrial: UnsafeMutablePointer<Double>   // n
    private let qr: UnsafeMutablePointer<Double>       // n×p column-major: Householder vectors below, R on and above the diagonal
    private let qtf: UnsafeMutablePointer<Double>      // n: Qᵀf (its first p entries used)
    private let S: UnsafeMutablePointer<Double>        // 2p×p column-major: [R; √μ·D], reduced to triangular in place
    private let b: UnsafeMutablePointer<Double>        // 2p: [Qᵀf; 0], reflected alongside S
    private let dRow: UnsafeMutablePointer<Double>     // p: D·dx
    private let work: UnsafeMutablePointer<Double>     // n: J·v

    init(n: Int, p: Int, residuals: @escaping Residuals, jacobian: @escaping Jacobian) {
        precondition(n >= p && p >= 1)
        self.n = n; self.p = p
        self.residuals = residuals; self.jacobian = jacobian
        func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
            let b = UnsafeMutablePointer<Double>.allocate(capacity: count)
            b.initialize(repeating: 0, count: count)
            return b
        }
        x = buffer(p); f = buffer(n); Jc = buffer(n * p); g = buffer(p); D = buffer(p); dx = buffer(p)
        xTrial = buffer(p); fTrial = buffer(n); qr = buffer(n * p); qtf = buffer(n)
        S = buffer(2 * p * p); b = buffer(2 * p); dRow = buffer(p); work = buffer(n)
    }

    deinit {
        for buffer in [x, f, Jc, g, D, dx, xTrial, fTrial, qr, qtf, S, b, dRow, work] { buffer.deallocate() }
    }

    /// Entry (i, j) of the Jacobian at the last solution (non-finite entries read 0).
    func jacobian(row i: Int, column j: Int) -> Double { Jc[j * n + i] }

    /// Iterates from `start` until a convergence test holds or `maxIterations` iterations.
    /// `status` and `info` are GSL's driver's: 0 converged (info 1 small step, 2 small
    /// gradient), `GSL_EMAXITER` out of iterations or no acceptable first step (info
    /// `GSL_ENOPROG`).
    func solve(start: [Double], maxIterations: Int, xtol: Double, gtol: Double) -> NonlinearLeastSquares.Outcome {
        for i in 0..<p { x[i] = start[i] }
        evaluateResiduals(at: x, into: f)
        evaluateJacobian(at: x)
        gradient()
        for j in 0..<p { D[j] = 0 }
        updateScaling()
        var mu = 0.0
        for j in 0..<p { let r = columnNorm(j) / D[j]; mu = max(mu, r * r) }
        mu *= 1e-3
        var nu = 2.0
        var iterations = 0, status: Int32 = 0, info: Int32 = 0
        while true {
            iterations += 1
            // A later iteration without progress goes on to the tests, with μ as large as it grew.
            if !iterate(mu: &mu, nu: &nu) && iterations == 1 { status = Int32(GSL_EMAXITER); info = Int32(GSL_ENOPROG); break }
            if smallStep() { info = 1; break }
            if smallGradient(gtol) { info = 2; break }
            if iterations >= maxIterations { status = Int32(GSL_EMAXITER); break }
        }
        var ssr = 0.0
        for i in 0..<n { ssr += f[i] * f[i] }
        return .init(x: (0..<p).map { x[$0] }, ssr: ssr, iterations: iterations, status: status, info: info)

        func smallStep() -> Bool {
            for i in 0..<p where !(abs(dx[i]) < xtol * xtol + xtol * abs(x[i])) { return false }
            return true
        }
    }

    /// One iteration: trial steps with growing μ until one lowers ‖f‖ (then x, f, J, g and D
    /// move to it). False after sixteen rejections in a row (x unchanged).
    private func iterate(mu: inout Double, nu: inout Double) -> Bool {
        factorJacobian()
        let normF = norm(f, n)
        var rejected = 0
        while true {
            step(mu: mu)
            for i in 0..<p { xTrial[i] = x[i] + dx[i] }
            evaluateResiduals(at: xTrial, into: fTrial)
            let rho = reductionRatio(normF: normF, mu: mu)
            if rho > 0 {
                evaluateJacobian(at: xTrial)
                x.update(from: xTrial, count: p)
                f.update(from: fTrial, count: n)
                gradient()
                updateScaling()
                let c = 2 * rho - 1
                mu *= max(0.333333333333333, 1 - c * c * c)
                nu = 2
                return true
            }
            mu *= nu
            nu *= 2
            rejected += 1
            if rejected > 15 { return false }
        }
    }

    /// ρ = actual / predicted reduction of ‖f‖² for the step in `dx`; −1 when ‖f‖ does not fall.
    private func reductionRatio(normF: Double, mu: Double) -> Double {
        let n = self.n, p = self.p, Jc = self.Jc, dx = self.dx, work = self.work
        let normTrial = norm(fTrial, n)
        guard normTrial < normF else { return -1 }
        let u = normTrial / normF
        let actual = 1 - u * u
        for i in 0..<n { work[i] = 0 }
        for j in 0..<p { let c = Jc + j * n, dj = dx[j]; for i in 0..<n { work[i] += c[i] * dj } }
        for j in 0..<p { dRow[j] = D[j] * dx[j] }
        let jv = norm(work, n) / normF, dv = norm(dRow, p) / normF
        let predicted = jv * jv + 2 * mu * dv * dv
        return predicted > 0 ? actual / predicted : -1
    }

    // MARK: residuals and derivatives

    private func evaluateResiduals(at point: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        residuals(UnsafeBufferPointer(start: point, count: p), UnsafeMutableBufferPointer(start: out, count: n))
        // A non-finite residual (overflow in a trial step) becomes a huge one, so the step is
        // rejected instead of the whole solve failing.
        for i in 0..<n where !out[i].isFinite { out[i] = 1e100 }
    }

    private func evaluateJacobian(at point: UnsafeMutablePointer<Double>) {
        let count = n * p, Jc = self.Jc
        jacobian(UnsafeBufferPointer(start: point, count: p), UnsafeMutableBufferPointer(start: Jc, count: count))
        for k in 0..<count where !Jc[k].isFinite { Jc[k] = 0 }
    }

    private func gradient() {
        for j in 0..<p { g[j] = dot(Jc + j * n, f, n) }
    }

    private func columnNorm(_ j: Int) -> Double { norm(Jc + j * n, n) }

    private func updateScaling() {
        for j in 0..<p {
            let c = columnNorm(j)
            D[j] = max(D[j], c == 0 ? 1 : c)
        }
    }

    private func smallGradient(_ gtol: Double) -> Bool {
        var gnorm = 0.0
        for i in 0..<p { gnorm = max(gnorm, abs(max(x[i], 1) * g[i])) }
        let normF = norm(f, n)
        return gnorm <= gtol * max(0.5 * normF * normF, 1)
    }

    // MARK: the step

    /// Householder QR of J into `qr` (column-major), and Qᵀf into `qtf`.
    private func factorJacobian() {
        let n = self.n, p = self.p, qr = self.qr
        qr.update(from: Jc, count: n * p)
        qtf.update(from: f, count: n)
        for k in 0..<p {
            let col = qr + k * n
            let alpha = norm(col + k, n - k)
            guard alpha > 0 else { continue }  // a zero column: R_kk = 0, nothing to reflect
            let beta = col[k] > 0 ? -alpha : alpha
            let tau = (beta - col[k]) / beta
            let scale = 1 / (col[k] - beta)
            for i in (k + 1)..<max(k + 1, n) { col[i] *= scale }
            col[k] = beta
            // H = I − τ·v·vᵀ with v = (1, col[k+1..n)), applied to the columns right of k and to Qᵀf.
            for j in (k + 1)..<max(k + 1, p) { reflect(col, k, tau, qr + j * n) }
            reflect(col, k, tau, qtf)
        }
    }

    private func reflect(_ v: UnsafeMutablePointer<Double>, _ k: Int, _ tau: Double, _ y: UnsafeMutablePointer<Double>) {
        let n = self.n
        let w = tau * (y[k] + dot(v + k + 1, y + k + 1, n - k - 1))
        y[k] -= w
        for i in (k + 1)..<max(k + 1, n) { y[i] -= w * v[i] }
    }

    /// dx = argmin ‖J v + f‖² + μ‖D v‖² = argmin ‖[R; √μ·D] v + [Qᵀf; 0]‖²: a Householder QR
    /// of the stacked 2p×p matrix (column k has R_kk and the D block's first k + 1 rows below
    /// it: one square root and one division per column, where Givens rotations take one per
    /// entry), then back substitution.
    private func step(mu: Double) {
        let n = self.n, p = self.p, S = self.S, b = self.b, dx = self.dx, qr = self.qr
        let rows = 2 * p
        let rootMu = mu.squareRoot()
        for k in 0..<p {
            let col = S + k * rows
            for i in 0..<rows { col[i] = 0 }
            for i in 0...k { col[i] = qr[k * n + i] }
            col[p + k] = rootMu * D[k]
            b[k] = qtf[k]
            b[p + k] = 0
        }
        // Column k's entries below the diagonal that can be nonzero: rows p ..< p + k + 1.
        for k in 0..<p {
            let col = S + k * rows
            let lower = col + p
            var below = 0.0
            for i in 0...k { below += lower[i] * lower[i] }
            guard below > 0 else { continue }  // nothing to fold in: R_kk stands
            let head = col[k]
            let alpha = hypotenuse(head, below.squareRoot())
            let beta = head > 0 ? -alpha : alpha
            let tau = (beta - head) / beta
            let scale = 1 / (head - beta)
            for i in 0...k { lower[i] *= scale }
            col[k] = beta
            for l in (k + 1)..<max(k + 1, p) { foldReflect(lower, k, tau, S + l * rows) }
            foldReflect(lower, k, tau, b)
        }
        for k in stride(from: p - 1, through: 0, by: -1) {
            var s = b[k]
            for l in (k + 1)..<max(k + 1, p) { s += S[l * rows + k] * dx[l] }
            let skk = S[k * rows + k]
            dx[k] = skk != 0 ? -s / skk : 0
        }
    }

    /// Applies I − τ·v·vᵀ, v = (1 at row k, `lower` at rows p ..< p + k + 1), to column `y` of the stack.
    @inline(__always)
    private func foldReflect(_ lower: UnsafeMutablePointer<Double>, _ k: Int, _ tau: Double, _ y: UnsafeMutablePointer<Double>) {
        let yl = y + p
        var w = y[k]
        for i in 0...k { w += lower[i] * yl[i] }
        w *= tau
        y[k] -= w
        for i in 0...k { yl[i] -= w * lower[i] }
    }
}

/// Σ a_i·b_i in four interleaved partial sums, added in a fixed order: four times shorter a
/// dependency chain than one running sum, and the same bits on every CPU (no FMA, no
/// reassociation left to the compiler).
@inline(__always)
private func dot(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ count: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i + 4 <= count {
        s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
        i += 4
    }
    while i < count { s0 += a[i] * b[i]; i += 1 }
    return (s0 + s1) + (s2 + s3)
}

/// ‖v‖ of `count` entries: one pass, or a scaled second pass when the squares would overflow
/// or underflow.
private func norm(_ v: UnsafeMutablePointer<Double>, _ count: Int) -> Double {
    let s = dot(v, v, count)
    if s.isFinite && s > 1e-280 { return s.squareRoot() }
    var scale = 0.0
    for i in 0..<count { scale = max(scale, abs(v[i])) }
    guard scale > 0, scale.isFinite else { return scale }
    var t = 0.0
    for i in 0..<count { let u = v[i] / scale; t += u * u }
    return scale * t.squareRoot()
}

/// √(a² + b²), through `hypot` only where the squares would overflow or underflow.
private func hypotenuse(_ a: Double, _ b: Double) -> Double {
    let s = a * a + b * b
    if s.isFinite && s > 1e-280 { return s.squareRoot() }
    return hypot(a, b)
}
