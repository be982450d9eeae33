import Foundation
import Testing
import Sweeps

/// `design next` on the shipped calibration fits: the spec it writes is one `sweep run --spec`
/// accepts, over runs the seeds of which are new; bad input is refused before anything is written.
@Test func designNextWritesASpecTheSweepRunnerTakes() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    let spec = dir.appendingPathComponent("spec.json").path, csv = dir.appendingPathComponent("runs.csv").path
    let args = ["design", "next", "--fits", "fits", "--source", "calibration", "--objective", "vqa_avg", "--runs", "3",
                "--replicates", "16", "--sizes", "m,xl", "--profile", "tiny"]
    let r = try runCLI(args + ["--out", spec, "--csv", csv, "--json"], db: db)
    #expect(r.status == 0, "\(r.stderr)")
    let design = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let runs = try #require(design["runs"] as? [[String: Any]])
    #expect(runs.count == 3 && design["replicates"] as? Int == 16)
    // The vqa_avg law is fitted at xl alone, so m, where it extrapolates, gets no runs.
    #expect(runs.allSatisfy { $0["size"] as? String == "xl" && ($0["reason"] as? String ?? "").contains("the ensemble disagrees by") })
    let loaded = try SweepSpec.load(path: spec)
    #expect(loaded.label == "calibration" && loaded.profile == "tiny")
    let planned = try loaded.runs(knownSizes: SweepSpec.knownSizes)
    #expect(planned.count == 3)
    // The spec trains the mixture the design chose, to within the spec's tenths of a percent.
    for (run, designed) in zip(planned, runs) {
        let shares = try #require(designed["mixture"] as? [String: Any])
        let m = try run.mixture
        #expect(abs(m.reasoningShare! - (shares["reasoning_share"] as? Double ?? -1)) < 0.001)
    }
    let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
    #expect(rows.count == 4 && rows[0].hasPrefix("run,size,params,tokens,seed"))

    // By default the runs fill the recipe's neighbourhood (the laws read shares); the regret
    // strategy goes where the refits' optima are.
    // Either way the recipe and its regret are the laws'.
    #expect(design["strategy"] as? String == "space-filling")
    #expect(runs.allSatisfy { $0["role"] as? String == "space_filling" && ($0["reason"] as? String ?? "").hasPrefix("space-filling near the recipe: ") })
    let byRegret = try runCLI(args + ["--strategy", "regret", "--json"], db: db)
    #expect(byRegret.status == 0, "\(byRegret.stderr)")
    let regret = try #require(try JSONSerialization.jsonObject(with: Data(byRegret.stdout.utf8)) as? [String: Any])
    let regretRuns = try #require(regret["runs"] as? [[String: Any]])
    #expect(regret["strategy"] as? String == "regret" && regretRuns.count == 3)
    #expect(regretRuns.allSatisfy { ["replicate_optimum", "recipe", "baseline"].contains($0["role"] as? String ?? "") && $0["size"] as? String == "xl" })
    #expect(regret["expected_regret"] as? Double == design["expected_regret"] as? Double)

    for bad in [["--runs", "0"], ["--sizes", "huge"], ["--sizes", "m"], ["--noise", "-1"], ["--objective", "nonsense*"],
                ["--strategy", "random"]] {
        let out = dir.appendingPathComponent("refused.json").path
        var a = args
        if let i = a.firstIndex(of: bad[0]) { a[i + 1] = bad[1] } else { a += bad }
        let refused = try runCLI(a + ["--out", out], db: db)
        #expect(refused.status != 0 && !refused.stderr.isEmpty, "\(bad)")
        #expect(!FileManager.default.fileExists(atPath: out), "\(bad) wrote a spec")
    }
}
