import Foundation
import Store
import Trainer
import World
import VisionMixCore

/// Trains, adapts and scores runs that share one pre-training (`groupedByPretraining`): one
/// array of NewRuns per run, one NewRun per checkpoint budget. `progress` gets a phase name and
/// the fraction of the group done.
public typealias RunExecutor = (_ runs: [RunSpec], _ threads: Int, _ progress: @escaping (String, Double) -> Void) throws -> [[NewRun]]

extension RunSpec {
    /// The run's name in the store: every checkpoint row of the run carries it, so a run is
    /// complete exactly when all its rows exist (they are written in one transaction).
    public var identifier: String { name.text }

    /// Runs equal here and different in profile or encoder train the same LM, so a sweep trains
    /// it once for all of them (`executeRuns`).
    public var pretrainingKey: String { name.pretrainingKey }

    var name: RunName {
        RunName(size: size, mix: mix, tokens: Quantity.format(tokens), seed: seed, encoder: encoder,
                checkpoints: checkpoints.map { Quantity.format($0) }.joined(separator: ","), profile: profile)
    }
}

extension Array where Element == RunSpec {
    /// The runs grouped by the pre-training they share, each group where its first run stands.
    public var groupedByPretraining: [[RunSpec]] {
        var groups: [[RunSpec]] = [], index: [String: Int] = [:]
        for run in self {
            if let i = index[run.pretrainingKey] { groups[i].append(run); continue }
            index[run.pretrainingKey] = groups.count
            groups.append([run])
        }
        return groups
    }
}

extension RunSpec {
    /// Expected cost in core-seconds, for ETAs: an xl run costs twenty-five xs runs, so counting
    /// runs would promise the end of a sweep long before it comes. Fitted to the standard sweep's
    /// wall times at one thread per run (docs/sweeps.md): pre-training 8 s + 0.19 ms per
    /// parameter per million tokens (xs 11 s, xl 249 s), and 2.5 s + 0.04 ms per parameter for
    /// each checkpoint's adaptation and evaluation (xs 3 s, xl 54 s).
    public var estimatedCost: Double { pretrainingCost + adaptationCost }

    var pretrainingCost: Double { tokens / 1e6 * (8 + 1.9e-4 * parameterCount) }

    var adaptationCost: Double {
        Double(checkpoints.count) * RunSettings.checkpointCostScale(profile: profile) * (2.5 + 4e-5 * parameterCount)
    }
}

extension Sequence where Element == RunSpec {
    /// The runs' cost with each shared pre-training counted once.
    public var estimatedCost: Double {
        var trained = Set<String>()
        return reduce(0) { sum, run in
            sum + run.adaptationCost + (trained.insert(run.pretrainingKey).inserted ? run.pretrainingCost : 0)
        }
    }
}

/// Where a sweep stands: which runs are stored, which remain.
public struct SweepProgress: Codable, Sendable {
    public var sweepId: Int64
    public var name: String
    public var label: String
    public var status: String
    public var totalRuns: Int
    public var completedRuns: Int
    public var elapsedSeconds: Double
    /// Remaining time at the observed pace (nil before the first run of this invocation ends).
    public var etaSeconds: Double?
    public var message: String?
    /// The rounds of the adaptive sweep this sweep belongs to (nil for a sweep of one spec).
    public var rounds: [AdaptiveRound]?

    enum CodingKeys: String, CodingKey {
        case name, label, status, message, rounds
        case sweepId = "sweep_id", totalRuns = "total_runs", completedRuns = "completed_runs"
        case elapsedSeconds = "elapsed_seconds", etaSeconds = "eta_seconds"
    }
}

/// Runs the runs of a sweep that are not stored yet, each stored atomically, so a sweep
/// killed at any point and started again neither loses nor repeats a completed run.
public struct SweepRunner: Sendable {
    public let store: ResultStore
    public let sweep: SweepRecord
    public let spec: SweepSpec

    public init(store: ResultStore, sweep: SweepRecord) throws {
        self.store = store
        self.sweep = sweep
        do { spec = try JSONDecoder().decode(SweepSpec.self, from: Data(sweep.spec.utf8)) } catch {
            throw SweepError.bad("sweep \(sweep.id ?? 0) holds an unreadable spec: \(error)")
        }
    }

