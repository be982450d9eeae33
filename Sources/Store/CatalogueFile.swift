import Foundation
import VisionMixCore

/// A source catalogue file (`--sources FILE`): CSV with a `name` column and optionally
/// `reasoning_share`, `visual_share` (fractions; `reasoning_pct`, `visual_pct` in percent) and
/// `available_tokens` (a count, suffixes allowed: 2T); or JSON, an array of
/// `{"name", "reasoning_share", "visual_share", "available_tokens"}` or `{"sources": [...]}`.
/// Rows are the catalogue's order. Errors name the line, and the column where there is one.
public enum CatalogueFile {
    public static let maxBytes = 1 << 20

    public static func read(path: String) throws -> SourceCatalogue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError(file: path, line: nil, reason: "cannot read the sources file")
        }
        do { return try parse(data) } catch var e as ImportError {
            e.file = path
            throw e
        }
    }

    public static func parse(_ data: Data) throws -> SourceCatalogue {
        guard data.count <= maxBytes else { throw ImportError(line: nil, reason: "a sources file is at most \(maxBytes) bytes") }
        let text = try ResultFile.utf8(data)
        let trimmed = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        let (sources, lines) = (trimmed.first == "[" || trimmed.first == "{") ? try json(text) : try csv(text)
        do { return try SourceCatalogue(sources) } catch let e as CatalogueError {
            // Name the line of the source a message is about, when it is about one (the later
            // line of a name listed twice).
            let line = Array(zip(sources, lines)).last { e.description.contains("'\($0.0.name)'") || e.description.contains("source \($0.0.name):") }?.1
            throw ImportError(line: line, reason: e.description)
        }
    }

    enum Field { case name, reasoning(Double), visual(Double), tokens }

    static func field(_ header: String) -> Field? {
        switch header.lowercased() {
        case "name", "source": .name
        case "reasoning_share", "reasoning": .reasoning(1)
        case "reasoning_pct": .reasoning(100)
        case "visual_share", "visual": .visual(1)
        case "visual_pct": .visual(100)
        case "available_tokens", "available", "tokens": .tokens
        default: nil
        }
    }

    static func csv(_ text: String) throws -> ([Source], [Int]) {
        let records = try CSVReader.records(text)
        guard let header = records.first else { throw ImportError(line: nil, reason: "the sources file is empty") }
        let fields = try header.fields.enumerated().map { i, h -> Field in
            guard let f = field(h.trimmedSpaces) else {
                throw ImportError(line: header.line, reason: "column \(i + 1) '\(h)' is not one of name, reasoning_share, visual_share, "
                                  + "reasoning_pct, visual_pct, available_tokens")
            }
            return f
        }
        guard fields.contains(where: { if case .name = $0 { true } else { false } }) else {
            throw ImportError(line: header.line, reason: "no name column")
        }
        var sources: [Source] = []
        for rec in records.dropFirst() {
            guard rec.fields.count == fields.count else {
                throw ImportError(line: rec.line, reason: "\(rec.fields.count) fields, the header has \(fields.count)")
            }
            var s = Source(name: "")
            for (i, f) in fields.enumerated() {
                let cell = rec.fields[i].trimmedSpaces
                let col = "column \(i + 1) '\(header.fields[i].trimmedSpaces)'"
                switch f {
                case .name: s.name = cell
                case let .reasoning(unit): s.reasoningShare = try share(cell, unit: unit, column: col, line: rec.line)
                case let .visual(unit): s.visualShare = try share(cell, unit: unit, column: col, line: rec.line)
                case .tokens:
                    if !cell.isEmpty {
                        guard let t = Quantity.parse(cell) else { throw ImportError(line: rec.line, reason: "\(col): '\(cell)' is not a token count like 2T") }
                        s.availableTokens = t
                    }
                }
            }
            sources.append(s)
        }
        return (sources, records.dropFirst().map(\.line))
    }

    static func share(_ cell: String, unit: Double, column: String, line: Int) throws -> Double? {
        if cell.isEmpty { return nil }
        guard let v = Double(strict: cell), v.isFinite else { throw ImportError(line: line, reason: "\(column): '\(cell)' is not a number") }
        return v / unit
    }

    static func json(_ text: String) throws -> ([Source], [Int]) {
        do { try JSONText.check(Data(text.utf8)) } catch let p as JSONText.Problem {
            throw ImportError(line: p.line, reason: "malformed JSON: \(p.message) (column \(p.column))")
        }
        let root = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let items: [JSONValue]
        if case let .array(a) = root { items = a } else if case let .object(o) = root, o.count == 1, case let .array(a)? = o["sources"] { items = a } else {
            throw ImportError(line: nil, reason: "expected an array of sources or an object with a \"sources\" array")
        }
        let lines = JSONResults.elementLines(text)
        var sources: [Source] = []
        for (i, item) in items.enumerated() {
            let line = i < lines.count ? lines[i] : nil
            func fail(_ r: String) -> ImportError { ImportError(line: line, reason: "source \(i + 1): \(r)") }
            guard case let .object(o) = item else { throw fail("not an object") }
            var s = Source(name: "")
            for (k, v) in o.sorted(by: { $0.key < $1.key }) {
                guard let f = field(k) else { throw fail("unknown field '\(k)'") }
                switch f {
                case .name:
                    guard let n = v.stringValue else { throw fail("\(k) must be a string") }
                    s.name = n
                case let .reasoning(unit), let .visual(unit):
                    guard v == .null || v.numberValue != nil else { throw fail("\(k) must be a number") }
                    let x = v.numberValue.map { $0 / unit }
                    if case .reasoning = f { s.reasoningShare = x } else { s.visualShare = x }
                case .tokens:
                    if let t = v.stringValue.flatMap(Quantity.parse) ?? v.numberValue { s.availableTokens = t }
                    else if v != .null { throw fail("\(k) must be a token count like 2T or a number") }
                }
            }
            sources.append(s)
        }
        return (sources, sources.indices.map { $0 < lines.count ? lines[$0] : 0 })
    }
}
