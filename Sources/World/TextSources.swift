import VisionMixCore

/// What a segment of text is about, as the paper's classifier tagged 1024-token segments.
public enum SegmentTag: String, CaseIterable, Sendable, Codable {
    case reasoning, visual, other
    var index: Int {
        switch self {
        case .reasoning: 0
        case .visual: 1
        case .other: 2
        }
    }
}

public struct Segment: Sendable, Equatable {
    public let tag: SegmentTag
    public let tokens: [Int32]
}

public struct Document: Sendable, Equatable {
    public let source: TextSource
    public let segments: [Segment]
    /// All tokens of the document, without the end-of-document separator.
    public var tokens: [Int32] { segments.flatMap(\.tokens) }
    public var text: String { Tokenizer.shared.decode(tokens) }
}

extension TextSource {
    /// Target share of tokens per tag, in `SegmentTag.allCases` order.
    /// The paper tagged reasoning and visual independently, so for math and code the two add up
    /// to just over 100%; with one tag per segment the best we can do is their proportions.
    var tagTargets: [Double] {
        let r = reasoningShare, v = visualShare, scale = max(1, r + v)
        return [r / scale, v / scale, max(0, 1 - r - v)]
    }
}

/// Token counts per tag, and the shares they give.
public struct TagCounts: Sendable, Equatable {
    public var reasoning = 0, visual = 0, other = 0
    public init() {}
    public var total: Int { reasoning + visual + other }
    public var reasoningShare: Double { total == 0 ? 0 : Double(reasoning) / Double(total) }
    public var visualShare: Double { total == 0 ? 0 : Double(visual) / Double(total) }
    public mutating func add(_ tag: SegmentTag, _ n: Int) {
        switch tag {
        case .reasoning: reasoning += n
        case .visual: visual += n
        case .other: other += n
        }
    }
    subscript(_ tag: SegmentTag) -> Int {
        switch tag {
        case .reasoning: reasoning
        case .visual: visual
        case .other: other
        }
    }
}

/// An endless, deterministic stream of documents of one source.
///
/// Segment lengths differ by tag (code programs are longer than look sentences), so drawing
/// tags with fixed probabilities would miss the paper's *token* shares. Each segment's tag is
/// drawn in proportion to how far that tag lags its target share so far: the stream stays
/// random, and its shares converge to the reference within a segment or two.
public struct SourceStream: Sendable {
    public let source: TextSource
    private var rng: WorldRNG
    /// Tokens emitted so far per tag (each end-of-document separator counts with the segment before it).
    public private(set) var counts = TagCounts()
    private var segmentsSoFar = 0

    /// `heldOut` streams are reserved for language evaluation: no training seed reaches them.
    public init(source: TextSource, seed: UInt64, heldOut: Bool = false) {
        self.source = source
        rng = WorldRNG(seed: seed, stream: UInt64(TextSource.allCases.firstIndex(of: source)!) + 1 + (heldOut ? 50 : 0))
    }

    public mutating func nextDocument() -> Document {
        var ctx = DocContext(rng: WorldRNG(seed: rng.next()))
        let n = rng.int(in: 2...5)
        var segments: [Segment] = []
        for _ in 0..<n {
            let tag = nextTag(targets: source.tagTargets)
            let s = Self.makeSegment(source, tag, &ctx)
            counts.add(tag, s.tokens.count)
            segments.append(s)
        }
        // The separator belongs to the document's last segment, so it shifts no tag's share.
        counts.add(segments.last!.tag, 1)
        return Document(source: source, segments: segments)
    }

    /// One segment of the given tag (for samplers that draw tagged text directly). Not
    /// counted in this stream's own shares.
    public mutating func nextSegment(tag: SegmentTag) -> Segment {
        var ctx = DocContext(rng: WorldRNG(seed: rng.next()))
        return Self.makeSegment(source, tag, &ctx)
    }

    private mutating func nextTag(targets: [Double]) -> SegmentTag {
        segmentsSoFar += 1
        let mean = segmentsSoFar > 1 ? Double(counts.total) / Double(segmentsSoFar - 1) : 40
        let ahead = Double(counts.total) + mean
        let lag = SegmentTag.allCases.map { max(0, targets[$0.index] * ahead - Double(counts[$0])) }
        return SegmentTag.allCases[rng.weighted(lag)]
    }

    static func makeSegment(_ source: TextSource, _ tag: SegmentTag, _ ctx: inout DocContext) -> Segment {
        let text = Genres.segment(source, tag, &ctx)
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3)
        Tokenizer.shared.encodeCanonical(text, into: &ids)
        fixArticles(&ids)
        return Segment(tag: tag, tokens: ids)
    }

    /// Templates write "a" before every noun; this turns it into "an" before the few nouns
    /// that start with a vowel, so the text stays grammatical without every template caring.
    static func fixArticles(_ ids: inout [Int32]) {
        for i in ids.indices.dropLast() where ids[i] == articleA && anNouns.contains(ids[i + 1]) { ids[i] = articleAn }
    }
    static let articleA = Tokenizer.shared.id("a")!, articleAn = Tokenizer.shared.id("an")!
    static let anNouns: Set<Int32> = Set(Tokenizer.shared.words.filter {
        ($0.first.map { "aeiou".contains($0) } ?? false) && (Entities.named($0) != nil || Entities.kinds.contains($0) || $0 == "orange")
    }.compactMap { Tokenizer.shared.id($0) })

    /// Raw generator text of a segment, for the vocabulary lint.
    static func segmentText(_ source: TextSource, _ tag: SegmentTag, seed: UInt64) -> String {
        var ctx = DocContext(rng: WorldRNG(seed: seed))
        return Genres.segment(source, tag, &ctx)
    }
}

public enum WorldVersion {
    /// Bumped whenever generated bytes change for a given seed, so stored runs say which world
    /// trained them.
    public static let current = "world-2"
}
