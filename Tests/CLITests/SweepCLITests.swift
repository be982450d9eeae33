import Foundation
import GRDB
@testable import Store
import Testing

/// A sweep small enough for a debug build: the tiny profile, the smallest size, two seeds.
func tinySweepSpec(_ dir: URL) throws -> String {
    let spec = """
        {"name": "kill-test", "label": "killtest", "encoder": "object", "seeds": [1, 2], "profile": "tiny",
         "designs": [{"name": "d", "sizes": ["xs"], "mixtures": ["balanced", "code=100"],
                      "tokens": "8K", "checkpoints": ["0", "8K"]}]}
        """
    let path = dir.appendingPathComponent("spec.json").path
    try spec.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Processes whose command line mentions `text` (workers of a sweep on this test's database).
func processes(mentioning text: String) -> [Int32] {
    let procs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return procs.compactMap { Int32($0) }.filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
    }
}

/// A sweep killed with SIGKILL halfway and run again completes with
/// exactly the spec's runs, no duplicates, and a sound database.
@Test(.timeLimit(.minutes(10)))
func killedSweepResumesWithoutLosingOrRepeatingRuns() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    let spec = try tinySweepSpec(dir)
    let expectedRuns = 4, checkpoints = 2

    let (p, _, _) = try launchCLI(["sweep", "run", "--spec", spec, "--jobs", "2", "--threads", "1", "--no-fit"], db: db)
    var stored = 0
    let deadline = Date().addingTimeInterval(480)
    while p.isRunning && Date() < deadline {
        usleep(200_000)
        guard FileManager.default.fileExists(atPath: db), let store = try? ResultStore(path: db) else { continue }
        stored = ((try? store.storedRowsByName(label: "killtest")) ?? [:]).values.filter { $0 >= checkpoints }.count
        if stored >= 2 { break }
    }
    let killedMidway = p.isRunning && stored < expectedRuns
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(killedMidway, "the sweep finished (or stalled) before it could be killed: \(stored) runs stored")
    usleep(500_000)
    #expect(processes(mentioning: db).isEmpty, "workers outlived the killed sweep")

    let again = try runCLI(["sweep", "run", "--spec", spec, "--jobs", "2", "--threads", "1", "--no-fit"], db: db)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("already stored (resuming)"))

    let store = try ResultStore(path: db)
    #expect(try store.integrityCheck() == "ok")
    let rows = try store.runs(RunFilter(source: "killtest"))
    #expect(rows.count == expectedRuns * checkpoints)
    #expect(Set(rows.compactMap(\.name)).count == expectedRuns)
    let keys = try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(DISTINCT run_key) FROM runs WHERE label = 'killtest'") }
    #expect(keys == rows.count, "duplicate runs")
    let status = try runCLI(["sweep", "status", "--json"], db: db)
    #expect(status.stdout.contains("\"status\" : \"complete\"") && status.stdout.contains("\"completed_runs\" : 4"))
}
