import VisionMixCore

/// A deterministic token stream for pre-training, drawn from the six sources.
///
/// Two ways to say what to draw, as in the paper's studies:
/// - by source weights: documents come from each source in proportion to its weight (in
///   tokens), so the realised shares are the weighted sums of the sources' tag shares;
/// - by target shares: reasoning and visual segments are drawn directly (from every source in
///   proportion to how much of that tag it naturally holds), and the rest is "other" text from
///   the pool of all sources in its natural proportions, as the paper's category sweeps did.
public struct MixtureSampler: Sendable {
    private enum Mode: Sendable {
        case weights([Double])
        case shares(reasoning: Double, visual: Double)
    }

    private let mode: Mode
    private var streams: [SourceStream]
    private var rng: WorldRNG
    private var buffer: [Int32] = []
    private var bufferTags: [SegmentTag] = []
    private var cursor = 0
    /// Tokens drawn per source (including ones still buffered), for the weights mode.
    private var drawnPerSource = [Int](repeating: 0, count: TextSource.allCases.count)
    /// Tokens drawn per tag (including ones still buffered), for the shares mode.
    private var drawnPerTag = TagCounts()
    private var segmentsInDocument = 0
    /// Tokens emitted per tag so far.
    public private(set) var emitted = TagCounts()

    /// `mixture` is over the built-in sources (the only ones the world generates) or shares-only.
    public init(mixture: Mixture, seed: UInt64) {
        if mixture.isSharesOnly {
            mode = .shares(reasoning: mixture.reasoningShare!, visual: mixture.visualShare!)
        } else {
            precondition(mixture.catalogue.isBuiltin, "the miniature world generates the built-in sources only")
            mode = .weights(mixture.vector)
        }
        streams = TextSource.allCases.map { SourceStream(source: $0, seed: seed) }
        rng = WorldRNG(seed: seed, stream: 100)
    }

    public init(reasoningShare: Double, visualShare: Double, seed: UInt64) throws {
        try self.init(mixture: Mixture(reasoningShare: reasoningShare, visualShare: visualShare), seed: seed)
    }

    public var realisedReasoningShare: Double { emitted.reasoningShare }
    public var realisedVisualShare: Double { emitted.visualShare }

    public mutating func nextTokens(_ count: Int) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(count)
        while out.count < count {
            if cursor == buffer.count { refill() }
            let take = min(count - out.count, buffer.count - cursor)
            out += buffer[cursor..<(cursor + take)]
            for t in bufferTags[cursor..<(cursor + take)] { emitted.add(t, 1) }
            cursor += take
        }
        return out
    }

    private mutating func refill() {
        buffer.removeAll(keepingCapacity: true)
        bufferTags.removeAll(keepingCapacity: true)
        cursor = 0
        switch mode {
        case let .weights(w):
            let total = Double(drawnPerSource.reduce(0, +)) + 200
            let lag = w.indices.map { max(0, w[$0] * total - Double(drawnPerSource[$0])) }
            let i = rng.weighted(lag)
            let doc = streams[i].nextDocument()
            for s in doc.segments { append(s.tokens, s.tag) }
            append([Tokenizer.shared.endOfDocument], doc.segments.last!.tag)
            drawnPerSource[i] += buffer.count
        case let .shares(r, v):
            let targets = [r, v, max(0, 1 - r - v)]
            let ahead = Double(drawnPerTag.total) + 40
            let lag = SegmentTag.allCases.map { max(0, targets[$0.index] * ahead - Double(drawnPerTag[$0])) }
            let tag = SegmentTag.allCases[rng.weighted(lag)]
            let natural = TextSource.allCases.map { $0.tagTargets[tag.index] }
            let i = rng.weighted(natural)
            let seg = streams[i].nextSegment(tag: tag)
            append(seg.tokens, tag)
            segmentsInDocument += 1
            // Documents of a few segments, like the sources' own, so the separator keeps its meaning.
            if segmentsInDocument >= 2 + rng.int(3) {
                append([Tokenizer.shared.endOfDocument], tag)
                drawnPerTag.add(tag, 1)
                segmentsInDocument = 0
            }
            drawnPerTag.add(tag, seg.tokens.count)
        }
    }

    private mutating func append(_ ids: [Int32], _ tag: SegmentTag) {
        buffer += ids
        bufferTags += repeatElement(tag, count: ids.count)
    }
}
