import Foundation
@testable import Store
import Sweeps
import Testing

let exampleTrainer = repoRoot.appendingPathComponent("examples/train_ngram.py").path

/// A sweep of two units (two mixtures, one seed) trained by `command`.
func externalSpec(_ dir: URL, command: [String], seeds: [Int] = [1]) throws -> String {
    let trainer = String(decoding: try JSONEncoder().encode(["command": command]), as: UTF8.self)
    let spec = """
        {"name": "external", "label": "external", "encoder": "object", "seeds": \(seeds), "trainer": \(trainer),
         "designs": [{"name": "d", "sizes": ["2K"], "mixtures": ["balanced", "code=100"], "tokens": "6K", "checkpoints": ["0", "3K"]}]}
        """
    let path = dir.appendingPathComponent("spec.json").path
    try spec.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let exampleCommand = ["python3", exampleTrainer, "--params", "{params}", "--tokens", "{tokens}", "--checkpoints", "{checkpoints}",
                      "--weights", "{weights_file}", "--seed", "{seed}", "--out", "{result}"]

/// The example trainer through the file contract: every checkpoint of every run stored, its
/// measured losses differ between mixtures, and the local backend stores the same rows.
@Test(.timeLimit(.minutes(10)))
func externalTrainerSweepCompletes() throws {
    let dir = scratchDirectory()
    let spec = try externalSpec(dir, command: exampleCommand)
    let work = dir.appendingPathComponent("work").path
    try expectCLI(["sweep", "run", "--spec", spec, "--backend", "files", "--workdir", work], db: nil)
    for unit in ["0", "1"] { try expectCLI(["sweep", "work", "--workdir", work, "--unit", unit], db: nil) }
    let db = dir.appendingPathComponent("c.sqlite").path
    try expectCLI(["sweep", "collect", "--workdir", work], db: db)
    let rows = try ResultStore(path: db).runs(RunFilter(source: "external"))
    #expect(rows.count == 6)
    let trained = rows.filter { $0.tokens == 6000 }
    #expect(trained.count == 2 && trained.allSatisfy { $0.scores["loss_mean"] != nil && $0.scores.count == 7 })
    #expect(Set(trained.map { $0.scores["loss_code"] }).count == 2, "the mixtures trained the same model")
    try expectSameRuns(try localBackendDatabase(spec: spec, dir: dir), db, label: "external")
}

/// A trainer that exits 1 for one unit fails that unit alone, with the end of its output; a
/// result file that breaks the schema fails with the field named.
@Test(.timeLimit(.minutes(10)))
func failingTrainerFailsOnlyItsUnit() throws {
    let dir = scratchDirectory()
    let script = "if [ {mix} = code=100 ]; then echo 'step 3: out of memory'; exit 1; fi; exec " + exampleCommand.joined(separator: " ")
    let spec = try externalSpec(dir, command: ["sh", "-c", script])
    let work = dir.appendingPathComponent("work").path
    try expectCLI(["sweep", "run", "--spec", spec, "--backend", "files", "--workdir", work], db: nil)
    try expectCLI(["sweep", "work", "--workdir", work, "--unit", "0"], db: nil)
    let failed = try runCLI(["sweep", "work", "--workdir", work, "--unit", "1"], db: nil)
    #expect(failed.status != 0)
    #expect(failed.stderr.contains("unit 1 failed: the trainer exited with status 1") && failed.stderr.contains("step 3: out of memory"),
            "\(failed.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: work + "/results") == ["0.json"])
    let db = dir.appendingPathComponent("c.sqlite").path
    #expect(try expectCLI(["sweep", "collect", "--workdir", work], db: db).stdout.contains("1/2 unit(s) finished"))

    let badDir = scratchDirectory()
    let writer = "import json,sys; json.dump({'checkpoints': [{'tokens': 0, 'scores': {'loss': 'high'}}]}, open(sys.argv[1], 'w'))"
    let badSpec = try externalSpec(badDir, command: ["python3", "-c", writer, "{result}"])
    let badWork = badDir.appendingPathComponent("work").path
    try expectCLI(["sweep", "run", "--spec", badSpec, "--backend", "files", "--workdir", badWork], db: nil)
    let invalid = try runCLI(["sweep", "work", "--workdir", badWork, "--unit", "0"], db: nil)
    #expect(invalid.stderr.contains("checkpoints[0].scores.loss is not a finite number"), "\(invalid.stderr)")

    let typo = try runCLI(["sweep", "run", "--spec", try externalSpec(badDir, command: ["train", "{param}"]), "--backend", "files",
                           "--workdir", badWork], db: nil)
    #expect(typo.stderr.contains("trainer.command[1]: unknown placeholder {param}"), "\(typo.stderr)")
}
