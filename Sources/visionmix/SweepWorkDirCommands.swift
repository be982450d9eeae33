import ArgumentParser
import Foundation
import Store
import Sweeps

// The file-contract side of `visionmix sweep`: a working directory holds the manifest, the
// result files and the logs (`WorkDir`); workers write files, only `collect` opens the store.

/// The options of `sweep run --backend slurm`, turned into `SlurmSweep.Options`.
struct SlurmArguments: ParsableArguments {
    @Option(help: "The sweep's working directory (a shared filesystem on a cluster): manifest, results, logs.") var workdir: String?
    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "Slurm time limit per unit, HH:MM:SS.") var time: String?
    @Option(help: "CPUs per array task.") var cpusPerTask = 1
    @Option(help: "Memory per array task (sbatch --mem, e.g. 4G).") var mem: String?
    @Option(help: "At most this many array tasks at once (sbatch --array=...%K).") var maxParallel: Int?
    @Option(help: "A further sbatch argument, written into the script as it is (repeatable).") var sbatchArg: [String] = []

    func options(threads: Int) -> SlurmSweep.Options {
        var o = SlurmSweep.Options()
        o.partition = partition; o.time = time; o.cpusPerTask = cpusPerTask; o.mem = mem
        o.maxParallel = maxParallel; o.extraArguments = sbatchArg; o.threads = threads
        return o
    }
}

/// The running `visionmix` binary, which the array tasks run too: /proc/self/exe, since
/// argv[0] is a bare name when the binary was found on PATH.
var currentExecutable: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
}

/// Writes `spec`'s manifest and says how to run its units by hand (or by any scheduler).
func writeWorkDir(_ spec: SweepSpec, workdir: String) throws {
    let dir = WorkDir(path: workdir)
    let units: [ManifestUnit]
    do { units = try dir.prepare(spec) } catch let e as SweepError { throw UserError(e.description) }
    let left = units.filter { !dir.hasResult($0.unit) }.count
    print("sweep '\(spec.name)': \(units.count) unit(s) in \(dir.manifestURL.path), \(left) without a result")
    print("run each with `visionmix sweep work --workdir \(workdir) --unit I` (I from 0 to \(units.count - 1)), then `visionmix sweep collect --workdir \(workdir)`")
}

/// Submits `spec` as a Slurm job array and prints what went where; returns at once.
func submitToSlurm(_ spec: SweepSpec, workdir: String, arguments: SlurmArguments, threads: Int) throws {
    let slurm = SlurmSweep(workdir: WorkDir(path: workdir), executable: currentExecutable)
    let s: SlurmSweep.Submission
    do { s = try slurm.submit(spec, options: arguments.options(threads: threads)) } catch let e as SweepError { throw UserError(e.description) }
    print("sweep '\(spec.name)': \(s.totalUnits) unit(s) in \(slurm.workdir.manifestURL.path); \(s.done) done, \(s.queued) queued or running")
    if let id = s.jobId {
        print("submitted job \(id): unit(s) \(s.units.map(String.init).joined(separator: ",")) (script \(slurm.scriptURL.path))")
    } else {
        print("nothing to submit")
    }
    print("follow with `visionmix sweep status --workdir \(workdir)`, store with `visionmix sweep collect --workdir \(workdir)`")
}

extension Sweep {
    /// Runs one unit of a working directory's manifest into `results/<unit>.json`.
    struct Work: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one unit of a sweep's manifest into its result file (never opens the database).",
            discussion: "The unit defaults to $SLURM_ARRAY_TASK_ID. A unit whose result file exists is skipped.")
        @Option(help: "The sweep's working directory.") var workdir: String
        @Option(help: "The unit (line of manifest.jsonl, from 0).") var unit: Int?
        @Option(help: "Threads for the run (BLAS and attention).") var threads = 1

        func run() throws {
            guard let unit = unit ?? ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) else {
                throw UserError("give --unit I (or run as a Slurm array task)")
            }
            let dir = WorkDir(path: workdir)
            // Slurm's requeue and preemption send SIGTERM first: stop at a checkpoint, state kept.
            StopRequest.catchTerminate()
            do {
                switch try UnitWorker.run(workdir: dir, unit: unit, threads: threads) {
                case .skipped: print("unit \(unit): \(dir.resultURL(unit).path) exists; nothing to do")
                case let .finished(seconds): print("unit \(unit): done in \(duration(seconds)) → \(dir.resultURL(unit).path)")
                }
            } catch let e as SweepError { throw UserError("unit \(unit) failed: \(e.description)") }
        }
    }

    /// Imports a working directory's finished units into the store.
    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the finished units of a sweep's working directory, one unit per transaction.",
            discussion: "Collecting twice adds nothing. A file in results/ that is not a whole result of a unit refuses the collection, which then stores nothing.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The sweep's working directory.") var workdir: String

        func run() throws {
            let dir = WorkDir(path: workdir)
            let out: UnitCollector.Outcome
            do {
                // Every file is checked before the store is opened or created.
                let checked = try UnitCollector.check(workdir: dir)
                out = try UnitCollector.store(checked, in: try global.openStore())
            } catch let e as SweepError { throw UserError("refused: \(e.description) (nothing was stored)") }
            print("sweep \(out.sweepId): \(out.finishedUnits)/\(out.totalUnits) unit(s) finished; \(out.storedUnits) newly stored (\(out.insertedRows) rows)")
        }
    }
}

/// `sweep status --workdir DIR`: each unit's state, the counts, an ETA, and failed units' logs.
func printWorkDirStatus(_ workdir: String, json: Bool) throws {
    let slurm = SlurmSweep(workdir: WorkDir(path: workdir), executable: currentExecutable)
    let status: WorkDirStatus
    do { status = try WorkDirStatus.read(slurm.workdir, queue: try SlurmQueue.states(jobs: slurm.jobIds())) } catch let e as SweepError {
        throw UserError(e.description)
    }
    if json { try printJSON(status); return }
    var t = TextTable(["unit", "state", "job", "queue", "time", "runs"])
    for u in status.units {
        t.add(["\(u.unit)", u.state, u.job ?? "", u.queueState ?? "", u.seconds.map(duration) ?? "", u.runs.joined(separator: " + ")])
    }
    print(t.render())
    print(WorkDirStatus.states.map { "\(status.counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
          + (status.etaSeconds.map { "; about \(duration($0)) left" } ?? ""))
    for u in status.units where u.state == "failed" {
        print("\nunit \(u.unit) failed (\(u.queueState ?? "no result")); the end of its log:\n\(u.logTail ?? "(no log)")")
    }
}
