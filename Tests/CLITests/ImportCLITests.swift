import Foundation
import Store
import Testing

@Test func importThenListGivesThirteenRunsAndReimportAddsNone() throws {
    let db = scratchDirectory().appendingPathComponent("v.sqlite").path
    let file = repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path
    let first = try runCLI(["runs", "import", file, "--source", "paper", "--json"], db: db)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("\"imported\" : 13"))
    let second = try runCLI(["runs", "import", file, "--source", "paper", "--json"], db: db)
    #expect(second.stdout.contains("\"imported\" : 0") && second.stdout.contains("\"already_present\" : 13"))

    let list = try runCLI(["runs", "list", "--source", "paper", "--json"], db: db)
    let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
    #expect(runs.count == 13)
    let expectedMetrics: [String: Int] = ["language_favorable_1t": 7, "balanced_1t": 7, "mix3": 3]
    for (name, n) in expectedMetrics {
        let r = try #require(runs.first { $0["name"] as? String == name })
        #expect((r["scores"] as? [String: Any])?.count == n)
        #expect(r["id"] != nil && r["source"] as? String == "paper" && r["params"] != nil && r["tokens"] != nil)
        #expect((r["mixture"] as? [String: Any])?.count == 6)
    }
    let table = try runCLI(["runs", "list", "--source", "paper"], db: db)
    #expect(table.stdout.contains("balanced_1t") && table.stdout.contains("13 run(s)"))
}

@Test func refusedFilesLeaveTheDatabaseByteForByteUnchanged() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    let good = repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path
    #expect(try runCLI(["runs", "import", good, "--source", "paper"], db: db).status == 0)
    let before = databaseBytes(db)
    #expect(before[0] != nil)
    let header = "run,params_b,tokens_b,web_crawl,code,vqa_avg\n"
    let bad: [(String, String, Int)] = [
        ("negative.csv", header + "a,1,10,60,40,30\nb,1,10,110,-10,30\n", 3),
        ("nan.csv", header + "a,1,10,NaN,40,30\n", 2),
        ("zero.csv", header + "a,1,10,0,0,30\n", 2),
        ("unknown.csv", "run,params_b,tokens_b,web_crawl,maths,vqa_avg\na,1,10,60,40,30\n", 1),
        ("unparsable.csv", header + "a,1,10,60,40,30\nb,1,10,60,40,thirty\n", 3),
    ]
    for (name, text, line) in bad {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try runCLI(["runs", "import", path, "--source", "paper"], db: db)
        #expect(r.status != 0, "\(name) was accepted")
        #expect(r.stderr.contains("\(path):\(line):"), "\(name): \(r.stderr)")
        #expect(databaseBytes(db) == before, "\(name) changed the database")
    }
}

/// A SIGKILL in the middle of a large import leaves a sound file holding all rows or none.
@Test func killedLargeImportIsAllOrNothing() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("v.sqlite").path
    let csv = dir.appendingPathComponent("big.csv").path
    let rows = 100_000
    var text = "run,params_b,tokens_b,seed,web_crawl,code,vqa_avg,text_acc\n"
    text.reserveCapacity(rows * 40)
    for i in 0..<rows { text += "r\(i),1,10,\(i),\(i % 100),\(100 - i % 100),\(30 + Double(i % 7) / 10),50\n" }
    try text.write(toFile: csv, atomically: true, encoding: .utf8)

    let (p, _, _) = try launchCLI(["runs", "import", csv, "--source", "big"], db: db)
    // Wait until the import is writing (its WAL grows), then kill it without warning.
    let deadline = Date().addingTimeInterval(120)
    var walSize = 0
    while p.isRunning && Date() < deadline {
        walSize = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0
        if walSize > 256 * 1024 { break }
        usleep(20_000)
    }
    let killedMidWrite = p.isRunning
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()

    let store = try ResultStore(path: db)
    #expect(try store.integrityCheck() == "ok")
    let n = try store.runs(RunFilter(source: "big")).count
    // None if the kill landed inside the transaction, all if it landed after COMMIT.
    #expect(n == 0 || n == rows, "a killed import left \(n) of \(rows) rows (killed with a WAL of \(walSize) bytes)")
    #expect(killedMidWrite, "the import finished before it could be killed; the test proved nothing")
}
