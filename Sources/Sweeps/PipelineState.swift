import Foundation
import Store
import Trainer
import VisionMixCore

/// What a unit has finished, kept in its state directory (`DIR/state/<unit>/`) at every
/// pre-training checkpoint: the training state to continue from and the rows of the
/// checkpoints already adapted and scored. A worker stopped by SIGTERM (Slurm's preemption or
/// requeue), or killed, leaves these; the task that runs the unit next continues from them and
/// ends with the rows an uninterrupted run gives (a test checks it to the bit).
public struct PipelineState: Sendable {
    public let directory: URL
    public init(directory: URL) { self.directory = directory }

    var trainingURL: URL { directory.appendingPathComponent("pretraining.state") }
    var rowsURL: URL { directory.appendingPathComponent("rows.json") }

    /// The saved training state and each member run's saved rows (nil when nothing is saved).
    func load(members: Int, mixture: Mixture) throws -> (training: TrainingState, rows: [[NewRun]])? {
        guard let t = FileManager.default.contents(atPath: trainingURL.path),
              let r = FileManager.default.contents(atPath: rowsURL.path) else { return nil }
        let training: TrainingState
        let flat: [NewRun]
        do { training = try TrainingState(data: t); flat = try JSONResults.decode(r) } catch {
            throw SweepError.bad("the saved state in \(directory.path) is unreadable (\(error)); remove it to start the unit again")
        }
        // Rows are saved under their member's index; the mixture is the spec's own, not a re-parse.
        return (training, (0..<members).map { i in
            flat.filter { $0.name == "member \(i)" }.map { var row = $0; row.name = nil; row.mixture = mixture; return row }
        })
    }

    /// Saves the rows first and the training state last: a state is only ever read beside the
    /// rows of every checkpoint before it.
    func save(_ training: TrainingState, rows: [[NewRun]]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let flat = rows.enumerated().flatMap { i, member in member.map { var row = $0; row.name = "member \(i)"; return row } }
        try WorkDir.writeAtomically(try JSONResults.encode(flat), to: rowsURL)
        try WorkDir.writeAtomically(training.encoded(), to: trainingURL)
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// SIGTERM as a request to stop at the next safe point (a pre-training checkpoint, once its
/// state is saved) rather than at once: Slurm sends it before a requeue or a preemption and
/// waits (KillWait) before SIGKILL.
public enum StopRequest {
    public static func catchTerminate() {
        signal(SIGTERM) { _ in stopRequested = 1 }
        unblockTerminate()
    }

    /// A parent that blocks SIGTERM (a test runner, a service manager, a server that started
    /// this sweep) passes the block on through exec: unblocked, or a cancel or a requeue would
    /// wait until the work had finished.
    public static func unblockTerminate() {
        var terminate = sigset_t()
        sigemptyset(&terminate)
        sigaddset(&terminate, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &terminate, nil)
    }

    public static var isRequested: Bool { stopRequested != 0 }
}

nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0
