import GRDB
import Foundation
import Testing
import VisionMixCore
@testable import Store

@Test func paperMixturesImportOnceWithAllMetrics() throws {
    let store = try freshStore()
    let file = try ResultFile.read(path: referencePath("paper-mixtures.csv"))
    #expect(file.format == .wideCSV)
    #expect(file.notices.contains { $0.contains("percentages") })
    let first = try store.insertRuns(file.runs, label: "paper", origin: "import")
    #expect(first.inserted.count == 13)
    let again = try store.insertRuns(try ResultFile.read(path: referencePath("paper-mixtures.csv")).runs, label: "paper", origin: "import")
    #expect(again.inserted.isEmpty && again.skipped == 13)
    let runs = try store.runs(RunFilter(source: "paper"))
    #expect(runs.count == 13)
    let mix0 = try #require(runs.first { $0.name == "mix0" })
    #expect(mix0.scores == ["text_acc": 53.0, "ppl": 13.46, "vqa_avg": 32.4])
    #expect(mix0.params == 3e9 && mix0.tokens == 50e9)
    #expect(abs(mix0.mixture!.weight(.webCrawl) - 0.5) < 1e-12)
    let balanced = try #require(runs.first { $0.name == "balanced_1t" })
    #expect(balanced.scores.count == 7)
    #expect(balanced.scores["vision_centric"] == 46.59)
    #expect(abs(balanced.reasoningShare! - 0.520) < 0.001)
}

/// `weight_<source>` and `w_<source>` columns are mixture weights; a loss is a custom metric
/// that falls, and a score one that rises.
@Test func weightColumnsAreMixturesAndLossesFall() throws {
    let store = try freshStore()
    let path = scratchFile("weights.csv", """
        run,params,tokens,weight_web_crawl,w_code,pile_cc_loss,my_score
        a,1e8,1e9,0.25,0.75,2.5,40
        b,1e8,1e9,0.6,0.4,2.4,41
        """)
    let file = try ResultFile.read(path: path)
    try store.insertRuns(file.runs, label: "w", origin: "import")
    let runs = try store.runs(RunFilter(source: "w")).sorted { ($0.name ?? "") < ($1.name ?? "") }
    #expect(runs.count == 2 && runs.allSatisfy { $0.scores.keys.sorted() == ["my_score", "pile_cc_loss"] })
    #expect(runs[0].mixture?.weight(.code) == 0.75 && runs[0].mixture?.weight(.webCrawl) == 0.25)
    #expect(runs[1].mixture?.weight(.code) == 0.4)
    let metrics = try store.pool.read { try MetricRecord.filter(Column("custom") == true).fetchAll($0) }
    #expect(Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0.higherIsBetter) }) == ["pile_cc_loss": false, "my_score": true])
}

@Test func tidyScalingFileGroupsRowsIntoRuns() throws {
    let store = try freshStore()
    let file = try ResultFile.read(path: referencePath("paper-scaling.csv"), defaultMixture: Mixture.preset("web_crawl"))
    #expect(file.format == .tidyCSV)
    #expect(file.runs.count == 40) // five sizes x eight token budgets
    try store.insertRuns(file.runs, label: "scaling", origin: "import")
    let runs = try store.runs(RunFilter(source: "scaling"))
    #expect(runs.allSatisfy { Set($0.scores.keys) == ["general", "knowledge", "ocr_chart"] })
    let r = try #require(runs.first { $0.params == 13e9 && $0.tokens == 100e9 })
    #expect(r.scores["ocr_chart"] == 20.8)
    #expect(runs.contains { $0.tokens == 0 })
}

@Test func sharesOnlyAndFractionsAndSuffixes() throws {
    let csv = """
        # a grid reported only by shares
        run,params,tokens,reasoning_pct,visual_pct,vqa_avg,my_metric
        a,340M,50B,60,15,33.1,1.5
        b,1.2B,1T,50,20,32.0,
        """
    let file = try ResultFile.read(path: scratchFile("grid.csv", csv))
    #expect(file.runs.count == 2)
    #expect(file.runs[0].params == 340e6 && file.runs[1].tokens == 1e12)
    #expect(file.runs[0].mixture!.isSharesOnly && abs(file.runs[0].mixture!.reasoningShare! - 0.6) < 1e-12)
    #expect(file.runs[1].scores["my_metric"] == nil)
    let store = try freshStore()
    let out = try store.insertRuns(file.runs, label: "grid", origin: "import")
    #expect(out.newMetrics == ["my_metric"])

    let fractions = "params_b,tokens_b,web_crawl,code,text_acc\n1,10,0.25,0.75,50\n"
    let f = try ResultFile.read(path: scratchFile("f.csv", fractions))
    #expect(f.notices.contains { $0.contains("fractions") })
    #expect(abs(f.runs[0].mixture!.weight(.code) - 0.75) < 1e-12)
}

