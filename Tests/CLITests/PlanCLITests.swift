import Foundation
import GRDB
import Testing

/// A store with the paper's mixtures imported and fitted through the real binary.
func fittedPaperStore() throws -> (db: String, dir: URL) {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    let file = repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path
    #expect(try runCLI(["runs", "import", file, "--source", "paper"], db: db).status == 0)
    let fit = try runCLI(["fit", "--source", "paper", "--all", "--bootstrap", "60", "--fits-dir", dir.appendingPathComponent("fits").path], db: db)
    #expect(fit.status == 0, "\(fit.stderr)")
    return (db, dir)
}

@Test func predictAndRecommendPrintTheDocumentedJSON() throws {
    let (db, dir) = try fittedPaperStore()
    let p = try runCLI(["predict", "--source", "paper", "--mix", "balanced", "--json"], db: db)
    #expect(p.status == 0, "\(p.stderr)")
    let pj = try #require(try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as? [String: Any])
    let scores = try #require(pj["scores"] as? [String: [String: Any]])
    let v = try #require(scores["vqa_avg"])
    for key in ["value", "low", "high", "family", "extrapolated"] { #expect(v[key] != nil, "missing \(key)") }
    #expect(pj["reasoning_share"] is Double && pj["visual_share"] is Double)

    let svg = dir.appendingPathComponent("pareto.svg").path
    let r = try runCLI(["recommend", "--source", "paper", "--objective", "vqa_avg", "--constraint", "text_acc>=52.5",
                        "--json", "--plot", svg], db: db)
    #expect(r.status == 0, "\(r.stderr)")
    let rj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(rj["weights"] is NSNull)
    let rs = try #require(rj["reasoning_share"] as? Double), vs = try #require(rj["visual_share"] as? Double)
    #expect(rs >= 0.45 && rs <= 0.65 && vs >= 0.12 && vs <= 0.20)
    let baseline = try #require(rj["baseline"] as? [String: Any])
    #expect(baseline["probability_better"] is Double)
    #expect(FileManager.default.contents(atPath: svg).map { String(decoding: $0, as: UTF8.self).contains("<svg") } == true)

    let table = try runCLI(["recommend", "--source", "paper", "--objective", "vqa_avg", "--constraint", "text_acc>=52.5"], db: db)
    #expect(table.stdout.contains("probability it beats language_favorable"))
    // The terminal shows at most a dozen points of the front, ends included; JSON has all.
    let front = try #require(rj["pareto"] as? [[String: Any]])
    let lines = table.stdout.split(separator: "\n").map(String.init)
    let head = try #require(lines.firstIndex { $0.hasPrefix("vision–language Pareto front") })
    let rows = lines[(head + 3)...].prefix { !$0.hasPrefix("(") }
    #expect(rows.count == min(front.count, 12), "\(rows.count) rows for \(front.count) points")
    if front.count > 12 { #expect(lines[head].contains("12 of its \(front.count) points")) }
    let firstShare = try #require(front.first?["reasoning_share"] as? Double)
    #expect(rows.first?.trimmingCharacters(in: .whitespaces).hasPrefix(String(format: "%.1f%%", firstShare * 100)) == true, "\(rows.first ?? "")")
}

@Test func impossibleRequestsFailWithTheirReason() throws {
    let (db, _) = try fittedPaperStore()
    let high = try runCLI(["recommend", "--source", "paper", "--objective", "vqa_avg", "--constraint", "text_acc>=60"], db: db)
    #expect(high.status != 0 && high.stderr.contains("text_acc>=60"))
    let unknown = try runCLI(["recommend", "--source", "paper", "--objective", "general"], db: db)
    #expect(unknown.status != 0 && unknown.stderr.contains("no fitted law for category 'general'"))
    let badMix = try runCLI(["predict", "--source", "paper", "--mix", "web_crawl=50,code=-5"], db: db)
    #expect(badMix.status != 0 && badMix.stderr.contains("negative"))
    let noFits = try runCLI(["predict", "--source", "nobody", "--mix", "balanced"], db: db)
    #expect(noFits.status != 0 && noFits.stderr.contains("no fitted laws for source 'nobody'"))
    let noSize = try runCLI(["fit", "--source", "paper", "--category", "vqa_avg", "--params", "9B", "--no-save"], db: db)
    #expect(noSize.status != 0 && noSize.stderr.contains("none at N = 9B") && noSize.stderr.contains("N = 3B (11), 7B (2)"), "\(noSize.stderr)")
    let badSize = try runCLI(["fit", "--source", "paper", "--category", "vqa_avg", "--params", "big"], db: db)
    #expect(badSize.status != 0 && badSize.stderr.contains("--params 'big' is not a count"))
}

@Test func reportWritesMarkdownHTMLAndPlots() throws {
    let (db, dir) = try fittedPaperStore()
    let out = dir.appendingPathComponent("report").path
    let r = try runCLI(["report", "--source", "paper", "--out", out], db: db)
    #expect(r.status == 0, "\(r.stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: out)
    #expect(files.contains("report.md") && files.contains("report.html") && files.contains("pareto.svg"))
    let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
    #expect(md.contains("## Fitted laws") && md.contains("quadratic_shares"))
    // The paper's results hold no untrained model, so there is no lift to head the report with.
    #expect(!md.contains("## What pre-training adds"))
    let j = try runCLI(["report", "--source", "paper", "--out", out, "--json"], db: db)
    let written = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
    #expect(written["report"] as? String == out + "/report.md" && written["headline"] == nil, "\(j.stdout)")
}

/// The README's way to plan on the shipped calibration sweep: its mixture laws go to xl, the
/// largest size with enough mixtures, not to xs, where most of its runs are and vision sits
/// at chance; the recipe is then for an xl model.
@Test func shippedCalibrationPlansAtTheLargestSize() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    let csv = repoRoot.appendingPathComponent("data/calibration/standard.csv").path
    #expect(try runCLI(["runs", "import", csv, "--source", "calibration"], db: db).status == 0)
    let fit = try runCLI(["fit", "--source", "calibration", "--all", "--family", "auto-mixture", "--bootstrap", "20",
                          "--fits-dir", dir.appendingPathComponent("fits").path, "--json"], db: db)
    #expect(fit.status == 0, "\(fit.stderr)")
    let fits = try #require(try JSONSerialization.jsonObject(with: Data(fit.stdout.utf8)) as? [[String: Any]])
    let vqa = try #require(fits.first { $0["category"] as? String == "vqa_avg" })
    let notes = try #require(vqa["notes"] as? [String])
    #expect(notes.contains { $0.contains("(8 mixtures) at N = 1.37M, D = 1M, the largest size with 6+ mixtures") }, "\(notes)")

    let r = try runCLI(["recommend", "--source", "calibration", "--objective", "vqa_avg", "--constraint", "text_acc>=60", "--json"], db: db)
    #expect(r.status == 0, "\(r.stderr)")
    let rj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(rj["params"] as? Double == 1_373_600 && rj["tokens"] as? Double == 1_000_000)
    let vqaPrediction = try #require((rj["scores"] as? [String: [String: Any]])?["vqa_avg"]?["value"] as? Double)
    #expect(vqaPrediction > 35, "a law fitted where vision reads its image predicts well above chance (25.8): \(vqaPrediction)")
    // text_acc's quadratic misses its replicated mixtures beyond their seed noise (p 0.0045); vqa_avg's does not (p 0.031).
    let warnings = try #require(rj["warnings"] as? [String])
    #expect(warnings.contains { $0.hasPrefix("the law of text_acc misses the means of its replicated runs beyond their seed noise") }
            && !warnings.contains { $0.hasPrefix("the law of vqa_avg") }, "\(warnings)")
    let report = dir.appendingPathComponent("report").path
    #expect(try runCLI(["report", "--source", "calibration", "--out", report], db: db).status == 0)
    let md = try String(contentsOfFile: report + "/report.md", encoding: .utf8)
    let row = { (c: String) in md.split(separator: "\n").first { $0.hasPrefix("| \(c) | quadratic_shares |") }.map(String.init) ?? "" }
    #expect(row("text_acc").contains("p 0.0045 (misses)") && row("vqa_avg").contains("p 0.031 |"), "\(row("text_acc"))\n\(row("vqa_avg"))")
    // This recipe lies among the measured mixtures (a few share points from the reasoning line's 25% / 15%).
    let near = try #require(rj["nearest_measured"] as? [String: Any])
    #expect((near["distance"] as? Double).map { $0 < 0.1 } == true, "\(near)")

    // With the xl visual and interpolation lines the law's recipe moves to an edge of the data,
    // and the output says how far it is from anything measured.
    for f in ["xl-visual.csv", "xl-mix.csv"] {
        #expect(try runCLI(["runs", "import", repoRoot.appendingPathComponent("data/calibration/" + f).path, "--source", "calibration"], db: db).status == 0)
    }
    for c in ["vqa_avg", "text_acc"] {
        let refit = try runCLI(["fit", "--source", "calibration", "--category", c, "--family", "auto-mixture", "--bootstrap", "20",
                                "--fits-dir", dir.appendingPathComponent("fits").path], db: db)
        #expect(refit.status == 0, "\(refit.stderr)")
    }
    let far = try runCLI(["recommend", "--source", "calibration", "--objective", "vqa_avg", "--json"], db: db)
    let fj = try #require(try JSONSerialization.jsonObject(with: Data(far.stdout.utf8)) as? [String: Any])
    let farNear = try #require(fj["nearest_measured"] as? [String: Any])
    #expect((farNear["distance"] as? Double).map { $0 > 0.1 } == true, "\(farNear) for the recipe at \(fj["reasoning_share"] ?? "?"), \(fj["visual_share"] ?? "?")")
    let table = try runCLI(["recommend", "--source", "calibration", "--objective", "vqa_avg"], db: db)
    #expect(table.stdout.contains("share points away; the prediction there rests on the law's shape"), "\(table.stdout)")
}

