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

    // Space-filling runs go to the target scale, away from the fitted mixtures and from each other.
    let spread = try runCLI(args + ["--strategy", "space-filling", "--json"], db: db)
    #expect(spread.status == 0, "\(spread.stderr)")
    let filled = try #require(try JSONSerialization.jsonObject(with: Data(spread.stdout.utf8)) as? [String: Any])
    let filledRuns = try #require(filled["runs"] as? [[String: Any]])
    #expect(filled["strategy"] as? String == "space-filling" && filledRuns.count == 3)
    #expect(filledRuns.allSatisfy { $0["role"] as? String == "space_filling" && $0["size"] as? String == "xl" })
    #expect(filledRuns.allSatisfy { ($0["reason"] as? String ?? "").hasPrefix("space-filling: ") })
    #expect(filled["expected_regret"] as? Double == design["expected_regret"] as? Double)

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
