import ArgumentParser
import Foundation
import Store

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
        subcommands: [Runs.self, Sweep.self, Train.self, Run.self, Evaluate.self, Fit.self, Predict.self, Recommend.self, Report.self, Serve.self, WorldCommand.self, Metrics.self, BLASCommand.self, FitBenchCommand.self, BenchPlanCommand.self]
    )

    static func main() async {
        refuseUnsupportedCPU()
        startWithRecognisedBLASKernels()
        await main(nil)
    }
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite database (default: $VISIONMIX_DB or data/visionmix.sqlite).")
    var db: String?

    var databasePath: String { db ?? ResultStore.defaultPath }

    func openStore() throws -> ResultStore {
        do { return try ResultStore(path: databasePath) } catch {
            throw ValidationError("cannot open the database \(databasePath): \(error)")
        }
    }
}

/// Errors the user should see as one plain line, without a usage dump.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
