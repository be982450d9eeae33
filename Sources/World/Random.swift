/// The world's own seeded generator. The system RNG is never used: the same seed must give
/// the same bytes on every machine and Swift version, which `SystemRandomNumberGenerator`
/// and Swift's unspecified `shuffled()`/`randomElement()` algorithms do not promise.
public struct WorldRNG: Sendable {
    private var s0, s1, s2, s3: UInt64

    /// xoshiro256** seeded through SplitMix64, so nearby seeds give unrelated streams.
    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    /// A child generator for an independent sub-stream (e.g. one per source), so adding draws
    /// to one stream never shifts another.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ 0x5851_F42D_4C95_7F2D)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in 0..<n (n > 0), by Lemire's multiply-shift; the tiny bias is irrelevant here
    /// and the result is fully specified, unlike `Int.random(in:)`.
    @inline(__always)
    public mutating func int(_ n: Int) -> Int {
        precondition(n > 0, "WorldRNG.int needs a positive bound")
        return Int((next().multipliedFullWidth(by: UInt64(n))).high)
    }

    public mutating func int(in r: ClosedRange<Int>) -> Int { r.lowerBound + int(r.upperBound - r.lowerBound + 1) }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    public mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }

    /// Fisher–Yates with this generator.
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(i + 1)) }
    }

    public mutating func shuffled<T>(_ a: [T]) -> [T] { var b = a; shuffle(&b); return b }

    /// `k` distinct elements in random order.
    public mutating func sample<T>(_ a: [T], _ k: Int) -> [T] {
        var b = a
        let k = min(k, b.count)
        for i in 0..<k { b.swapAt(i, i + int(b.count - i)) }
        return Array(b[0..<k])
    }

    /// Index drawn in proportion to non-negative weights (uniform if they sum to zero).
    public mutating func weighted(_ w: [Double]) -> Int {
        let total = w.reduce(0, +)
        guard total > 0 else { return int(w.count) }
        var u = unit() * total
        for (i, x) in w.enumerated() {
            u -= x
            if u < 0 { return i }
        }
        return w.count - 1
    }
}
