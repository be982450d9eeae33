/// A small RFC 4180 reader that keeps each record's line number, skips blank lines and
/// lines starting with `#`.
public struct CSVRecord: Sendable {
    public var line: Int
    public var fields: [String]
}

public enum CSVReader {
    public static func records(_ text: String) throws -> [CSVRecord] {
        var out: [CSVRecord] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1, recordLine = 1
        var atRecordStart = true
        var skippingComment = false
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0

        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].trimmedSpaces.isEmpty) {
                out.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields = []
            atRecordStart = true
        }

        while i < chars.count {
            let c = chars[i]
            if skippingComment {
                if c == "\n" { skippingComment = false; line += 1 }
                i += 1; continue
            }
            if atRecordStart {
                recordLine = line
                atRecordStart = false
                if c == "#" { skippingComment = true; atRecordStart = true; i += 1; continue }
            }
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 2; continue }
                    inQuotes = false
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                i += 1; continue
            }
            switch c {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": fields.append(field); field = ""
            case "\r": break
            case "\n": endRecord(); line += 1
            default: field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw ImportError(line: recordLine, reason: "unterminated quoted field") }
        if !atRecordStart || !field.isEmpty || !fields.isEmpty { endRecord() }
        return out
    }
}

/// Why a file was refused, with where.
public struct ImportError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var reason: String
    public init(file: String = "", line: Int?, reason: String) { self.file = file; self.line = line; self.reason = reason }
    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return place.isEmpty ? reason : "\(place): \(reason)"
    }
}
