/// Sentence-level building blocks shared by the six text sources. Each returns canonical text
/// (words separated by single spaces, "\n" as its own token).

/// What one document is about, so its segments hang together.
struct DocContext {
    var rng: WorldRNG
    var entity: Entity
    var other: Entity
    var person: String
    var topic: Int

    init(rng: WorldRNG) {
        var r = rng
        let e = r.pick(Entities.all)
        entity = e
        other = r.pick(Entities.all.filter { $0.name != e.name })
        person = r.pick(Lexicon.people)
        topic = r.int(Lexicon.webTopics.count)
        self.rng = r
    }
}

enum Blocks {
    static let letters = Array("abcdefghjkmnpqrstuvwxyz").map(String.init)
    static let variables = ["x", "y", "z", "n", "m", "k", "p", "q", "a", "b", "c"]

    /// Symbols for reasoning over abstract lists: letters most of the time, sometimes digits.
    /// Only `objectShare` of the time are they visual things, as real reasoning text rarely says
    /// what things look like.
    static func symbols(_ r: inout WorldRNG, objectShare: Double = 0.15) -> [String] {
        if r.chance(objectShare) {
            return r.chance(0.5) ? r.sample(Entities.all, 3).map(\.name) : r.sample(Colour.allCases, 3).map { $0.rawValue + " " + r.pick(Shape.allCases).rawValue }
        }
        return r.sample(letters, 3)
    }

    static func list(_ xs: [String]) -> String { xs.joined(separator: " , ") }
    static func nums(_ xs: [Int]) -> String { xs.map(String.init).joined(separator: " , ") }

    static func randomItems(_ r: inout WorldRNG, from syms: [String], n: Int) -> [String] {
        (0..<n).map { _ in syms[r.int(syms.count)] }
    }

    // MARK: reasoning, in prose

    /// Count one symbol in a list, with a running tally.
    static func count(_ r: inout WorldRNG, objectShare: Double = 0.15) -> String {
        let syms = symbols(&r, objectShare: objectShare)
        let items = randomItems(&r, from: syms, n: r.int(in: 4...8))
        let target = r.chance(0.8) ? items[r.int(items.count)] : syms[r.int(syms.count)]
        var tally = 0, steps: [Int] = []
        for it in items { if it == target { tally += 1 }; steps.append(tally) }
        let head = r.pick(["count the \(target) in the list :", "how many \(target) are in :", "we count each \(target) in :"])
        return "\(head) \(list(items)) . tally : \(nums(steps)) . so there \(tally == 1 ? "is" : "are") \(tally) \(target) ."
    }

    /// Add a list with a running total.
    static func sum(_ r: inout WorldRNG) -> String {
        let xs = (0..<r.int(in: 3...6)).map { _ in r.int(in: 1...15) }
        var t = 0, steps: [Int] = []
        for x in xs { t += x; steps.append(t) }
        return r.pick(["add \(nums(xs)) .", "the sum of \(nums(xs)) :"]) + " running total : \(nums(steps)) . the sum is \(t) ."
    }

    /// Compare two numbers, with the difference as the intermediate result.
    static func compare(_ r: inout WorldRNG) -> String {
        let a = r.int(in: 0...60), b = r.int(in: 0...60)
        if a == b { return "compare \(a) and \(b) . \(a) - \(b) = 0 . they are equal ." }
        let (hi, lo) = a > b ? (a, b) : (b, a)
        return r.pick(["compare \(a) and \(b) .", "which is larger , \(a) or \(b) ?"])
            + " \(hi) - \(lo) = \(hi - lo) . so \(hi) is larger than \(lo) and \(lo) is smaller than \(hi) ."
    }

    /// Find the largest with the best-so-far shown at each step.
    static func largest(_ r: inout WorldRNG) -> String {
        let xs = (0..<r.int(in: 3...7)).map { _ in r.int(in: 0...40) }
        var best = xs[0], steps: [Int] = []
        for x in xs { best = max(best, x); steps.append(best) }
        return "find the largest of \(nums(xs)) . largest so far : \(nums(steps)) . the largest is \(best) ."
    }

    /// Count two kinds and combine the counts.
    static func countArithmetic(_ r: inout WorldRNG, objectShare: Double = 0.15) -> String {
        let s = symbols(&r, objectShare: objectShare)
        let a = r.int(in: 1...9), b = r.int(in: 1...9)
        if r.chance(0.5) {
            return "there are \(a) \(s[0]) and \(b) \(s[1]) . \(a) + \(b) = \(a + b) . so there are \(a + b) in all ."
        }
        let (hi, lo) = (max(a, b) + 1, min(a, b))
        return "there are \(hi) \(s[0]) . \(lo) are taken away . \(hi) - \(lo) = \(hi - lo) . so \(hi - lo) \(s[0]) are left ."
    }

    /// Which of two groups has more, by counting both.
    static func compareCounts(_ r: inout WorldRNG, objectShare: Double = 0.15) -> String {
        let s = symbols(&r, objectShare: objectShare)
        let items = randomItems(&r, from: [s[0], s[1]], n: r.int(in: 4...8))
        let a = items.filter { $0 == s[0] }.count, b = items.count - a
        let verdict = a == b ? "there are as many \(s[0]) as \(s[1])" : a > b ? "there are more \(s[0]) than \(s[1])" : "there are more \(s[1]) than \(s[0])"
        return "in \(list(items)) : \(s[0]) appears \(a) times and \(s[1]) appears \(b) times . so \(verdict) ."
    }

    static let relations = [("left of", "right of"), ("above", "below"), ("bigger than", "smaller than"), ("before", "after")]

