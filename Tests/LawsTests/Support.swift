import Foundation
import TestScratch
import Store
import VisionMixCore
@testable import Laws

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func referencePath(_ name: String) -> String { repoRoot.appendingPathComponent("data/reference/\(name)").path }

/// A fresh SQLite store in a scratch directory.
func freshStore() throws -> ResultStore {
    let dir = Scratch.directory("laws")
    return try ResultStore(path: dir.appendingPathComponent("t.sqlite").path)
}

/// Imports a reference CSV the way `visionmix runs import` does and returns the stored runs.
func importReference(_ name: String, source: String, mix: String? = nil) throws -> (ResultStore, [StoredRun]) {
    let store = try freshStore()
    let m = try mix.map { try MixtureSpec.parse($0).mixture }
    let file = try ResultFile.read(path: referencePath(name), defaultMixture: m)
    try store.insertRuns(file.runs, label: source, origin: "import")
    return (store, try store.runs(RunFilter(source: source)))
}

/// Options light enough for debug-build tests.
func quickOptions(bootstrap: Int = 20) -> FitOptions {
    var o = FitOptions()
    o.bootstrap = bootstrap
    o.randomStarts = 4
    return o
}
