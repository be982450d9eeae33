import Foundation

/// Scratch directories for tests. They all live under one directory per test process, which
/// is removed when the process exits, so test runs do not pile up directories in /tmp.
/// VISIONMIX_KEEP_TEST_FILES=1 keeps them, to look at a failed test's database.
public enum Scratch {
    public static let root: URL = {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("visionmix-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["VISIONMIX_KEEP_TEST_FILES"] != "1" {
            atexit { try? FileManager.default.removeItem(at: Scratch.root) }
        }
        return u
    }()

    /// A fresh, empty directory whose name starts with `prefix`.
    public static func directory(_ prefix: String) -> URL {
        let u = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
