import Foundation
import Testing
@testable import Trainer

/// A run stopped after any step and continued from its saved state ends with the same weights
/// and evaluations as a run never stopped; a damaged state file is refused.
@Suite struct TrainingStateTests {
    func trainer() throws -> (Trainer, [Int32]) {
        let t = try Trainer(model: tinyModel, training: tinyTraining(seed: 7, tokens: 8 * 16 * 60))
        var val = SyntheticStream(vocabularySize: tinyModel.vocabularySize, seed: 1_000_003)
        return (t, val.nextTokens(t.validationTokenCount(batches: 2)))
    }

    func weights(_ t: Trainer) -> [Float] { Array(UnsafeBufferPointer(start: t.model.params, count: t.model.parameterCount)) }

    @Test func continuingFromAStateEqualsNeverStopping() throws {
        let stream = SyntheticStream(vocabularySize: tinyModel.vocabularySize, seed: 8)
        let (whole, validation) = try trainer()
        let all = try whole.run(stream: stream, validation: validation)

        struct Stop: Error {}
        let (first, _) = try trainer()
        var saved: TrainingState?
        #expect(throws: Stop.self) {
            try first.run(stream: stream, validation: validation, afterStep: { step in
                if step == 25 { saved = first.state(nextStep: step + 1); throw Stop() }
            })
        }
        let state = try TrainingState(data: try #require(saved).encoded())
        let (second, _) = try trainer()
        let rest = try second.run(stream: stream, validation: validation, resumingFrom: state)
        #expect(weights(second).map(\.bitPattern) == weights(whole).map(\.bitPattern))
        #expect(rest.evaluations == all.evaluations.filter { $0.step > 25 })
    }

    @Test func damagedStatesAreRefused() throws {
        let (t, _) = try trainer()
        let data = t.state(nextStep: 3).encoded()
        #expect(throws: TrainerError.self) { try TrainingState(data: data.prefix(data.count - 5)) }
        var flipped = data
        flipped[40] ^= 1
        #expect(throws: TrainerError.self) { try TrainingState(data: flipped) }
        #expect(throws: TrainerError.self) { try TrainingState(data: Data("VMXLMCKP and more bytes than forty of them.....".utf8)) }
    }
}
