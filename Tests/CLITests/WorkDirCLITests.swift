import Foundation
import GRDB
@testable import Store
import Testing

/// A two-unit sweep for the working-directory tests: the tiny profile, xs, one seed.
func twoUnitSpec(_ dir: URL, seeds: [Int] = [1]) throws -> String {
    let spec = """
        {"name": "files-test", "label": "filestest", "encoder": "object", "seeds": \(seeds), "profile": "tiny",
         "designs": [{"name": "d", "sizes": ["xs"], "mixtures": ["balanced", "code=100"],
                      "tokens": "8K", "checkpoints": ["0", "8K"]}]}
        """
    let path = dir.appendingPathComponent("spec.json").path
    try spec.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Runs `args` and fails the test with its stderr when it does not exit 0.
@discardableResult
func expectCLI(_ args: [String], db: String?) throws -> CLIResult {
    let r = try runCLI(args, db: db)
    #expect(r.status == 0, "visionmix \(args.joined(separator: " ")): \(r.stderr)")
    return r
}

/// The spec run by the local backend into a fresh database, for comparisons.
func localBackendDatabase(spec: String, dir: URL) throws -> String {
    let db = dir.appendingPathComponent("local.sqlite").path
    try expectCLI(["sweep", "run", "--spec", spec, "--jobs", "1", "--no-fit"], db: db)
    return db
}

/// Every stored cell that does not record when or how long: the same runs made anywhere must
/// agree on all of these to the bit.
func expectSameRuns(_ a: String, _ b: String, label: String) throws {
    func rows(_ db: String) throws -> [String: StoredRun] {
        let runs = try ResultStore(path: db).runs(RunFilter(source: label))
        return Dictionary(uniqueKeysWithValues: runs.map { ("\($0.name ?? "")@\($0.tokens)", $0) })
    }
    let x = try rows(a), y = try rows(b)
    #expect(!x.isEmpty)
    #expect(Set(x.keys) == Set(y.keys))
    for (k, r) in x {
        guard let s = y[k] else { continue }
        #expect(r.params.bitPattern == s.params.bitPattern && r.seed == s.seed && r.origin == s.origin, "\(k)")
        #expect(r.mixture == s.mixture, "\(k): mixture")
        #expect(r.scores.mapValues(\.bitPattern) == s.scores.mapValues(\.bitPattern), "\(k): scores")
        #expect(r.chance.mapValues(\.bitPattern) == s.chance.mapValues(\.bitPattern), "\(k): chance")
        let timeless = ["wall_seconds", "git_commit"]
        #expect(r.provenance.filter { !timeless.contains($0.key) } == s.provenance.filter { !timeless.contains($0.key) }, "\(k): provenance")
    }
    let exportA = try expectCLI(["runs", "export", "--source", label], db: a).stdout
    let exportB = try expectCLI(["runs", "export", "--source", label], db: b).stdout
    #expect(Set(exportA.split(separator: "\n")) == Set(exportB.split(separator: "\n")))
}

/// A scratch directory with the two-unit spec and its working directory, manifest written.
func filesWorkDir() throws -> (dir: URL, spec: String, work: String) {
    let dir = scratchDirectory()
    let spec = try twoUnitSpec(dir)
    let work = dir.appendingPathComponent("work").path
    try expectCLI(["sweep", "run", "--spec", spec, "--backend", "files", "--workdir", work], db: nil)
    return (dir, spec, work)
}

/// Units run one by one with `sweep work` and stored by `sweep collect` give the local
/// backend's rows to the bit; a second collect adds nothing; `runs import` reads a result file.
@Test(.timeLimit(.minutes(10)))
func unitFilesStoreWhatTheLocalBackendStores() throws {
    let (dir, spec, work) = try filesWorkDir()
    let manifest = try String(contentsOfFile: work + "/manifest.jsonl", encoding: .utf8).split(separator: "\n")
    #expect(manifest.count == 2)
    #expect(manifest[0].contains("\"weights\"") && manifest[0].contains("\"params\"") && manifest[0].contains("\"profile\":\"tiny\""))
    // A worker never opens the store: the database it would default to is never created.
    let unopened = dir.appendingPathComponent("never.sqlite").path
    var env = ProcessInfo.processInfo.environment
    env["VISIONMIX_DB"] = unopened
    for unit in ["0", "1"] {
        let r = try runCLI(["sweep", "work", "--workdir", work, "--unit", unit], db: nil, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
    }
    let again = try expectCLI(["sweep", "work", "--workdir", work, "--unit", "1"], db: nil)
    #expect(again.stdout.contains("nothing to do"))
    #expect(!FileManager.default.fileExists(atPath: unopened))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: work + "/results").filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")

    let db = dir.appendingPathComponent("collected.sqlite").path
    #expect(try expectCLI(["sweep", "collect", "--workdir", work], db: db).stdout.contains("2 newly stored (4 rows)"))
    #expect(try expectCLI(["sweep", "collect", "--workdir", work], db: db).stdout.contains("0 newly stored (0 rows)"))
    try expectSameRuns(try localBackendDatabase(spec: spec, dir: dir), db, label: "filestest")
    let store = try ResultStore(path: db)
    #expect(try store.integrityCheck() == "ok")
    #expect(try store.latestSweep()?.status == "complete")

    let imported = try expectCLI(["runs", "import", work + "/results/0.json", "--source", "elsewhere"], db: db)
    #expect(imported.stdout.contains("2 new run(s)"))
}

/// A truncated result or a file that is no unit's refuses the collection, which stores nothing.
@Test(.timeLimit(.minutes(10)))
func collectRefusesTruncatedAndForeignFilesAndChangesNothing() throws {
    let (dir, _, work) = try filesWorkDir()
    try expectCLI(["sweep", "work", "--workdir", work, "--unit", "0"], db: nil)
    let db = dir.appendingPathComponent("c.sqlite").path
    try expectCLI(["sweep", "collect", "--workdir", work], db: db)
    let before = databaseBytes(db)

    let whole = try Data(contentsOf: URL(fileURLWithPath: work + "/results/0.json"))
    try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: work + "/results/1.json"))
    let truncated = try runCLI(["sweep", "collect", "--workdir", work], db: db)
    #expect(truncated.status != 0)
    #expect(truncated.stderr.contains("results/1.json is not a whole result of unit 1"), "\(truncated.stderr)")

    // Unit 0's rows under unit 1's name: a whole file, but not unit 1's runs.
    try whole.write(to: URL(fileURLWithPath: work + "/results/1.json"))
    let misplaced = try runCLI(["sweep", "collect", "--workdir", work], db: db)
    #expect(misplaced.stderr.contains("is not a checkpoint of unit 1"), "\(misplaced.stderr)")
    try FileManager.default.removeItem(atPath: work + "/results/1.json")

    try "a,b\n1,2\n".write(toFile: work + "/results/notes.csv", atomically: true, encoding: .utf8)
    let foreign = try runCLI(["sweep", "collect", "--workdir", work], db: db)
    #expect(foreign.stderr.contains("results/notes.csv is not a result of this sweep"), "\(foreign.stderr)")
    #expect(databaseBytes(db) == before)
}
