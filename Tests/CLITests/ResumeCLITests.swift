import Foundation
@testable import Store
import Testing

/// One unit long enough to stop midway: 128 pre-training steps at xs, three checkpoints, the
/// first state saved at 8K tokens with 248K still to train, so a loaded machine cannot finish
/// the unit between the state appearing and the signal.
func resumableWorkDir(_ dir: URL, name: String, backend: String = "files") throws -> String {
    let spec = dir.appendingPathComponent("resume-spec.json").path
    try """
        {"name": "resume", "label": "resume", "encoder": "object", "seeds": [1], "profile": "tiny",
         "designs": [{"name": "d", "sizes": ["xs"], "mixtures": ["balanced"], "tokens": "256K", "checkpoints": ["0", "8K", "256K"]}]}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
    let work = dir.appendingPathComponent(name).path
    try expectCLI(["sweep", "run", "--spec", spec, "--backend", backend, "--workdir", work], db: nil)
    return work
}

/// Waits for a unit's first saved state (at 8K of its 256K tokens) while `alive` holds.
func waitForState(_ work: String, alive: () -> Bool) throws -> String {
    let state = work + "/state/0/pretraining.state"
    let deadline = Date().addingTimeInterval(300)
    while alive() && !FileManager.default.fileExists(atPath: state) && Date() < deadline { usleep(20_000) }
    return state
}

/// A worker sent SIGTERM stops at the end of a training step and keeps its state; the next
/// `sweep work` continues from it, and the unit's rows equal an uninterrupted run's to the bit.
@Test(.timeLimit(.minutes(10)))
func stoppedWorkerContinuesFromItsState() throws {
    let dir = scratchDirectory()
    let whole = try resumableWorkDir(dir, name: "whole"), stopped = try resumableWorkDir(dir, name: "stopped")
    try expectCLI(["sweep", "work", "--workdir", whole, "--unit", "0"], db: nil)

    let (p, _, err) = try launchCLI(["sweep", "work", "--workdir", stopped, "--unit", "0"], db: nil)
    let state = try waitForState(stopped) { p.isRunning }
    kill(p.processIdentifier, SIGTERM)
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus != 0 && message.contains("stopped by SIGTERM after step"), "\(message)")
    #expect(FileManager.default.fileExists(atPath: state))
    #expect(!FileManager.default.fileExists(atPath: stopped + "/results/0.json"))

    try expectCLI(["sweep", "work", "--workdir", stopped, "--unit", "0"], db: nil)
    #expect(!FileManager.default.fileExists(atPath: stopped + "/state/0"), "the state outlived the result")
    let a = dir.appendingPathComponent("whole.sqlite").path, b = dir.appendingPathComponent("stopped.sqlite").path
    try expectCLI(["sweep", "collect", "--workdir", whole], db: a)
    try expectCLI(["sweep", "collect", "--workdir", stopped], db: b)
    try expectSameRuns(a, b, label: "resume")
}

/// A running array task requeued (`scontrol requeue`, as a preemption does) gets SIGTERM, keeps
/// its state, and the requeued task continues from it to an uninterrupted run's rows.
@Test(.enabled(if: slurmTestsEnabled, "no Slurm node here (scripts/slurm-local.sh start)"), .timeLimit(.minutes(10)))
func requeuedArrayTaskContinuesFromItsState() throws {
    #expect(slurmReady, "VISIONMIX_SLURM_TESTS=1 but no Slurm node accepts jobs")
    let dir = scratchDirectory()
    let whole = try resumableWorkDir(dir, name: "whole"), queued = try resumableWorkDir(dir, name: "queued", backend: "slurm")
    let job = try #require(String(contentsOfFile: queued + "/jobs.tsv", encoding: .utf8).split(separator: "\t").first)
    _ = try waitForState(queued) { !FileManager.default.fileExists(atPath: queued + "/results/0.json") }
    try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["scontrol", "requeue", "\(job)_0"]).waitUntilExit()
    try expectCLI(["sweep", "work", "--workdir", whole, "--unit", "0"], db: nil)
    // Slurm holds a requeued job back for two minutes (BeginTime); the test need not wait for that.
    _ = try waitForUnits(queued) { status in
        if status.units[0].state == "pending" {
            _ = try? Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["scontrol", "update", "JobId=\(job)_0", "StartTime=now"])
        }
        return status.counts["done"] == 1
    }
    let log = try String(contentsOfFile: queued + "/logs/0.log", encoding: .utf8)
    #expect(log.contains("stopped by SIGTERM after step") && log.contains("restart 1"), "\(log)")
    let a = dir.appendingPathComponent("whole.sqlite").path, b = dir.appendingPathComponent("queued.sqlite").path
    try expectCLI(["sweep", "collect", "--workdir", whole], db: a)
    try expectCLI(["sweep", "collect", "--workdir", queued], db: b)
    try expectSameRuns(a, b, label: "resume")
}
