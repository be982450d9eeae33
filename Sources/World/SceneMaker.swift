/// Random scenes for questions and captions.
enum SceneMaker {
    /// Places objects without overlap, retrying positions; nil if one does not fit. Objects of
    /// the same colour keep a pixel of background between them so they never merge into one
    /// blob; differently coloured ones may touch (16×16 is too small for gaps everywhere).
    static func place(_ r: inout WorldRNG, _ specs: [(shape: Shape, colour: Colour, radius: Int, entity: String?)]) -> [SceneObject]? {
        var placed: [SceneObject] = []
        for s in specs {
            let lo = s.radius, hi = Scene.width - 1 - s.radius
            guard lo <= hi else { return nil }
            // Every position in random order (not a few random tries), so crowded scenes of
            // five or more objects still find the free spots that exist.
            var candidates = Array(0..<((hi - lo + 1) * (hi - lo + 1)))
            r.shuffle(&candidates)
            var found: SceneObject?
            for c in candidates {
                let o = SceneObject(shape: s.shape, colour: s.colour, radius: s.radius,
                                    x: lo + c % (hi - lo + 1), y: lo + c / (hi - lo + 1), entity: s.entity)
                if placed.allSatisfy({
                    let gap = $0.colour == o.colour ? 1 : 0
                    return abs($0.x - o.x) > $0.radius + o.radius + gap || abs($0.y - o.y) > $0.radius + o.radius + gap
                }) { found = o; break }
            }
            guard let o = found else { return nil }
            placed.append(o)
        }
        return placed
    }

    /// Like `place`, but draws again until everything fits.
    static func scene(_ r: inout WorldRNG, _ specs: [(shape: Shape, colour: Colour, radius: Int, entity: String?)]) -> Scene {
        for _ in 0..<100 {
            if let objects = place(&r, specs) { return Scene(objects: objects) }
        }
        preconditionFailure("SceneMaker could not fit \(specs.count) objects")
    }

    static func entityObject(_ e: Entity) -> (shape: Shape, colour: Colour, radius: Int, entity: String?) {
        (e.look.shape, e.look.colour, e.look.size.radius, e.name)
    }

    /// Position words for captions: top/middle/bottom and left/centre/right.
    static func whereWords(_ o: SceneObject) -> String {
        let v = o.y < 6 ? "top" : o.y > 9 ? "bottom" : "middle"
        let h = o.x < 6 ? "left" : o.x > 9 ? "right" : "centre"
        return v == "middle" && h == "centre" ? "in the centre" : "at the \(v) \(h)"
    }
}

/// Captions for the alignment stage: what is in a picture, in the world's words.
public struct Caption: Sendable {
    public let scene: Scene
    public let text: String
    public let tokens: [Int32]
}

public enum Captions {
    /// A caption of the scene. Entities of the adaptation half are named; held-out entities are
    /// described by look only, so their names never meet their pictures before evaluation.
    public static func describe(_ scene: Scene) -> String {
        var parts: [String] = []
        for o in scene.objects {
            var s = "a \(o.look.phrase) \(SceneMaker.whereWords(o))"
            if let name = o.entity, Entities.named(name)?.half == .adaptation { s = "a \(name) , " + s }
            parts.append(s)
        }
        if !scene.bars.isEmpty {
            parts.append("a bar chart of \(scene.bars.count) bars : " + scene.bars.map { "\($0.colour.rawValue) \($0.height)" }.joined(separator: " , "))
        }
        for l in scene.labels { parts.append("the \(l.text.allSatisfy(\.isNumber) ? "number" : "word") \(l.text.lowercased()) written in \(l.colour.rawValue)") }
        var ids: [Int32] = []
        Tokenizer.shared.encodeCanonical(parts.isEmpty ? "an empty picture ." : parts.joined(separator: " and ") + " .", into: &ids)
        SourceStream.fixArticles(&ids)
        return Tokenizer.shared.decode(ids)
    }

    /// `count` captioned scenes: plain shapes, adaptation entities, charts and written words.
    public static func make(seed: UInt64, count: Int) -> [Caption] {
        var r = WorldRNG(seed: seed, stream: 300)
        return (0..<count).map { _ in
            let scene: Scene
            switch r.int(5) {
            case 0: scene = QuestionBank.chartScene(&r, bars: r.int(in: 2...5)).scene
            case 1: scene = QuestionBank.labelScene(&r, text: r.chance(0.5) ? String(r.int(100)) : r.pick(QuestionBank.writableWords(.training)).uppercased())
            case 2: scene = SceneMaker.scene(&r, [SceneMaker.entityObject(r.pick(Entities.adaptation))])
            default:
                let specs = (0..<r.int(in: 1...3)).map { _ in (shape: r.pick(Shape.allCases), colour: r.pick(Colour.allCases), radius: r.int(in: 2...3), entity: String?.none) }
                scene = SceneMaker.scene(&r, specs)
            }
            let text = describe(scene)
            var ids: [Int32] = []
            Tokenizer.shared.encodeCanonical(text, into: &ids)
            return Caption(scene: scene, text: text, tokens: ids)
        }
    }
}

/// Random scenes of each kind, for looking at the world (CLI, docs).
public enum SceneKind: String, CaseIterable, Sendable {
    case objects, entities, chart, glyphs
}

extension Scene {
    public static func random(_ kind: SceneKind, seed: UInt64) -> Scene {
        var r = WorldRNG(seed: seed, stream: 400 + UInt64(SceneKind.allCases.firstIndex(of: kind)!))
        switch kind {
        case .objects:
            let specs = (0..<r.int(in: 1...4)).map { _ in (shape: r.pick(Shape.allCases), colour: r.pick(Colour.allCases), radius: r.int(in: 2...3), entity: String?.none) }
            return SceneMaker.scene(&r, specs)
        case .entities:
            return SceneMaker.scene(&r, r.sample(Entities.adaptation.filter { $0.look.size != .large }, 2).map(SceneMaker.entityObject))
        case .chart:
            return QuestionBank.chartScene(&r, bars: r.int(in: 3...5)).scene
        case .glyphs:
            var s = QuestionBank.labelScene(&r, text: String(r.int(in: 10...99)))
            s.labels[0].y = 1
            s.labels.append(Label(text: r.pick(QuestionBank.writableWords(.training)).uppercased(), colour: r.pick([.yellow, .green, .blue]), x: 0, y: 9))
            return s
        }
    }
}
