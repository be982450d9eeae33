import Foundation
import Testing
@testable import Laws

/// The hull test decides whether a prediction is an extrapolation, so it must be exact where
/// the geometry is known and agree with the slow iterative reference everywhere else.
@Suite struct MixtureHullTests {
    @Test func knownGeometry() {
        let triangle = MixtureHull(points: [[0, 0], [1, 0], [0, 1]])
        #expect(triangle.distance([0.2, 0.2]) == 0)
        #expect(abs(triangle.distance([1, 1]) - 0.5.squareRoot()) < 1e-12)
        #expect(abs(triangle.distance([-0.3, 0.5]) - 0.3) < 1e-12)
        #expect(abs(triangle.distance([2, -1]) - 2.0.squareRoot()) < 1e-12)   // nearest vertex (1, 0)
        // Collinear points (the paper's mixtures nearly are): the hull is a segment.
        let segment = MixtureHull(points: (0...10).map { [0.1 * Double($0), 0.05 * Double($0)] })
        #expect(segment.distance([0.5, 0.25]) < 1e-12)
        let off = [0.5, 0.35]   // 0.1 above the line y = x/2 at x = 0.5
        #expect(abs(segment.distance(off) - 0.1 * 2 / 5.0.squareRoot()) < 1e-9)
        #expect(abs(segment.distance([1.3, 0.5]) - 0.3) < 1e-12)
    }

    @Test func agreesWithTheIterativeReference() {
        var seed: UInt64 = 0x5EED
        func uniform() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) * 0x1.0p-53
        }
        for trial in 0..<200 {
            let dim = [2, 3, 6][trial % 3], k = 2 + trial % 15
            // Points on the simplex, like mixture weights; queries inside, near and far.
            func simplexPoint() -> [Double] { let e = (0..<dim).map { _ in -log(max(1e-12, uniform())) }; let s = e.reduce(0, +); return e.map { $0 / s } }
            let points = (0..<k).map { _ in simplexPoint() }
            let hull = MixtureHull(points: points, tolerance: 0.01)
            let q = zip(simplexPoint(), (0..<dim).map { _ in (uniform() - 0.5) * [0, 0.02, 0.5][trial % 3 == 0 ? 0 : trial % 2 + 1] }).map { $0 + $1 }
            let exact = hull.distance(q)
            let nearestPoint = points.map { p in zip(p, q).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }.min()!
            #expect(exact <= nearestPoint + 1e-12)
            // Inside or outside, the two methods decide alike (away from the borderline).
            if abs(exact - hull.tolerance) > 1e-4 {
                #expect((exact <= hull.tolerance) == (hull.iterativeDistance(q) <= hull.tolerance),
                        "trial \(trial): exact \(exact), iterative \(hull.iterativeDistance(q))")
            }
            #expect(hull.minimumNormPoint(q) != nil, "trial \(trial): Wolfe's method fell back")
        }
    }
}
