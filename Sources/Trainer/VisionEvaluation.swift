// Evaluation of an adapted model on held-out scenes, and of an LM on language.
//
// Every question is multiple choice and is scored by the likelihood of each option (the sum of
// log-probabilities of the option and the <eod> after it, given the visual tokens and the
// prompt); the option with the highest likelihood is the model's answer. Scores are accuracy in
// percent per group of the catalogue (MetricCatalogue); chance levels come with them.
import Foundation
import World
import VisionMixCore

public struct EvaluationConfig: Codable, Hashable, Sendable {
    /// Questions per family (17 families) of the held-out evaluation set. A group's score is
    /// the mean of its families' accuracies, so families may have different counts.
    public var perFamily = 40
    /// Knowledge families get this many times `perFamily`: knowledge sits near chance for most
    /// models, and "within 5 points of chance" needs a binomial SD well under 5 (2.8 points for
    /// the mean of two families of 120).
    public var knowledgeMultiplier = 3
    /// The other reasoning families get this many times `perFamily` (1 in the standard
    /// budgets, 4 in the `precise` sweep profile). At xl the mixtures move visual reasoning by
    /// a few points, and with 40 questions a family the question sample alone moved the
    /// scaling mixtures' gap by three (docs/findings.md, "Where the xl noise comes from").
    public var reasoningMultiplier = 1
    /// Text questions per kind (seven kinds: four for text_acc, three probes for text_reasoning).
    public var textPerKind = 40
    /// Held-out tokens per source for perplexity.
    public var pplTokensPerSource = 2048
    /// The evaluation sets' seed: fixed across runs, so every run is scored on the same questions.
    public var seed: UInt64 = 0xE7A1
    public init() {}

    /// Held-out questions asked of `family`.
    public func questionCount(_ family: QuestionFamily) -> Int {
        if family.groups.contains(.knowledge) { return perFamily * knowledgeMultiplier }
        if family.groups.contains(.reasoning) { return perFamily * reasoningMultiplier }
        return perFamily
    }
}

/// Scores with their chance levels.
public struct Scores: Sendable {
    public var values: [String: Double] = [:]
    public var chance: [String: Double] = [:]
    public init() {}
    public mutating func merge(_ o: Scores) {
        values.merge(o.values) { $1 }; chance.merge(o.chance) { $1 }
    }
}

/// The held-out visual questions, encoded once per encoder.
public final class VisionEvalSet: @unchecked Sendable {
    public struct Item: Sendable { let family: QuestionFamily; let correct: Int; let chance: Double; let examples: [VisualExample] }
    public let items: [Item]
    /// The same items with a blank image.
    public let blindItems: [Item]

    public init(encoder: VisionEncoder, config: EvaluationConfig) {
        let eod = Tokenizer.shared.endOfDocument
        let blank = encoder.encode(Image.blank)
        var items: [Item] = [], blind: [Item] = []
        for q in QuestionBank.evaluationSet(seed: config.seed, count: config.questionCount) {
            let f = encoder.encode(q.image)
            func ex(_ feat: [Float]) -> [VisualExample] { q.options.map { VisualExample(features: feat, tokens: q.prompt + $0 + [eod], scoredFrom: q.prompt.count) } }
            items.append(Item(family: q.family, correct: q.correct, chance: q.chance, examples: ex(f)))
            blind.append(Item(family: q.family, correct: q.correct, chance: q.chance, examples: ex(blank)))
        }
        self.items = items; blindItems = blind
    }

    private static let lock = NSLock()
    private struct CacheKey: Hashable { var encoder: String; var config: EvaluationConfig }
    nonisolated(unsafe) private static var cache: [CacheKey: VisionEvalSet] = [:]

    /// One shared set per (encoder, config): encoding is done once per process. Keyed by the
    /// whole config, so a setting added later cannot be left out of the key.
    public static func shared(encoder: VisionEncoder, config: EvaluationConfig) -> VisionEvalSet {
        let key = CacheKey(encoder: encoder.name, config: config)
        lock.lock(); defer { lock.unlock() }
        if let s = cache[key] { return s }
        let s = VisionEvalSet(encoder: encoder, config: config)
        cache[key] = s
        return s
    }

    /// Group accuracies (%) of the adapted model; metric names prefixed by `prefix` ("" or "blind_").
    public func score(_ vm: VisualModel, blind: Bool = false) -> Scores {
        scoreByFamily(vm, blind: blind).scores
    }

    /// Group scores and the accuracy (%) of each family behind them, for studies of where a
    /// group's score comes from.
    public func scoreByFamily(_ vm: VisualModel, blind: Bool = false) -> (scores: Scores, families: [QuestionFamily: Double]) {
        let counts = familyCounts(vm, blind: blind)
        return (groupScores(counts, blind: blind), counts.mapValues { 100 * $0.right / $0.n })
    }

    private typealias FamilyCount = (right: Double, n: Double, chance: Double)

