import Foundation
import Store
import VisionMixCore

/// Running one unit of a working directory's manifest into its result file, without the store.
public enum UnitWorker {
    public enum Outcome: Sendable, Equatable {
        /// The unit's result file already existed; nothing ran.
        case skipped
        case finished(seconds: Double)
    }

    /// Runs unit `unit` of `workdir` and writes `results/<unit>.json` atomically. A unit whose
    /// result exists is skipped, so a requeued or repeated task costs nothing.
    public static func run(workdir: WorkDir, unit: Int, threads: Int, executor: RunExecutor? = nil,
                           progress: @escaping (String, Double) -> Void = { _, _ in }) throws -> Outcome {
        let u = try workdir.unit(unit)
        if workdir.hasResult(unit) { return .skipped }
        let spec = try workdir.spec()
        let (rows, seconds) = try SweepRunner.execute(u.runSpecs, sweepName: spec.name, threads: threads,
                                                      executor: executor ?? spec.executor(scratch: workdir.stateURL(unit), keepState: true),
                                                      progress: progress)
        try WorkDir.writeAtomically(try JSONResults.encode(rows), to: workdir.resultURL(unit))
        // The result holds everything the saved state was kept for.
        PipelineState(directory: workdir.stateURL(unit)).remove()
        return .finished(seconds: seconds)
    }
}

/// Importing a working directory's finished units into the store: the only writer of SQLite.
public enum UnitCollector {
    public struct Outcome: Sendable {
        /// Units whose result file was read, units newly stored, and runs (rows) inserted.
        public var finishedUnits = 0
        public var storedUnits = 0
        public var insertedRows = 0
        public var totalUnits = 0
        public var sweepId: Int64 = 0
    }

    /// Reads and checks every result file first, then stores each unit in a transaction of its
    /// own. A file that is not a whole result of one of the manifest's units (truncated, foreign,
    /// of another spec) refuses the collection before anything is written. Units already stored
    /// add nothing, so collecting twice is collecting once.
    public static func collect(workdir: WorkDir, store: ResultStore) throws -> Outcome {
        try self.store(try check(workdir: workdir), in: store)
    }

    /// A working directory's finished units, read and checked, ready to store.
    public struct Checked: Sendable {
        var spec: SweepSpec
        var units: [ManifestUnit]
        var rows: [[NewRun]]
    }

    /// Reads and checks every result file without touching the store.
    public static func check(workdir: WorkDir) throws -> Checked {
        let spec = try workdir.spec()
        let units = try workdir.units()
        var checked: [[NewRun]] = []
        for file in try resultFiles(workdir) {
            let name = "results/\(file)"
            guard file.hasSuffix(".json"), let i = Int(file.dropLast(5)), units.indices.contains(i) else {
                throw SweepError.bad("\(name) is not a result of this sweep (results/ holds only <unit>.json for units 0–\(units.count - 1)); move it away and collect again")
            }
            checked.append(try rows(of: units[i], file: workdir.resultURL(i), name: name))
        }
        return Checked(spec: spec, units: units, rows: checked)
    }

    /// Stores checked units, each in a transaction of its own; stored ones add nothing.
    public static func store(_ checked: Checked, in store: ResultStore) throws -> Outcome {
        let spec = checked.spec, units = checked.units
        let record = try SweepRunner.register(spec, store: store, knownSizes: spec.sizeNames)
        var out = Outcome(finishedUnits: checked.rows.count, totalUnits: units.count, sweepId: record.id!)
        for rows in checked.rows {
            let inserted = try store.insertRuns(rows, label: spec.label, origin: "trainer", sweepId: record.id).inserted.count
            out.insertedRows += inserted
            if inserted > 0 { out.storedUnits += 1 }
        }
        let pending = try SweepRunner(store: store, sweep: record).pendingRuns().count
        try store.updateSweep(id: record.id!, status: pending == 0 ? "complete" : "pending",
                              message: .some(pending == 0 ? nil : "\(pending) run(s) not collected yet"))
        return out
    }

    static func resultFiles(_ workdir: WorkDir) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workdir.resultsURL.path)) ?? []
        // Hidden names are results being written (`WorkDir.writeAtomically`), not results.
        return names.filter { !$0.hasPrefix(".") }.sorted { (Int($0.split(separator: ".")[0]) ?? .max, $0) < (Int($1.split(separator: ".")[0]) ?? .max, $1) }
    }

    /// The rows of unit `u` in `file`, checked against the manifest: every run and checkpoint
    /// once, at the unit's seed and mixture. The mixture stored is the spec's own, so rows
    /// collected from files equal, to the bit, the rows the local backend stores.
    static func rows(of u: ManifestUnit, file: URL, name: String) throws -> [NewRun] {
        guard let data = FileManager.default.contents(atPath: file.path) else { throw SweepError.bad("cannot read \(name)") }
        var runs: [NewRun]
        do { runs = try JSONResults.decode(data) } catch let e as ImportError {
            throw SweepError.bad("\(name) is not a whole result of unit \(u.unit): \(e.description)")
        }
        let mixture = try u.runSpecs[0].mixture
        var expected = Set(u.runs.flatMap { r in r.checkpoints.map { "\(r.name)@\($0)" } })
        guard !runs.isEmpty else { throw SweepError.bad("\(name) holds no rows") }
        for i in runs.indices {
            let row = runs[i]
            let id = "\(row.name ?? "(no name)")@\(row.tokens)"
            guard expected.remove(id) != nil else {
                throw SweepError.bad("\(name): row \(i + 1) (\(id)) is not a checkpoint of unit \(u.unit), or is there twice")
            }
            guard row.seed == u.seed else { throw SweepError.bad("\(name): row \(i + 1) has seed \(row.seed.map(String.init) ?? "none"), unit \(u.unit) has \(u.seed)") }
            guard row.mixture?.canonicalKey == mixture.canonicalKey else {
                throw SweepError.bad("\(name): row \(i + 1) has another mixture than unit \(u.unit) (\(u.mix))")
            }
            runs[i].mixture = mixture
        }
        if let missing = expected.sorted().first {
            throw SweepError.bad("\(name) lacks \(expected.count) row(s) of unit \(u.unit), such as \(missing)")
        }
        return runs
    }
}
