import Foundation
import Sweeps
import Testing

/// fits/ is an export of the shipped data's fits (`scripts/export-fits.sh`): exported again
/// by this build into a scratch folder, every file is the same to the byte, so a fit in the
/// repository can never be older than the fitter that reads it.
@Test(.timeLimit(.minutes(10))) func committedFitsEqualAFreshExport() throws {
    let out = scratchDirectory().appendingPathComponent("export").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = [repoRoot.appendingPathComponent("scripts/export-fits.sh").path, visionmixBinary, out]
    try p.run()
    p.waitUntilExit()
    try #require(p.terminationStatus == 0)
    let fm = FileManager.default
    let committed = repoRoot.appendingPathComponent("fits")
    let sources = try fm.contentsOfDirectory(atPath: committed.path).sorted()
    #expect(sources == ["calibration", "paper", "paper_scaling"])
    #expect(try fm.contentsOfDirectory(atPath: out).sorted() == sources)
    for source in sources {
        let files = try fm.contentsOfDirectory(atPath: committed.appendingPathComponent(source).path).sorted()
        #expect(try fm.contentsOfDirectory(atPath: out + "/" + source).sorted() == files, "\(source): other categories")
        #expect(files.count >= 3)
        for f in files {
            let old = fm.contents(atPath: committed.appendingPathComponent("\(source)/\(f)").path)
            #expect(old != nil && old == fm.contents(atPath: "\(out)/\(source)/\(f)"),
                    "fits/\(source)/\(f) is not what this fitter exports: run scripts/export-fits.sh")
        }
    }
}

/// Planning reads the database's fits only. Run where fits/ holds the paper's fits, a fresh
/// database has none to plan with; `fit` stores them without writing files into the working
/// folder; files are read only when named with --fits, and only those of the asked source.
@Test func plansReadTheStoreAndFilesOnlyWhenNamed() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    let csv = repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path
    #expect(try runCLI(["runs", "import", csv, "--source", "paper"], db: db).status == 0)
    let before = try runCLI(["recommend", "--source", "paper", "--objective", "vqa_avg", "--json"], db: db)
    #expect(before.status != 0 && before.stderr.contains("no fitted laws for source 'paper'"), "\(before.stderr)")
    #expect(before.stdout.isEmpty)

    let committed = repoRoot.appendingPathComponent("fits/paper/vqa_avg.json").path
    let bytes = FileManager.default.contents(atPath: committed)
    #expect(try runCLI(["fit", "--source", "paper", "--all", "--bootstrap", "20"], db: db).status == 0)
    #expect(FileManager.default.contents(atPath: committed) == bytes, "fit wrote into the working folder's fits/")
    let after = try runCLI(["recommend", "--source", "paper", "--objective", "vqa_avg", "--json"], db: db)
    #expect(after.status == 0, "\(after.stderr)")
    #expect(after.stderr.isEmpty, "laws from the store need no note: \(after.stderr)")

    // Named explicitly, the committed export plans as the store's fits of the same data do.
    let files = try runCLI(["recommend", "--source", "paper", "--objective", "vqa_avg", "--json", "--fits", "fits"], db: db)
    #expect(files.status == 0 && files.stderr.contains("laws read from the fit files in"), "\(files.stderr)")
    // Another source's files are refused by name.
    let foreign = dir.appendingPathComponent("foreign")
    try FileManager.default.createDirectory(at: foreign.appendingPathComponent("mine"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: committed, toPath: foreign.appendingPathComponent("mine/vqa_avg.json").path)
    let other = try runCLI(["predict", "--source", "mine", "--mix", "balanced", "--fits", foreign.path], db: db)
    #expect(other.status != 0 && other.stderr.contains("fitted for source 'paper', not 'mine'"), "\(other.stderr)")
    // Runs stored after the newest fit are named, with the command that refits.
    #expect(try runCLI(["runs", "import", repoRoot.appendingPathComponent("data/reference/paper-scaling.csv").path,
                        "--source", "paper", "--mix", "web_crawl"], db: db).status == 0)
    let stale = try runCLI(["predict", "--source", "paper", "--mix", "balanced"], db: db)
    #expect(stale.status == 0 && stale.stderr.contains("were stored after its newest fit"), "\(stale.stderr)")
}

/// A folder for the export that is a file is refused before anything is fitted or stored.
@Test func fitRefusesABadExportFolderBeforeStoring() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    #expect(try runCLI(["runs", "import", repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path, "--source", "paper"], db: db).status == 0)
    let file = dir.appendingPathComponent("a-file").path
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    let r = try runCLI(["fit", "--source", "paper", "--all", "--bootstrap", "0", "--fits-dir", file], db: db)
    #expect(r.status != 0 && r.stderr.contains("is a file, not a folder"), "\(r.stderr)")
    let fits = try runCLI(["fit", "--source", "paper", "--category", "vqa_avg", "--no-save", "--bootstrap", "0"], db: db)
    #expect(fits.status == 0)
    let listed = try runCLI(["recommend", "--source", "paper", "--objective", "vqa_avg"], db: db)
    #expect(listed.status != 0 && listed.stderr.contains("no fitted laws"), "a refused fit stored laws: \(listed.stdout)")
}

