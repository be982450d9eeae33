import Foundation
import Testing

/// `visionmix transfer` on a small imported file: two sizes that order four mixtures alike
/// but for one pair, and a checkpoint of the smaller size with two of them.
@Test func transferComparesTheScalesOfAnImportedFile() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    let csv = dir.appendingPathComponent("runs.csv")
    var rows = ["params,tokens,seed,reasoning_pct,visual_pct,vqa_avg"]
    // Seed means at 1K: 20, 26, 30, 40; at 9K: 1, 2, 4, 3.
    let mixtures = [(10, 10), (30, 10), (50, 10), (70, 10)]
    let small = [[18.0, 22], [25, 27], [29, 31], [39, 41]], large = [1.0, 2, 4, 3]
    for (i, m) in mixtures.enumerated() {
        for seed in 1...2 {
            rows.append("1000,1M,\(seed),\(m.0),\(m.1),\(small[i][seed - 1])")
            rows.append("9000,1M,\(seed),\(m.0),\(m.1),\(large[i])")
        }
        if i < 2 { rows.append("1000,500K,1,\(m.0),\(m.1),\(small[i][0])") }
    }
    try rows.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
    let imported = try runCLI(["runs", "import", csv.path, "--source", "tiny"], db: db)
    #expect(imported.status == 0, "\(imported.stderr)")

    let args = ["transfer", "--source", "tiny", "--category", "vqa_avg"]
    let json = try runCLI(args + ["--json"], db: db)
    #expect(json.status == 0, "\(json.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let comparisons = try #require(report["comparisons"] as? [[String: Any]])
    #expect(comparisons.count == 2)
    let sizes = try #require(comparisons.first?["agreement"] as? [String: [String: Any]])
    // scipy.stats.spearmanr([20, 26, 30, 40], [1, 2, 4, 3]) = 0.8; 5 of the 6 pairs in xl's order.
    #expect(abs((sizes["spearman"]?["value"] as? Double ?? 0) - 0.8) < 1e-12)
    #expect(abs((sizes["decision_accuracy"]?["value"] as? Double ?? 0) - 5.0 / 6) < 1e-12)
    #expect(sizes["kendall"]?["low"] is Double && sizes["kendall"]?["high"] is Double)
    #expect(comparisons[1]["kind"] as? String == "budget" && comparisons[1]["reason"] as? String == "2 mixtures measured at both (3 needed)")
    // A fixed seed: the same intervals every time.
    #expect(try runCLI(args + ["--json"], db: db).stdout == json.stdout)

    let table = try runCLI(args, db: db)
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.contains("2000 resamples") && table.stdout.contains("averaged over seeds"))
    let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("size") })
    #expect(row.contains("1K @ 1M") && row.contains("9K @ 1M") && row.contains("0.80") && row.contains("0.83"), "\(row)")
    #expect(table.stdout.contains("not compared:\n  budget 1K @ 500K vs 1K @ 1M: 2 mixtures measured at both (3 needed)"), "\(table.stdout)")

    let unknown = try runCLI(["transfer", "--source", "tiny", "--category", "general"], db: db)
    #expect(unknown.status != 0 && unknown.stderr.contains("no run of this source has a score 'general'; categories: vqa_avg"), "\(unknown.stderr)")
    let nobody = try runCLI(["transfer", "--source", "nobody", "--category", "vqa_avg"], db: db)
    #expect(nobody.status != 0 && nobody.stderr.contains("no complete runs under source 'nobody'; sources: tiny"), "\(nobody.stderr)")
    let badName = try runCLI(["transfer", "--source", "tiny", "--category", "vqa avg"], db: db)
    #expect(badName.status != 0 && badName.stderr.contains("is not a category name"), "\(badName.stderr)")
}