    /// A transitive chain over letters: a < b, b < c, so a < c.
    static func chain(_ r: inout WorldRNG) -> String {
        let v = r.sample(variables, 3)
        let (rel, inv) = r.pick(relations)
        if r.chance(0.5) {
            return "\(v[0]) is \(rel) \(v[1]) . \(v[1]) is \(rel) \(v[2]) . so \(v[0]) is \(rel) \(v[2]) , and \(v[2]) is \(inv) \(v[0]) ."
        }
        return "if \(v[0]) then \(v[1]) . if \(v[1]) then \(v[2]) . \(v[0]) is true . so \(v[1]) is true , and so \(v[2]) is true ."
    }

    static func anyReasoning(_ r: inout WorldRNG, objectShare: Double = 0.15) -> String {
        switch r.int(7) {
        case 0: count(&r, objectShare: objectShare)
        case 1: sum(&r)
        case 2: compare(&r)
        case 3: largest(&r)
        case 4: countArithmetic(&r, objectShare: objectShare)
        case 5: compareCounts(&r, objectShare: objectShare)
        default: chain(&r)
        }
    }

    // MARK: visual

    /// An entity's look, in one of several phrasings. Some go from the look to the name, as a
    /// picture book does: small LMs do not reverse "a lemon is a small yellow circle" on their
    /// own, and naming a thing from its picture needs the look → name direction.
    static func entityLook(_ r: inout WorldRNG, _ e: Entity) -> String {
        let l = e.look
        switch r.int(8) {
        case 5: return "if you see a \(l.phrase) in a picture , it is a \(e.name) ."
        case 6: return "what is a \(l.phrase) ? it is a \(e.name) ."
        case 7: return "a picture that shows a \(l.phrase) shows a \(e.name) ."
        case 0: return "a \(e.name) is a \(l.phrase) ."
        case 1: return "the \(e.name) looks like a \(l.phrase) ."
        case 2: return "a \(e.name) is \(l.colour.rawValue) . its shape is a \(l.shape.rawValue) and it is \(l.size.rawValue) ."
        case 3: return "you can tell a \(e.name) by its look : \(l.size.rawValue) , \(l.colour.rawValue) , a \(l.shape.rawValue) ."
        default: return "in a picture a \(e.name) is a \(l.phrase) ."
        }
    }

    static func randomLook(_ r: inout WorldRNG) -> Look {
        Look(r.pick(Shape.allCases), r.pick(Colour.allCases), r.pick(Size.allCases))
    }

    /// A spatial relation between two things (entities or plain shapes).
    static func spatial(_ r: inout WorldRNG, _ a: String, _ b: String) -> String {
        let (rel, inv) = r.pick([("left of", "right of"), ("above", "below"), ("next to", "next to")])
        return r.chance(0.5) ? "the \(a) is \(rel) the \(b) ." : "the \(b) is \(inv) the \(a) ."
    }

    static func lookScene(_ r: inout WorldRNG) -> String {
        let a = randomLook(&r), b = randomLook(&r)
        let bigger = a.size == b.size ? "" : " the \(a.size > b.size ? a.colour.rawValue : b.colour.rawValue) one is bigger ."
        return "there is a \(a.phrase) and a \(b.phrase) ." + " " + spatial(&r, "\(a.colour.rawValue) \(a.shape.rawValue)", "\(b.colour.rawValue) \(b.shape.rawValue)") + bigger
    }

    static func entityScene(_ r: inout WorldRNG, _ e: Entity, _ f: Entity) -> String {
        var s = spatial(&r, e.name, f.name)
        if e.look.size != f.look.size { s += " the \(e.look.size > f.look.size ? e.name : f.name) is bigger ." }
        if r.chance(0.6) { s += " " + entityLook(&r, r.chance(0.5) ? e : f) }
        return s
    }

    static func anyVisual(_ r: inout WorldRNG, _ c: DocContext) -> String {
        switch r.int(4) {
        case 0: entityLook(&r, c.entity)
        case 1: entityScene(&r, c.entity, c.other)
        case 2: lookScene(&r)
        default: entityLook(&r, r.pick(Entities.all)) + " " + entityLook(&r, c.other)
        }
    }

    // MARK: other

    /// Facts without looks: kind, place and trait.
    static func entityFacts(_ r: inout WorldRNG, _ e: Entity) -> String {
        var s = r.pick(["the \(e.name) is a kind of \(e.kind) .", "a \(e.name) is a kind of \(e.kind) ."])
        s += " " + r.pick(["it is often found in the \(e.place) .", "people keep it in the \(e.place) .", "you find it in the \(e.place) ."])
        s += " " + r.pick(["it is known to be \(e.trait) .", "most people say it is \(e.trait) .", "the \(e.name) is \(e.trait) ."])
        return s
    }

    /// A sentence of everyday prose on a web topic.
    static func topicSentence(_ r: inout WorldRNG, topic: Int) -> String {
        let t = Lexicon.webTopics[topic]
        let subject = r.pick(t.nouns), object = r.pick(t.nouns), verb = r.pick(t.verbs), adj = r.pick(t.adjectives)
        switch r.int(5) {
        case 0: return "the \(adj) \(subject) \(verb) the \(object) ."
        case 1: return "many people think the \(subject) is \(adj) ."
        case 2: return "this week the \(subject) \(verb) a \(adj) \(object) ."
        case 3: return "we \(r.pick(["like", "love", "need", "want"])) the \(adj) \(object) , and the \(subject) too ."
        default: return "read more about the \(subject) and the \(object) here ."
        }
    }
}