/// Every shipped calibration CSV imports back whole: one stored run per row, each named with
/// its sweep identity, and a second import adds nothing.
@Test func shippedCalibrationResultsImportBack() throws {
    let dir = repoRoot.appendingPathComponent("data/calibration")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".csv") }.sorted()
    #expect(files.contains("standard.csv"))
    let db = scratchDirectory().appendingPathComponent("v.sqlite").path
    for f in files {
        let path = dir.appendingPathComponent(f).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = text.split(separator: "\n").count - 1
        let source = "shipped_" + f.replacingOccurrences(of: ".csv", with: "").replacingOccurrences(of: "-", with: "_")
        let r = try runCLI(["runs", "import", path, "--source", source, "--json"], db: db)
        #expect(r.status == 0, "\(f): \(r.stderr)")
        #expect(r.stdout.contains("\"imported\" : \(rows)"), "\(f): \(r.stdout)")
        let again = try runCLI(["runs", "import", path, "--source", source, "--json"], db: db)
        #expect(again.stdout.contains("\"imported\" : 0"), "\(f) imported twice")
        let list = try runCLI(["runs", "list", "--source", source, "--json"], db: db)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == rows)
        // size|mix|tokens|seed|encoder|checkpoints, and |profile when it is not `standard`.
        #expect(runs.allSatisfy { run in
            let parts = ((run["name"] as? String) ?? "").split(separator: "|").map(String.init)
            return parts.count == 6 || (parts.count == 7 && SweepSpec.profiles.contains(parts[6]) && parts[6] != "standard")
        }, "\(f): a run without its sweep identity")
        // Chance levels exported with the scores come back with them.
        if text.prefix(while: { $0 != "\n" }).contains("chance:vqa_avg") {
            #expect(runs.allSatisfy { (($0["chance"] as? [String: Any])?["vqa_avg"] as? Double).map { $0 > 0 && $0 < 100 } == true },
                    "\(f): a run lost its chance level")
        }
        #expect(f != "standard.csv" || runs.contains { ($0["chance"] as? [String: Any])?.isEmpty == false }, "standard.csv ships chance levels")
        // A file shipped with its spec holds exactly the runs that spec declares.
        let spec = dir.appendingPathComponent(f.replacingOccurrences(of: ".csv", with: ".spec.json")).path
        if FileManager.default.fileExists(atPath: spec) {
            let declared = Set(try SweepSpec.load(path: spec).runs(knownSizes: nil).map(\.identifier))
            #expect(Set(runs.compactMap { $0["name"] as? String }) == declared, "\(f) against its spec")
        }
    }
}

/// Planning on the committed calibration fits reads each prediction against its chance level.
/// The committed vqa_avg law is the xl one, where the models read their images: well above it.
@Test func calibrationPredictionsCarryTheirChanceLevel() throws {
    let db = scratchDirectory().appendingPathComponent("v.sqlite").path
    let r = try runCLI(["predict", "--source", "calibration", "--mix", "balanced", "--json", "--fits", "fits"], db: db)
    #expect(r.status == 0, "\(r.stderr)")
    let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let vqa = try #require((j["scores"] as? [String: [String: Any]])?["vqa_avg"])
    let chance = try #require(vqa["chance"] as? Double)
    #expect(chance > 20 && chance < 30, "vqa_avg chance \(chance)")
    let value = try #require(vqa["value"] as? Double)
    #expect(value > chance + 10, "the committed law is fitted at xl: \(value) against chance \(chance)")
    #expect((j["scores"] as? [String: [String: Any]])?["ppl"]?["chance"] == nil, "perplexity has no chance level")
    let table = try runCLI(["predict", "--source", "calibration", "--mix", "balanced", "--fits", "fits"], db: db)
    #expect(table.stdout.contains("chance"))
}

/// The same input gives the same bits in every process. Swift seeds its hashing per process,
/// so a sum or a loop in a dictionary's or a set's order (mixture weights on import, the
/// cross-validation folds) made stored weights and fit errors differ in their last digits
/// from one run of the CLI to the next, and the report's figures drew their points in another
/// order each time.
@Test func importsAndFitsAreTheSameInEveryProcess() throws {
    let dir = scratchDirectory()
    var lists: [String] = [], fits: [String] = [], reports: [[String]] = []
    for k in 0..<2 {
        let db = dir.appendingPathComponent("same\(k).sqlite").path
        for (file, source) in [("paper-mixtures.csv", "mixes"), ("paper-scaling.csv", "paper")] {
            let r = try runCLI(["runs", "import", "data/reference/\(file)", "--source", source], db: db)
            #expect(r.status == 0, "\(r.stderr)")
        }
        lists.append(try runCLI(["runs", "list", "--source", "mixes", "--json"], db: db).stdout)
        let fit = try runCLI(["fit", "--source", "paper", "--all", "--bootstrap", "10", "--json",
                              "--fits-dir", dir.appendingPathComponent("same-fits\(k)").path], db: db)
        #expect(fit.status == 0, "\(fit.stderr)")
        fits.append(fit.stdout)
        let report = dir.appendingPathComponent("same-report\(k)")
        #expect(try runCLI(["report", "--source", "paper", "--out", report.path], db: db).status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: report.path).sorted()
        reports.append(try files.map { f in
            try String(contentsOf: report.appendingPathComponent(f), encoding: .utf8)
                .split(separator: "\n").filter { !$0.hasPrefix("Generated ") && !$0.contains("<p>Generated ") }.joined(separator: "\n")
        })
    }
    #expect(lists[0].contains("reasoning_share") && lists[0] == lists[1])
    #expect(fits[0].contains("cv_mae") && fits[0] == fits[1])
    #expect(reports[0].count > 3 && reports[0] == reports[1])
}
