import Testing
import VisionMixCore
@testable import World

@Suite struct TextWorldTests {
    @Test func everyGeneratorWordIsInTheVocabulary() {
        var missing = Set<String>()
        for s in TextSource.allCases {
            for tag in SegmentTag.allCases {
                for seed in 0..<300 {
                    missing.formUnion(Tokenizer.shared.missingWords(in: SourceStream.segmentText(s, tag, seed: UInt64(seed))))
                }
            }
        }
        #expect(missing.isEmpty, "missing: \(missing.sorted().joined(separator: " "))")
    }

    @Test func vocabularyIsSmallAndUnique() {
        let t = Tokenizer.shared
        #expect(t.vocabularySize >= 300 && t.vocabularySize <= 2000)
        #expect(Set(t.words).count == t.words.count)
        #expect(t.endOfDocument == 1)
    }

    @Test func tokenizerRoundTrips() throws {
        let t = Tokenizer.shared
        var stream = SourceStream(source: .code, seed: 3)
        for _ in 0..<20 {
            let ids = stream.nextDocument().tokens
            #expect(try t.encode(t.decode(ids)) == ids)
        }
        let text = "a lemon is a small yellow circle ."
        #expect(t.decode(try t.encode(text)) == text)
        #expect(try t.encode("a lemon.") == t.encode("a lemon ."))
    }

    @Test func unknownWordIsAnError() {
        #expect(throws: UnknownWordError(word: "zebra", position: 2)) { try Tokenizer.shared.encode("a zebra") }
    }

    @Test(arguments: TextSource.allCases)
    func tagSharesFollowTheReference(source: TextSource) {
        var s = SourceStream(source: source, seed: 11)
        while s.counts.total < 30_000 { _ = s.nextDocument() }
        #expect(abs(s.counts.reasoningShare - source.reasoningShare) < 0.02)
        #expect(abs(s.counts.visualShare - source.visualShare) < 0.02)
    }

    @Test func samplerIsDeterministic() throws {
        let m = Mixture.preset("balanced")!
        var a = MixtureSampler(mixture: m, seed: 5), b = MixtureSampler(mixture: m, seed: 5), c = MixtureSampler(mixture: m, seed: 6)
        let x = a.nextTokens(5000)
        #expect(x == b.nextTokens(2000) + b.nextTokens(3000))
        #expect(x != c.nextTokens(5000))
    }

    @Test func samplerByWeightsRealisesTheMixtureShares() {
        let m = Mixture.preset("language_favorable")!
        var s = MixtureSampler(mixture: m, seed: 1)
        _ = s.nextTokens(60_000)
        #expect(abs(s.realisedReasoningShare - m.reasoningShare!) < 0.02)
        #expect(abs(s.realisedVisualShare - m.visualShare!) < 0.02)
    }

    @Test(arguments: [(0.6, 0.15), (0.1, 0.4), (0.0, 0.0), (0.75, 0.25)])
    func samplerBySharesHitsTheTargets(r: Double, v: Double) throws {
        var s = try MixtureSampler(reasoningShare: r, visualShare: v, seed: 2)
        _ = s.nextTokens(40_000)
        #expect(abs(s.realisedReasoningShare - r) < 0.01)
        #expect(abs(s.realisedVisualShare - v) < 0.01)
    }
}

@Suite struct IndentTests {
    @Test func indentedCodeRoundTrips() throws {
        let t = Tokenizer.shared
        let code = "for x in xs :\n  if x > best :\n    best = x\nprint ( best )"
        let ids = try t.encode(code)
        #expect(ids.filter { $0 == t.indent }.count == 3)
        #expect(t.decode(ids) == code)
        #expect(t.endOfDocument == 1 && t.pad == 0)
    }
}
