// `visionmix train` in its own process.
import Foundation
import Testing

@Suite struct TrainCLITests {
    /// Two threads give the same loss curve bit for bit, run to run and as one thread. Run as a separate process because the
    /// thread count (OpenBLAS's and the trainer's) is process-wide: when this test set it to two
    /// inside the test process, the suites training at one thread beside it ran with the count
    /// changing under them (`openblas_set_num_threads` is not safe beside a running sgemm), the
    /// likely cause of a rare failure of `tinyRunIsCompleteAndDeterministic` under load.
    @Test func twoThreadsAreDeterministicToo() throws {
        try #require(FileManager.default.isExecutableFile(atPath: visionmixBinary), "build with `swift build --build-tests` first")
        func curve(threads: Int = 2) throws -> (loss: [Double], validation: [Double]) {
            let r = try runCLI(["train", "--size", "xs", "--tokens", "6K", "--threads", "\(threads)", "--seed", "3", "--eval-at", "2K,6K", "--json"], db: nil)
            #expect(r.status == 0, "\(r.stderr)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(obj?["threads"] as? Int == threads)
            // The default mixture, in percent as people write it, with its shares as fractions.
            #expect((obj?["mixture"] as? String)?.hasPrefix("web_crawl 40%") == true, "\(String(describing: obj?["mixture"]))")
            #expect(abs(((obj?["reasoning_share"] as? Double) ?? 0) - 0.52) < 0.01)
            let evals = (obj?["evaluations"] as? [[String: Any]]) ?? []
            return ((obj?["loss_curve"] as? [Double]) ?? [], evals.compactMap { $0["validation_loss"] as? Double })
        }
        let a = try curve(), b = try curve()
        #expect(a.loss.count == 3 && a.validation.count == 2)
        // Shortest round-trip printing: equal text is equal bits.
        #expect(a.loss == b.loss)
        #expect(a.validation == b.validation)
        // The second thread splits matrix products by rows or columns and never a sum, and every
        // other loop by rows (or, for a norm weight's gradient, by columns): one thread gives the
        // same numbers, so a wrong offset in a split shows here.
        let one = try curve(threads: 1)
        #expect(one.loss == a.loss)
        #expect(one.validation == a.validation)
    }
}
