import Foundation
import GRDB
import Testing

/// Ten mixtures of the reasoning × visual plane at xs under the tiny profile, one seed: enough
/// for the quadratic law of shares (and its 5-fold cross-validation) the rounds are designed from.
func adaptiveSpec(_ dir: URL) throws -> String {
    let path = dir.appendingPathComponent("adaptive.json").path
    let mixtures = ["reasoning=10,visual=10", "reasoning=30,visual=10", "reasoning=50,visual=10", "reasoning=70,visual=10",
                    "reasoning=10,visual=40", "reasoning=30,visual=30", "reasoning=50,visual=25", "reasoning=20,visual=60",
                    "reasoning=60,visual=20", "reasoning=40,visual=50"]
    let list = mixtures.map { "\"\($0)\"" }.joined(separator: ", ")
    try """
        {"name": "adapt", "label": "adapt", "encoder": "object", "seeds": [1], "profile": "tiny",
         "designs": [{"name": "start", "sizes": ["xs"], "mixtures": [\(list)], "tokens": "8K", "checkpoints": ["8K"]}]}
        """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The stored runs' names and every round's spec, to compare two databases.
func adaptiveState(_ db: String) throws -> (names: [String], specs: [String?]) {
    let q = try DatabaseQueue(path: db)
    return try q.read { d in
        (try String.fetchAll(d, sql: "SELECT name FROM runs WHERE label = 'adapt' ORDER BY name"),
         try Optional<String>.fetchAll(d, sql: "SELECT spec FROM design_rounds ORDER BY round"))
    }
}

/// Two rounds of two designed runs after the spec's ten; killed with SIGKILL once the first
/// round is designed (inside it or between rounds, wherever it then stands) and run again, the
/// sweep ends with the same runs and the same rounds as one never killed: none lost, none twice.
@Test(.timeLimit(.minutes(10)))
func adaptiveSweepRunsItsRoundsAndResumesAfterAKill() throws {
    let dir = scratchDirectory()
    let spec = try adaptiveSpec(dir)
    let args = ["sweep", "run", "--spec", spec, "--adaptive", "--rounds", "2", "--runs-per-round", "2", "--jobs", "1", "--no-fit"]
    let whole = dir.appendingPathComponent("whole.sqlite").path
    // The uninterrupted sweep also fits, recommends and reports after its rounds.
    let r = try runCLI(args.filter { $0 != "--no-fit" } + ["--report-dir", dir.appendingPathComponent("after").path], db: whole)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("round 1 designed: P(recipe beats the baseline)") && r.stdout.contains("after the last round"), "\(r.stdout)")
    let expected = try adaptiveState(whole)
    #expect(expected.names.count == 14 && Set(expected.names).count == 14)
    #expect(expected.specs.count == 3 && expected.specs[0] != nil && expected.specs[2] == nil)
    // Each round refits the objective's quadratic law of the shares near its recipe before
    // designing, and so does the recommendation after the last round.
    #expect(r.stdout.contains("recommended (maximise vqa_avg"), "\(r.stdout)")
    let newest = try DatabaseQueue(path: whole).read { d in
        try String.fetchOne(d, sql: "SELECT body FROM fits WHERE label = 'adapt' AND category = 'vqa_avg' ORDER BY id DESC LIMIT 1")
    }
    let body = try #require(newest)
    let fit = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    let local = try #require(fit["local"] as? [String: Any], "\(fit.keys.sorted())")
    #expect(fit["family"] as? String == "quadratic_shares" && local["bandwidth"] as? Double == 0.15)
    let refused = try runCLI(args + ["--local-bandwidth", "-1"], db: dir.appendingPathComponent("refused.sqlite").path)
    #expect(refused.status != 0 && refused.stderr.contains("--local-bandwidth -1.0 is not 0 or a distance"), "\(refused.stderr)")

    let status = try runCLI(["sweep", "status", "--json"], db: whole)
    let progress = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    let rounds = try #require(progress["rounds"] as? [[String: Any]])
    #expect(rounds.count == 3 && rounds[0]["runs"] as? Int == 2 && rounds[0]["probability_not_best"] is Double)
    #expect(rounds[0]["strategy"] as? String == "space-filling", "the default places the rounds' runs")
    let reportDir = dir.appendingPathComponent("report").path
    let report = try runCLI(["report", "--source", "adapt", "--out", reportDir], db: whole)
    #expect(report.status == 0, "\(report.stderr)")
    let markdown = try String(contentsOfFile: reportDir + "/report.md", encoding: .utf8)
    #expect(markdown.contains("## Adaptive rounds") && markdown.contains("adapt: the expected regret went from")
            && markdown.contains("space-filling"), "\(markdown)")

    let killed = dir.appendingPathComponent("killed.sqlite").path
    let (p, _, _) = try launchCLI(args, db: killed)
    let deadline = Date().addingTimeInterval(300)
    while p.isRunning && Date() < deadline {
        if FileManager.default.fileExists(atPath: killed), let s = try? adaptiveState(killed), !s.specs.isEmpty { break }
        usleep(50_000)
    }
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    let again = try runCLI(args, db: killed)
    #expect(again.status == 0, "\(again.stderr)")
    let resumed = try adaptiveState(killed)
    #expect(resumed.names == expected.names)
    #expect(resumed.specs == expected.specs)
}
