import Foundation
import GRDB
import Testing
import TestScratch
import VisionMixCore
@testable import Store

/// SlimPajama's seven domains, as a team would declare them (no tag shares; tokens on hand).
let slimPajamaSources = """
    {"sources": [
      {"name": "arxiv", "available_tokens": "28B"}, {"name": "book", "available_tokens": "26B"},
      {"name": "c4", "available_tokens": "80B"}, {"name": "cc", "available_tokens": "333B"},
      {"name": "github", "available_tokens": "31B"}, {"name": "stackexchange", "available_tokens": "21B"},
      {"name": "wikipedia", "available_tokens": "24B"}
    ]}
    """

/// Results in the shape Shukor et al. publish: `weight_<domain>` columns and a loss per domain.
let slimPajamaResults = """
    run,params,tokens,weight_arxiv,weight_book,weight_c4,weight_cc,weight_github,weight_stackexchange,weight_wikipedia,arxiv_loss,cc_loss
    a,1e8,2e9,0.05,0.05,0.25,0.5,0.05,0.05,0.05,2.61,3.20
    b,1e8,2e9,0.2,0.1,0.1,0.3,0.1,0.1,0.1,2.31,3.41
    c,3e8,6e9,0.1,0.1,0.2,0.4,0.1,0.05,0.05,2.20,2.95
    """

@Test func builtinCanonicalKeysAreUnchanged() throws {
    // Part of every stored run's identity: a change would make re-imports duplicate runs.
    let m = try #require(Mixture.preset("balanced"))
    #expect(m.canonicalKey == "web_crawl=400000,encyclopedia=80000,academia=50000,literature=20000,math=100000,code=350000")
    #expect(SourceCatalogue.builtin.names == TextSource.allCases.map(\.name))
    #expect(try Mixture(reasoningShare: 0.6, visualShare: 0.15).canonicalKey == "reasoning=600000,visual=150000")
}

@Test func catalogueFilesReadAsCSVOrJSON() throws {
    let csv = try CatalogueFile.parse(Data("""
        name,reasoning_pct,visual_pct,available_tokens
        prose,10,30,2T
        proofs,90,5,500B
        """.utf8))
    #expect(csv.names == ["prose", "proofs"] && csv.hasTags && csv.hasAvailableTokens)
    #expect(csv.sources[1].reasoningShare == 0.9 && csv.sources[1].availableTokens == 500e9)
    let json = try CatalogueFile.parse(Data(slimPajamaSources.utf8))
    #expect(json.count == 7 && !json.hasTags && json.sources[3].availableTokens == 333e9)
    let m = try Mixture(weights: ["cc": 3, "c4": 1], catalogue: json, scale: .fraction, normalise: true)
    #expect(m.canonicalKey == "arxiv=0,book=0,c4=250000,cc=750000,github=0,stackexchange=0,wikipedia=0")
    #expect(m.reasoningShare == nil && m.sharesDescription.contains("no reasoning/visual shares"))
    #expect(Mixture.preset("natural", catalogue: json)!.weight(named: "cc") == 333.0 / 543.0)
}

