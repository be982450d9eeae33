import CNumerics
import Foundation

/// kernel_ridge's data: the feature map φ and the features of the runs it was fitted on.
/// The dual weights α are parameters (so bootstrap replicates carry their own); the support
/// they weight is the fit's, shared by every replicate.
public struct KernelSupport: Codable, Sendable, Equatable {
    /// Per source (the shape's `sources`): the mean and standard deviation of ln(w + floor)
    /// over the runs the feature map was chosen on.
    public var centre: [Double]
    public var scale: [Double]
    /// The Gaussian kernel's length scale ℓ and the ridge λ, chosen by cross-validation.
    public var lengthScale: Double
    public var ridge: Double
    /// Their cross-validated MAE.
    public var cvMAE: Double
    /// The fitted runs' features, row-major (runs × sources); empty until fitted.
    public var support: [Double]

    enum CodingKeys: String, CodingKey {
        case centre, scale, ridge, support
        case lengthScale = "length_scale", cvMAE = "cv_mae"
    }

    /// φ(w): standardised log weights, into `out` (one entry per source).
    func features(_ x: Features, into out: inout InlineArray<32, Double>) {
        for k in centre.indices { out[k] = (log(x.w(k) + KernelRidge.weightFloor) - centre[k]) / scale[k] }
    }
}

/// A regressor over source weights, in the spirit of RegMix's (which uses LightGBM): kernel
/// ridge regression with a Gaussian kernel. Its value is μ + Σ_i α_i·k(φ(w), φ(w_i)) over the
/// fitted runs i, with α = (K + λI)⁻¹(y − μ). Log weights because a domain's effect on a
/// loss is closer to logarithmic in its weight than linear (a 1% share matters far more than
/// 1% added to 40%); a smooth kernel because the measured losses are smooth in the mixture.
enum KernelRidge {
    /// Weights below a tenth of a percent count as absent: ln(w + floor) keeps a zero weight
    /// finite without letting 10⁻⁶ and 10⁻⁹ sit far apart.
    static let weightFloor = 1e-3
    /// A regressor without a functional form needs many mixtures to say anything; below this
    /// the parametric mixture laws are the choice.
    static let minimumMixtures = 50
    /// Length scales as multiples of √(sources): standardised features put two random
    /// mixtures about √(2·sources) apart.
    static let lengthScaleGrid = [0.5, 1, 2, 3, 5]
    static let ridgeGrid = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
    static let folds = 5
    /// Each replicate stores one dual weight per run, so the ensemble is kept smaller than
    /// the parametric families' (50 replicates still give a 90% interval's tails).
    static let maximumReplicates = 50

