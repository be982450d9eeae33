import ArgumentParser
import Foundation
import Store
import Sweeps

// Async at the root because `serve` is async; the sync subcommands run unchanged under it.
@main
struct VisionMix: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visionmix",
        abstract: "Scaling laws and data-mixture planning for vision-aware language-model pre-training.",
        discussion: """
            Calibration runs and imported results live in one SQLite store (--db, or $VISIONMIX_DB, \
            default data/visionmix.sqlite). Every command that prints results takes --json.
            """,
        subcommands: [Runs.self, Sweep.self, Train.self, Run.self, Evaluate.self, Fit.self, Predict.self, Recommend.self, TransferCommand.self, DesignCommand.self, Report.self, Serve.self, WorldCommand.self, Metrics.self, BLASCommand.self, FitBenchCommand.self, BenchPlanCommand.self, BenchDesignCommand.self]
    )

    static func main() async {
        refuseUnsupportedCPU()
        StopRequest.unblockTerminate()
        startWithRecognisedBLASKernels()
        let arguments = Checks.joiningNegativeValues(Array(CommandLine.arguments.dropFirst()))
        // ArgumentParser's own `main`, with one step added: a store that another process
        // holds is reported as that (`StoreBusyError`), not as an SQLite error code.
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }
        } catch {
            exit(withError: ResultStore.userFacing(error))
        }
    }
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite database (default: $VISIONMIX_DB or data/visionmix.sqlite).")
    var db: String?

    var databasePath: String { db ?? ResultStore.defaultPath }

    /// The store, with writes that wait out another process's write (an import of a million
    /// rows holds the lock for tens of seconds) for `ResultStore.commandWriteRetrySetting`.
    func openStore() throws -> ResultStore {
        try openStore(writeRetry: ResultStore.commandWriteRetrySetting)
    }

    /// The store, with writes that retry for `writeRetry` seconds while another process holds
    /// it, saying so on stderr when they start to wait.
    func openStore(writeRetry: TimeInterval) throws -> ResultStore {
        let onWait: @Sendable (TimeInterval) -> Void = { left in
            note("note: another process is writing to the database (an import or a sweep); waiting up to \(Int(left.rounded())) s more")
        }
        do { return try ResultStore(path: databasePath, writeRetry: writeRetry, onWait: onWait) } catch {
            if ResultStore.isContention(error) { throw ResultStore.userFacing(error) }
            throw ValidationError("cannot open the database \(databasePath): \(error)")
        }
    }
}

/// Errors the user should see as one plain line, without a usage dump.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