/// Each bad catalogue is refused with the line (and column) at fault.
@Test(arguments: [
    ("one source", "name\nweb\n", nil as Int?, "a catalogue holds 2 to 32 sources, not 1"),
    ("33 sources", "name\n" + (0..<33).map { "s\($0)" }.joined(separator: "\n"), nil, "not 33"),
    ("listed twice", "name\nweb\ncode\nweb\n", 4, "source 'web' is listed twice"),
    ("bad name", "name\nweb\nCode Set\n", 3, "source name 'Code Set' must be lower-case"),
    ("reserved name", "name\nweb\nreasoning\n", 3, "'reasoning' is reserved"),
    ("some tags", "name,reasoning_share,visual_share\nweb,0.1,0.3\ncode,,\n", nil, "give reasoning and visual shares for every source or for none"),
    ("one of two tags", "name,reasoning_share,visual_share\nweb,0.1,\ncode,0.9,0.1\n", 2, "give both the reasoning and the visual share"),
    ("share above 1", "name,reasoning_pct,visual_pct\nweb,10,30\ncode,97,140\n", 3, "the visual share must be a fraction from 0 to 1"),
    ("unknown column", "name,weight\nweb,1\ncode,2\n", 1, "column 2 'weight' is not one of"),
    ("bad tokens", "name,available_tokens\nweb,lots\ncode,1T\n", 2, "column 2 'available_tokens': 'lots' is not a token count"),
    ("JSON field", #"[{"name": "web"}, {"name": "code", "size": 3}]"#, 1, "source 2: unknown field 'size'"),
])
func badCataloguesAreRefused(kind: String, text: String, line: Int?, reason: String) throws {
    do {
        _ = try CatalogueFile.parse(Data(text.utf8))
        Issue.record("\(kind): accepted")
    } catch let e as ImportError {
        #expect(e.line == line, "\(kind): \(e)")
        #expect(e.description.contains(reason), "\(kind): \(e)")
    }
}

@Test func aDeclaredCatalogueNamesTheWeightsOfItsLabel() throws {
    let store = try freshStore()
    let catalogue = try CatalogueFile.parse(Data(slimPajamaSources.utf8))
    let file = try ResultFile.read(path: scratchFile("slimpajama.csv", slimPajamaResults), catalogue: catalogue)
    let out = try store.insertRuns(file.runs, label: "slimpajama", origin: "import", catalogue: catalogue)
    #expect(out.inserted.count == 3 && out.newMetrics == ["arxiv_loss", "cc_loss"])
    #expect(try store.catalogue(label: "slimpajama") == catalogue)
    #expect(try store.catalogue(label: "paper") == .builtin)
    let runs = try store.runs(RunFilter(source: "slimpajama")).sorted { ($0.name ?? "") < ($1.name ?? "") }
    #expect(runs.map { $0.mixture?.weight(named: "cc") } == [0.5, 0.3, 0.4])
    let given = ["arxiv": 0.2, "book": 0.1, "c4": 0.1, "cc": 0.3, "github": 0.1, "stackexchange": 0.1, "wikipedia": 0.1]
    #expect(try #require(runs[1].mixture?.weights).allSatisfy { abs($0.value - given[$0.key]!) < 1e-12 })
    #expect(runs.allSatisfy { $0.mixture?.catalogue == catalogue && $0.reasoningShare == nil && $0.scores.count == 2 })
    // The same file again adds nothing: the runs' identity is stable.
    #expect(try store.insertRuns(file.runs, label: "slimpajama", origin: "import", catalogue: catalogue).skipped == 3)
    // `w_<name>` and bare names are the same weights.
    let short = slimPajamaResults.replacingOccurrences(of: "weight_", with: "w_")
    #expect(try ResultFile.parse(data: Data(short.utf8), name: "w.csv", catalogue: catalogue).runs.map(\.mixture) == file.runs.map(\.mixture))
    let bare = slimPajamaResults.replacingOccurrences(of: "weight_", with: "")
    #expect(try ResultFile.parse(data: Data(bare.utf8), name: "bare.csv", catalogue: catalogue).runs.map(\.mixture) == file.runs.map(\.mixture))
}

/// A weight column outside the label's catalogue, or weights that do not add up, are refused
/// with the line and the column.
@Test(arguments: [
    ("unknown weight column", slimPajamaResults.replacingOccurrences(of: "weight_book", with: "weight_books"), 1,
     "column 5 'weight_books' is the weight of source 'books', which is not a source of this label"),
    ("unknown w_ column", slimPajamaResults.replacingOccurrences(of: "weight_c4,", with: "w_c5,"), 1, "column 6 'w_c5' is the weight of source 'c5', which is not a source of this label (its sources are arxiv, book, c4, cc, github, stackexchange, wikipedia; did you mean c4?)"),
    ("weights short of 1", slimPajamaResults.replacingOccurrences(of: "b,1e8,2e9,0.2,", with: "b,1e8,2e9,0.02,"), 3,
     "mixture weights (weight_arxiv … weight_wikipedia, columns 4–10) sum to 0.82, expected 1 (fraction, within 2%)"),
    ("weight not a number", slimPajamaResults.replacingOccurrences(of: "c,3e8,6e9,0.1,", with: "c,3e8,6e9,ten,"), 4,
     "column weight_arxiv: 'ten' is not a finite number"),
])
func badWeightColumnsAreRefused(kind: String, text: String, line: Int, reason: String) throws {
    let catalogue = try CatalogueFile.parse(Data(slimPajamaSources.utf8))
    do {
        _ = try ResultFile.parse(data: Data(text.utf8), name: "bad.csv", catalogue: catalogue)
        Issue.record("\(kind): accepted")
    } catch let e as ImportError {
        #expect(e.line == line, "\(kind): \(e)")
        #expect(e.description.contains(reason), "\(kind): \(e)")
    }
}

/// A label keeps one catalogue, and its runs' mixtures must be over it; a refusal changes nothing.
@Test func aLabelKeepsItsCatalogue() throws {
    let dir = scratchDirectory()
    let store = try ResultStore(path: dir.appendingPathComponent("c.sqlite").path)
    let slim = try CatalogueFile.parse(Data(slimPajamaSources.utf8))
    let paper = try ResultFile.read(path: referencePath("paper-mixtures.csv"))
    try store.insertRuns(paper.runs, label: "paper", origin: "import")
    try store.insertRuns(try ResultFile.read(path: scratchFile("s.csv", slimPajamaResults), catalogue: slim).runs,
                         label: "slim", origin: "import", catalogue: slim)
    let before = try DatabaseDump.text(store.path)
    let other = try SourceCatalogue([Source(name: "arxiv"), Source(name: "web")])
    #expect(performing: { try store.declareCatalogue(other, label: "slim") },
            throws: { "\($0)".contains("already declares its sources (arxiv, book, c4") })
    #expect(performing: { try store.insertRuns([], label: "paper", origin: "import", catalogue: slim) },
            throws: { "\($0)".contains("already holds 13 run(s) with weights over the built-in sources") })
    #expect(performing: { try store.insertRuns(paper.runs, label: "slim", origin: "import") },
            throws: { "\($0)".hasPrefix("line ") && "\($0)".contains("is over the sources web_crawl") })
    #expect(try DatabaseDump.text(store.path) == before)
    // Declaring the catalogue a label has is no change.
    try store.declareCatalogue(slim, label: "slim")
    #expect(try DatabaseDump.text(store.path) == before)
}

