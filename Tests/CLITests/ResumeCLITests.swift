import Foundation
@testable import Store
import Testing

/// One unit long enough to stop midway: 16 pre-training steps at xs, three checkpoints.
func resumableWorkDir(_ dir: URL, name: String) throws -> String {
    let spec = dir.appendingPathComponent("resume-spec.json").path
    try """
        {"name": "resume", "label": "resume", "encoder": "object", "seeds": [1], "profile": "tiny",
         "designs": [{"name": "d", "sizes": ["xs"], "mixtures": ["balanced"], "tokens": "32K", "checkpoints": ["0", "8K", "32K"]}]}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
    let work = dir.appendingPathComponent(name).path
    try expectCLI(["sweep", "run", "--spec", spec, "--backend", "files", "--workdir", work], db: nil)
    return work
}

/// A worker sent SIGTERM stops at the end of a training step and keeps its state; the next
/// `sweep work` continues from it, and the unit's rows equal an uninterrupted run's to the bit.
@Test(.timeLimit(.minutes(10)))
func stoppedWorkerContinuesFromItsState() throws {
    let dir = scratchDirectory()
    let whole = try resumableWorkDir(dir, name: "whole"), stopped = try resumableWorkDir(dir, name: "stopped")
    try expectCLI(["sweep", "work", "--workdir", whole, "--unit", "0"], db: nil)

    let (p, _, err) = try launchCLI(["sweep", "work", "--workdir", stopped, "--unit", "0"], db: nil)
    // The state appears at the first checkpoint after 0 (8K of 32K tokens): stop it then.
    let state = stopped + "/state/0/pretraining.state"
    let deadline = Date().addingTimeInterval(300)
    while p.isRunning && !FileManager.default.fileExists(atPath: state) && Date() < deadline { usleep(20_000) }
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
