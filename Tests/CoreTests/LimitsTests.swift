import Foundation
import Testing
import VisionMixCore

/// Every named limit is documented: docs/limits.md names each `public static let` of `Limits`
/// with its value, so the docs cannot fall behind the code.
@Test func everyLimitIsInTheDocs() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let source = try String(contentsOf: root.appendingPathComponent("Sources/VisionMixCore/Limits.swift"), encoding: .utf8)
    let docs = try String(contentsOf: root.appendingPathComponent("docs/limits.md"), encoding: .utf8)
    let names = source.split(separator: "\n").compactMap { line -> String? in
        guard let r = line.range(of: "public static let ") else { return nil }
        return String(line[r.upperBound...].prefix { $0.isLetter || $0.isNumber })
    }
    #expect(names.count >= 10)
    for name in names { #expect(docs.contains("`\(name)`"), "docs/limits.md does not name Limits.\(name)") }
    #expect(docs.contains("| `maxRunTokens` | 1B tokens") && Limits.maxRunTokens == 1e9)
    #expect(docs.contains("| `maxSweepRuns` | 2,000") && Limits.maxSweepRuns == 2_000)
    #expect(docs.contains("| `maxSeeds` | 64") && Limits.maxSeeds == 64)
}
