import Foundation

/// The convex hull of the mixtures a law was fitted on, as a membership test.
///
/// A per-axis box is not enough: the paper's eleven mixtures lie almost on a line in the
/// reasoning × visual plane, so a quadratic surface fitted to them is free to do anything a
/// few points off that line while still sitting inside the box of the data. Distance to the
/// hull is the honest test of interpolation.
public struct MixtureHull: Codable, Sendable, Equatable {
    /// The distinct training mixtures, as points (shares, or source weights).
    public var points: [[Double]]
    /// How far (in share or weight units) a query may lie from the hull and still count as inside.
    public var tolerance: Double

    public init(points: [[Double]], tolerance: Double = 0.005) {
        var seen = Set<[Double]>()
        self.points = points.filter { seen.insert($0.map { ($0 * 1e6).rounded() / 1e6 }).inserted }
        self.tolerance = tolerance
    }

    /// The Euclidean distance from `q` to the hull, exact (Wolfe's minimum-norm-point
    /// algorithm: a handful of linear solves of at most dim + 2 unknowns). Every prediction
    /// asks this of every law, so it sits on the path of each `POST /v1/predict`.
    public func distance(_ q: [Double]) -> Double {
        let k = points.count
        guard k > 0 else { return .infinity }
        if k == 1 { return norm(zip(points[0], q).map { $0 - $1 }) }
        return minimumNormPoint(q) ?? iterativeDistance(q)
    }

    /// Wolfe (1976) on the points shifted by −q: the nearest point of the hull to the origin.
    /// nil when a corral's affine system turns singular (then the iterative method answers).
    func minimumNormPoint(_ q: [Double]) -> Double? {
        let k = points.count, dim = q.count
        var shifted = [Double](repeating: 0, count: k * dim)
        var scale = 0.0
        for i in 0..<k {
            for d in 0..<dim { shifted[i * dim + d] = points[i][d] - q[d]; scale = max(scale, abs(shifted[i * dim + d])) }
        }
        if scale == 0 { return 0 }
        func dot(_ i: Int, _ x: [Double]) -> Double { var s = 0.0; for d in 0..<dim { s += shifted[i * dim + d] * x[d] }; return s }
        func pointDot(_ i: Int, _ j: Int) -> Double { var s = 0.0; for d in 0..<dim { s += shifted[i * dim + d] * shifted[j * dim + d] }; return s }
        let eps = 1e-12 * scale * scale
        // Start at the nearest point.
        var corral = [(0..<k).min { pointDot($0, $0) < pointDot($1, $1) }!]
        var lambda = [1.0]
        var x = (0..<dim).map { shifted[corral[0] * dim + $0] }
        for _ in 0..<(4 * k + 20) {
            let xx = x.reduce(0) { $0 + $1 * $1 }
            if xx <= eps { return 0 }
            let j = (0..<k).min { dot($0, x) < dot($1, x) }!
            if xx - dot(j, x) <= 1e-10 * scale * scale || corral.contains(j) { return xx.squareRoot() }
            corral.append(j); lambda.append(0)
            // Minor cycles: move to the affine minimum of the corral, dropping points whose
            // weight would turn negative.
            while true {
                guard let alpha = affineMinimum(corral, pointDot) else { return nil }
                if alpha.allSatisfy({ $0 > 1e-12 }) { lambda = alpha; break }
                var theta = 1.0
                for i in corral.indices where alpha[i] <= 1e-12 { theta = min(theta, lambda[i] / (lambda[i] - alpha[i])) }
                for i in corral.indices { lambda[i] += theta * (alpha[i] - lambda[i]) }
                let keep = corral.indices.filter { lambda[$0] > 1e-12 }
                guard !keep.isEmpty else { return nil }
                corral = keep.map { corral[$0] }
                let total = keep.reduce(0) { $0 + lambda[$1] }
                lambda = keep.map { lambda[$0] / total }
            }
            for d in 0..<dim { x[d] = corral.indices.reduce(0) { $0 + lambda[$1] * shifted[corral[$1] * dim + d] } }
        }
        return nil
    }

