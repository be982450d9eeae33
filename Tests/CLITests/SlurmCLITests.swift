import Foundation
import GRDB
@testable import Store
import Sweeps
import Testing

// Against a real Slurm: `scripts/slurm-local.sh start` runs a one-node cluster on this machine
// (`make test` starts it). Without one these tests are skipped, unless VISIONMIX_SLURM_TESTS=1
// says a cluster must be there, in which case they fail; VISIONMIX_SLURM_TESTS=0 skips them.

/// Whether a Slurm node accepts jobs here.
let slurmReady: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["bash", repoRoot.appendingPathComponent("scripts/slurm-local.sh").path, "status"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}()

let slurmSetting = ProcessInfo.processInfo.environment["VISIONMIX_SLURM_TESTS"]
let slurmRequired = slurmSetting == "1"
/// Run when a node is here (unless VISIONMIX_SLURM_TESTS=0 turns them off) or when required.
let slurmTestsEnabled = (slurmReady && slurmSetting != "0") || slurmRequired

/// `sweep status --workdir` as the library reads it, polled until `done` holds. The limit only
/// guards against a hang; the tiny units take seconds each.
func waitForUnits(_ work: String, limit: TimeInterval = 300, until done: (WorkDirStatus) -> Bool) throws -> WorkDirStatus {
    let deadline = Date().addingTimeInterval(limit)
    var last: WorkDirStatus?
    while Date() < deadline {
        let r = try runCLI(["sweep", "status", "--workdir", work, "--json"], db: nil)
        if r.status == 0, let s = try? JSONDecoder().decode(WorkDirStatus.self, from: Data(r.stdout.utf8)) {
            last = s
            if done(s) { return s }
        }
        usleep(500_000)
    }
    Issue.record("the units did not get there in \(Int(limit)) s: \(String(describing: last?.counts))")
    return try #require(last)
}

@discardableResult
func slurmSubmit(spec: String, work: String, extra: [String] = []) throws -> CLIResult {
    try expectCLI(["sweep", "run", "--spec", spec, "--backend", "slurm", "--workdir", work] + extra, db: nil)
}

@Test(.enabled(if: slurmTestsEnabled, "no Slurm node here (scripts/slurm-local.sh start)"), .timeLimit(.minutes(10)))
func slurmSweepStoresWhatTheLocalBackendStores() throws {
    #expect(slurmReady, "VISIONMIX_SLURM_TESTS=1 but no Slurm node accepts jobs")
    let dir = scratchDirectory()
    let spec = try twoUnitSpec(dir)
    let work = dir.appendingPathComponent("work").path
    let submitted = try slurmSubmit(spec: spec, work: work)
    #expect(submitted.stdout.contains("unit(s) 0,1"), "\(submitted.stdout)")
    let script = try String(contentsOfFile: work + "/sweep.sbatch", encoding: .utf8)
    #expect(script.contains("#SBATCH --requeue"))
    let status = try waitForUnits(work) { $0.counts["done"] == 2 }
    #expect(status.units.allSatisfy { $0.seconds != nil })

    let db = dir.appendingPathComponent("collected.sqlite").path
    try expectCLI(["sweep", "collect", "--workdir", work], db: db)
    try expectSameRuns(try localBackendDatabase(spec: spec, dir: dir), db, label: "filestest")
    #expect(try slurmSubmit(spec: spec, work: work).stdout.contains("nothing to submit"))
}

/// One array task cancelled: status shows it failed with no partial result, a second
/// `sweep run` resubmits exactly that unit, and the collection holds every run once.
@Test(.enabled(if: slurmTestsEnabled, "no Slurm node here (scripts/slurm-local.sh start)"), .timeLimit(.minutes(10)))
func cancelledArrayTaskIsResubmittedAlone() throws {
    #expect(slurmReady, "VISIONMIX_SLURM_TESTS=1 but no Slurm node accepts jobs")
    let dir = scratchDirectory()
    let spec = try twoUnitSpec(dir, seeds: [1, 2])
    let work = dir.appendingPathComponent("work").path
    // One task at a time, so unit 3 is still queued when it is cancelled.
    let out = try slurmSubmit(spec: spec, work: work, extra: ["--max-parallel", "1"]).stdout
    let job = try #require(out.split(separator: " ").drop { $0 != "job" }.dropFirst().first.map { String($0.dropLast()) })
    let cancel = try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["scancel", "\(job)_3"])
    cancel.waitUntilExit()
    #expect(cancel.terminationStatus == 0)

    let status = try waitForUnits(work) { $0.counts["done"] == 3 && $0.counts["failed"]! + $0.counts["missing"]! == 1 }
    let cancelled = try #require(status.units.first { $0.unit == 3 })
    #expect(["failed", "missing"].contains(cancelled.state))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: work + "/results")
    #expect(Set(leftovers) == ["0.json", "1.json", "2.json"], "a cancelled unit left a file: \(leftovers)")

    let again = try slurmSubmit(spec: spec, work: work).stdout
    #expect(again.contains("3 done, 0 queued or running") && again.contains("unit(s) 3 "), "\(again)")
    _ = try waitForUnits(work) { $0.counts["done"] == 4 }

    let db = dir.appendingPathComponent("c.sqlite").path
    try expectCLI(["sweep", "collect", "--workdir", work], db: db)
    try expectCLI(["sweep", "collect", "--workdir", work], db: db)
    let store = try ResultStore(path: db)
    #expect(try store.integrityCheck() == "ok")
    let rows = try store.runs(RunFilter(source: "filestest"))
    #expect(rows.count == 8)
    #expect(Set(rows.map { "\($0.name ?? "")@\($0.tokens)" }).count == 8, "duplicate rows")
    #expect(try store.latestSweep()?.status == "complete")
}

/// An external trainer that fails one unit under Slurm: the other finishes, and `sweep status`
/// shows the failed unit with the end of its log.
@Test(.enabled(if: slurmTestsEnabled, "no Slurm node here (scripts/slurm-local.sh start)"), .timeLimit(.minutes(10)))
func failedArrayTaskShowsItsLogTail() throws {
    #expect(slurmReady, "VISIONMIX_SLURM_TESTS=1 but no Slurm node accepts jobs")
    let dir = scratchDirectory()
    let script = "if [ {mix} = code=100 ]; then echo 'step 3: out of memory'; exit 1; fi; exec " + exampleCommand.joined(separator: " ")
    let spec = try externalSpec(dir, command: ["sh", "-c", script])
    let work = dir.appendingPathComponent("work").path
    try slurmSubmit(spec: spec, work: work)
    let status = try waitForUnits(work) { $0.counts["done"] == 1 && $0.counts["failed"] == 1 }
    let failed = try #require(status.units.first { $0.state == "failed" })
    #expect(failed.unit == 1 && failed.logTail?.contains("step 3: out of memory") == true, "\(String(describing: failed.logTail))")
    #expect(failed.queueState == "FAILED (exit code 1:0)", "\(String(describing: failed.queueState))")
    let shown = try expectCLI(["sweep", "status", "--workdir", work], db: nil).stdout
    #expect(shown.contains("unit 1 failed") && shown.contains("step 3: out of memory"), "\(shown)")
}
