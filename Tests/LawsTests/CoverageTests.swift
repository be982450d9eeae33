import Foundation
import Testing
@testable import Laws

/// Synthetic data from a known law plus Gaussian noise.
func synthetic(_ law: (Double) -> Double, xs: [Double], noise: Double, rng: RandomSource) -> [LawPoint] {
    xs.map { x in LawPoint(params: x, tokens: 0, score: law(x) + noise * rng.gaussian()) }
}

/// Over 200 synthetic replicates from a known law, the 90% bootstrap intervals
/// (resampling runs) cover each true parameter in 80–97% of replicates. The cheap 1-D power
/// law keeps 200 × 99 refits fast; replicates run on two threads.
@Test func bootstrapIntervalsCoverTrueParameters() throws {
    let truth = [50.0, 20.0, 0.5]  // a − b·x^(−c), x = N / N_max
    let xs = (0..<30).map { 1e6 * pow(100, Double($0) / 29) }
    let reps = 200
    let hits = UnsafeMutableBufferPointer<[Bool]?>.allocate(capacity: reps)
    hits.initialize(repeating: nil)
    defer { hits.deallocate() }
    DispatchQueue.concurrentPerform(iterations: 2) { t in
        for rep in stride(from: t, to: reps, by: 2) {
            let rng = RandomSource(seed: UInt(9000 + rep))
            let pts = synthetic({ truth[0] - truth[1] * pow($0 / 1e8, -truth[2]) }, xs: xs, noise: 0.5, rng: rng)
            let shape = try! LawShape.make(.power1D, points: pts)
            var o = FitOptions()
            o.bootstrap = 99; o.randomStarts = 0; o.threads = 1; o.seed = UInt(rep)
            guard let fit = try? fitParameters(shape, points: pts, options: o) else { continue }
            let ens = bootstrapParameters(fit, points: pts, options: o).ensemble
            hits[rep] = (0..<3).map { j in
                let col = ens.map { $0[j] }
                return quantile(col, 0.05) <= truth[j] && truth[j] <= quantile(col, 0.95)
            }
        }
    }
    let done = hits.compactMap { $0 }
    #expect(done.count == reps)
    for j in 0..<3 {
        let cover = Double(done.filter { $0[j] }.count) / Double(done.count)
        print("coverage of parameter \(["a", "b", "c"][j]): \(cover)")
        #expect(cover >= 0.80 && cover <= 0.97)
    }
}

/// The same machinery recovers a size–data law's parameters from noisy synthetic data.
@Test func recoversSaturatingInteractionLaw() throws {
    let rng = RandomSource(seed: 5)
    let truth = [30.0, 1.0, 4.0, 1.0, 0.1, 1.5]
    let shape0 = LawShape(family: .saturatingInteraction, parameters: [], nScale: 1e9, dScale: 1e11)
    var pts: [LawPoint] = []
    for n in [1e8, 3e8, 1e9] { for d in [0, 5e9, 1e10, 2e10, 5e10, 1e11] {
        // shape0 has the scales LawShape.make picks for this grid (largest N and D).
        let f = Features(params: n, tokens: d, mixture: nil, shape: shape0)
        pts.append(LawPoint(params: n, tokens: d, score: shape0.evaluate(truth, f) + 0.05 * rng.gaussian()))
    } }
    let r = try fitPoints(pts, category: "synthetic", family: .family(.saturatingInteraction), options: quickOptions(bootstrap: 30))
    for (name, t) in zip(["a", "b", "c", "e"], truth) {
        #expect(abs(r.parameters[name]! - t) < 0.3, "\(name) = \(r.parameters[name]!) vs \(t)")
    }
    #expect(r.train.rmse < 0.1)
    #expect(r.diagnostics.bootstrapReplicates == 30)
}
