@preconcurrency import CNumerics
import Glibc

/// Which solver a fit runs: the fitter's Levenberg–Marquardt (`LevenbergMarquardt`, GSL's
/// rules without its per-iteration library calls), or GSL's own trust region, plain (the
/// reference the first is checked against) or with geodesic acceleration (`fit --accelerated`).
public enum LeastSquaresMethod: String, Sendable, CaseIterable {
    case levenbergMarquardt = "lm", gsl, gslAccelerated = "gsl-accelerated"

    /// The names a request may give, for messages: "lm, gsl, gsl-accelerated".
    public static var choices: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The least-squares solver of one problem size (n residuals, p parameters), reusable across
/// many starts and bootstrap refits: `LevenbergMarquardt` for `.levenbergMarquardt` with an
/// analytic Jacobian, else a GSL `gsl_multifit_nlinear` trust-region workspace. The
/// covariance comes from GSL's QR either way.
///
/// Why a class: GSL calls back through `@convention(c)` functions that cannot capture
/// anything, so the residual and Jacobian closures are reached through `fdf.params`, which
/// holds an unretained pointer to `self`. The `fdf` struct is heap-allocated here because GSL
/// keeps a pointer to it for the whole solve; a stack copy would dangle.
///
/// Not thread-safe: use one instance per thread (bootstrap workers each make their own).
final class NonlinearLeastSquares {
    /// Fills `f` (length n) with residuals at parameters `x` (length p).
    typealias Residuals = (_ x: UnsafeBufferPointer<Double>, _ f: UnsafeMutableBufferPointer<Double>) -> Void
    /// Fills the column-major n×p Jacobian `J` of the residuals at `x` (column j, the derivatives
    /// by parameter j, at J[j·n ..< (j+1)·n]).
    typealias Jacobian = (_ x: UnsafeBufferPointer<Double>, _ J: UnsafeMutableBufferPointer<Double>) -> Void

    let n: Int
    let p: Int
    var residuals: Residuals
    /// `nil` lets GSL use forward differences (p extra residual evaluations per iteration);
    /// the fitter's own solver needs the analytic one.
    var jacobian: Jacobian? {
        didSet { fdf.pointee.df = jacobian == nil ? nil : nlsJacobianCallback }
    }

    /// The solver of every plain fit; GSL's workspace serves the accelerated method and `.gsl`.
    private var lm: LevenbergMarquardt?
    let method: LeastSquaresMethod
    private let workspace: UnsafeMutablePointer<gsl_multifit_nlinear_workspace>
    private let fdf: UnsafeMutablePointer<gsl_multifit_nlinear_fdf>
    private let xStart: UnsafeMutablePointer<gsl_vector>
    // Scratch buffers, so callbacks copy strided GSL vectors without allocating.
    private var xBuf: [Double]
    private var fBuf: [Double]
    private var jBuf: [Double]

    struct Outcome {
        var x: [Double]
        /// Sum of squared residuals at `x`.
        var ssr: Double
        var iterations: Int
        /// GSL status of the driver (0 = success).
        var status: Int32
        /// Why the driver stopped: 1 small step, 2 small gradient, 0 otherwise (see GSL docs).
        var info: Int32
        var converged: Bool { status == 0 && ssr.isFinite }
        var message: String {
            if status == 0 { return info == 1 ? "converged (small step)" : info == 2 ? "converged (small gradient)" : "converged" }
            return "not converged: " + String(cString: gsl_strerror(status))
        }
    }

    /// - Parameter method: `.gslAccelerated` adds geodesic acceleration, which helps on long
    ///   curved valleys (saturation exponents) at the cost of extra evaluations.
    init(n: Int, p: Int, method: LeastSquaresMethod = .levenbergMarquardt, residuals: @escaping Residuals, jacobian: Jacobian?) {
        precondition(n >= 1 && p >= 1)
        self.method = method
        let accelerated = method == .gslAccelerated
        // GSL's default handler calls abort(); errors must come back as status codes instead.
        gsl_set_error_handler_off()
        self.n = n
        self.p = p
        self.residuals = residuals
        self.jacobian = jacobian
        xBuf = [Double](repeating: 0, count: p)
        fBuf = [Double](repeating: 0, count: n)
        jBuf = [Double](repeating: 0, count: n * p)
        var params = gsl_multifit_nlinear_default_parameters()
        params.trs = accelerated ? gsl_multifit_nlinear_trs_lmaccel : gsl_multifit_nlinear_trs_lm
        // More-style scaling keeps the trust region sensible when parameters differ in scale.
        params.scale = gsl_multifit_nlinear_scale_more
        workspace = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, n, p)!
        fdf = .allocate(capacity: 1)
        fdf.initialize(to: gsl_multifit_nlinear_fdf())
        xStart = gsl_vector_alloc(p)
        fdf.pointee.f = nlsResidualCallback
        fdf.pointee.df = jacobian == nil ? nil : nlsJacobianCallback
        fdf.pointee.fvv = nil
        fdf.pointee.n = n
        fdf.pointee.p = p
        fdf.pointee.params = Unmanaged.passUnretained(self).toOpaque()
        if method == .levenbergMarquardt && n >= p {
            lm = LevenbergMarquardt(n: n, p: p, residuals: { [unowned self] x, f in self.residuals(x, f) },
                                    jacobian: { [unowned self] x, J in self.jacobian!(x, J) })
        }
    }

    deinit {
        gsl_multifit_nlinear_free(workspace)
        gsl_vector_free(xStart)
        fdf.deallocate()
    }

