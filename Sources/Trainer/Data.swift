// Token streams and the data loader.
import Foundation

/// A source of training tokens. The World module's `MixtureSampler` conforms at merge time
/// (`extension MixtureSampler: TokenStream {}`).
public protocol TokenStream {
    mutating func nextTokens(_ count: Int) -> [Int32]
}

/// A deterministic synthetic stream with learnable structure, for tests and benchmarks.
/// Documents (separated by token 0) are one of:
///  - counting: a start k and a step s in 1...4 — k, k+s, k+2s, … (needs s inferred from context);
///  - repetition: a random pattern of 3–8 tokens repeated 3–6 times (needs copying, i.e. attention);
///  - a bigram chain: each token drawn from a small fixed successor set of the previous one.
public struct SyntheticStream: TokenStream, Sendable {
    public let vocabularySize: Int
    public static let endOfDocument: Int32 = 0
    private var rng: SplitMix64
    private var pending: [Int32] = []
    private let successors: [[Int32]]

    public init(vocabularySize: Int = 1024, seed: UInt64) {
        precondition(vocabularySize >= 16)
        self.vocabularySize = vocabularySize
        rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 17)
        var table = SplitMix64(seed: 0xD1CE)            // the bigram table is the same for every seed
        successors = (0..<vocabularySize).map { _ in (0..<3).map { _ in Int32(1 + Int(table.next() % UInt64(vocabularySize - 1))) } }
    }

    private mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    private mutating func document() -> [Int32] {
        let V = vocabularySize - 1               // tokens 1...V
        var doc: [Int32] = []
        switch int(3) {
        case 0:
            let s = 1 + int(4), len = 8 + int(24)
            var k = int(V)
            for _ in 0..<len { doc.append(Int32(1 + k)); k = (k + s) % V }
        case 1:
            let n = 3 + int(6), reps = 3 + int(4)
            let pattern = (0..<n).map { _ in Int32(1 + int(V)) }
            for _ in 0..<reps { doc += pattern }
        default:
            var tok = Int32(1 + int(V))
            for _ in 0..<(8 + int(24)) { doc.append(tok); tok = successors[Int(tok)][int(3)] }
        }
        doc.append(Self.endOfDocument)
        return doc
    }

    public mutating func nextTokens(_ count: Int) -> [Int32] {
        while pending.count < count { pending += document() }
        let out = Array(pending.prefix(count))
        pending.removeFirst(count)
        return out
    }
}

/// Cuts a token stream into (B,T) input batches and their next-token targets. Consecutive
/// batches continue the stream: the last target of one batch is the first input of the next.
public struct DataLoader<Stream: TokenStream> {
    public var stream: Stream
    public let B: Int, T: Int
    /// B·T + 1 tokens: inputs are [0, B·T), targets are [1, B·T].
    public private(set) var buffer: [Int32]
    private var started = false

    public init(stream: Stream, B: Int, T: Int) {
        self.stream = stream; self.B = B; self.T = T
        buffer = [Int32](repeating: 0, count: B * T + 1)
    }

    /// Advances by B·T tokens. Call `withBatch` to read it.
    public mutating func next() {
        let n = B * T
        if !started {
            let t = stream.nextTokens(n + 1)
            precondition(t.count == n + 1, "the token stream ran dry")
            buffer = t
            started = true
        } else {
            buffer[0] = buffer[n]
            let t = stream.nextTokens(n)
            precondition(t.count == n, "the token stream ran dry")
            buffer.withUnsafeMutableBufferPointer { b in for i in 0..<n { b[i + 1] = t[i] } }
        }
    }

    public func withBatch<R>(_ body: (_ inputs: UnsafePointer<Int32>, _ targets: UnsafePointer<Int32>) -> R) -> R {
        buffer.withUnsafeBufferPointer { body($0.baseAddress!, $0.baseAddress! + 1) }
    }
}
