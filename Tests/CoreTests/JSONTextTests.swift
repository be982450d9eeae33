import Foundation
import Testing
import VisionMixCore

@Suite struct JSONTextTests {
    func problem(_ text: String) -> JSONText.Problem? {
        do { try JSONText.check(Data(text.utf8)); return nil } catch { return error as? JSONText.Problem }
    }

    /// Every JSON file the repository ships (fits, reference data) passes, and so does what
    /// JSONEncoder writes: the check refuses nothing a decoder would read correctly.
    @Test func validJSONPasses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let files = FileManager.default.enumerator(atPath: root.appendingPathComponent("fits").path)?
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".json") } ?? []
        #expect(!files.isEmpty)
        for f in files {
            let data = try Data(contentsOf: root.appendingPathComponent("fits").appendingPathComponent(f))
            #expect(throws: Never.self, "\(f)") { try JSONText.check(data) }
        }
        let tricky = #"{"a\"b": [1, -0.5, 2.5e-3, 1E+5, true, false, null, "\u00e9\\", {}], "a\\\"b": {"x": []}, "é": "\n"}"#
        #expect(problem(tricky) == nil)
    }

    @Test func problemsSayWhere() {
        let duplicate = problem("{\"a\": 1,\n \"a\": 2}")
        #expect(duplicate?.message == "the key \"a\" appears twice in one object" && duplicate?.line == 2 && duplicate?.column == 2)
        // The same key in two objects is no duplicate.
        #expect(problem(#"[{"a": 1}, {"a": 2}]"#) == nil)
        #expect(problem("[1,\n  2 3]")?.line == 2)
        #expect(problem("[1,\n  2 3]")?.column == 5)
        #expect(problem(#"{"a": tru}"#)?.message == "unexpected character")
        #expect(problem(#"{"a": 1} x"#)?.message == "unexpected text after the JSON value")
        #expect(problem(#"["abc"#)?.message == "a string is not closed")
        #expect(problem("[\"a\u{1}\"]")?.message == "a control character inside a string")
        #expect(problem(#"[1.2.3]"#)?.message == "'1.2.3' is not a number")
        #expect(problem(String(repeating: "[", count: 300))?.message == "nested deeper than \(JSONText.maxDepth) levels")
        #expect(problem("")?.message == "the text ends where a value should be")
    }

    /// Swift's `Double(_:)` reads a C string, so text after a NUL byte vanishes; `strict` refuses it.
    @Test func numbersRefuseAnEmbeddedNUL() {
        #expect(Double("40\u{0}junk") == 40)
        #expect(Double(strict: "40\u{0}junk") == nil)
        #expect(Double(strict: "40") == 40)
        #expect(Quantity.parse("3B\u{0}") == nil)
        #expect(Quantity.parse("3B") == 3e9)
    }
}