/// A store made before catalogues existed opens with its mixtures as they were.
@Test func aStoreOfTheThirdSchemaMigrates() throws {
    let path = scratchDirectory().appendingPathComponent("v3.sqlite").path
    let pool = try DatabasePool(path: path)
    try ResultStore.migrator.migrate(pool, upTo: "v3: sweep work claims")
    try pool.write { db in
        try db.execute(sql: "INSERT INTO mixtures (id, canonical_key, kind, reasoning_share, visual_share) VALUES (7, 'k', 'weights', 0.5, 0.2)")
        try db.execute(sql: "INSERT INTO mixture_weights VALUES (7, 'code', 0.25), (7, 'web_crawl', 0.75)")
        try db.execute(sql: """
            INSERT INTO runs (label, origin, run_key, params, tokens, mixture_id, status, provenance, created_at)
            VALUES ('old', 'import', 'key', 1e9, 1e10, 7, 'complete', '{}', '2026-01-01')
            """)
    }
    try pool.close()
    let store = try ResultStore(path: path)
    let run = try #require(try store.runs().first)
    #expect(run.mixture?.weight(.code) == 0.25 && run.mixture?.weight(.webCrawl) == 0.75 && run.mixture?.catalogue == .builtin)
    #expect(try store.integrityCheck() == "ok")
    let fk = try store.pool.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }
    #expect(fk.isEmpty)
}
