import Foundation
import Store
import Trainer

extension SweepSpec {
    /// The model sizes a spec may name: the embedded trainer's.
    public static var knownSizes: [String] { ModelSize.all.map(\.name) }
}

/// A sweep on this machine: its pending units of work run in this process (one job) or in
/// worker processes of this binary (`visionmix sweep worker`), each claiming the next free
/// unit. Only this type decides how a local sweep is scheduled, marked running, failed,
/// cancelled or complete; the CLI shows what it reports.
public struct LocalSweep {
    public let store: ResultStore
    public let runner: SweepRunner
    public var jobs: Int
    public var threads: Int
    /// The binary whose `sweep worker` runs a worker process, and the database it writes to.
    public var executable: URL
    public var databasePath: String

    /// What a running sweep reports: progress in estimated core-seconds (`RunSpec.estimatedCost`)
    /// with a line of detail, and each run as it is stored.
    public struct Events {
        public var progress: (_ doneCost: Double, _ detail: String) -> Void = { _, _ in }
        public var runStored: (_ run: RunSpec, _ seconds: Double, _ done: Int, _ doneCost: Double) -> Void = { _, _, _, _ in }
        public init() {}
    }

    /// Registers `spec` (or finds the unfinished sweep of the same name and spec) and prepares to run it.
    public init(spec: SweepSpec, store: ResultStore, jobs: Int, threads: Int, executable: URL, databasePath: String) throws {
        let record = try SweepRunner.register(spec, store: store, knownSizes: spec.sizeNames)
        self.store = store
        runner = try SweepRunner(store: store, sweep: record)
        self.jobs = jobs; self.threads = threads; self.executable = executable; self.databasePath = databasePath
    }

    public var id: Int64 { runner.sweep.id! }

    /// Runs every pending unit. The sweep is `running` meanwhile, `complete` after; on an error
    /// it is `failed` (unless it was cancelled) and its stored runs stay for a resume.
    public func run(_ events: Events) throws {
        try store.updateSweep(id: id, status: "running", pid: .some(Int(getpid())), message: .some(nil))
        do {
            if jobs <= 1 { try runHere(events) } else { try runWorkers(events) }
        } catch {
            if !isCancelled { try? store.updateSweep(id: id, status: "failed", message: .some("\(error)")) }
            throw error
        }
        try store.updateSweep(id: id, status: "complete", pid: .some(nil))
    }

    /// Where an external trainer of this process keeps its files: nothing outlives the run's
    /// rows, which go to the store.
    static func scratchDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("visionmix-trainer-\(getpid())")
    }

    public var isCancelled: Bool { (try? store.sweep(id: id))??.status == "cancelled" }

    func runHere(_ events: Events) throws {
        let total = runner.sweep.totalRuns
        var done = total - (try runner.pendingRuns().count), doneCost = try runner.cost().done
        defer { try? FileManager.default.removeItem(at: Self.scratchDirectory()) }
        try runner.work(threads: threads, executor: runner.spec.executor(scratch: Self.scratchDirectory()), progress: { runs, phase, fraction in
            events.progress(doneCost + fraction * runs.estimatedCost, "\(done)/\(total) runs · \(phase)")
        }, onRun: { run, seconds in
            done += 1
            doneCost = (try? runner.cost().done) ?? doneCost + run.estimatedCost
            events.runStored(run, seconds, done, doneCost)
        })
    }

    /// Worker processes, each taking the next unclaimed unit of work; this process watches the store.
    func runWorkers(_ events: Events) throws {
        // This invocation's claims: those of a killed earlier one must not hold units back.
        let attempt = "\(getpid())@\(Date().timeIntervalSince1970)"
        var workers: [Process] = []
        for w in 0..<jobs {
            let p = Process()
            p.executableURL = executable
            p.arguments = ["sweep", "worker", "--sweep-id", "\(id)", "--worker", "\(w)", "--attempt", attempt,
                           "--threads", "\(threads)", "--db", databasePath]
            try p.run()
            workers.append(p)
        }
        while workers.contains(where: \.isRunning) {
            if let done = try? runner.completedRuns() {
                events.progress(done.estimatedCost, "\(done.count)/\(runner.sweep.totalRuns) runs")
            }
            usleep(500_000)
        }
        if let bad = workers.first(where: { $0.terminationStatus != 0 }) {
            throw SweepError.bad("a worker exited with status \(bad.terminationStatus)")
        }
        let left = try runner.pendingRuns().count
        if left > 0 { throw SweepError.bad("\(left) run(s) are still missing after the workers finished") }
    }

    /// One worker process's share: the units it claims in `attempt`, until none is left.
    public static func work(store: ResultStore, sweepId: Int64, worker: Int, attempt: String, threads: Int,
                            onRun: (RunSpec, Double) -> Void) throws {
        guard let record = try store.sweep(id: sweepId) else { throw SweepError.bad("no sweep \(sweepId)") }
        let runner = try SweepRunner(store: store, sweep: record)
        defer { try? FileManager.default.removeItem(at: scratchDirectory()) }
        try runner.work(worker: worker, attempt: attempt, threads: threads, executor: runner.spec.executor(scratch: scratchDirectory()), onRun: onRun)
    }
}