    /// Weights α (summing to 1) of the point of least norm in the affine hull of `corral`:
    /// [G 1; 1ᵀ 0] [α; μ] = [0; 1], by Gaussian elimination with partial pivoting.
    private func affineMinimum(_ corral: [Int], _ pointDot: (Int, Int) -> Double) -> [Double]? {
        let m = corral.count, n = m + 1
        var a = [Double](repeating: 0, count: n * (n + 1))
        for i in 0..<m {
            for j in 0..<m { a[i * (n + 1) + j] = pointDot(corral[i], corral[j]) }
            a[i * (n + 1) + m] = 1; a[m * (n + 1) + i] = 1
        }
        a[m * (n + 1) + n] = 1
        for c in 0..<n {
            let p = (c..<n).max { abs(a[$0 * (n + 1) + c]) < abs(a[$1 * (n + 1) + c]) }!
            guard abs(a[p * (n + 1) + c]) > 1e-14 else { return nil }
            if p != c { for j in 0...n { a.swapAt(p * (n + 1) + j, c * (n + 1) + j) } }
            for r in 0..<n where r != c {
                let f = a[r * (n + 1) + c] / a[c * (n + 1) + c]
                if f != 0 { for j in c...n { a[r * (n + 1) + j] -= f * a[c * (n + 1) + j] } }
            }
        }
        let alpha = (0..<m).map { a[$0 * (n + 1) + n] / a[$0 * (n + 1) + $0] }
        return alpha.allSatisfy(\.isFinite) ? alpha : nil
    }

    /// The distance by accelerated projected gradient over the simplex, decided only as far as
    /// `tolerance` needs (exact below it, a certified lower bound above it): the fallback.
    func iterativeDistance(_ q: [Double]) -> Double {
        let k = points.count
        let dim = q.count
        // min ‖Xλ − q‖² over the simplex; the Frank–Wolfe gap gives a lower bound, so
        // far-away queries stop early too.
        let lipschitz = 2 * points.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }
        var lambda = [Double](repeating: 1 / Double(k), count: k)
        var y = lambda, prev = lambda
        var t = 1.0
        var residual = [Double](repeating: 0, count: dim)
        let tol2 = tolerance * tolerance
        var best = Double.infinity
        for _ in 0..<500 {
            // Gradient at y.
            for d in 0..<dim { residual[d] = -q[d] }
            for i in 0..<k where y[i] != 0 { for d in 0..<dim { residual[d] += y[i] * points[i][d] } }
            let f = residual.reduce(0) { $0 + $1 * $1 }
            let g = points.map { p in 2 * zip(p, residual).reduce(0) { $0 + $1.0 * $1.1 } }
            best = min(best, f)
            if f <= tol2 * 0.25 { return sqrt(f) }
            let gap = zip(g, y).reduce(0) { $0 + $1.0 * $1.1 } - g.min()!
            if f - gap > tol2 { return sqrt(max(0, f - gap)) }
            prev = lambda
            lambda = projectOntoSimplex(zip(y, g).map { $0 - $1 / lipschitz })
            let tNext = (1 + (1 + 4 * t * t).squareRoot()) / 2
            y = zip(lambda, prev).map { $0 + (t - 1) / tNext * ($0 - $1) }
            t = tNext
        }
        return sqrt(best)
    }

    public func contains(_ q: [Double]) -> Bool { distance(q) <= tolerance }
}

func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

/// Euclidean projection onto the probability simplex (sort-based).
func projectOntoSimplex(_ v: [Double]) -> [Double] {
    let u = v.sorted(by: >)
    var cumulative = 0.0, theta = 0.0
    for (i, x) in u.enumerated() {
        cumulative += x
        let candidate = (cumulative - 1) / Double(i + 1)
        if x - candidate > 0 { theta = candidate }
    }
    return v.map { max(0, $0 - theta) }
}
