/// The one word-level vocabulary every generator, question and caption is written in.
///
/// Text is canonical when its tokens are separated by single spaces; a newline is a token of
/// its own, and so is each two-space indent at the start of a line (code). `encode` also
/// splits punctuation stuck to a word ("lemon." → "lemon", "."), so
/// hand-typed prompts work, but it never maps an unknown word to a catch-all token: the tiny
/// models would learn nothing from it, and a typo in a generator must surface at once.
public struct Tokenizer: Sendable {
    public static let shared = Tokenizer(words: Lexicon.all)

    public static let padWord = "<pad>", endOfDocumentWord = "<eod>", newlineWord = "<nl>", indentWord = "<in>"

    public let words: [String]
    private let index: [String: Int32]

    public var vocabularySize: Int { words.count }
    /// Separator token placed between documents.
    public var endOfDocument: Int32 { index[Self.endOfDocumentWord]! }
    public var newline: Int32 { index[Self.newlineWord]! }
    public var pad: Int32 { index[Self.padWord]! }
    /// Two spaces of indentation at the start of a line.
    public var indent: Int32 { index[Self.indentWord]! }

    /// Builds a vocabulary from `words` (duplicates dropped, first occurrence kept), with the
    /// special tokens `<pad>` = 0, `<eod>` = 1, `<nl>` = 2, `<in>` = 3 first.
    public init(words list: [String]) {
        var seen = Set<String>(), ordered: [String] = []
        for w in [Self.padWord, Self.endOfDocumentWord, Self.newlineWord, Self.indentWord] + list where !w.isEmpty && seen.insert(w).inserted {
            ordered.append(w)
        }
        words = ordered
        index = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1, Int32($0)) })
    }

    public func id(_ word: String) -> Int32? { index[word] }
    public func id(_ word: Substring) -> Int32? { index[String(word)] }
    public func contains(_ word: String) -> Bool { index[word] != nil }

    public func word(_ id: Int32) -> String? { id >= 0 && Int(id) < words.count ? words[Int(id)] : nil }

    public func encode(_ text: String) throws -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count / 4)
        var position = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.offset > 0 { out.append(newline) }
            var rest = line.element[...]
            while rest.hasPrefix("  ") { out.append(indent); rest = rest.dropFirst(2) }
            for piece in rest.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
                position += 1
                if let t = index[String(piece)] { out.append(t); continue }
                try splitPunctuation(piece, into: &out, position: position)
            }
        }
        return out
    }

    private static let punctuation: Set<Character> = [".", ",", "?", "!", ":", ";", "(", ")", "[", "]", "\"", "'"]

    private func splitPunctuation(_ piece: Substring, into out: inout [Int32], position: Int) throws {
        var core = piece[...], lead: [Int32] = [], trail: [Int32] = []
        while let c = core.first, Self.punctuation.contains(c), let t = index[String(c)] { lead.append(t); core = core.dropFirst() }
        while let c = core.last, Self.punctuation.contains(c), let t = index[String(c)] { trail.insert(t, at: 0); core = core.dropLast() }
        guard core.isEmpty || index[String(core)] != nil else {
            throw UnknownWordError(word: String(core), position: position)
        }
        out += lead
        if !core.isEmpty { out.append(index[String(core)]!) }
        out += trail
    }

    /// Canonical text: words joined by single spaces, `<nl>` rendered as a line break and
    /// `<in>` at a line start as two spaces.
    /// `encode(decode(ids)) == ids` for any valid ids; an id outside the vocabulary decodes to
    /// `<unk:ID>` so a bad stream stays visible rather than being dropped.
    public func decode(_ ids: [Int32]) -> String {
        var s = ""
        s.reserveCapacity(ids.count * 5)
        var atLineStart = true
        for id in ids {
            if id == newline { s += "\n"; atLineStart = true; continue }
            if id == indent && atLineStart { s += "  "; continue }
            if !atLineStart { s += " " }
            s += word(id) ?? "<unk:\(id)>"
            atLineStart = false
        }
        return s
    }

    /// Fast path for the generators: text they wrote is canonical, so no punctuation splitting.
    /// A missing word here is a bug in a generator, found by the lint test over every source.
    func encodeCanonical(_ text: String, into out: inout [Int32]) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.offset > 0 { out.append(newline) }
            for piece in line.element.split(separator: " ") {
                guard let t = index[String(piece)] else { fatalError("World vocabulary lacks the word '\(piece)' in: \(text)") }
                out.append(t)
            }
        }
    }

    /// Words of generator text that are not in the vocabulary (for the lint test).
    func missingWords(in text: String) -> Set<String> {
        var m = Set<String>()
        for piece in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) where index[String(piece)] == nil { m.insert(String(piece)) }
        return m
    }
}

public struct UnknownWordError: Error, CustomStringConvertible, Equatable {
    public let word: String
    /// 1-based index of the whitespace-separated piece that held it.
    public let position: Int
    public var description: String { "unknown word '\(word)' (word \(position)); the World vocabulary has no such word" }
}