    private func familyCounts(_ vm: VisualModel, blind: Bool) -> [QuestionFamily: FamilyCount] {
        let set = blind ? blindItems : items
        let lls = vm.logLikelihoods(set.flatMap(\.examples))
        var byFamily: [QuestionFamily: FamilyCount] = [:]
        var k = 0
        for it in set {
            let ll = lls[k..<(k + it.examples.count)]
            k += it.examples.count
            let best = ll.indices.max { ll[$0] < ll[$1] }! - ll.startIndex
            var c = byFamily[it.family] ?? (0, 0, 0)
            c.right += best == it.correct ? 1 : 0; c.n += 1; c.chance += it.chance
            byFamily[it.family] = c
        }
        return byFamily
    }

    private func groupScores(_ byFamily: [QuestionFamily: FamilyCount], blind: Bool) -> Scores {
        // A group is the mean of its families, so a family's weight does not depend on how many
        // questions it asks. Summed in a fixed family order: a dictionary's order varies between
        // instances, and the sum of fractions with it, which would break bit-for-bit reruns.
        var correct: [QuestionGroup: (accuracy: Double, chance: Double, families: Double)] = [:]
        for f in QuestionFamily.allCases {
            guard let c = byFamily[f] else { continue }
            for g in f.groups {
                var t = correct[g] ?? (0, 0, 0)
                t.accuracy += c.right / c.n; t.chance += c.chance / c.n; t.families += 1
                correct[g] = t
            }
        }
        var s = Scores()
        let prefix = blind ? "blind_" : ""
        for (g, c) in correct {
            s.values[prefix + g.rawValue] = 100 * c.accuracy / c.families
            s.chance[prefix + g.rawValue] = 100 * c.chance / c.families
        }
        let vqa = ["general", "knowledge", "ocr_chart", "vision_centric"].map { prefix + $0 }
        s.values[prefix + "vqa_avg"] = vqa.map { s.values[$0]! }.reduce(0, +) / 4
        s.chance[prefix + "vqa_avg"] = vqa.map { s.chance[$0]! }.reduce(0, +) / 4
        return s
    }
}

/// Language evaluation of an LM: held-out perplexity over all six sources and text-only
/// multiple choice (text_acc) and reasoning probes (text_reasoning).
public final class LanguageEvalSet: @unchecked Sendable {
    let text: [[Int32]]
    let questions: [(reasoning: Bool, prompt: [Int32], options: [[Int32]], correct: Int)]

    public init(config: EvaluationConfig) {
        text = TextSource.allCases.map { LanguageEval.heldOutText($0, tokens: config.pplTokensPerSource + 1) }
        var qs: [(Bool, [Int32], [[Int32]], Int)] = []
        for kind in TextQuestionKind.allCases {
            for q in LanguageEval.questions(kind, seed: config.seed, count: config.textPerKind) {
                qs.append((kind.isReasoningProbe, q.prompt, q.options, q.correct))
            }
        }
        questions = qs
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: LanguageEvalSet] = [:]

    public static func shared(config: EvaluationConfig) -> LanguageEvalSet {
        let key = "\(config.textPerKind)|\(config.pplTokensPerSource)|\(config.seed)"
        lock.lock(); defer { lock.unlock() }
        if let s = cache[key] { return s }
        let s = LanguageEvalSet(config: config)
        cache[key] = s
        return s
    }

    /// text_acc and text_reasoning (%), with chance.
    public func multipleChoice(_ model: Model) -> Scores {
        let items = questions.flatMap { q in q.options.map { (prompt: q.prompt, continuation: $0) } }
        let lls = model.logLikelihoods(items)
        var right = [0.0, 0.0], n = [0.0, 0.0], chance = [0.0, 0.0]
        var k = 0
        for q in questions {
            let ll = lls[k..<(k + q.options.count)]
            k += q.options.count
            let best = ll.indices.max { ll[$0] < ll[$1] }! - ll.startIndex
            let i = q.reasoning ? 1 : 0
            right[i] += best == q.correct ? 1 : 0; n[i] += 1; chance[i] += 1 / Double(q.options.count)
        }
        var s = Scores()
        s.values["text_acc"] = 100 * right[0] / n[0]; s.chance["text_acc"] = 100 * chance[0] / n[0]
        s.values["text_reasoning"] = 100 * right[1] / n[1]; s.chance["text_reasoning"] = 100 * chance[1] / n[1]
        return s
    }

    /// exp(mean next-token loss) over the held-out text of all six sources, cut into windows of
    /// the model's context.
    public func perplexity(_ model: Model) -> Double {
        let T = model.config.context
        var sum = 0.0, count = 0.0
        for t in text {
            var windows: [(inp: ArraySlice<Int32>, tgt: ArraySlice<Int32>)] = []
            var start = 0
            while start + T + 1 <= t.count { windows.append((t[start..<(start + T)], t[(start + 1)...(start + T)])); start += T }
            var w = 0
            while w < windows.count {
                let B = min(model.maxBatch, windows.count - w)
                let inp = windows[w..<(w + B)].flatMap(\.inp), tgt = windows[w..<(w + B)].flatMap(\.tgt)
                let loss = model.forward(inputs: inp, targets: tgt, B: B, T: T)
                sum += Double(loss) * Double(B * T); count += Double(B * T)
                w += B
            }
        }
        return exp(sum / max(count, 1))
    }

    public func score(_ model: Model) -> Scores {
        var s = multipleChoice(model)
        s.values["ppl"] = perplexity(model)
        return s
    }
}
