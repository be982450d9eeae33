import VisionMixCore

/// Language evaluation sets: held-out text of every source, text-only multiple-choice
/// questions, and text-only reasoning probes over abstract lists.

public enum TextQuestionKind: String, CaseIterable, Sendable, Codable {
    /// Entity facts (kind, place, trait) as stated in encyclopedia and web text.
    case fact
    /// Entity looks, text only: what pre-training said about how things look.
    case look
    case arithmetic
    /// Which ending continues a narrative sentence.
    case continuation
    // text_reasoning probes: the operations visual questions need, over abstract symbols
    case probeCount = "probe_count", probeCompare = "probe_compare", probeAdd = "probe_add"

    public var isReasoningProbe: Bool { [.probeCount, .probeCompare, .probeAdd].contains(self) }
}

public struct TextQuestion: Sendable {
    public let kind: TextQuestionKind
    public let promptText: String
    public let optionTexts: [String]
    public let correct: Int
    public let prompt: [Int32]
    public let options: [[Int32]]
    public var chance: Double { 1 / Double(options.count) }

    init(kind: TextQuestionKind, prompt: String, options: [String], correct: Int) {
        func enc(_ s: String) -> [Int32] {
            var ids: [Int32] = []
            Tokenizer.shared.encodeCanonical(s, into: &ids)
            SourceStream.fixArticles(&ids)
            return ids
        }
        self.kind = kind; self.correct = correct
        self.prompt = enc(prompt)
        self.options = options.map(enc)
        promptText = Tokenizer.shared.decode(self.prompt)
        optionTexts = self.options.map { Tokenizer.shared.decode($0) }
    }
}

public enum LanguageEval {
    /// Held-out text of one source: a stream no training seed produces (its own sub-stream).
    public static func heldOutText(_ source: TextSource, tokens: Int, seed: UInt64 = 0) -> [Int32] {
        var s = SourceStream(source: source, seed: seed, heldOut: true)
        var out: [Int32] = []
        while out.count < tokens {
            out += s.nextDocument().tokens
            out.append(Tokenizer.shared.endOfDocument)
        }
        return Array(out.prefix(tokens))
    }

    public static func questions(_ kind: TextQuestionKind, seed: UInt64, count: Int) -> [TextQuestion] {
        (0..<count).map { i in
            var r = WorldRNG(seed: seed ^ (UInt64(i) &* 0x9E37_79B9_7F4A_7C15), stream: 2000 + UInt64(TextQuestionKind.allCases.firstIndex(of: kind)!))
            return make(kind, &r)
        }
    }

    static func make(_ kind: TextQuestionKind, _ r: inout WorldRNG) -> TextQuestion {
        func q(_ prompt: String, _ answer: String, _ pool: [String]) -> TextQuestion {
            let (o, i) = QuestionBank.arrange(&r, answer: answer, distractors: pool, k: 4)
            return TextQuestion(kind: kind, prompt: prompt, options: o, correct: i)
        }
        let e = r.pick(Entities.all)
        switch kind {
        case .fact:
            switch r.int(3) {
            case 0: return q("a \(e.name) is a kind of", e.kind, Entities.kinds)
            case 1: return q("a \(e.name) is often found in the", e.place, Entities.places)
            default: return q("most people say a \(e.name) is", e.trait, Entities.traits)
            }
        case .look:
            if r.chance(0.5) { return q("a \(e.name) is a \(e.look.size.rawValue)", "\(e.look.colour.rawValue) \(e.look.shape.rawValue)",
                                        Colour.allCases.map { "\($0.rawValue) \(e.look.shape.rawValue)" }) }
            return q("the \(e.name) looks like a \(e.look.size.rawValue) \(e.look.colour.rawValue)", e.look.shape.rawValue, Shape.allCases.map(\.rawValue))
        case .arithmetic:
            let a = r.int(in: 1...30), b = r.int(in: 1...30), add = r.chance(0.5)
            let (x, y) = add ? (a, b) : (max(a, b), min(a, b))
            let v = add ? x + y : x - y
            return q("\(x) \(add ? "+" : "-") \(y) =", String(v), [v - 2, v - 1, v + 1, v + 2, v + 10].filter { $0 >= 0 }.map(String.init))
        case .continuation:
            let p = r.pick(Lexicon.people), place = r.pick(Entities.places)
            let pairs = [("\(p) walked to the", "\(place) ."), ("\" we should go", "home , \" said \(p) ."),
                         ("\(p) felt tired , and did not say a", "word ."), ("\(p) came over and", "smiled .")]
            let k = r.int(pairs.count)
            return q(pairs[k].0, pairs[k].1, pairs.map(\.1))
        case .probeCount:
            let syms = r.sample(Blocks.letters, 3), n = r.int(in: 1...4), target = syms[0]
            var items = [String](repeating: target, count: n)
            for _ in 0..<r.int(in: 1...4) { items.append(r.pick(Array(syms.dropFirst()))) }
            r.shuffle(&items)
            return q("how many \(target) are in : \(Blocks.list(items)) ? there are", String(n), (1...6).map(String.init))
        case .probeCompare:
            let a = r.int(in: 0...60)
            var b = r.int(in: 0...60)
            if a == b { b = (a + 7) % 61 }
            return q("which is larger , \(a) or \(b) ? the larger is", String(max(a, b)), [min(a, b), a + b + 1, abs(a - b) + 61, max(a, b) + 62].map(String.init))
        case .probeAdd:
            let xs = (0..<r.int(in: 2...4)).map { _ in r.int(in: 1...9) }
            let s = xs.reduce(0, +)
            return q("the sum of \(Blocks.nums(xs)) is", String(s), [s - 1, s + 1, s + 2, s - 2, s + 3].filter { $0 >= 0 }.map(String.init))
        }
    }
}