/// The YAML and Megatron exports read back, through a YAML parser and Megatron's rule for a
/// `--data-path` blend (alternating weight and prefix), as the JSON recipe of the same request.
@Test func yamlAndMegatronExportsParseToTheRecipe() throws {
    let (db, _) = try fittedPaperStore()
    for c in ["vqa_avg", "text_acc"] {
        let f = try runCLI(["fit", "--source", "paper", "--category", c, "--family", "mixing_exponential", "--bootstrap", "20"], db: db)
        #expect(f.status == 0, "\(f.stderr)")
    }
    let request = ["recommend", "--source", "paper", "--objective", "vqa_avg", "--allow-extrapolation", "--candidates", "2000"]
    let json = try runCLI(request + ["--json"], db: db)
    let recipe = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let weights = try #require(recipe["weights"] as? [String: Double])

    let yaml = try runCLI(request + ["--format", "yaml"], db: db)
    #expect(yaml.status == 0, "\(yaml.stderr)")
    let parser = Process()
    parser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    parser.arguments = ["python3", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"]
    let input = Pipe(), output = Pipe()
    parser.standardInput = input; parser.standardOutput = output
    try parser.run()
    input.fileHandleForWriting.write(Data(yaml.stdout.utf8))
    try input.fileHandleForWriting.close()
    let parsedData = output.fileHandleForReading.readDataToEndOfFile()
    parser.waitUntilExit()
    try #require(parser.terminationStatus == 0, "PyYAML could not read the export:\n\(yaml.stdout)")
    let parsed = try #require(try JSONSerialization.jsonObject(with: parsedData) as? [String: Any])
    let yamlWeights = try #require(parsed["weights"] as? [String: Double])
    #expect(Set(yamlWeights.keys) == Set(weights.keys))
    for (k, v) in weights { #expect(abs((yamlWeights[k] ?? .nan) - v) < 1e-6, "\(k)") }
    #expect(abs((parsed["objective_value"] as? Double ?? .nan) - (recipe["objective_value"] as? Double ?? 0)) < 1e-4)
    let scores = try #require(parsed["scores"] as? [String: [String: Any]])
    #expect(Set(scores.keys) == Set((recipe["scores"] as? [String: Any])?.keys.map { $0 } ?? []))
    #expect(scores["vqa_avg"]?["family"] as? String == "mixing_exponential")
    #expect((parsed["baseline"] as? [String: Any])?["name"] as? String == "language_favorable")

    let megatron = try runCLI(request + ["--format", "megatron"], db: db)
    #expect(megatron.status == 0, "\(megatron.stderr)")
    let words = megatron.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
    try #require(words.first == "--data-path" && words.count % 2 == 1, "\(megatron.stdout)")
    var blend: [String: Double] = [:]
    for i in stride(from: 1, to: words.count, by: 2) {
        let w = try #require(Double(words[i]), "not a weight: \(words[i])")
        let source = try #require(words[i + 1].split(separator: "/").last.map { String($0.dropLast("_text_document".count)) })
        #expect(words[i + 1].hasSuffix("_text_document") && blend[source] == nil)
        blend[source] = w
    }
    #expect(abs(blend.values.reduce(0, +) - 1) < 1e-5)
    for (k, v) in weights where v > 0 { #expect(abs((blend[k] ?? .nan) - v) < 1e-6, "\(k)") }
}

/// `fit --near`: the shipped calibration's text_acc law of the shares (which misses its
/// replicated runs over the whole plane) refitted near the reasoning line's recipe, the runs
/// weighted by their distance from it; what cannot be weighed is refused before anything is stored.
@Test func recommendRefitsTheObjectivesQuadraticNearItsRecipeOnRequest() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    #expect(try runCLI(["runs", "import", repoRoot.appendingPathComponent("data/calibration/standard.csv").path, "--source", "cal"], db: db).status == 0)
    #expect(try runCLI(["fit", "--source", "cal", "--category", "vqa_avg", "--family", "quadratic_shares", "--bootstrap", "10"], db: db).status == 0)
    func shares(_ r: CLIResult) throws -> [Double] {
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        return [try #require(j["reasoning_share"] as? Double), try #require(j["visual_share"] as? Double)]
    }
    let base = ["recommend", "--source", "cal", "--objective", "vqa_avg", "--json"]
    let global = try shares(try runCLI(base, db: db))
    let refit = try runCLI(base + ["--local-bandwidth", "0.15"], db: db)
    let local = try shares(refit)
    let centre = String(format: "reasoning share %.1f%% · visual share %.1f%%", global[0] * 100, global[1] * 100)
    #expect(refit.stderr.contains("refitted: the law of vqa_avg (quadratic_shares) was fitted near \(centre), bandwidth 0.15"), "\(refit.stderr)")
    // The refit is stored and recommends elsewhere than the law fitted to every run alike.
    let moved: Double = abs(local[0] - global[0]) + abs(local[1] - global[1])
    #expect(moved > 0.01, "\(global) \(local)")
    let stored = try DatabaseQueue(path: db).read { d in try String.fetchAll(d, sql: "SELECT body FROM fits WHERE label = 'cal' ORDER BY id") }
    #expect(stored.count == 2 && !stored[0].contains("\"local\"") && stored[1].contains("\"local\""), "the first fit, then the refit")
    let refusals: [([String], String)] = [(["--local-bandwidth", "3"], "--local-bandwidth must be a distance in (0, 2.0]"),
                                          (["--local-bandwidth", "0.15", "--fits", dir.path], "fit files (--fits) cannot be refitted")]
    for (args, message) in refusals {
        let r = try runCLI(base + args, db: db)
        #expect(r.status != 0 && r.stderr.contains(message), "\(args): \(r.stderr)")
    }
    // A law of the per-source weights is a global form: kept as fitted, and said so.
    #expect(try runCLI(["runs", "import", repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path, "--source", "paper"], db: db).status == 0)
    #expect(try runCLI(["fit", "--source", "paper", "--category", "vqa_avg", "--family", "saturating_per_source", "--bootstrap", "10"], db: db).status == 0)
    let weights = try runCLI(["recommend", "--source", "paper", "--objective", "vqa_avg", "--local-bandwidth", "0.15"], db: db)
    #expect(weights.status == 0 && weights.stderr.contains("no law of vqa_avg is a quadratic in the shares"), "\(weights.stderr)")
}

@Test func aLawIsFittedNearAMixtureOnRequest() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    #expect(try runCLI(["runs", "import", repoRoot.appendingPathComponent("data/calibration/standard.csv").path, "--source", "cal"], db: db).status == 0)
    let base = ["fit", "--source", "cal", "--category", "text_acc", "--bootstrap", "10"]
    let fitsDir = dir.appendingPathComponent("fits").path
    let fit = try runCLI(base + ["--family", "quadratic_shares", "--near", "reasoning=25,visual=15", "--json", "--fits-dir", fitsDir], db: db)
    #expect(fit.status == 0, "\(fit.stderr)")
    let j = try #require(try JSONSerialization.jsonObject(with: Data(fit.stdout.utf8)) as? [String: Any])
    #expect((j["local"] as? [String: Any])?["bandwidth"] as? Double == 0.15)
    let notes = try #require(j["notes"] as? [String])
    #expect(notes.contains { $0.hasPrefix("fitted near reasoning share 25.0% · visual share 15.0% (Gaussian kernel over the shares, bandwidth 0.15") },
            "\(notes)")
    let auto = try runCLI(base + ["--near", "reasoning=25,visual=15"], db: db)
    #expect(auto.status != 0 && auto.stderr.contains("a fit near a mixture refits one weighted mixture family"), "\(auto.stderr)")
    let wide = try runCLI(base + ["--family", "quadratic_shares", "--near", "reasoning=25,visual=15", "--bandwidth", "0"], db: db)
    #expect(wide.status != 0 && wide.stderr.contains("bandwidth must be a distance in (0, 2.0]"), "\(wide.stderr)")
    let alone = try runCLI(base + ["--family", "quadratic_shares", "--bandwidth", "0.3"], db: db)
    #expect(alone.status != 0 && alone.stderr.contains("give --near too"), "\(alone.stderr)")
    let stored = try DatabaseQueue(path: db).read { d in try String.fetchAll(d, sql: "SELECT body FROM fits WHERE label = 'cal'") }
    #expect(stored.count == 1 && stored[0].contains("\"local\""), "one stored fit, the local one")
    // Planning from it says which law is local, and where.
    let predict = try runCLI(["predict", "--source", "cal", "--mix", "reasoning=25,visual=15"], db: db)
    #expect(predict.status == 0 && predict.stderr.contains(
        "the law of text_acc (quadratic_shares) was fitted near reasoning share 25.0% · visual share 15.0%, bandwidth 0.15"), "\(predict.stderr)")
    // A fit file whose bandwidth no fit could have been made with is refused where it is read.
    let file = URL(fileURLWithPath: fitsDir).appendingPathComponent("cal/text_acc.json")
    var body = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
    var local = try #require(body["local"] as? [String: Any])
    local["bandwidth"] = 7.0
    body["local"] = local
    try JSONSerialization.data(withJSONObject: body).write(to: file)
    let tampered = try runCLI(["predict", "--source", "cal", "--fits", fitsDir, "--mix", "reasoning=25,visual=15"], db: db)
    #expect(tampered.status != 0 && tampered.stderr.contains("text_acc.json is not a fit file")
            && tampered.stderr.contains("must be a distance in (0, 2.0]"), "\(tampered.stderr)")
}
