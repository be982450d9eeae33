import Foundation

/// Prints any Encodable as pretty JSON with sorted keys (stdout).
func printJSON<T: Encodable>(_ value: T) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    print(String(decoding: try e.encode(value), as: UTF8.self))
}

/// Writes notices and progress to stderr, so stdout stays clean for --json.
func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// An aligned text table: numbers right-aligned, text left-aligned.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) { self.headers = headers }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [headers] + rows
        let n = headers.count
        var widths = [Int](repeating: 0, count: n)
        for r in all { for (i, c) in r.enumerated() where i < n { widths[i] = max(widths[i], c.count) } }
        func numeric(_ s: String) -> Bool {
            let t = s.trimmingCharacters(in: CharacterSet(charactersIn: "%±+-KMBT "))
            return !t.isEmpty && Double(t) != nil
        }
        func line(_ r: [String], header: Bool) -> String {
            (0..<n).map { i in
                let c = i < r.count ? r[i] : ""
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return (!header && numeric(c)) ? pad + c : c + pad
            }.joined(separator: "  ").trimmingTrailing()
        }
        var out = [line(headers, header: true), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        out += rows.map { line($0, header: false) }
        return out.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailing() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

func fmt(_ x: Double, _ digits: Int = 2) -> String {
    x.isFinite ? String(format: "%.\(digits)f", x) : "—"
}
