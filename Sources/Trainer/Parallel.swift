// Threading: the trainer splits its own work over `workerThreads` threads, each on a fixed
// contiguous chunk, and no chunk boundary falls inside a sum, so results depend neither on
// scheduling nor on the thread count.
// OpenBLAS itself always runs one thread: its idle workers spin in sched_yield, which on 2 cores
// takes time from the threads doing the non-BLAS loops (about a sixth of the samples at xl on 2
// threads, docs/performance.md). Large products are split by rows or columns instead (`sgemm`).
import Foundation

/// Threads for the trainer's loops and split matrix products (set by `setThreads`).
nonisolated(unsafe) var workerThreads = 1
/// True while `parallelChunks` runs its chunks: nothing inside splits again.
nonisolated(unsafe) var inParallelSection = false
public let maxWorkerThreads = 8

/// Sets the trainer's thread count; OpenBLAS runs single-threaded under it.
public func setThreads(_ n: Int) {
    workerThreads = min(max(1, n), maxWorkerThreads)
    setBLASThreads(1)
}

/// Runs body(range, chunkIndex) over 0..<n split into ≤ workerThreads contiguous chunks.
@inline(__always)
func parallelChunks(_ n: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>, Int) -> Void) {
    let k = inParallelSection ? 1 : min(workerThreads, n / max(1, minimumPerChunk))
    if k <= 1 { body(0..<n, 0); return }
    inParallelSection = true
    DispatchQueue.concurrentPerform(iterations: k) { c in body((c * n / k)..<((c + 1) * n / k), c) }
    inParallelSection = false
}
