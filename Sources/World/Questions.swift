/// Multiple-choice questions over scenes, grouped as in the paper.

public enum QuestionGroup: String, CaseIterable, Sendable, Codable {
    case general, knowledge, ocrChart = "ocr_chart", visionCentric = "vision_centric"
    case perception, reasoning
    case mleSmall = "mle_small", mleMedium = "mle_medium", mleLarge = "mle_large"
}

public enum QuestionFamily: String, CaseIterable, Sendable, Codable {
    // general: attributes and existence
    case colour, shape, existence
    // knowledge: entities whose look was only described in text
    case entityName = "entity_name", entityKind = "entity_kind"
    // ocr_chart
    case readNumber = "read_number", readWord = "read_word", chartTallest = "chart_tallest", chartValue = "chart_value"
    // vision_centric
    case counting, spatial, relativeSize = "relative_size", compareCounts = "compare_counts", countArithmetic = "count_arithmetic"
    // four-option existence, binned by the target's share of the image area
    case mleSmall = "mle_small", mleMedium = "mle_medium", mleLarge = "mle_large"

    /// The paper's group, then the perception/reasoning roll-up, then an MLE bin if any.
    public var groups: [QuestionGroup] {
        switch self {
        case .colour, .shape, .existence: [.general, .perception]
        case .entityName: [.knowledge, .perception]
        case .entityKind: [.knowledge, .reasoning]
        case .readNumber, .readWord: [.ocrChart, .perception]
        case .chartTallest, .chartValue: [.ocrChart, .reasoning]
        case .counting, .spatial, .relativeSize, .compareCounts, .countArithmetic: [.visionCentric, .reasoning]
        case .mleSmall: [.mleSmall, .perception]
        case .mleMedium: [.mleMedium, .perception]
        case .mleLarge: [.mleLarge, .perception]
        }
    }

    public var optionCount: Int {
        switch self {
        case .relativeSize, .compareCounts: 3
        default: 4
        }
    }

    /// Accuracy of guessing uniformly.
    public var chance: Double { 1 / Double(optionCount) }

    public init?(name: String) {
        self.init(rawValue: name.lowercased().replacingOccurrences(of: "-", with: "_"))
    }
}

/// Which entities a question may show: instruction tuning sees only the adaptation half;
/// evaluation's knowledge questions test the held-out half.
public enum QuestionPurpose: String, Sendable, Codable { case training, evaluation }

public struct Question: Sendable {
    public let family: QuestionFamily
    public let scene: Scene
    public let promptText: String
    public let optionTexts: [String]
    public let correct: Int
    public let prompt: [Int32]
    public let options: [[Int32]]
    /// Share of the image covered by the object asked about (MLE families; else nil).
    public let targetArea: Double?

    public var groups: [QuestionGroup] { family.groups }
    public var chance: Double { 1 / Double(options.count) }
    public var image: Image { Renderer.render(scene) }

    init(family: QuestionFamily, scene: Scene, prompt: String, options: [String], correct: Int, targetArea: Double? = nil) {
        self.family = family; self.scene = scene; self.correct = correct; self.targetArea = targetArea
        func enc(_ s: String) -> [Int32] {
            var ids: [Int32] = []
            Tokenizer.shared.encodeCanonical(s, into: &ids)
            SourceStream.fixArticles(&ids)
            return ids
        }
        self.prompt = enc(prompt)
        self.options = options.map(enc)
        promptText = Tokenizer.shared.decode(self.prompt)
        optionTexts = self.options.map { Tokenizer.shared.decode($0) }
    }
}

public enum QuestionBank {
    /// `count` questions of one family; question `i` depends only on (family, purpose, seed, i).
    public static func questions(_ family: QuestionFamily, purpose: QuestionPurpose, seed: UInt64, count: Int) -> [Question] {
        (0..<count).map { question(family, purpose: purpose, seed: seed, index: $0) }
    }