    /// Registers a sweep for `spec` (or returns the unfinished one with the same name and
    /// spec, so that running it again resumes it).
    public static func register(_ spec: SweepSpec, store: ResultStore, knownSizes: [String]?) throws -> SweepRecord {
        try spec.validate(knownSizes: knownSizes)
        let runs = try spec.runs(knownSizes: knownSizes)
        guard VisionEncoders.named(spec.encoder) != nil else {
            throw SweepError.bad("unknown encoder '\(spec.encoder)' (encoders: \(VisionEncoders.names.joined(separator: ", ")))")
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let json = String(decoding: try e.encode(spec), as: UTF8.self)
        if let last = try store.latestSweep(name: spec.name), last.spec == json { return last }
        return try store.createSweep(SweepRecord(name: spec.name, spec: json, label: spec.label, totalRuns: runs.count))
    }

    public func allRuns() throws -> [RunSpec] { try spec.runs(knownSizes: nil) }

    /// Runs whose rows are not all stored yet, in spec order.
    public func pendingRuns() throws -> [RunSpec] {
        let stored = try store.storedRowsByName(label: spec.label)
        return try allRuns().filter { (stored[$0.identifier] ?? 0) < $0.checkpoints.count }
    }

    public func completedRuns() throws -> [RunSpec] {
        let stored = try store.storedRowsByName(label: spec.label)
        return try allRuns().filter { (stored[$0.identifier] ?? 0) >= $0.checkpoints.count }
    }

    /// Estimated cost of all runs and of the stored ones (`RunSpec.estimatedCost`).
    public func cost(completed: [RunSpec]? = nil) throws -> (total: Double, done: Double) {
        (try allRuns().estimatedCost, try (completed ?? completedRuns()).estimatedCost)
    }

    /// Executes the pending runs in spec order, a unit of work at a time: a run, or the runs
    /// that share a pre-training. A unit's runs are stored in one transaction as soon as it
    /// finishes; `onRun` hears of each run. Workers of one `attempt` (an invocation of the sweep)
    /// each take the next unit no other has claimed, so none idles while another has two units
    /// queued; without an attempt this process takes every unit.
    public func work(worker: Int = 0, attempt: String? = nil, threads: Int, executor: RunExecutor,
                     progress: @escaping ([RunSpec], String, Double) -> Void = { _, _, _ in },
                     onRun: (RunSpec, Double) -> Void = { _, _ in }) throws {
        for group in try allRuns().groupedByPretraining {
            if try isCancelled() { throw SweepError.bad("the sweep was cancelled") }
            let stored = try store.storedRowsByName(label: spec.label)
            let todo = group.filter { (stored[$0.identifier] ?? 0) < $0.checkpoints.count }
            if todo.isEmpty { continue }
            if let attempt, try !store.claimSweepUnit(id: sweep.id!, attempt: attempt, unit: group[0].pretrainingKey, worker: worker) {
                continue
            }
            let (all, seconds) = try Self.execute(todo, sweepName: spec.name, threads: threads, executor: executor) { phase, fraction in
                progress(todo, phase, fraction)
            }
            try store.insertRuns(all, label: spec.label, origin: "trainer", sweepId: sweep.id)
            for run in todo { onRun(run, seconds) }
        }
    }

    /// Executes one unit of work and names its rows as the store keeps them: every backend
    /// stores what this returns, so a run's rows do not depend on where it ran.
    public static func execute(_ todo: [RunSpec], sweepName: String, threads: Int, executor: RunExecutor,
                               progress: @escaping (String, Double) -> Void) throws -> (rows: [NewRun], seconds: Double) {
        let start = Date()
        let results = try executor(todo, threads, progress)
        let seconds = Date().timeIntervalSince(start)
        guard results.count == todo.count else {
            throw SweepError.bad("\(todo.count) run(s) sharing a pre-training gave \(results.count) result(s)")
        }
        var all: [NewRun] = []
        for (run, var rows) in zip(todo, results) {
            guard rows.count == run.checkpoints.count else {
                throw SweepError.bad("run \(run.summary) produced \(rows.count) checkpoint results, expected \(run.checkpoints.count)")
            }
            for j in rows.indices {
                rows[j].name = run.identifier
                rows[j].durationSeconds = rows[j].durationSeconds ?? seconds
                rows[j].startedAt = rows[j].startedAt ?? start
                rows[j].finishedAt = rows[j].finishedAt ?? Date()
                rows[j].provenance["sweep"] = .string(sweepName)
            }
            all += rows
        }
        return (all, seconds)
    }

    func isCancelled() throws -> Bool { try store.sweep(id: sweep.id!)?.status == "cancelled" }

    /// The sweep's state for `sweep status`: the ETA is the remaining estimated cost at the pace
    /// (estimated cost per second) of the runs done since `startedAt`, when `costAtStart` was done.
    public func progress(startedAt: Date? = nil, costAtStart: Double = 0) throws -> SweepProgress {
        let current = try store.sweep(id: sweep.id!) ?? sweep
        let completed = try completedRuns()
        let done = completed.count
        let elapsed = Date().timeIntervalSince(startedAt ?? current.createdAt)
        let (total, doneCost) = try cost(completed: completed)
        var eta: Double?
        if doneCost > costAtStart && current.status == "running" {
            eta = elapsed / (doneCost - costAtStart) * (total - doneCost)
        }
        return SweepProgress(sweepId: current.id!, name: current.name, label: current.label, status: current.status,
                             totalRuns: current.totalRuns, completedRuns: done, elapsedSeconds: elapsed,
                             etaSeconds: eta, message: current.message)
    }
}

/// A run as `sweep show --runs --json` lists it: the spec's run, the unit of work it belongs to
/// (runs sharing a pre-training share one, numbered from 1 in spec order) and its checkpoints'
/// adaptation and evaluation cost relative to the `standard` profile, so a tool that projects a
/// sweep's time groups and weighs runs by the runner's own rules.
public struct ListedRun: Encodable {
    public var run: RunSpec
    public var unit: Int
    public var checkpointCostScale: Double
    enum CodingKeys: String, CodingKey { case unit, checkpointCostScale = "checkpoint_cost_scale" }

    /// Every run of `runs`, grouped as the runner groups them.
    public static func listing(_ runs: [RunSpec]) -> [ListedRun] {
        runs.groupedByPretraining.enumerated().flatMap { i, unit in
            unit.map { ListedRun(run: $0, unit: i + 1, checkpointCostScale: RunSettings.checkpointCostScale(profile: $0.profile)) }
        }
    }

    public func encode(to encoder: Encoder) throws {
        try run.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(unit, forKey: .unit)
        try c.encode(checkpointCostScale, forKey: .checkpointCostScale)
    }
}
