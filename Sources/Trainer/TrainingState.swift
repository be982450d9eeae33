// Everything pre-training carries from one step to the next, so a run stopped at a checkpoint
// continues to the same bits as one never stopped: the weights, AdamW's moments and step, and
// how many steps are done (the data stream is replayed to there; it is a pure function of the
// seed, and replaying it costs no training).
//
// Format, little-endian: magic "VMXTRST1", Int64 × 3 (next step, optimizer step, count n),
// Float32 × 3n (weights, first moments, second moments), UInt64 FNV-1a 64 of every byte before.
import Foundation

public struct TrainingState: Equatable, Sendable {
    public static let magic = Array("VMXTRST1".utf8)

    /// The first step still to run.
    public var nextStep: Int
    public var optimizerStep: Int
    public var parameters: [Float]
    public var firstMoments: [Float]
    public var secondMoments: [Float]

    public func encoded() -> Data {
        var d = Data(capacity: 32 + 12 * parameters.count + 8)
        func put<T: FixedWidthInteger>(_ x: T) { withUnsafeBytes(of: x.littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Self.magic)
        for x in [nextStep, optimizerStep, parameters.count] { put(Int64(x)) }
        for a in [parameters, firstMoments, secondMoments] { for x in a { put(x.bitPattern) } }
        put(d.withUnsafeBytes { Checkpoint.fnv1a($0) })
        return d
    }

    /// Decodes a state, refusing anything that is not whole (a truncated or foreign file).
    public init(data: Data) throws {
        func fail(_ m: String) -> TrainerError { .checkpoint("training state: \(m)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 40, Array(bytes[0..<8]) == Self.magic else { throw fail("not a training state (bad magic or too short)") }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        let n = Int(Int64(bitPattern: u64(24)))
        guard n >= 0, n < 1 << 32, bytes.count == 32 + 12 * n + 8 else { throw fail("\(bytes.count) bytes do not hold \(n) parameters") }
        let sum = data.withUnsafeBytes { Checkpoint.fnv1a(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 8)])) }
        guard sum == u64(bytes.count - 8) else { throw fail("checksum mismatch") }
        func floats(_ k: Int) -> [Float] { (0..<n).map { Float(bitPattern: UInt32(truncatingIfNeeded: u64(32 + 4 * (k * n + $0)) & 0xFFFF_FFFF)) } }
        nextStep = Int(Int64(bitPattern: u64(8)))
        optimizerStep = Int(Int64(bitPattern: u64(16)))
        parameters = floats(0); firstMoments = floats(1); secondMoments = floats(2)
    }

    public init(nextStep: Int, optimizerStep: Int, parameters: [Float], firstMoments: [Float], secondMoments: [Float]) {
        self.nextStep = nextStep; self.optimizerStep = optimizerStep
        self.parameters = parameters; self.firstMoments = firstMoments; self.secondMoments = secondMoments
    }
}

extension AdamW {
    var moments: (first: [Float], second: [Float]) {
        (Array(UnsafeBufferPointer(start: firstMoment, count: layout.total)), Array(UnsafeBufferPointer(start: secondMoment, count: layout.total)))
    }

    func restore(step: Int, first: [Float], second: [Float]) {
        self.restoreStep(step)
        first.withUnsafeBufferPointer { firstMoment.update(from: $0.baseAddress!, count: layout.total) }
        second.withUnsafeBufferPointer { secondMoment.update(from: $0.baseAddress!, count: layout.total) }
    }
}

extension Trainer {
    /// The state after step `nextStep - 1`, to continue from with `run(resumingFrom:)`.
    public func state(nextStep: Int) -> TrainingState {
        let (m, v) = optimizer.moments
        return TrainingState(nextStep: nextStep, optimizerStep: optimizer.step,
                             parameters: Array(UnsafeBufferPointer(start: model.params, count: model.parameterCount)),
                             firstMoments: m, secondMoments: v)
    }

    /// Puts the weights and the optimizer where `state` left them.
    func restore(_ state: TrainingState) throws {
        guard state.parameters.count == model.parameterCount, state.nextStep <= steps else {
            throw TrainerError.checkpoint("training state of \(state.parameters.count) parameters at step \(state.nextStep) does not fit this run (\(model.parameterCount) parameters, \(steps) steps)")
        }
        state.parameters.withUnsafeBufferPointer { model.params.update(from: $0.baseAddress!, count: model.parameterCount) }
        optimizer.restore(step: state.optimizerStep, first: state.firstMoments, second: state.secondMoments)
    }
}
