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

    /// The Euclidean distance from `q` to the hull, decided only as far as `tolerance` needs:
    /// exact below it, a certified lower bound above it.
    public func distance(_ q: [Double]) -> Double {
        let k = points.count
        guard k > 0 else { return .infinity }
        if k == 1 { return norm(zip(points[0], q).map { $0 - $1 }) }
        let dim = q.count
        // min ‖Xλ − q‖² over the simplex, by accelerated projected gradient; the Frank–Wolfe
        // gap gives a lower bound, so far-away queries stop early too.
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
