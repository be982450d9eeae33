import Foundation
import Testing
import VisionMixCore
@testable import Laws

/// Twelve sources of a team's own, without tag shares.
let twelveSources = try! SourceCatalogue((0..<12).map { Source(name: "domain_\($0)") })

/// Random mixtures over `catalogue` (squared Gaussians, normalised), the first source weighted up
/// so it has the largest mean weight and is the one a mixture law absorbs into its constant.
func randomMixtures(_ count: Int, over catalogue: SourceCatalogue, rng: RandomSource) -> [Mixture] {
    (0..<count).map { _ in
        let raw = (0..<catalogue.count).map { i in pow(rng.gaussian(), 2) + (i == 0 ? 1.5 : 0) }
        return try! Mixture(vector: raw, catalogue: catalogue, scale: .fraction, normalise: true)
    }
}

/// A mixing law over twelve sources, fitted to losses drawn from it with noise, recovers its
/// exponents: the law takes the catalogue's dimension, not the built-in six.
@Test func aMixtureLawOverTwelveSourcesRecoversItsParameters() throws {
    let rng = RandomSource(seed: 5)
    let t = (0..<12).map { $0 == 0 ? 0 : Double($0 % 5) - 2 }   // t of the reference source is 0
    let (c, k) = (2.0, 1.5)
    let points = randomMixtures(150, over: twelveSources, rng: rng).map { m in
        let loss = c + k * exp(zip(t, m.vector).map(*).reduce(0, +)) + 0.005 * rng.gaussian()
        return LawPoint(params: 1e6, tokens: 1e9, mixture: m, score: loss)
    }
    let fit = try fitPoints(points, category: "loss", family: .family(.mixingExponential), options: quickOptions(bootstrap: 0))
    #expect(fit.law.shape.referenceSource == "domain_0")
    #expect(fit.law.shape.sources == (1..<12).map { "domain_\($0)" })
    let p = fit.law.parameterValues
    #expect(abs(p["c"]! - c) < 0.05 && abs(p["k"]! - k) < 0.05, "\(p)")
    for j in 1..<12 { #expect(abs(p["t_domain_\(j)"]! - t[j]) < 0.1, "t_domain_\(j) \(p["t_domain_\(j)"]!) against \(t[j])") }

    // The law keeps its sources, through its JSON, and names a mixture of others.
    #expect(fit.law.catalogue == twelveSources)
    let back = try FitJSON.decode(try FitJSON.encode(fit))
    #expect(back.law.catalogue == twelveSources && back.law.shape.sources == fit.law.shape.sources)
    let inside = points[3].mixture!
    #expect(back.law.predict(params: 1e6, tokens: 1e9, mixture: inside) == fit.law.predict(params: 1e6, tokens: 1e9, mixture: inside))
    let builtin = try #require(Mixture.preset("balanced"))
    #expect(fit.law.extrapolationReasons(params: 1e6, tokens: 1e9, mixture: builtin).first?.contains("the mixture is over the sources web_crawl") == true)
    // Without tag shares there are no share laws, and the reason says so.
    #expect(performing: { _ = try fitPoints(points, category: "loss", family: .family(.quadraticShares), options: quickOptions(bootstrap: 0)) },
            throws: { "\($0)".contains("no reasoning/visual shares") })
}

/// Built-in laws stay as they were: no sources are written into their fits.
@Test func builtinFitsRecordNoCatalogue() throws {
    let m = [mixture([.webCrawl: 60, .code: 40]), mixture([.webCrawl: 40, .code: 60]), mixture([.webCrawl: 20, .code: 80])]
    let ranges = FittedRanges(points: m.map { LawPoint(params: 1e9, tokens: 1e10, mixture: $0, score: 1) })
    #expect(ranges.sources == nil && ranges.sourceWeights.count == 6)
    let json = String(decoding: try FitJSON.encoder().encode(ranges), as: UTF8.self)
    #expect(!json.contains("\"sources\""))
}
