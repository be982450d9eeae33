// Threading beyond BLAS: the per-row / per-head loops run on `workerThreads` threads, each on a
// fixed contiguous chunk, so results do not depend on scheduling (deterministic per thread count).
import Foundation

/// Threads for the non-BLAS loops (set with the BLAS thread count by `setThreads`).
nonisolated(unsafe) var workerThreads = 1
/// The BLAS thread count outside parallel sections.
nonisolated(unsafe) var blasThreads = 1
public let maxWorkerThreads = 8

/// Sets both OpenBLAS's and the trainer's own thread counts.
public func setThreads(_ n: Int) {
    workerThreads = min(max(1, n), maxWorkerThreads)
    blasThreads = max(1, n)
    setBLASThreads(blasThreads)
}

/// Runs body(range, chunkIndex) over 0..<n split into ≤ workerThreads contiguous chunks. Inside,
/// BLAS runs single-threaded (the chunks are the parallelism).
@inline(__always)
func parallelChunks(_ n: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>, Int) -> Void) {
    let k = min(workerThreads, n / max(1, minimumPerChunk))
    if k <= 1 { body(0..<n, 0); return }
    setBLASThreads(1)
    DispatchQueue.concurrentPerform(iterations: k) { c in body((c * n / k)..<((c + 1) * n / k), c) }
    setBLASThreads(blasThreads)
}
