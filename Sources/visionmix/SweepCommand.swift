import ArgumentParser
import CNumerics
import Foundation
import Laws
import Planner
import Store
import Sweeps
import Trainer
import VisionMixCore

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run calibration sweeps (sizes × mixtures × budgets × seeds), resumably.",
        subcommands: [RunSweep.self, Status.self, Cancel.self, Show.self, Worker.self]
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
        // Measured on the quick preset (docs/performance.md): two single-threaded runs side by
        // side beat one two-threaded run, whose idle BLAS threads spin.
        @Option(help: "Worker processes running runs side by side (default: one per core).") var jobs = ProcessInfo.processInfo.activeProcessorCount
        @Option(help: "Threads per run (BLAS and attention).") var threads = 1
        @Option(help: "The frozen vision encoder (overrides the spec's).") var encoder: String?
        @Flag(help: "Skip the fits, recommendation and report after the sweep.") var noFit = false
        @Option(help: "Where the report goes.") var reportDir = "report"
        @Flag(help: "Run as background work: any other process gets the CPU first (Linux SCHED_IDLE). `serve` starts its sweeps so, which keeps requests fast while training saturates the cores.")
        var background = false

        func run() throws {
            if background { runInBackground() }
            var s = try loadSpec(preset: preset, path: spec)
            if let encoder { s.encoder = encoder }
            let store = try global.openStore()
            let record: SweepRecord
            do { record = try SweepRunner.register(s, store: store, knownSizes: knownSizeNames) } catch let e as SweepError {
                throw UserError(e.description)
            }
            let runner = try SweepRunner(store: store, sweep: record)
            let id = record.id!
            let pending = try runner.pendingRuns()
            let doneAtStart = record.totalRuns - pending.count
            print("sweep \(id) '\(s.name)': \(record.totalRuns) runs under source '\(s.label)'"
                  + (doneAtStart > 0 ? ", \(doneAtStart) already stored (resuming)" : "")
                  + "; \(jobs) job(s) × \(threads) thread(s)")
            try store.updateSweep(id: id, status: "running", pid: .some(Int(getpid())), message: .some(nil))
            // The bar counts estimated core-seconds, not runs: an xl run costs twenty-five xs runs.
            let (totalCost, costAtStart) = try runner.cost()
            let bar = ProgressBar(total: totalCost, label: "sweep", alreadyDone: costAtStart)
            let started = Date()
            do {
                if jobs <= 1 {
                    var done = doneAtStart, doneCost = costAtStart
                    try runner.work(threads: threads, executor: sweepExecutor(), progress: { runs, phase, fraction in
                        bar.update(doneCost + fraction * runs.estimatedCost, detail: "\(done)/\(record.totalRuns) runs · \(phase)")
                    }, onRun: { run, seconds in
                        done += 1
                        doneCost = (try? runner.cost().done) ?? doneCost + run.estimatedCost
                        bar.clear()
                        print("✓ \(run.summary)  \(duration(seconds))  [\(done)/\(record.totalRuns)]")
                        bar.update(doneCost, force: true)
                    })
                } else {
                    try runWorkers(store: store, runner: runner, id: id, bar: bar, doneAtStart: doneAtStart)
                }
            } catch {
                bar.finish()
                let cancelled = (try? store.sweep(id: id))??.status == "cancelled"
                if !cancelled { try? store.updateSweep(id: id, status: "failed", message: .some("\(error)")) }
                throw UserError(cancelled ? "sweep \(id) was cancelled; run it again to resume" : "sweep \(id) failed: \(error)")
            }
            bar.finish()
            try store.updateSweep(id: id, status: "complete", pid: .some(nil))
            print("sweep \(id) complete: \(record.totalRuns) runs in \(duration(Date().timeIntervalSince(started)))")
            if !noFit { try afterSweep(store: store, label: s.label, reportDir: reportDir) }
        }

        /// Worker processes, each taking the next unclaimed unit of work; this process watches the store.
        func runWorkers(store: ResultStore, runner: SweepRunner, id: Int64, bar: ProgressBar, doneAtStart: Int) throws {
            let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            // This invocation's claims: those of a killed earlier one must not hold units back.
            let attempt = "\(getpid())@\(Date().timeIntervalSince1970)"
            var workers: [Process] = []
            for w in 0..<jobs {
                let p = Process()
                p.executableURL = exe
                p.arguments = ["sweep", "worker", "--sweep-id", "\(id)", "--worker", "\(w)", "--attempt", attempt,
                               "--threads", "\(threads)", "--db", global.databasePath]
                try p.run()
                workers.append(p)
            }
            while workers.contains(where: \.isRunning) {
                if let done = try? runner.completedRuns() {
                    bar.update(done.estimatedCost, detail: "\(done.count)/\(runner.sweep.totalRuns) runs")
                }
                usleep(500_000)
            }
            if let bad = workers.first(where: { $0.terminationStatus != 0 }) {
                throw SweepError.bad("a worker exited with status \(bad.terminationStatus)")
            }
            let left = try runner.pendingRuns().count
            if left > 0 { throw SweepError.bad("\(left) run(s) are still missing after the workers finished") }
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
            let store = try global.openStore()
            guard let record = try store.sweep(id: sweepId) else { throw UserError("no sweep \(sweepId)") }
            let runner = try SweepRunner(store: store, sweep: record)
            try runner.work(worker: worker, attempt: attempt, threads: threads, executor: sweepExecutor(), onRun: { run, seconds in
                print("✓ [worker \(worker)] \(run.summary)  \(duration(seconds))")
                fflush(stdout)
            })
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Where a sweep stands (the newest by default).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The sweep id.") var id: Int64?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try global.openStore()
            guard let record = try id.map({ try store.sweep(id: $0) }) ?? store.latestSweep() else {
                throw UserError(id.map { "no sweep \($0)" } ?? "no sweeps yet (start one with `visionmix sweep run --preset quick`)")
            }
            let p = try SweepRunner(store: store, sweep: record).progress()
            if json { try printJSON(p); return }
            print("sweep \(p.sweepId) '\(p.name)' (source \(p.label)): \(p.status), \(p.completedRuns)/\(p.totalRuns) runs stored"
                  + (p.message.map { " — \($0)" } ?? ""))
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a running sweep; its stored runs stay, and running it again resumes it.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The sweep id (default: the newest running one).") var id: Int64?

        func run() throws {
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
        @Flag(help: "With --runs, print them as JSON.") var json = false

        func run() throws {
            let s = try loadSpec(preset: preset, path: nil)
            if runs {
                let units = try s.runs(knownSizes: knownSizeNames).groupedByPretraining
                if json { try printJSON(units.flatMap { $0 }); return }
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


/// After a sweep: every category fitted, a recipe recommended, the report written.
func afterSweep(store: ResultStore, label: String, reportDir: String) throws {
    print("\nfitting every category of '\(label)' …")
    let (fits, failures) = try fitCategories(store: store, label: label, fitsRoot: nil)
    var t = TextTable(["category", "family", "train RMSE", "CV MAE", "held-out MAE"])
    for f in fits {
        t.add([f.category, f.family, fmt(f.train.rmse, 3), f.cv.map { fmt($0.mae, 3) } ?? "—", f.holdout.map { fmt($0.mae, 3) } ?? "—"])
    }
    print(t.render())
    for f in failures { note("not fitted: \(f.category): \(f.reason)") }
    noteOtherAdaptations(store: store, label: label)
    // The recommendation needs laws of the mixture: fitted at the largest size with enough mixtures.
    let objective = "vqa_avg"
    let mixtureFits = try fitCategories(store: store, label: label, categories: [objective, "text_acc"], family: .autoMixture, fitsRoot: nil)
    for f in mixtureFits.failures { note("no mixture law for \(f.category): \(f.reason)") }
    if mixtureFits.fits.contains(where: { $0.category == objective }) {
        do {
            let (laws, _) = try LawSet.load(store: store, source: label, mixtureAware: true)
            var req = RecommendationRequest(objective: try Objective.parse(objective), baseline: Mixture.preset("language_favorable")!,
                                            baselineName: "language_favorable")
            req.candidates = 4000
            let r = try laws.recommend(req)
            do { _ = try store.saveRecommendation(r, label: label, objective: objective, request: req.summary) } catch {
                note("the recommendation was not stored: \(error)")
            }
            print(String(format: "\nrecommended (maximise %@ at %@ parameters, %@ tokens): reasoning %.1f%%, visual %.1f%%; predicted %.2f vs %.2f for language_favorable",
                         objective, Quantity.format(r.params), Quantity.format(r.tokens), r.reasoningShare * 100, r.visualShare * 100,
                         r.objectiveValue, r.baseline.objective)
                  + (r.baseline.probabilityBetter.map { String(format: ", better in %.0f%% of bootstrap replicates", $0 * 100) } ?? "")
                  + (laws.laws[objective]?.chance.map { String(format: " (chance: %.1f)", $0) } ?? "")
                  + (r.nearestMeasured.map { "\n" + $0.summary } ?? ""))
        } catch { note("no recommendation: \(error)") }
    }
    let path = try ReportWriter(store: store, label: label).write(to: reportDir)
    print("\nreport: \(path) (and report.html beside it)")
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
