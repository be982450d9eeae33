import Foundation

/// A check of JSON text before it is decoded, for what `JSONDecoder` does not say: where a
/// syntax error is (its message has no position), and a key written twice in one object (it
/// keeps one of them silently). Imports, request bodies and sweep specs all go through it.
public enum JSONText {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let message: String
        public let line: Int, column: Int
        public var description: String { "\(message) at line \(line), column \(column)" }
    }

    /// Objects and arrays nested deeper than this are refused rather than recursed into.
    public static let maxDepth = 256

    /// Throws the first syntax error or duplicate key, with its line and column (1-based).
    public static func check(_ data: Data) throws {
        var scanner = Scanner(bytes: [UInt8](data))
        scanner.skipSpace()
        try scanner.value(depth: 0)
        scanner.skipSpace()
        if scanner.i < scanner.bytes.count { throw scanner.problem("unexpected text after the JSON value") }
    }

    struct Scanner {
        let bytes: [UInt8]
        var i = 0

        func problem(_ message: String, at offset: Int? = nil) -> Problem {
            let end = min(offset ?? i, bytes.count)
            var line = 1, lineStart = 0
            for k in 0..<end where bytes[k] == 0x0A { line += 1; lineStart = k + 1 }
            return Problem(message: message, line: line, column: end - lineStart + 1)
        }

        var current: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
        }

        mutating func value(depth: Int) throws {
            guard depth < JSONText.maxDepth else { throw problem("nested deeper than \(JSONText.maxDepth) levels") }
            guard let c = current else { throw problem("the text ends where a value should be") }
            switch c {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        mutating func object(depth: Int) throws {
            i += 1
            var keys: Set<ArraySlice<UInt8>> = []
            skipSpace()
            if current == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipSpace()
                let keyStart = i
                guard current == UInt8(ascii: "\"") else { throw problem("expected a quoted key") }
                let key = try string()
                guard keys.insert(key).inserted else {
                    throw problem("the key \"\(String(decoding: key, as: UTF8.self).prefix(80))\" appears twice in one object", at: keyStart)
                }
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw problem("expected ':' after a key") }
                i += 1
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { i += 1; continue }
                if current == UInt8(ascii: "}") { i += 1; return }
                throw problem("expected ',' or '}' in an object")
            }
        }

        mutating func array(depth: Int) throws {
            i += 1
            skipSpace()
            if current == UInt8(ascii: "]") { i += 1; return }
            while true {
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { i += 1; continue }
                if current == UInt8(ascii: "]") { i += 1; return }
                throw problem("expected ',' or ']' in an array")
            }
        }

        /// The string's raw bytes between the quotes, a slice of the text (no copy per key) (escapes kept as written: two spellings of
        /// one key are rare enough that `JSONDecoder` may settle them).
        mutating func string() throws -> ArraySlice<UInt8> {
            let start = i
            i += 1
            while let c = current {
                if c == UInt8(ascii: "\"") { i += 1; return bytes[(start + 1)..<(i - 1)] }
                if c < 0x20 { throw problem("a control character inside a string") }
                i += c == UInt8(ascii: "\\") ? 2 : 1
            }
            throw problem("a string is not closed", at: start)
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw problem("unexpected character") }
            i += w.count
        }

        mutating func number() throws {
            let start = i
            while let c = current, (c >= 0x30 && c <= 0x39) || [UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                                                                 UInt8(ascii: "e"), UInt8(ascii: "E")].contains(c) { i += 1 }
            guard i > start, Double(String(decoding: bytes[start..<i], as: UTF8.self)) != nil else {
                throw problem(i > start ? "'\(String(decoding: bytes[start..<i], as: UTF8.self))' is not a number" : "unexpected character", at: start)
            }
        }
    }
}
