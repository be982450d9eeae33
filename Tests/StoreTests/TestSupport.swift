import Foundation
import TestScratch
@testable import Store

/// The repository root, found from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func referencePath(_ name: String) -> String { repoRoot.appendingPathComponent("data/reference/\(name)").path }

/// A fresh directory for one test's files.
func scratchDirectory() -> URL {
    Scratch.directory("store")
}

/// Writes `text` to a scratch file and returns its path.
func scratchFile(_ name: String, _ text: String) -> String {
    let u = scratchDirectory().appendingPathComponent(name)
    try! text.write(to: u, atomically: true, encoding: .utf8)
    return u.path
}

func freshStore() throws -> ResultStore { try ResultStore(path: scratchDirectory().appendingPathComponent("t.sqlite").path) }