    /// Solves from `start`: the fitter's Levenberg–Marquardt, or GSL's trust-region driver.
    func solve(start: [Double], maxIterations: Int = 200, xtol: Double = 1e-8, gtol: Double = 1e-8,
               ftol: Double = 0) -> Outcome {
        // GSL's driver takes ftol but tests nothing with it (its convergence test leaves it out).
        if let lm, jacobian != nil { return lm.solve(start: start, maxIterations: maxIterations, xtol: xtol, gtol: gtol) }
        for i in 0..<p { gsl_vector_set(xStart, i, start[i]) }
        var status = gsl_multifit_nlinear_init(xStart, fdf, workspace)
        var info: Int32 = 0
        if status == 0 {
            status = gsl_multifit_nlinear_driver(maxIterations, xtol, gtol, ftol, nil, nil, &info, workspace)
        }
        let xv = gsl_multifit_nlinear_position(workspace)!
        let fv = gsl_multifit_nlinear_residual(workspace)!
        var x = [Double](repeating: 0, count: p)
        for i in 0..<p { x[i] = gsl_vector_get(xv, i) }
        var ssr = 0.0
        for i in 0..<n { let r = gsl_vector_get(fv, i); ssr += r * r }
        return Outcome(x: x, ssr: ssr, iterations: Int(gsl_multifit_nlinear_niter(workspace)), status: status, info: info)
    }

    /// (JᵀJ)⁻¹ at the last solution (row-major p×p), from GSL's rank-revealing QR; `nil` if GSL fails.
    /// Multiply by the residual variance to get the parameter covariance.
    func unscaledCovariance() -> [Double]? {
        guard let J = gsl_multifit_nlinear_jac(workspace) else { return nil }
        if let lm, jacobian != nil {
            for i in 0..<n { for j in 0..<p { gsl_matrix_set(J, i, j, lm.jacobian(row: i, column: j)) } }
        }
        let cov = gsl_matrix_alloc(p, p)!
        defer { gsl_matrix_free(cov) }
        guard gsl_multifit_nlinear_covar(J, 1e-12, cov) == 0 else { return nil }
        var out = [Double](repeating: 0, count: p * p)
        for i in 0..<p { for j in 0..<p { out[i * p + j] = gsl_matrix_get(cov, i, j) } }
        return out
    }

    // Called from the C callbacks. The workspace's vectors and matrices are contiguous
    // (stride 1, tda = p), so the closures read and write GSL's memory directly; the
    // strided copy is only a fallback.
    fileprivate func evalResiduals(_ x: UnsafePointer<gsl_vector>, _ f: UnsafeMutablePointer<gsl_vector>) -> Int32 {
        let xb = view(x)
        if f.pointee.stride == 1, let fd = f.pointee.data {
            let fb = UnsafeMutableBufferPointer(start: fd, count: n)
            residuals(xb, fb)
            // A non-finite residual (overflow in a trial step) becomes a huge one, so the trust
            // region rejects the step instead of the whole solve failing.
            for i in 0..<n where !fb[i].isFinite { fb[i] = 1e100 }
        } else {
            fBuf.withUnsafeMutableBufferPointer { fb in residuals(xb, fb) }
            for i in 0..<n { gsl_vector_set(f, i, fBuf[i].isFinite ? fBuf[i] : 1e100) }
        }
        return 0
    }

    fileprivate func evalJacobian(_ x: UnsafePointer<gsl_vector>, _ J: UnsafeMutablePointer<gsl_matrix>) -> Int32 {
        guard let jac = jacobian else { return Int32(GSL_EINVAL) }
        let xb = view(x)
        // GSL's matrix is row-major; the closures write columns.
        let n = self.n, p = self.p
        jBuf.withUnsafeMutableBufferPointer { jb in
            jac(xb, jb)
            if J.pointee.tda == p, let jd = J.pointee.data {
                for i in 0..<n { for j in 0..<p { let v = jb[j * n + i]; jd[i * p + j] = v.isFinite ? v : 0 } }
            } else {
                for i in 0..<n { for j in 0..<p { let v = jb[j * n + i]; gsl_matrix_set(J, i, j, v.isFinite ? v : 0) } }
            }
        }
        return 0
    }

    /// The parameter vector as a buffer: GSL's own memory when contiguous, else a copy.
    private func view(_ x: UnsafePointer<gsl_vector>) -> UnsafeBufferPointer<Double> {
        if x.pointee.stride == 1, let d = x.pointee.data { return UnsafeBufferPointer(start: d, count: p) }
        for i in 0..<p { xBuf[i] = gsl_vector_get(x, i) }
        return xBuf.withUnsafeBufferPointer { $0 }  // xBuf is never resized, so its storage is stable
    }
}

// The C entry points: they capture nothing and find the solver through `params`.
private let nlsResidualCallback: @convention(c) (UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?) -> Int32 = { x, params, f in
    guard let x, let params, let f else { return Int32(GSL_EFAULT) }
    return Unmanaged<NonlinearLeastSquares>.fromOpaque(params).takeUnretainedValue().evalResiduals(x, f)
}

private let nlsJacobianCallback: @convention(c) (UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_matrix>?) -> Int32 = { x, params, J in
    guard let x, let params, let J else { return Int32(GSL_EFAULT) }
    return Unmanaged<NonlinearLeastSquares>.fromOpaque(params).takeUnretainedValue().evalJacobian(x, J)
}
