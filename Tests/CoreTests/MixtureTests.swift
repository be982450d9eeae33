import Foundation
import Testing
@testable import VisionMixCore

@Test func tagSharesMatchTheShippedReferenceTable() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent("data/reference/paper-source-tags.csv"), encoding: .utf8)
    var seen = 0
    for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("source") {
        let f = line.split(separator: ",").map(String.init)
        let s = try #require(TextSource(name: f[0]))
        #expect(abs(s.reasoningShare * 100 - Double(f[1])!) < 1e-9)
        #expect(abs(s.visualShare * 100 - Double(f[2])!) < 1e-9)
        seen += 1
    }
    #expect(seen == 6)
}

@Test func balancedPresetHasThePapersShares() throws {
    let m = try #require(Mixture.preset("balanced"))
    // Table 2 of the paper: mix6 is 52.0% reasoning and 14.8% visual.
    #expect(abs(m.reasoningShare! - 0.520) < 0.001)
    #expect(abs(m.visualShare! - 0.148) < 0.001)
}

@Test func specParsesPercentagesFractionsAndNormalises() throws {
    let a = try MixtureSpec.parse("web_crawl=40,encyclopedia=8,academia=5,literature=2,math=10,code=35")
    #expect(a.notices.isEmpty)
    #expect(abs(a.mixture.weight(.code) - 0.35) < 1e-12)
    let b = try MixtureSpec.parse("web_crawl=0.5,code=0.5")
    #expect(abs(b.mixture.weight(.webCrawl) - 0.5) < 1e-12)
    let c = try MixtureSpec.parse("web_crawl=30,code=30")
    #expect(c.notices.count == 1)
    #expect(abs(c.mixture.weight(.code) - 0.5) < 1e-12)
    let d = try MixtureSpec.parse("reasoning=60,visual=15")
    #expect(d.mixture.isSharesOnly && abs(d.mixture.reasoningShare! - 0.6) < 1e-12)
}

@Test func specRefusesBadWeights() {
    #expect(throws: MixtureError.negative(source: "code", value: -5)) { try MixtureSpec.parse("web_crawl=50,code=-5") }
    #expect(throws: MixtureError.sumsToZero) { try MixtureSpec.parse("web_crawl=0,code=0") }
    #expect(throws: MixtureError.notFinite(source: "code")) { try MixtureSpec.parse("web_crawl=50,code=nan") }
    #expect(throws: MixtureError.unknownSource("wikipedia", catalogue: .builtin)) { try MixtureSpec.parse("wikipedia=50,code=50") }
    #expect(throws: (any Error).self) { try MixtureSpec.parse("nonsense") }
}

@Test func quantitiesReadSuffixes() {
    #expect(Quantity.parse("340M") == 340e6)
    #expect(Quantity.parse("1.2B") == 1.2e9)
    #expect(Quantity.parse("1T") == 1e12)
    #expect(Quantity.parse("250K") == 250e3)
    #expect(Quantity.parse("-3") == nil)
    #expect(Quantity.parse("abc") == nil)
    #expect(Quantity.format(3e9) == "3B")
    #expect(Quantity.format(340e6) == "340M")
}

@Test func mixtureJSONRoundTrips() throws {
    let m = try #require(Mixture.preset("language_favorable"))
    let back = try JSONDecoder().decode(Mixture.self, from: JSONEncoder().encode(m))
    #expect(back.canonicalKey == m.canonicalKey)
    let s = try Mixture(reasoningShare: 0.6, visualShare: 0.15)
    let back2 = try JSONDecoder().decode(Mixture.self, from: JSONEncoder().encode(s))
    #expect(back2 == s)
}
