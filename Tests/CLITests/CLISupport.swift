import Foundation
import TestScratch
import Store

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The debug binary `swift build --build-tests` puts next to the test bundle.
let visionmixBinary = repoRoot.appendingPathComponent(".build/debug/visionmix").path

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

func scratchDirectory() -> URL {
    Scratch.directory("cli")
}

/// Starts the real `visionmix` executable (with `--db DB` unless `db` is nil), in the test's
/// environment or in `environment`.
func launchCLI(_ args: [String], db: String?, environment: [String: String]? = nil) throws -> (Process, Pipe, Pipe) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: visionmixBinary)
    if let environment { p.environment = environment }
    p.arguments = args + (db.map { ["--db", $0] } ?? [])
    p.currentDirectoryURL = repoRoot
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    return (p, out, err)
}

/// Runs `visionmix ARGS --db DB` (or without `--db`) to completion.
func runCLI(_ args: [String], db: String?, environment: [String: String]? = nil) throws -> CLIResult {
    let (p, out, err) = try launchCLI(args, db: db, environment: environment)
    // Read before waiting so a large output cannot fill the pipe and block the child.
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// The bytes of the database and its WAL, to prove a refused import changed nothing.
func databaseBytes(_ db: String) -> [Data?] {
    [db, db + "-wal"].map { FileManager.default.contents(atPath: $0) }
}
