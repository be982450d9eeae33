import Foundation
import Testing
import VisionMixCore
@testable import Laws

/// Losses no parametric mixture law describes: each domain helps logarithmically, and two of
/// them interfere (a bump where both are large), the kind of surface RegMix fits with a
/// regressor.
func interferingLoss(_ m: Mixture) -> Double {
    let w = m.vector
    var loss = 3.0
    for (j, x) in w.enumerated() { loss -= 0.08 * Double(j % 4 + 1) * log(x + 0.01) / 4 }
    return loss + 0.6 * exp(-pow((w[1] - 0.25) / 0.1, 2) - pow((w[2] - 0.2) / 0.1, 2))
}

/// On 200 mixtures over twelve sources, the regressor ranks 100 mixtures it was not fitted on
/// as measured, where the data-mixing law cannot follow the bump; auto selection chooses it.
@Test func kernelRidgeRanksHeldOutMixturesTheMixingLawCannot() throws {
    let rng = RandomSource(seed: 11)
    let mixtures = randomMixtures(300, over: twelveSources, rng: rng)
    let points = mixtures.map { LawPoint(params: 1e6, tokens: 1e9, mixture: $0, score: interferingLoss($0) + 0.005 * rng.gaussian()) }
    let (train, test) = (Array(points[..<200]), Array(points[200...]))
    let measured = test.map { interferingLoss($0.mixture!) }
    func rho(_ fit: FitResult) -> Double {
        RankAgreement.spearman(test.map { fit.law.predict(params: 1e6, tokens: 1e9, mixture: $0.mixture) }, measured) ?? 0
    }
    let kernel = try fitPoints(train, category: "loss", family: .family(.kernelRidge), options: quickOptions(bootstrap: 0))
    let mixing = try fitPoints(train, category: "loss", family: .family(.mixingExponential), options: quickOptions(bootstrap: 0))
    #expect(rho(kernel) > 0.9, "kernel_ridge ranks held-out mixtures with rho \(rho(kernel))")
    #expect(rho(kernel) > rho(mixing) + 0.03, "kernel_ridge \(rho(kernel)) against mixing_exponential \(rho(mixing))")
    let auto = try fitPoints(train, category: "loss", family: .auto, options: quickOptions(bootstrap: 0))
    #expect(auto.law.family == .kernelRidge, "auto chose \(auto.family): \(auto.selection?.reason ?? "")")
}

/// A bootstrap replicate per resample, each over the fit's runs: intervals that contain the
/// prediction and have width; the law, support included, predicts the same after its JSON.
@Test func kernelRidgeIntervalsAndJSON() throws {
    let rng = RandomSource(seed: 12)
    let points = randomMixtures(80, over: twelveSources, rng: rng).map {
        LawPoint(params: 1e6, tokens: 1e9, mixture: $0, score: interferingLoss($0) + 0.02 * rng.gaussian())
    }
    let fit = try fitPoints(points, category: "loss", family: .family(.kernelRidge), options: quickOptions(bootstrap: 200))
    #expect(fit.law.ensemble.count == KernelRidge.maximumReplicates)
    #expect(fit.law.shape.kernel?.support.count == 80 * 12)
    let m = randomMixtures(1, over: twelveSources, rng: rng)[0]
    let (v, lo, hi) = fit.law.predictInterval(params: 1e6, tokens: 1e9, mixture: m)
    #expect(lo < v && v < hi, "\(lo) \(v) \(hi)")
    let back = try FitJSON.decode(try FitJSON.encode(fit))
    #expect(back.law.predict(params: 1e6, tokens: 1e9, mixture: m) == v)
    #expect(back.law.predictInterval(params: 1e6, tokens: 1e9, mixture: m) == (v, lo, hi))
}

/// With few mixtures a regressor is not offered, and asking for it says why.
@Test func kernelRidgeNeedsManyMixtures() throws {
    let rng = RandomSource(seed: 13)
    let points = randomMixtures(KernelRidge.minimumMixtures - 1, over: twelveSources, rng: rng).map {
        LawPoint(params: 1e6, tokens: 1e9, mixture: $0, score: interferingLoss($0))
    }
    #expect(!applicableFamilies(points, category: "loss").contains(.kernelRidge))
    #expect(performing: { _ = try fitPoints(points, category: "loss", family: .family(.kernelRidge), options: quickOptions(bootstrap: 0)) },
            throws: { "\($0)".contains("at least \(KernelRidge.minimumMixtures) distinct mixtures") })
    let more = points + randomMixtures(1, over: twelveSources, rng: rng).map { LawPoint(params: 1e6, tokens: 1e9, mixture: $0, score: 3) }
    #expect(applicableFamilies(more, category: "loss").contains(.kernelRidge))
}