    public static func question(_ family: QuestionFamily, purpose: QuestionPurpose, seed: UInt64, index: Int) -> Question {
        let famID = UInt64(QuestionFamily.allCases.firstIndex(of: family)!)
        var r = WorldRNG(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15), stream: 1000 + famID * 2 + (purpose == .training ? 0 : 1))
        return make(family, purpose, &r)
    }

    /// Puts `answer` at a uniformly drawn position among the distractors; this is what keeps
    /// every option position at chance.
    static func arrange(_ r: inout WorldRNG, answer: String, distractors: [String], k: Int) -> ([String], Int) {
        var seen: Set<String> = [answer]
        let unique = distractors.filter { seen.insert($0).inserted }
        var opts = Array(r.shuffled(unique).prefix(k - 1))
        let at = r.int(opts.count + 1)
        opts.insert(answer, at: at)
        return (opts, at)
    }

    static func entities(_ p: QuestionPurpose) -> [Entity] { p == .training ? Entities.adaptation : Entities.heldOut }

    static func make(_ f: QuestionFamily, _ p: QuestionPurpose, _ r: inout WorldRNG) -> Question {
        let k = f.optionCount
        switch f {
        case .colour:
            let c = r.sample(Colour.allCases, 2), s = r.sample(Shape.allCases, 2)
            let scene = SceneMaker.scene(&r, [(s[0], c[0], r.int(in: 2...3), nil)] + (r.chance(0.5) ? [(s[1], c[1], r.int(in: 2...3), nil)] : []))
            let (o, i) = arrange(&r, answer: c[0].rawValue, distractors: Colour.allCases.map(\.rawValue), k: k)
            return Question(family: f, scene: scene, prompt: "what colour is the \(s[0].rawValue) ?", options: o, correct: i)
        case .shape:
            let c = r.sample(Colour.allCases, 2), s = r.sample(Shape.allCases, 2)
            let scene = SceneMaker.scene(&r, [(s[0], c[0], r.int(in: 2...3), nil)] + (r.chance(0.5) ? [(s[1], c[1], r.int(in: 2...3), nil)] : []))
            let (o, i) = arrange(&r, answer: s[0].rawValue, distractors: Shape.allCases.map(\.rawValue), k: k)
            return Question(family: f, scene: scene, prompt: "what shape is the \(c[0].rawValue) object ?", options: o, correct: i)
        case .existence:
            let n = r.int(in: 1...3)
            let specs = (0..<n).map { _ in (shape: r.pick(Shape.allCases), colour: r.pick(Colour.allCases), radius: r.int(in: 2...3), entity: String?.none) }
            let scene = SceneMaker.scene(&r, specs)
            return existence(f, scene, target: r.int(n), &r)
        case .entityName, .entityKind:
            let pool = entities(p), e = r.pick(pool)
            let scene = SceneMaker.scene(&r, [SceneMaker.entityObject(e)])
            if f == .entityName {
                let (o, i) = arrange(&r, answer: e.name, distractors: pool.map(\.name), k: k)
                return Question(family: f, scene: scene, prompt: "what is this ?", options: o, correct: i)
            }
            let (o, i) = arrange(&r, answer: e.kind, distractors: Entities.kinds, k: k)
            return Question(family: f, scene: scene, prompt: "what kind of thing is this ?", options: o, correct: i)
        case .readNumber:
            let n = r.int(100)
            let near = [n + 1, n - 1, n + 10, n - 10, (n % 10) * 10 + n / 10, r.int(100), r.int(100)].filter { $0 >= 0 && $0 < 100 && $0 != n }
            let (o, i) = arrange(&r, answer: String(n), distractors: Array(Set(near)).sorted().map(String.init), k: k)
            return Question(family: f, scene: labelScene(&r, text: String(n)), prompt: "what number is written ?", options: o, correct: i)
        case .readWord:
            let words = writableWords(p)
            let w = r.pick(words)
            let (o, i) = arrange(&r, answer: w, distractors: words, k: k)
            return Question(family: f, scene: labelScene(&r, text: w.uppercased()), prompt: "what word is written ?", options: o, correct: i)
        case .chartTallest:
            let (scene, _) = chartScene(&r, bars: k)
            let tallest = scene.bars.max { $0.height < $1.height }!.colour.rawValue
            // The options are the bars' own colours, left to right, so the answer's position is
            // the tallest bar's position, which chartScene draws uniformly.
            let opts = scene.bars.map(\.colour.rawValue)
            return Question(family: f, scene: scene, prompt: "which bar is the tallest ?", options: opts, correct: opts.firstIndex(of: tallest)!)
        case .chartValue:
            let (scene, _) = chartScene(&r, bars: r.int(in: 2...4))
            let b = r.pick(scene.bars)
            let (o, i) = arrange(&r, answer: String(b.height), distractors: (1...14).map(String.init), k: k)
            return Question(family: f, scene: scene, prompt: "how tall is the \(b.colour.rawValue) bar ?", options: o, correct: i)
        case .counting:
            let n = r.int(in: 1...4), byColour = r.chance(0.5)
            let c = r.sample(Colour.allCases, 2), s = r.sample(Shape.allCases, 2)
            let extra = r.int(in: 0...1)
            // Counting shapes: every object a different colour, so they may touch without merging.
            let colours = r.sample(Colour.allCases, n + extra)
            var specs = (0..<n).map { (shape: byColour ? r.pick(Shape.allCases) : s[0], colour: byColour ? c[0] : colours[$0], radius: 2, entity: String?.none) }
            if extra == 1 { specs.append((byColour ? r.pick(Shape.allCases) : s[1], byColour ? c[1] : colours[n], 2, nil)) }
            let scene = SceneMaker.scene(&r, r.shuffled(specs))
            let what = byColour ? "\(c[0].rawValue) objects" : "\(s[0].rawValue) shapes"
            let (o, i) = arrange(&r, answer: String(n), distractors: (1...6).map(String.init), k: k)
            return Question(family: f, scene: scene, prompt: "how many \(what) are there ?", options: o, correct: i)
        case .spatial:
            let rel = r.int(4), c = r.sample(Colour.allCases, 2), s = r.sample(Shape.allCases, 2)
            let names = ["left of", "right of", "above", "below"]
            var a = SceneObject(shape: s[0], colour: c[0], radius: 2, x: 0, y: 0), b = SceneObject(shape: s[1], colour: c[1], radius: 2, x: 0, y: 0)
            let near = r.int(in: 3...12), lo = r.int(in: 2...5), hi = r.int(in: 10...13)
            switch rel {
            case 0: (a.x, b.x, a.y, b.y) = (lo, hi, near, near + r.int(in: -1...1))
            case 1: (a.x, b.x, a.y, b.y) = (hi, lo, near, near + r.int(in: -1...1))
            case 2: (a.y, b.y, a.x, b.x) = (lo, hi, near, near + r.int(in: -1...1))
            default: (a.y, b.y, a.x, b.x) = (hi, lo, near, near + r.int(in: -1...1))
            }
            a.y = min(13, max(2, a.y)); b.y = min(13, max(2, b.y)); a.x = min(13, max(2, a.x)); b.x = min(13, max(2, b.x))
            let scene = Scene(objects: [a, b])
            let (o, i) = arrange(&r, answer: names[rel], distractors: names, k: k)
            return Question(family: f, scene: scene, prompt: "where is the \(c[0].rawValue) \(s[0].rawValue) , compared with the \(c[1].rawValue) \(s[1].rawValue) ?", options: o, correct: i)
        case .relativeSize:
            let c = r.sample(Colour.allCases, 3), radii = r.shuffled([2, 3, 4])
            let s = r.pick(Shape.allCases)
            let scene = SceneMaker.scene(&r, (0..<3).map { (r.chance(0.5) ? s : r.pick(Shape.allCases), c[$0], radii[$0], nil) })
            let big = c[radii.firstIndex(of: 4)!].rawValue
            let (o, i) = arrange(&r, answer: big, distractors: c.map(\.rawValue), k: k)
            return Question(family: f, scene: scene, prompt: "which colour is the biggest object ?", options: o, correct: i)
        case .compareCounts:
            let c = r.sample(Colour.allCases, 2), verdict = r.int(3)
            var a = r.int(in: 1...3), b = r.int(in: 1...3)
            switch verdict {
            case 0: if a <= b { a = b + 1 }
            case 1: if b <= a { b = a + 1 }
            default: b = a
            }
            // Radius 1 (3×3) blobs: only colour matters here, and seven of them must fit.
            let specs = (0..<a).map { _ in (shape: r.pick(Shape.allCases), colour: c[0], radius: 1, entity: String?.none) }
                + (0..<b).map { _ in (shape: r.pick(Shape.allCases), colour: c[1], radius: 1, entity: String?.none) }
            let scene = SceneMaker.scene(&r, r.shuffled(specs))
            let answers = ["more \(c[0].rawValue)", "more \(c[1].rawValue)", "the same"]
            let (o, i) = arrange(&r, answer: answers[verdict], distractors: answers, k: k)
            return Question(family: f, scene: scene, prompt: "are there more \(c[0].rawValue) or more \(c[1].rawValue) objects ?", options: o, correct: i)
        case .countArithmetic:
            let total = r.int(in: 2...5), a = r.int(in: 1...(total - 1)), s = r.sample(Shape.allCases, 2)
            // Distinct colours: only shape matters here, and differently coloured objects may
            // touch, which five objects on 16×16 need.
            let colours = r.sample(Colour.allCases, total)
            let specs = (0..<total).map { (shape: $0 < a ? s[0] : s[1], colour: colours[$0], radius: 2, entity: String?.none) }
            let scene = SceneMaker.scene(&r, r.shuffled(specs))
            let (o, i) = arrange(&r, answer: String(total), distractors: (1...7).map(String.init), k: k)
            return Question(family: f, scene: scene, prompt: "how many \(s[0].rawValue) and \(s[1].rawValue) shapes are there in all ?", options: o, correct: i)
        case .mleSmall, .mleMedium, .mleLarge:
            let bin: ClosedRange<Double> = f == .mleSmall ? 0.02...0.30 : f == .mleMedium ? 0.30...0.60 : 0.60...1.0
            for _ in 0..<1000 {
                let radius = f == .mleSmall ? r.int(in: 1...4) : f == .mleMedium ? r.int(in: 4...7) : r.int(in: 6...10)
                let o = SceneObject(shape: r.pick(Shape.allCases), colour: r.pick(Colour.allCases), radius: radius,
                                    x: r.int(in: 4...11), y: r.int(in: 4...11))
                let scene = Scene(objects: [o])
                let area = Double(scene.visibleArea(ofObject: 0)) / Double(Scene.width * Scene.height)
                if bin.contains(area) { return existence(f, scene, target: 0, &r, area: area) }
            }
            preconditionFailure("no object fits the area bin of \(f.rawValue)")
        }
    }

    /// "Which of these is in the picture?" with three absent colour–shape pairs.
    static func existence(_ f: QuestionFamily, _ scene: Scene, target: Int, _ r: inout WorldRNG, area: Double? = nil) -> Question {
        let present = Set(scene.objects.map { "\($0.colour.rawValue) \($0.shape.rawValue)" })
        var absent: [String] = []
        while absent.count < 3 {
            let s = "\(r.pick(Colour.allCases).rawValue) \(r.pick(Shape.allCases).rawValue)"
            if !present.contains(s) && !absent.contains(s) { absent.append(s) }
        }
        let t = scene.objects[target]
        let (o, i) = arrange(&r, answer: "\(t.colour.rawValue) \(t.shape.rawValue)", distractors: absent, k: 4)
        return Question(family: f, scene: scene, prompt: "which of these is in the picture ?", options: o, correct: i, targetArea: area)
    }

    /// Words the pixel font writes for reading questions: short names and colour words.
    /// Training never writes a held-out name either, so the halves stay apart in every modality.
    public static func writableWords(_ p: QuestionPurpose) -> [String] {
        (entities(p).map(\.name) + Colour.allCases.map(\.rawValue)).filter { $0.count <= 4 }
    }

    static func labelScene(_ r: inout WorldRNG, text: String) -> Scene {
        let width = text.count * 4 - 1
        let colour = r.pick(Colour.allCases.filter { $0 != .grey && $0 != .brown })
        return Scene(labels: [Label(text: text, colour: colour, x: r.int(in: 0...(Scene.width - width)), y: r.int(in: 0...(Scene.height - 5)))])
    }

    /// Bars of distinct colours and distinct heights; the tallest is at a uniform position.
    static func chartScene(_ r: inout WorldRNG, bars: Int) -> (scene: Scene, tallest: Int) {
        let colours = r.sample(Colour.allCases, bars)
        var heights = r.sample(Array(1...14), bars).sorted()
        let top = heights.removeLast()
        heights = r.shuffled(heights)
        let at = r.int(bars)
        heights.insert(top, at: at)
        return (Scene(bars: zip(colours, heights).map { Bar(colour: $0, height: $1) }), at)
    }
}

extension QuestionBank {
    /// Questions for visual instruction tuning: the families in turn, adaptation entities only.
    public static func instructionSet(seed: UInt64, count: Int, families: [QuestionFamily] = QuestionFamily.allCases) -> [Question] {
        (0..<count).map { question(families[$0 % families.count], purpose: .training, seed: seed, index: $0 / families.count) }
    }

    /// `perFamily` evaluation questions of every family (held-out entities for knowledge).
    public static func evaluationSet(seed: UInt64, perFamily: Int) -> [Question] {
        evaluationSet(seed: seed) { _ in perFamily }
    }

    /// `count(family)` evaluation questions of every family; a family's first questions do not
    /// depend on how many it asks.
    public static func evaluationSet(seed: UInt64, count: (QuestionFamily) -> Int) -> [Question] {
        QuestionFamily.allCases.flatMap { questions($0, purpose: .evaluation, seed: seed, count: count($0)) }
    }
}

extension Image {
    /// The blank canvas, for blind scores (the same questions without their picture).
    public static let blank = Renderer.render(.blank)
}
