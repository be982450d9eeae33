// Versioned binary checkpoints of model weights.
//
// Format version 1, little-endian:
//   bytes 0..<8   magic "VMXLMCKP"
//   UInt32        format version (1)
//   UInt32        reserved (0)
//   Int64 × 5     vocabularySize, context, layers, width, heads
//   Int64         parameter count (must equal the count the shape implies)
//   Int64         tokens trained so far
//   UInt64        seed
//   Float32 × n   parameters in ParameterLayout order
//   UInt64        FNV-1a 64 checksum of every byte before it
import Foundation

public struct Checkpoint: Equatable, Sendable {
    public static let magic = Array("VMXLMCKP".utf8)
    public static let version: UInt32 = 1
    static let headerSize = 8 + 4 + 4 + 8 * 8

    public var config: ModelConfig
    public var tokensTrained: Int
    public var seed: UInt64
    public var parameters: [Float]

    public init(config: ModelConfig, tokensTrained: Int, seed: UInt64, parameters: [Float]) {
        self.config = config; self.tokensTrained = tokensTrained; self.seed = seed; self.parameters = parameters
    }

    /// A snapshot of a model's weights.
    public init(model: Model, tokensTrained: Int, seed: UInt64) {
        self.init(config: model.config, tokensTrained: tokensTrained, seed: seed,
                  parameters: Array(UnsafeBufferPointer(start: model.params, count: model.parameterCount)))
    }

    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    public func encoded() -> Data {
        var d = Data(capacity: Self.headerSize + parameters.count * 4 + 8)
        func put<T: FixedWidthInteger>(_ x: T) { withUnsafeBytes(of: x.littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Self.magic)
        put(Self.version); put(UInt32(0))
        for x in [config.vocabularySize, config.context, config.layers, config.width, config.heads, parameters.count, tokensTrained] {
            put(Int64(x))
        }
        put(seed)
        for p in parameters { put(p.bitPattern) }
        let sum = d.withUnsafeBytes { Self.fnv1a($0) }
        put(sum)
        return d
    }

    /// Decodes a checkpoint, refusing anything that is not an intact version-1 file.
    public init(data: Data) throws {
        func fail(_ m: String) -> TrainerError { .checkpoint(m) }
        guard data.count >= Self.headerSize + 8 else { throw fail("file too short (\(data.count) bytes) to be a checkpoint") }
        let bytes = [UInt8](data)
        guard Array(bytes[0..<8]) == Self.magic else { throw fail("not a VisionMix model checkpoint (bad magic)") }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        let version = u32(8)
        guard version == Self.version else {
            throw fail("format version \(version) is not supported (this build reads version \(Self.version))")
        }
        let f = (0..<7).map { Int(Int64(bitPattern: u64(16 + 8 * $0))) }
        let config = ModelConfig(vocabularySize: f[0], context: f[1], layers: f[2], width: f[3], heads: f[4])
        do { try config.validate() } catch { throw fail("corrupt header: \(error)") }
        guard f[0] <= 1 << 24, f[1] <= 1 << 20, f[2] <= 1 << 10, f[3] <= 1 << 16 else { throw fail("corrupt header: implausible sizes") }
        let n = f[5]
        guard n == config.parameterCount else {
            throw fail("corrupt header: \(n) parameters stored but the shape implies \(config.parameterCount)")
        }
        let expected = Self.headerSize + 4 * n + 8
        guard bytes.count == expected else {
            throw fail("file is \(bytes.count) bytes but its header implies \(expected) (truncated or padded)")
        }
        let stored = u64(expected - 8)
        let actual = bytes.withUnsafeBytes { Self.fnv1a(UnsafeRawBufferPointer(rebasing: $0[0..<(expected - 8)])) }
        guard stored == actual else { throw fail("checksum mismatch: the file is corrupt") }
        var params = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let at = Self.headerSize + 4 * i
            params[i] = Float(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        }
        self.init(config: config, tokensTrained: f[6], seed: u64(72), parameters: params)
    }

    public func write(to path: String) throws {
        try encoded().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(from path: String) throws -> Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TrainerError.checkpoint("cannot read \(path): \(error.localizedDescription)")
        }
        return try Checkpoint(data: data)
    }
}

extension Model {
    /// Loads weights from a checkpoint whose shape must equal this model's.
    public func load(_ checkpoint: Checkpoint) throws {
        guard checkpoint.config == config else {
            let a = checkpoint.config, b = config
            throw TrainerError.checkpoint("shape mismatch: file has V=\(a.vocabularySize) T=\(a.context) L=\(a.layers) C=\(a.width) NH=\(a.heads), "
                + "model has V=\(b.vocabularySize) T=\(b.context) L=\(b.layers) C=\(b.width) NH=\(b.heads)")
        }
        checkpoint.parameters.withUnsafeBufferPointer { params.update(from: $0.baseAddress!, count: parameterCount) }
    }

    /// A model built from a checkpoint's shape and weights.
    public convenience init(checkpoint: Checkpoint, maxBatch: Int) throws {
        try self.init(config: checkpoint.config, maxBatch: maxBatch, seed: 0)
        try load(checkpoint)
    }
}
