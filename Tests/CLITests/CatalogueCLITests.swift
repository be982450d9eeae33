import Foundation
import Testing

/// RegMix's runs (a slice of its 512 at 1M parameters) over the 17 Pile domains: published
/// files, converted by the repository's script, imported with the domains' catalogue.
let regmixFixture = repoRoot.appendingPathComponent("Tests/Fixtures/regmix")
let pileSources = repoRoot.appendingPathComponent("examples/regmix/pile-sources.csv").path

/// Runs a command other than visionmix (the converter) and returns its status and output.
func runTool(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    p.currentDirectoryURL = repoRoot
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// The slice as one VisionMix results file in `dir`, written by scripts/regmix-results.py.
func regmixResults(_ dir: URL) throws -> String {
    let r = try runTool(["python3", "scripts/regmix-results.py", regmixFixture.appendingPathComponent("train_mixture_1m.csv").path,
                         regmixFixture.appendingPathComponent("train_pile_loss_1m.csv").path, "--params", "1M", "--tokens", "1B",
                         "--name", "train_1m"])
    try #require(r.status == 0, "\(r.stderr)")
    let path = dir.appendingPathComponent("regmix.csv").path
    try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The fixture's mixtures as published: index → weight per domain, and the domains in order.
func publishedMixtures() throws -> (domains: [String], weights: [String: [String: Double]]) {
    let lines = try String(contentsOf: regmixFixture.appendingPathComponent("train_mixture_1m.csv"), encoding: .utf8)
        .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    let domains = lines[0].dropFirst().map { String($0.dropFirst("train_the_pile_".count)) }
    var weights: [String: [String: Double]] = [:]
    for row in lines.dropFirst() { weights[row[0]] = Dictionary(uniqueKeysWithValues: zip(domains, row.dropFirst().map { Double($0)! })) }
    return (domains, weights)
}

func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

@Test func regmixRunsImportWithTheirDomainsAsMixtures() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("regmix.sqlite").path
    let (domains, published) = try publishedMixtures()
    // The committed catalogue is the converter's, in the files' order of domains.
    let catalogue = try runTool(["python3", "scripts/regmix-results.py", regmixFixture.appendingPathComponent("train_mixture_1m.csv").path, "--sources"])
    #expect(catalogue.stdout == (try String(contentsOfFile: pileSources, encoding: .utf8)))

    let imported = try runCLI(["runs", "import", try regmixResults(dir), "--source", "regmix", "--sources", pileSources, "--json"], db: db)
    #expect(imported.status == 0, "\(imported.stderr)")
    let summary = try #require(try json(imported.stdout) as? [String: Any])
    #expect(summary["imported"] as? Int == 60)
    #expect((summary["new_metrics"] as? [String])?.count == 13 && (summary["new_metrics"] as? [String])?.contains("pile_cc_loss") == true)

    let listed = try runCLI(["runs", "list", "--source", "regmix", "--json"], db: db)
    let runs = try #require(try json(listed.stdout) as? [[String: Any]])
    #expect(runs.count == 60)
    for run in runs {
        let index = String((run["name"] as! String).dropFirst("train_1m_".count))
        let stored = try #require(run["mixture"] as? [String: Double], "\(run)")
        let given = try #require(published[index])
        let total = domains.reduce(0) { $0 + given[$1]! }
        #expect(Set(stored.keys) == Set(domains))
        for d in domains { #expect(abs(stored[d]! - given[d]! / total) < 1e-12, "run \(index), \(d)") }
        #expect(run["reasoning_share"] is NSNull && (run["scores"] as? [String: Double])?.count == 13)
        #expect(run["params"] as? Double == 1e6 && run["tokens"] as? Double == 1e9)
    }
    let sources = try runCLI(["runs", "sources", "--label", "regmix", "--json"], db: db)
    #expect((try json(sources.stdout) as? [[String: Any]])?.compactMap { $0["name"] as? String } == domains)
    // The report names the label's sources.
    let report = dir.appendingPathComponent("report").path
    #expect(try runCLI(["report", "--source", "regmix", "--out", report], db: db).status == 0)
    let text = try String(contentsOfFile: report + "/report.md", encoding: .utf8)
    #expect(text.contains("Sources (17, declared for this label): arxiv, freelaw,") && text.contains("without tag shares"))
    // An export imports back under a new label with the same catalogue, as the same mixtures.
    let exported = dir.appendingPathComponent("export.csv").path
    #expect(try runCLI(["runs", "export", "--source", "regmix", "--out", exported], db: db).status == 0)
    #expect(try runCLI(["runs", "import", exported, "--source", "again", "--sources", pileSources], db: db).status == 0)
    let again = try #require(try json(try runCLI(["runs", "list", "--source", "again", "--json"], db: db).stdout) as? [[String: Any]])
    #expect(again.map { $0["mixture"] as? [String: Double] } == runs.map { $0["mixture"] as? [String: Double] })
}

/// Fit a mixture law over the 17 domains, then recommend: the recipe is over those domains and
/// keeps the bounds and the availability cap (one that binds: half of what the free recipe takes).
@Test(.timeLimit(.minutes(10)))
func regmixRecommendKeepsBoundsAndAvailability() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("regmix.sqlite").path
    let (domains, _) = try publishedMixtures()
    #expect(try runCLI(["runs", "import", try regmixResults(dir), "--source", "regmix", "--sources", pileSources], db: db).status == 0)
    let fit = try runCLI(["fit", "--source", "regmix", "--category", "pile_cc_loss", "--family", "mixing_exponential",
                          "--bootstrap", "10", "--json"], db: db)
    #expect(fit.status == 0, "\(fit.stderr)")
    #expect((try json(fit.stdout) as? [String: Any])?["family"] as? String == "mixing_exponential")

    let request = ["recommend", "--source", "regmix", "--objective", "minimize pile_cc_loss", "--bounds", "pile_cc<=40,arxiv>=5"]
    func recipe(_ extra: [String]) throws -> [String: Any] {
        let r = try runCLI(request + extra + ["--candidates", "200", "--json"], db: db)
        try #require(r.status == 0, "\(r.stderr)")
        return try #require(try json(r.stdout) as? [String: Any])
    }
    let free = try recipe([])
    let w = try #require(free["weights"] as? [String: Double])
    #expect(free["sources"] as? [String] == domains && Set(w.keys) == Set(domains))
    #expect(abs(w.values.reduce(0, +) - 1) < 1e-9)
    #expect(w["pile_cc"]! <= 0.4 + 1e-9 && w["arxiv"]! >= 0.05 - 1e-9)
    #expect(free["reasoning_share"] is NSNull)
    #expect((free["baseline"] as? [String: Any])?["name"] as? String == "uniform")

    // Cap the free recipe's largest unbounded source at a fifth of its weight (1B tokens, 4 epochs).
    let top = try #require(w.filter { !["pile_cc", "arxiv"].contains($0.key) }.max { $0.value < $1.value })
    let cap = top.value / 5
    let capped = try recipe(["--available", "\(top.key)=\(Int(cap * 1e9 / 4))"])
    let cw = try #require(capped["weights"] as? [String: Double])
    let capHeld = (Double(Int(cap * 1e9 / 4)) * 4 / 1e9)
    #expect(cw[top.key]! <= capHeld + 1e-9, "\(top.key) \(cw[top.key]!) above its cap \(capHeld)")
    #expect(cw["pile_cc"]! <= 0.4 + 1e-9 && cw["arxiv"]! >= 0.05 - 1e-9 && abs(cw.values.reduce(0, +) - 1) < 1e-9)
    // A source at its cap is reported as bound by its availability.
    let atCap = cw[top.key]! >= capHeld - 1e-6
    #expect(atCap == ((capped["binding"] as? [String])?.contains { $0.hasPrefix("\(top.key) available") } == true), "\(capped["binding"] ?? "")")

    let megatron = try runCLI(request + ["--candidates", "100", "--format", "megatron"], db: db)
    let words = megatron.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
    #expect(words.first == "--data-path")
    let prefixes = stride(from: 2, to: words.count, by: 2).map { words[$0] }
    #expect(!prefixes.isEmpty && prefixes.allSatisfy { p in domains.contains { p == "data/\($0)_text_document" } }, "\(megatron.stdout)")

    // Names the catalogue does not hold, and laws it has none of, are refused clearly.
    let refusals: [([String], String)] = [
        (request + ["--bounds", "wikipedia<=10"], "'wikipedia' in 'wikipedia<=10' is not one of arxiv, freelaw"),
        (request + ["--bounds", "wikipedia<=10"], "(did you mean wikipedia_en?)"),
        (request + ["--available", "web_crawl=1T"], "'web_crawl' is not a source — unknown source 'web_crawl'"),
        (request + ["--baseline", "balanced"], "--baseline: 'balanced' is neither a preset (uniform) nor a list like arxiv=40,freelaw=60"),
        (["predict", "--source", "regmix", "--mix", "pile_cc=50,code=50"], "unknown source 'code'"),
        (["fit", "--source", "regmix", "--category", "pile_cc_loss", "--family", "quadratic_shares", "--no-save"],
         "the mixtures have no reasoning/visual shares: their sources' catalogue gives no tag shares, so there is no share law"),
    ]
    for (args, message) in refusals {
        let r = try runCLI(args, db: db)
        #expect(r.status != 0 && r.stderr.contains(message), "\(args): \(r.stderr)")
    }
}
