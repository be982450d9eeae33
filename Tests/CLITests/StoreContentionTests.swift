import Foundation
import Store
import Testing
import TestScratch

/// What a long write in another process (a million-row import holds the write lock for tens of
/// seconds) does to the commands beside it. A short busy timeout stands in for the 30 s one.
let shortBusyTimeout = ["VISIONMIX_BUSY_TIMEOUT": "0.3"]
/// And no retry past it, to see the answer a command gives when it stops waiting.
let noWriteRetry = shortBusyTimeout.merging(["VISIONMIX_WRITE_RETRY": "0"]) { $1 }

func environment(_ extra: [String: String]) -> [String: String] {
    ProcessInfo.processInfo.environment.merging(extra) { $1 }
}

@Test func importBesideALongWriteSaysTheDatabaseIsBusyAndChangesNothing() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("busy.sqlite").path
    let paper = repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path
    #expect(try runCLI(["runs", "import", paper, "--source", "paper"], db: db).status == 0)
    let before = try DatabaseDump.text(db)
    let lock = try WriteLockHolder(path: db)
    let r = try runCLI(["runs", "import", paper, "--source", "other"], db: db, environment: environment(noWriteRetry))
    lock.release()
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stderr.contains(StoreBusyError.message), "\(r.stderr)")
    #expect(!r.stderr.contains("database is locked"), "\(r.stderr)")
    #expect(try DatabaseDump.text(db) == before)
    // Once the other write is done, the same import goes through.
    #expect(try runCLI(["runs", "import", paper, "--source", "other"], db: db, environment: environment(shortBusyTimeout)).status == 0)
}

/// An import beside a long write waits for it, says so, and stores its runs once the lock is
/// released.
@Test(.timeLimit(.minutes(10)))
func importBesideALongWriteWaitsForItAndThenStores() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("busy.sqlite").path
    let paper = repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path
    _ = try ResultStore(path: db)
    let lock = try WriteLockHolder(path: db)
    let (p, out, err) = try launchCLI(["runs", "import", paper, "--source", "paper"], db: db, environment: environment(shortBusyTimeout))
    // The note comes once the import has found the database busy: it is waiting, not failed.
    var said = ""
    while !said.contains("waiting"), case let d = err.fileHandleForReading.availableData, !d.isEmpty {
        said += String(decoding: d, as: UTF8.self)
    }
    let waiting = p.isRunning
    lock.release()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(said.contains("another process is writing to the database"), "\(said)")
    #expect(waiting, "the import exited while the database was locked: \(said)")
    #expect(p.terminationStatus == 0, "\(said)\(String(decoding: e, as: UTF8.self))")
    #expect(String(decoding: o, as: UTF8.self).contains("13 new run(s)"))
    #expect(try ResultStore(path: db).countRuns(RunFilter(source: "paper")) == 13)
}

/// A sweep does not fail over a long write: it retries its store writes and goes on once the
/// lock is released.
@Test(.timeLimit(.minutes(10)))
func sweepWaitsForALongWriteAndThenStoresItsRuns() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("busy.sqlite").path
    _ = try ResultStore(path: db)
    let spec = dir.appendingPathComponent("one.json").path
    try """
        {"name": "busy", "label": "busy", "encoder": "object", "seeds": [1], "profile": "tiny",
         "designs": [{"name": "d", "sizes": ["xs"], "mixtures": ["balanced"], "tokens": "8K", "checkpoints": ["8K"]}]}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
    let lock = try WriteLockHolder(path: db)
    let (p, out, err) = try launchCLI(["sweep", "run", "--spec", spec, "--jobs", "1", "--threads", "1", "--no-fit"], db: db,
                                      environment: environment(shortBusyTimeout))
    // Ten busy timeouts: a sweep that gave up at its first busy write has exited by now.
    usleep(3_000_000)
    let waited = p.isRunning
    lock.release()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(waited, "the sweep exited while the database was locked: \(String(decoding: e, as: UTF8.self))")
    #expect(p.terminationStatus == 0, "\(String(decoding: e, as: UTF8.self))")
    #expect(String(decoding: o, as: UTF8.self).contains("sweep 1 complete"))
    let store = try ResultStore(path: db)
    #expect(try store.runs(RunFilter(source: "busy")).count == 1)
}