@Test func jsonExportShapeImportsBack() throws {
    let store = try freshStore()
    try store.insertRuns(try ResultFile.read(path: referencePath("paper-mixtures.csv")).runs, label: "paper", origin: "import")
    let runs = try store.runs(RunFilter(source: "paper"))
    let json = String(decoding: try JSONEncoder().encode(runs), as: UTF8.self)
    let back = try ResultFile.read(path: scratchFile("runs.json", json))
    #expect(back.runs.count == 13)
    #expect(try store.insertRuns(back.runs, label: "paper", origin: "import").inserted.isEmpty)
    #expect(try store.insertRuns(back.runs, label: "copy", origin: "import").inserted.count == 13)
}

/// Chance levels go into the store with their scores and come back out of it in both export
/// shapes, so a calibration file keeps how far each score is from guessing.
@Test func chanceLevelsRoundTrip() throws {
    let store = try freshStore()
    let csv = "run,params,tokens,vqa_avg,text_acc,chance:vqa_avg\na,1e6,1e6,30,50,25.8\nb,1e6,2e6,31,52,25.8\n"
    let file = try ResultFile.read(path: scratchFile("c.csv", csv))
    #expect(file.runs.map { $0.chance } == [["vqa_avg": 25.8], ["vqa_avg": 25.8]])
    try store.insertRuns(file.runs, label: "c", origin: "import")
    let runs = try store.runs(RunFilter(source: "c"))
    #expect(runs.allSatisfy { $0.chance == ["vqa_avg": 25.8] })
    let json = String(decoding: try JSONEncoder().encode(runs), as: UTF8.self)
    let back = try ResultFile.read(path: scratchFile("c.json", json))
    #expect(back.runs.map { $0.chance } == [["vqa_avg": 25.8], ["vqa_avg": 25.8]])
    // A store written before chance travelled decodes with none.
    let old = try JSONDecoder().decode(StoredRun.self, from: Data(#"{"id": 1, "source": "c", "origin": "import", "params": 1, "tokens": 1, "scores": {}, "status": "complete", "provenance": {}}"#.utf8))
    #expect(old.chance.isEmpty)
}

/// Each kind of bad file is refused whole, naming the line and the reason.
@Test(arguments: [
    ("negative weight", "run,params_b,tokens_b,web_crawl,code,vqa_avg\na,1,10,60,40,30\nb,1,10,110,-10,30\n", 3, "negative"),
    ("NaN weight", "run,params_b,tokens_b,web_crawl,code,vqa_avg\na,1,10,NaN,40,30\n", 2, "not a finite number"),
    ("zero sum", "run,params_b,tokens_b,web_crawl,code,vqa_avg\na,1,10,0,0,30\n", 2, "sum to zero"),
    ("unknown source", "run,params_b,tokens_b,web_crawl,maths,vqa_avg\na,1,10,60,40,30\n", 1, "unknown source column 'maths'"),
    ("unparsable number", "run,params_b,tokens_b,web_crawl,code,vqa_avg\na,1,10,60,40,30\nb,1,10,60,40,3O.5\n", 3, "not a finite number"),
    ("bad sum", "run,params_b,tokens_b,web_crawl,wikipedia,code,vqa_avg\na,1,10,40,30,30,30\n", 2, "wikipedia"),
    ("ragged row", "run,params_b,tokens_b,web_crawl,code,vqa_avg\na,1,10,60,40\n", 2, "fields"),
    ("NaN metric", "run,params_b,tokens_b,web_crawl,code,vqa_avg\na,1,10,60,40,nan\n", 2, "vqa_avg"),
    ("no size", "run,tokens_b,web_crawl,code,vqa_avg\na,10,60,40,30\n", 1, "model-size"),
    ("chance above 100", "run,params,tokens,vqa_avg,chance:vqa_avg\na,1e6,1e6,30,25\nb,1e6,2e6,31,250\n", 3, "0 to 100"),
    ("chance without a score", "run,params,tokens,vqa_avg,chance:vqa_avg\na,1e6,1e6,,25\n", 2, "score is empty"),
    ("chance of no column", "run,params,tokens,vqa_avg,chance:general\na,1e6,1e6,30,25\n", 1, "no general column"),
    // A weight column of a source the catalogue lacks (SlimPajama's domains), named by its column.
    ("unknown weight column", "weight_arxiv,weight_book,model_size,params,tokens,arxiv_loss\n0.5,0.5,x,1e8,1e9,2.1\n", 1,
     "column 1 'weight_arxiv' is the weight of source 'arxiv'"),
    ("unknown w_ column", "run,params,tokens,w_code,w_c4,loss\na,1e8,1e9,0.5,0.5,2.1\n", 1, "column 5 'w_c4' is the weight of source 'c4'"),
    // Weights under plain names would be stored as scores: refused, saying what they look like.
    ("weights named as metrics", "arxiv,book,c4,params,tokens,arxiv_loss\n0.2,0.3,0.5,1e8,1e9,2.1\n0.1,0.1,0.8,1e8,1e9,2.3\n", 1,
     "columns arxiv, book, c4 add up to 1 (or 100) on every row: they look like mixture weights"),
])
func badFilesAreRefusedWithTheirLine(kind: String, text: String, line: Int, reason: String) throws {
    let path = scratchFile("bad.csv", text)
    do {
        _ = try ResultFile.read(path: path)
        Issue.record("\(kind): accepted")
    } catch let e as ImportError {
        #expect(e.line == line, "\(kind): \(e)")
        #expect(e.description.contains(reason), "\(kind): \(e)")
        #expect(e.description.hasPrefix("\(path):\(line): "))
    }
}

@Test(arguments: [
    ("malformed", "[{\"params\": 1e9,", "malformed JSON"),
    ("negative", "[{\"params\": 1e9, \"tokens\": 1e9, \"mixture\": {\"code\": -1, \"math\": 2}, \"scores\": {}}]", "negative"),
    ("unknown source", "[{\"params\": 1e9, \"tokens\": 1e9, \"mixture\": {\"wiki\": 1}, \"scores\": {}}]", "unknown source"),
    ("wrong type", "[{\"params\": \"lots\", \"tokens\": 1e9, \"scores\": {}}]", "params"),
    ("bad score", "[{\"params\": 1e9, \"tokens\": 1e9, \"scores\": {\"vqa_avg\": \"high\"}}]", "scores.vqa_avg"),
    ("chance without a score", "[{\"params\": 1e9, \"tokens\": 1e9, \"scores\": {}, \"chance\": {\"vqa_avg\": 25}}]", "chance.vqa_avg"),
    ("negative chance", "[{\"params\": 1e9, \"tokens\": 1e9, \"scores\": {\"vqa_avg\": 30}, \"chance\": {\"vqa_avg\": -1}}]", "0 to 100"),
])
func badJSONIsRefused(kind: String, text: String, reason: String) throws {
    #expect(performing: { _ = try ResultFile.read(path: scratchFile("bad.json", text)) },
            throws: { ($0 as? ImportError)?.description.contains(reason) ?? false })
}

@Test func storeIsWALWithForeignKeysAndSoundFile() throws {
    let store = try freshStore()
    let mode = try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
    #expect(mode == "wal")
    let fk = try store.pool.read { try Int.fetchOne($0, sql: "PRAGMA foreign_keys") }
    #expect(fk == 1)
    #expect(try store.integrityCheck() == "ok")
    let sources = try store.pool.read { try SourceRecord.fetchAll($0) }
    #expect(sources.count == 6)
}

/// Workers of one invocation of a sweep share its units by claiming them: the first to ask gets
/// a unit, later ones do not, and a resumed sweep (a new attempt) is not held back by the
/// claims of a killed one.
@Test func sweepUnitsAreClaimedOncePerAttempt() throws {
    let store = try freshStore()
    let sweep = try store.createSweep(SweepRecord(name: "s", spec: "{}", label: "calibration", totalRuns: 2))
    let id = try #require(sweep.id)
    #expect(try store.claimSweepUnit(id: id, attempt: "a", unit: "xl|balanced", worker: 0))
    #expect(try !store.claimSweepUnit(id: id, attempt: "a", unit: "xl|balanced", worker: 1))
    #expect(try store.claimSweepUnit(id: id, attempt: "a", unit: "xs|balanced", worker: 1))
    #expect(try store.claimSweepUnit(id: id, attempt: "b", unit: "xl|balanced", worker: 1))
    #expect(throws: (any Error).self) { try store.claimSweepUnit(id: id + 1, attempt: "a", unit: "u", worker: 0) }
}
