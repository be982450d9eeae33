import ArgumentParser
import CNumerics
import Foundation
import Laws
import Planner
import Store
import Sweeps
import VisionMixCore

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run calibration sweeps (sizes × mixtures × budgets × seeds), resumably.",
        subcommands: [RunSweep.self, Status.self, Cancel.self, Show.self, Work.self, Collect.self, Worker.self]
    )
}

extension Sweep {
    struct RunSweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run (or resume) a sweep, then fit every category, recommend a recipe and write the report.",
            discussion: """
                Each finished run is stored in one transaction; a sweep killed at any point and started \
                again with the same spec skips the stored runs. Runs are scheduled over --jobs worker \
                processes with --threads BLAS threads each (see docs/sweeps.md for the measurement behind \
                the defaults).
                """
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "A built-in spec: quick or standard.") var preset: String?
        @Option(help: "A JSON sweep spec (see `visionmix sweep show --preset quick`).") var spec: String?
        // Measured on the quick preset (docs/studies/performance-history.md): two single-threaded runs side by
        // side beat one two-threaded run, whose idle BLAS threads spin.
        @Option(help: "Worker processes running runs side by side (default: one per core).") var jobs = ProcessInfo.processInfo.activeProcessorCount
        @Option(help: "Threads per run (BLAS and attention).") var threads = 1
        @Option(help: "The frozen vision encoder (overrides the spec's).") var encoder: String?
        @Flag(help: "Skip the fits, recommendation and report after the sweep.") var noFit = false
        @Option(help: "Where the report goes.") var reportDir = "report"
        @Option(help: "local (this machine, storing as it goes), files (write the manifest into --workdir for `sweep work` to run anywhere) or slurm (a job array of `sweep work` tasks). Store file results with `sweep collect`.")
        var backend = "local"
        @OptionGroup(title: "Slurm") var slurm: SlurmArguments
        @Flag(help: "Run as background work: any other process gets the CPU first (Linux SCHED_IDLE). `serve` starts its sweeps so, which keeps requests fast while training saturates the cores.")
        var background = false
        @Flag(help: "After the spec's runs, rounds of runs designed from the recommendation's uncertainty (`design next`): run, fit, design, repeat.")
        var adaptive = false
        @Option(help: "Rounds of designed runs after the spec's (with --adaptive).") var rounds = 2
        @Option(help: "Runs each round designs (with --adaptive).") var runsPerRound = 4
        @Option(help: "How each round places its runs (with --adaptive): space-filling or regret, as `design next --strategy`.")
        var strategy = DesignStrategy.standard
        @Option(help: "With --adaptive: the bandwidth each round refits the objective's laws of the shares near their recipe with before designing (`fit --near`), in share units; 0 fits every run alike.")
        var localBandwidth = LocalFit.standardBandwidth

        func run() throws {
            try Checks.within(jobs, 1...Limits.maxJobs, option: "--jobs")
            try Checks.threads(threads)
            if background { runInBackground() }
            var s = try loadSpec(preset: preset, path: spec)
            if let encoder { s.encoder = encoder }
            switch backend {
            case "local": break
            case "files":
                guard let dir = slurm.workdir else { throw UserError("--backend files needs --workdir DIR") }
                return try writeWorkDir(s, workdir: dir)
            case "slurm":
                guard let dir = slurm.workdir else { throw UserError("--backend slurm needs --workdir DIR (a directory every node can read and write)") }
                return try submitToSlurm(s, workdir: dir, arguments: slurm, threads: threads)
            default: throw UserError("unknown backend '\(backend)'; backends: local, files, slurm")
            }
            let store = try global.openStore(writeRetry: ResultStore.sweepWriteRetry)
            if adaptive { return try runAdaptive(s, store: store) }
            let sweep: LocalSweep
            do {
                sweep = try LocalSweep(spec: s, store: store, jobs: jobs, threads: threads,
                                       executable: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
                                       databasePath: global.databasePath)
            } catch let e as SweepError { throw UserError(e.description) }
            let id = sweep.id, total = sweep.runner.sweep.totalRuns
            let doneAtStart = total - (try sweep.runner.pendingRuns().count)
            print("sweep \(id) '\(s.name)': \(total) runs under source '\(s.label)'"
                  + (doneAtStart > 0 ? ", \(doneAtStart) already stored (resuming)" : "")
                  + "; \(jobs) job(s) × \(threads) thread(s)")
            // The bar counts estimated core-seconds, not runs: an xl run costs twenty-five xs runs.
            let (totalCost, costAtStart) = try sweep.runner.cost()
            let bar = ProgressBar(total: totalCost, label: "sweep", alreadyDone: costAtStart)
            var events = LocalSweep.Events()
            events.progress = { cost, detail in bar.update(cost, detail: detail) }
            events.runStored = { run, seconds, done, doneCost in
                bar.clear()
                print("✓ \(run.summary)  \(duration(seconds))  [\(done)/\(total)]")
                bar.update(doneCost, force: true)
            }
            let started = Date()
            do { try sweep.run(events) } catch {
                bar.finish()
                throw UserError(sweep.isCancelled ? "sweep \(id) was cancelled; run it again to resume" : "sweep \(id) failed: \(error)")
            }
            bar.finish()
            print("sweep \(id) complete: \(total) runs in \(duration(Date().timeIntervalSince(started)))")
            if !noFit { try printAfterSweep(store: store, label: s.label, reportDir: reportDir) }
        }

        /// The spec's runs, then `rounds` rounds of `runsPerRound` designed runs (`AdaptiveSweep`),
        /// each round's choice and its recipe's chances printed as they are designed or found stored.
        func runAdaptive(_ s: SweepSpec, store: ResultStore) throws {
            try Checks.within(rounds, 1...Limits.maxAdaptiveRounds, option: "--rounds")
            try Checks.within(runsPerRound, 1...Limits.maxDesignRuns, option: "--runs-per-round")
            var sweep = AdaptiveSweep(spec: s, rounds: rounds, runsPerRound: runsPerRound, store: store, jobs: jobs, threads: threads,
                                      executable: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
                                      databasePath: global.databasePath)
            sweep.strategy = strategy
            guard localBandwidth == 0 || LocalFit.takes(bandwidth: localBandwidth) else {
                throw UserError("--local-bandwidth \(localBandwidth) is not 0 or a distance in (0, \(LocalFit.widest)] in share units, like \(LocalFit.standardBandwidth)")
            }
            sweep.localBandwidth = localBandwidth == 0 ? nil : localBandwidth
            print("adaptive sweep '\(s.name)' under source '\(s.label)': the spec's runs, then \(rounds) round(s) of \(runsPerRound) designed run(s), placed by \(strategy.rawValue)")
            var events = LocalSweep.Events()
            events.runStored = { run, seconds, _, _ in print("✓ \(run.summary)  \(duration(seconds))") }
            let started = Date()
            do {
                try sweep.run(events) { round in
                    print(round.summary)
                    if round.spec != nil, let design = try? JSONDecoder().decode(RunDesign.self, from: Data(round.design.utf8)) {
                        for (i, r) in design.runs.enumerated() { print("  \(i + 1): \(r.reason)") }
                    }
                }
            } catch { throw UserError("adaptive sweep '\(s.name)' stopped: \(error); run it again to resume") }
            print("adaptive sweep '\(s.name)' complete in \(duration(Date().timeIntervalSince(started)))")
            if !noFit { try printAfterSweep(store: store, label: s.label, reportDir: reportDir, localBandwidth: sweep.localBandwidth) }
        }
    }

    /// One worker of a parallel sweep (started by `sweep run --jobs N`).
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one share of a sweep's runs.", shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        @Option var sweepId: Int64
        @Option var worker: Int
        @Option(help: "The invocation of the sweep whose units this worker claims.") var attempt: String
        @Option var threads = 1

        func run() throws {
            // Die with the parent: a killed sweep must not leave workers writing behind it.
            guard visionmix_die_with_parent(getppid()) == 0 else { throw UserError("the sweep that started this worker is gone") }
            do {
                try LocalSweep.work(store: try global.openStore(writeRetry: ResultStore.sweepWriteRetry), sweepId: sweepId, worker: worker, attempt: attempt, threads: threads) { run, seconds in
                    print("✓ [worker \(worker)] \(run.summary)  \(duration(seconds))")
                    fflush(stdout)
                }
            } catch let e as SweepError { throw UserError(e.description) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Where a sweep stands (the newest by default).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The sweep id.") var id: Int64?
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "A Slurm sweep's working directory: each unit's state from the queue and the result files.") var workdir: String?

        func run() throws {
            if let workdir { return try printWorkDirStatus(workdir, json: json) }
            let store = try global.openStore()
            guard let record = try id.map({ try store.sweep(id: $0) }) ?? store.latestSweep() else {
                throw UserError(id.map { "no sweep \($0)" } ?? "no sweeps yet (start one with `visionmix sweep run --preset quick`)")
            }
            var p = try SweepRunner(store: store, sweep: record).progress()
            // A round's sweep is NAME-round-R; its rounds are those of NAME.
            let base = record.name.replacingOccurrences(of: #"-round-[0-9]+$"#, with: "", options: .regularExpression)
            let rounds = try store.designRounds(sweepName: base)
            if !rounds.isEmpty { p.rounds = rounds.map(AdaptiveRound.init) }
            if json { try printJSON(p); return }
            print("sweep \(p.sweepId) '\(p.name)' (source \(p.label)): \(p.status), \(p.completedRuns)/\(p.totalRuns) runs stored"
                  + (p.message.map { " — \($0)" } ?? ""))
            for r in rounds { print("  \(r.summary)") }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a running sweep; its stored runs stay, and running it again resumes it.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The sweep id (default: the newest running one).") var id: Int64?
        @Option(help: "A Slurm sweep's working directory: cancel its job arrays (scancel).") var workdir: String?

        func run() throws {
            if let workdir {
                let ids: [String]
                do { ids = try SlurmSweep(workdir: WorkDir(path: workdir), executable: currentExecutable).cancel() } catch let e as SweepError {
                    throw UserError(e.description)
                }
                print(ids.isEmpty ? "no job was submitted from \(workdir)" : "cancelled job(s) \(ids.joined(separator: ", ")); finished units keep their result files")
                return
            }
            let store = try global.openStore()
            let running = try store.sweeps().filter { $0.status == "running" }
            guard let record = id.flatMap({ i in running.first { $0.id == i } }) ?? (id == nil ? running.first : nil) else {
                throw UserError(id.map { "sweep \($0) is not running" } ?? "no sweep is running")
            }
            try store.updateSweep(id: record.id!, status: "cancelled", message: .some("cancelled by the user"))
            if let pid = record.pid, pid > 0 { kill(pid_t(pid), SIGTERM) }
            print("sweep \(record.id!) cancelled; its stored runs stay, and `visionmix sweep run` with the same spec resumes it")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a preset spec as JSON (a template for --spec).")
        @Option(help: "quick or standard.") var preset = "quick"
        @Flag(help: "List the runs it expands to instead, numbered by the unit of work (runs sharing a pre-training share a number).") var runs = false
        @Flag(help: "With --runs, print them as JSON, each with its unit and its checkpoints' cost relative to the standard profile (checkpoint_cost_scale).") var json = false

        func run() throws {
            let s = try loadSpec(preset: preset, path: nil)
            if runs {
                let planned = try s.runs(knownSizes: s.sizeNames)
                if json { try printJSON(ListedRun.listing(planned)); return }
                let units = planned.groupedByPretraining
                var t = TextTable(["unit", "size", "mixture", "tokens", "checkpoints", "seed", "profile"])
                for (i, unit) in units.enumerated() {
                    for r in unit {
                        t.add(["\(i + 1)", r.size, r.mix, Quantity.format(r.tokens), r.checkpoints.map { Quantity.format($0) }.joined(separator: ","),
                               "\(r.seed)", r.profile])
                    }
                }
                print(t.render())
                return
            }
            try printJSON(s)
        }
    }
}

func loadSpec(preset: String?, path: String?) throws -> SweepSpec {
    switch (preset, path) {
    case let (p?, nil):
        guard let s = SweepPresets.named(p) else { throw UserError("unknown preset '\(p)'; presets: " + SweepPresets.names.joined(separator: ", ")) }
        return s
    case let (nil, f?):
        do { return try SweepSpec.load(path: f) } catch let e as SweepError { throw UserError(e.description) }
    default: throw UserError("give exactly one of --preset NAME or --spec FILE")
    }
}


/// Prints what `AfterSweep` does as it does it: the fits, the recipe and where the report went.
func printAfterSweep(store: ResultStore, label: String, reportDir: String, localBandwidth: Double? = nil) throws {
    let outcome = try AfterSweep.run(store: store, label: label, reportDir: reportDir, localBandwidth: localBandwidth) { stage in print("\n\(stage) …") }
    var t = TextTable(["category", "family", "train RMSE", "CV MAE", "held-out MAE"])
    for f in outcome.fits.fits {
        t.add([f.category, f.family, fmt(f.train.rmse, 3), f.cv.map { fmt($0.mae, 3) } ?? "—", f.holdout.map { fmt($0.mae, 3) } ?? "—"])
    }
    print(t.render())
    for f in outcome.fits.failures { note("not fitted: \(f.category): \(f.reason)") }
    noteLeftOut(outcome.fits.leftOut)
    for f in outcome.mixtureFits.failures { note("no mixture law for \(f.category): \(f.reason)") }
    if let r = outcome.recipe {
        print(String(format: "\nrecommended (maximise %@ at %@ parameters, %@ tokens): reasoning %.1f%%, visual %.1f%%; predicted %.2f vs %.2f for %@",
                     r.objective, Quantity.format(r.params), Quantity.format(r.tokens), (r.reasoningShare ?? .nan) * 100, (r.visualShare ?? .nan) * 100,
                     r.objectiveValue, r.baseline.objective, r.baseline.name)
              + (r.baseline.probabilityBetter.map { String(format: ", better in %.0f%% of bootstrap replicates", $0 * 100) } ?? "")
              + (outcome.chance.map { String(format: " (chance: %.1f)", $0) } ?? "")
              + (r.nearestMeasured.map { "\n" + $0.summary } ?? ""))
    }
    if let why = outcome.noRecipe { note("no recommendation: \(why)") }
    print("\nreport: \(outcome.reportPath) (and report.html beside it)")
    if let h = outcome.headline { print("headline: " + h.summary) }
}

/// SCHED_IDLE for this process and, by inheritance, its workers and their BLAS threads: unlike
/// a niceness, it yields to a waking request handler at once rather than after a time slice.
/// Lowering one's own scheduling class needs no privilege; niceness 19 is the fallback.
func runInBackground() {
    var param = sched_param()
    param.sched_priority = 0
    let schedIdle: Int32 = 5   // SCHED_IDLE; the macro needs _GNU_SOURCE, which Swift's Glibc lacks
    if sched_setscheduler(0, schedIdle, &param) != 0 { errno = 0; _ = nice(19) }
}
