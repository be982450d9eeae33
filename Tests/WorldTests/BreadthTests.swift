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
