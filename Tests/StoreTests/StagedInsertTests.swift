import Foundation
import GRDB
import Testing
import TestScratch
import VisionMixCore
@testable import Store

/// How a batch of runs reaches the store: prepared outside the write lock, then copied in one
/// transaction that adds only what is new.
@Suite struct StagedInsert {
    func run(_ name: String, web: Double, scores: [String: Double] = ["vqa_avg": 30]) throws -> NewRun {
        NewRun(name: name, params: 3e9, tokens: 50e9,
               mixture: try Mixture(weights: [.webCrawl: web, .code: 1 - web], scale: .fraction, normalise: true), scores: scores)
    }

    /// The rows are written to the stage while another connection holds the store's write
    /// lock; only the copy waits for it.
    @Test func runsArePreparedWhileAnotherConnectionHoldsTheWriteLock() throws {
        let path = scratchDirectory().appendingPathComponent("t.sqlite").path
        let store = try ResultStore(path: path, busyTimeout: 2)
        let lock = try WriteLockHolder(path: path)
        let runs = try (0..<50).map { try run("r\($0)", web: 0.5) }
        var heldWhileStaged = false
        let outcome = try store.insertStaged(runs, label: "b", origin: "import", sweepId: nil) {
            // Reached only if staging went through with the lock held elsewhere; the copy then
            // waits for it.
            heldWhileStaged = true
            lock.release()
        }
        #expect(heldWhileStaged)
        #expect(outcome.inserted.count == 50)
        #expect(try store.countRuns(RunFilter(source: "b")) == 50)
    }

    @Test func aBatchAddsOnlyWhatIsNew() throws {
        let store = try freshStore()
        let first = try store.insertRuns([run("a", web: 0.5), run("b", web: 0.25)], label: "s", origin: "import")
        // b is stored already (its scores are no part of its key: its new metric stays out of the
        // catalogue); c comes twice, and counts once.
        let second = try store.insertRuns([run("b", web: 0.25, scores: ["vqa_avg": 31, "only_b": 1]), run("c", web: 0.75),
                                           run("c", web: 0.75), run("d", web: 0.5, scores: ["d_score": 2])],
                                          label: "s", origin: "import")
        #expect(first.inserted.count == 2 && first.skipped == 0)
        #expect(second.inserted.count == 2 && second.skipped == 2)
        #expect(second.newMetrics == ["d_score"])
        #expect(second.inserted.allSatisfy { $0 > first.inserted.max()! } && second.inserted == second.inserted.sorted())
        let runs = try store.runs(RunFilter(source: "s"))
        #expect(runs.map { $0.name ?? "" } == ["a", "b", "c", "d"])
        #expect(runs.first { $0.name == "b" }?.scores == ["vqa_avg": 30])
        #expect(runs.first { $0.name == "c" }?.mixture?.weight(.code) == 0.25)
        let (metrics, mixtures, weights) = try store.pool.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM metrics WHERE custom ORDER BY name"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM mixtures")!, try Int.fetchOne(db, sql: "SELECT count(*) FROM mixture_weights")!)
        }
        #expect(metrics == ["d_score"])
        // Three mixtures (web 0.5, 0.25, 0.75), each of two sources; a and d share one.
        #expect(mixtures == 3 && weights == 6)
        // The same batch again adds nothing.
        let again = try store.insertRuns([run("c", web: 0.75), run("d", web: 0.5)], label: "s", origin: "import")
        #expect(again.inserted.isEmpty && again.skipped == 2)
    }

    /// A batch the store refuses part way (here a sweep id that does not exist) leaves no row,
    /// mixture or metric of it behind.
    @Test func aRefusedBatchStoresNothing() throws {
        let path = scratchDirectory().appendingPathComponent("t.sqlite").path
        let store = try ResultStore(path: path)
        try store.insertRuns([run("a", web: 0.5)], label: "s", origin: "import")
        let before = try DatabaseDump.text(path)
        #expect(throws: DatabaseError.self) {
            try store.insertRuns([run("b", web: 0.1, scores: ["new_metric": 1])], label: "s", origin: "trainer", sweepId: 4242)
        }
        #expect(try DatabaseDump.text(path) == before)
    }
}