    /// The feature map of `points` and, by k-fold CV over the grid, the length scale and ridge.
    static func bind(_ shape: LawShape, points: [LawPoint]) -> KernelSupport {
        let d = shape.sources.count
        var centre = [Double](repeating: 0, count: d), scale = [Double](repeating: 1, count: d)
        for (k, name) in shape.sources.enumerated() {
            let xs = points.map { log($0.mixture!.weight(named: name) + weightFloor) }
            let m = xs.reduce(0, +) / Double(xs.count)
            let sd = (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count)).squareRoot()
            centre[k] = m; scale[k] = sd > 0 ? sd : 1
        }
        var kernel = KernelSupport(centre: centre, scale: scale, lengthScale: 1, ridge: 1, cvMAE: .nan, support: [])
        let phi = features(points, shape: shape, kernel: kernel)
        let y = points.map(\.score), n = points.count
        var order = Array(0..<n)
        let rng = RandomSource(seed: 7)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
        var best = (mae: Double.infinity, ell: 0.0, ridge: 0.0)
        for c in lengthScaleGrid {
            let ell = c * Double(d).squareRoot()
            let K = gram(phi, phi, dimension: d, lengthScale: ell)
            for ridge in ridgeGrid {
                var err = 0.0
                for fold in 0..<folds {
                    let test = order.enumerated().filter { $0.offset % folds == fold }.map(\.element)
                    let inTest = Set(test)
                    let train = (0..<n).filter { !inTest.contains($0) }
                    guard let (mu, alpha) = solve(K, n: n, rows: train, y: y, multiplicity: nil, ridge: ridge) else { err = .infinity; break }
                    for i in test {
                        var v = mu
                        for (a, j) in zip(alpha, train) { v += a * K[i * n + j] }
                        err += abs(v - y[i])
                    }
                }
                if err / Double(n) < best.mae { best = (err / Double(n), ell, ridge) }
            }
        }
        (kernel.cvMAE, kernel.lengthScale, kernel.ridge) = best
        return kernel
    }

    /// Solves the dual weights on `points` (all the runs, a CV fold's or a bootstrap's) at
    /// the length scale and ridge `bind` chose; the points become the support.
    static func fit(_ shape: LawShape, points: [LawPoint]) throws -> ParameterFit {
        guard var kernel = shape.kernel else { throw LawError.unidentifiable(family: shape.family.rawValue, reason: "the shape has no feature map") }
        let (ell, ridge) = (kernel.lengthScale, kernel.ridge)
        let phi = features(points, shape: shape, kernel: kernel), n = points.count
        let K = gram(phi, phi, dimension: shape.sources.count, lengthScale: ell)
        let y = points.map(\.score)
        guard let (mu, alpha) = solve(K, n: n, rows: Array(0..<n), y: y, multiplicity: nil, ridge: ridge) else {
            throw LawError.notConverged(family: shape.family.rawValue, reason: "the kernel matrix is not positive definite at ridge \(ridge)")
        }
        kernel.support = phi
        var bound = shape
        bound.kernel = kernel
        let params = [mu, ell, ridge] + alpha
        var ssr = 0.0
        for i in 0..<n {
            var v = mu
            for j in 0..<n { v += alpha[j] * K[i * n + j] }
            ssr += (v - y[i]) * (v - y[i])
        }
        let status = String(format: "solved (length scale %.3g and ridge %.0e by %d-fold CV, MAE %.4g)", ell, ridge, folds, kernel.cvMAE)
        let diag = FitDiagnostics(starts: 1, convergedStarts: 1, startsAtBest: 1, iterations: 1, status: status, parametersAtBounds: [],
                                  huberIterations: nil, bootstrapReplicates: 0, bootstrapFailed: 0)
        return ParameterFit(shape: bound, params: params, theta: params, ssr: ssr, covariance: nil, diagnostics: diag)
    }

    /// Bootstrap: runs resampled with replacement; a run drawn m times enters with ridge λ/m
    /// (the weighted kernel ridge solution), and undrawn runs get α = 0, so every replicate
    /// weights the same support.
    static func bootstrap(_ fit: ParameterFit, points: [LawPoint], options: FitOptions) -> (ensemble: [[Double]], failed: Int) {
        let B = min(options.bootstrap, maximumReplicates)
        guard B > 0, let kernel = fit.shape.kernel else { return ([], 0) }
        let n = points.count, ell = fit.params[1], ridge = fit.params[2]
        let K = gram(kernel.support, kernel.support, dimension: fit.shape.sources.count, lengthScale: ell)
        let y = points.map(\.score)
        let rng = RandomSource(seed: options.seed &+ 1000)
        var ensemble: [[Double]] = []
        for _ in 0..<B {
            var m = [Double](repeating: 0, count: n)
            for _ in 0..<n { m[rng.below(n)] += 1 }
            let rows = (0..<n).filter { m[$0] > 0 }
            guard let (mu, a) = solve(K, n: n, rows: rows, y: y, multiplicity: m, ridge: ridge) else { continue }
            var alpha = [Double](repeating: 0, count: n)
            for (j, r) in rows.enumerated() { alpha[r] = a[j] }
            ensemble.append([mu, ell, ridge] + alpha)
        }
        return (ensemble, B - ensemble.count)
    }

    static func features(_ points: [LawPoint], shape: LawShape, kernel: KernelSupport) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(points.count * shape.sources.count)
        var phi = InlineArray<32, Double>(repeating: 0)
        for p in points {
            kernel.features(Features(params: p.params, tokens: p.tokens, mixture: p.mixture, shape: shape), into: &phi)
            for k in 0..<shape.sources.count { out.append(phi[k]) }
        }
        return out
    }

    /// The Gaussian kernel between the rows of `a` and of `b` (row-major, `dimension` wide).
    static func gram(_ a: [Double], _ b: [Double], dimension d: Int, lengthScale ell: Double) -> [Double] {
        let na = a.count / d, nb = b.count / d, inv = 1 / (2 * ell * ell)
        var K = [Double](repeating: 0, count: na * nb)
        for i in 0..<na {
            for j in 0..<nb {
                var s = 0.0
                for k in 0..<d { let t = a[i * d + k] - b[j * d + k]; s += t * t }
                K[i * nb + j] = exp(-s * inv)
            }
        }
        return K
    }

    /// μ (the weighted mean of y over `rows`) and α over `rows`: (K_rows + λ·diag(1/m))α = y − μ
    /// by Cholesky (GSL). Nil when the matrix is not positive definite.
    static func solve(_ K: [Double], n: Int, rows: [Int], y: [Double], multiplicity m: [Double]?, ridge: Double) -> (Double, [Double])? {
        let r = rows.count
        guard r > 0 else { return nil }
        let w = rows.map { m?[$0] ?? 1 }
        let mu = zip(rows, w).reduce(0.0) { $0 + y[$1.0] * $1.1 } / w.reduce(0, +)
        gsl_set_error_handler_off()
        let A = gsl_matrix_alloc(r, r)!, b = gsl_vector_alloc(r)!, x = gsl_vector_alloc(r)!
        defer { gsl_matrix_free(A); gsl_vector_free(b); gsl_vector_free(x) }
        for (i, ri) in rows.enumerated() {
            for (j, rj) in rows.enumerated() { gsl_matrix_set(A, i, j, K[ri * n + rj]) }
            gsl_matrix_set(A, i, i, K[ri * n + ri] + ridge / w[i])
            gsl_vector_set(b, i, y[ri] - mu)
        }
        guard gsl_linalg_cholesky_decomp1(A) == GSL_SUCCESS, gsl_linalg_cholesky_solve(A, b, x) == GSL_SUCCESS else { return nil }
        return (mu, (0..<r).map { gsl_vector_get(x, $0) })
    }
}

extension LawShape {
    /// kernel_ridge's value at parameters p = [μ, ℓ, λ, α_1 … α_n].
    func kernelValue(_ p: UnsafeBufferPointer<Double>, _ x: Features) -> Double {
        guard let kernel else { return .nan }
        let d = sources.count, n = kernel.support.count / max(1, d)
        var phi = InlineArray<32, Double>(repeating: 0)
        kernel.features(x, into: &phi)
        let inv = 1 / (2 * p[1] * p[1])
        var value = p[0]
        kernel.support.withUnsafeBufferPointer { S in
            for i in 0..<n {
                var s = 0.0
                for k in 0..<d { let t = S[i * d + k] - phi[k]; s += t * t }
                value += p[3 + i] * exp(-s * inv)
            }
        }
        return value
    }
}
