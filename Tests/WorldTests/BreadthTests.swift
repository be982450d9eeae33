import Testing
import VisionMixCore
@testable import World

@Suite struct BreadthTests {
    /// web_crawl is the broadest source in vocabulary, as in the paper's corpus.
    @Test func webCrawlHasTheWidestVocabulary() {
        var distinct: [TextSource: Int] = [:]
        for s in TextSource.allCases {
            var stream = SourceStream(source: s, seed: 1)
            var seen = Set<Int32>()
            while stream.counts.total < 20_000 { seen.formUnion(stream.nextDocument().tokens) }
            distinct[s] = seen.count
        }
        print("distinct words per 20K tokens:", TextSource.allCases.map { "\($0.name)=\(distinct[$0]!)" }.joined(separator: " "))
        #expect(distinct[.webCrawl]! == distinct.values.max()!)
    }
}

@Suite struct ReasoningSymbolTests {
    /// Reasoning text mostly works over abstract symbols; only a minority of its segments name
    /// visual things (entities, colours, shapes), as in real code and math.
    @Test func fewReasoningSegmentsNameVisualThings() {
        let t = Tokenizer.shared
        let visualWords = Set((Entities.all.map(\.name) + Colour.allCases.map(\.rawValue) + Shape.allCases.map(\.rawValue)).compactMap { t.id($0) })
        var naming = 0, total = 0
        var perSource: [String] = []
        for s in TextSource.allCases {
            var stream = SourceStream(source: s, seed: 5)
            var n = 0, k = 0
            for _ in 0..<300 {
                let seg = stream.nextSegment(tag: .reasoning)
                n += 1
                if seg.tokens.contains(where: visualWords.contains) { k += 1 }
            }
            perSource.append("\(s.name)=\(k * 100 / n)%")
            // Weighted by how much reasoning text each source holds.
            naming += Int(Double(k) * s.reasoningShare * 100); total += Int(Double(n) * s.reasoningShare * 100)
        }
        print("reasoning segments naming visual things:", perSource.joined(separator: " "), "overall \(naming * 100 / total)%")
        #expect(Double(naming) / Double(total) < 0.25)
    }
}
