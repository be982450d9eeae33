import VisionMixCore

/// How each of the six sources writes a segment of each tag, in its own genre.
enum Genres {
    static func segment(_ s: TextSource, _ tag: SegmentTag, _ c: inout DocContext) -> String {
        switch (s, tag) {
        case (.webCrawl, .reasoning): webReasoning(&c)
        case (.webCrawl, .visual): webVisual(&c)
        case (.webCrawl, .other): webOther(&c)
        case (.encyclopedia, .reasoning): encyclopediaReasoning(&c)
        case (.encyclopedia, .visual): encyclopediaVisual(&c)
        case (.encyclopedia, .other): encyclopediaOther(&c)
        case (.academia, .reasoning): academiaReasoning(&c)
        case (.academia, .visual): academiaVisual(&c)
        case (.academia, .other): academiaOther(&c)
        case (.literature, .reasoning): literatureReasoning(&c)
        case (.literature, .visual): literatureVisual(&c)
        case (.literature, .other): literatureOther(&c)
        case (.math, .reasoning): mathReasoning(&c)
        case (.math, .visual): mathVisual(&c)
        case (.math, .other): mathOther(&c)
        case (.code, .reasoning): CodeGenre.reasoning(&c)
        case (.code, .visual): CodeGenre.visual(&c)
        case (.code, .other): CodeGenre.other(&c)
        }
    }

    // MARK: web_crawl — the broadest: every topic, forum and shop register

    static func webReasoning(_ c: inout DocContext) -> String {
        let head = c.rng.pick(["forum post : can someone check my steps ?", "tip of the day :", "quick question :", "from the help page :", "comment :"])
        if c.rng.chance(0.3) {
            let a = c.rng.int(in: 2...30), b = c.rng.int(in: 1...20)
            return "\(head) the price is \(a) and shipping is \(b) . \(a) + \(b) = \(a + b) . so you pay \(a + b) in total ."
        }
        return head + " " + Blocks.anyReasoning(&c.rng)
    }

    static func webVisual(_ c: inout DocContext) -> String {
        let head = c.rng.pick(["photo :", "product page :", "in the picture :", "buyers say :", "see the image :"])
        if c.rng.chance(0.4) {
            let l = c.entity.look
            return "\(head) this \(c.entity.name) is \(l.colour.rawValue) and \(l.size.rawValue) , shaped like a \(l.shape.rawValue) . " + Blocks.entityLook(&c.rng, c.other)
        }
        return head + " " + Blocks.anyVisual(&c.rng, c)
    }

    static func webOther(_ c: inout DocContext) -> String {
        var parts: [String] = []
        if c.rng.chance(0.3) { parts.append(c.rng.pick(Lexicon.webHeaders)) }
        for _ in 0..<c.rng.int(in: 2...4) {
            if c.rng.chance(0.2) { c.topic = c.rng.int(Lexicon.webTopics.count) }
            parts.append(Blocks.topicSentence(&c.rng, topic: c.topic))
        }
        if c.rng.chance(0.25) { parts.append(Blocks.entityFacts(&c.rng, c.entity)) }
        return parts.joined(separator: " ")
    }

    // MARK: encyclopedia — one article per entity

    static func encyclopediaReasoning(_ c: inout DocContext) -> String {
        let kin = Entities.all.filter { $0.kind == c.entity.kind }
        if c.rng.chance(0.4) {
            let names = kin.map(\.name)
            var tally: [Int] = []
            for i in names.indices { tally.append(i + 1) }
            return "the \(c.entity.kind) group lists \(Blocks.list(names)) . counting them : \(Blocks.nums(tally)) . so it has \(names.count) members ."
        }
        return "notes : " + Blocks.anyReasoning(&c.rng)
    }

    static func encyclopediaVisual(_ c: inout DocContext) -> String {
        var s = "appearance . " + Blocks.entityLook(&c.rng, c.entity)
        if c.rng.chance(0.5) { s += " " + Blocks.entityScene(&c.rng, c.entity, c.other) }
        return s
    }

    static func encyclopediaOther(_ c: inout DocContext) -> String {
        let e = c.entity
        var s = c.rng.chance(0.5) ? "\(e.name) \n" : ""
        s += Blocks.entityFacts(&c.rng, e)
        s += " " + c.rng.pick(["the word \(e.name) is very old .", "the \(e.name) is named in many old books .",
                                "the \(e.name) is common in every country .", "people have used the \(e.name) for many years ."])
        if c.rng.chance(0.5) { s += " see also : \(c.other.name) , \(c.rng.pick(Entities.kinds)) ." }
        if c.rng.chance(0.4) { s += " history . " + Blocks.topicSentence(&c.rng, topic: c.topic) }
        return s
    }

    // MARK: academia — definitions, measurements and logical chains

    static func academiaReasoning(_ c: inout DocContext) -> String {
        switch c.rng.int(4) {
        case 0:
            let xs = (0..<c.rng.int(in: 3...6)).map { _ in c.rng.int(in: 1...40) }
            var best = xs[0], steps: [Int] = []
            for x in xs { best = max(best, x); steps.append(best) }
            return "results . we measured \(xs.count) samples : \(Blocks.nums(xs)) . the largest so far : \(Blocks.nums(steps)) . so the maximum is \(best) ."
        case 1:
            let v = c.rng.pick(Blocks.variables)
            let n = c.rng.int(in: 2...9)
            return "definition . a set \(v) is small if it has fewer than \(n) members . " + Blocks.count(&c.rng) + " lemma . " + Blocks.chain(&c.rng)
        case 2: return "proof . " + Blocks.chain(&c.rng) + " " + Blocks.compare(&c.rng)
        default: return c.rng.pick(["method .", "analysis .", "table 2 ."]) + " " + Blocks.anyReasoning(&c.rng)
        }
    }

    static func academiaVisual(_ c: inout DocContext) -> String {
        "figure \(c.rng.int(in: 1...9)) shows the stimulus . " + (c.rng.chance(0.5) ? Blocks.lookScene(&c.rng) : Blocks.entityScene(&c.rng, c.entity, c.other))
    }

    static func academiaOther(_ c: inout DocContext) -> String {
        var parts = [c.rng.pick(Lexicon.academicOpeners)]
        for _ in 0..<c.rng.int(in: 1...3) { parts.append(c.rng.pick(Lexicon.academicSentences)) }
        return parts.joined(separator: " ")
    }

    // MARK: literature — narrative scenes

    static func literatureReasoning(_ c: inout DocContext) -> String {
        let p = c.person
        if c.rng.chance(0.5) {
            let a = c.rng.int(in: 2...9), b = c.rng.int(in: 1...9), thing = c.entity.name
            return "\(p) counted the \(thing) on the table : \(a) . then \(b) more came . \(a) and \(b) make \(a + b) , \(p) said . there were \(a + b) now ."
        }
        return "\(p) wrote in the book : " + Blocks.anyReasoning(&c.rng, objectShare: 0.3)
    }

    static func literatureVisual(_ c: inout DocContext) -> String {
        let p = c.person
        let open = c.rng.pick(["\(p) looked around the room .", "in the morning light , \(p) saw the table .", "\(p) stopped at the door ."])
        return open + " " + Blocks.entityScene(&c.rng, c.entity, c.other) + (c.rng.chance(0.4) ? " " + Blocks.lookScene(&c.rng) : "")
    }

    static func literatureOther(_ c: inout DocContext) -> String {
        var parts: [String] = []
        let p = c.person, q = c.rng.pick(Lexicon.people.filter { $0 != p })
        for _ in 0..<c.rng.int(in: 2...4) {
            let place = c.rng.pick(Entities.places), feel = c.rng.pick(Lexicon.feelings), verb = c.rng.pick(Lexicon.storyVerbs)
            switch c.rng.int(9) {
            case 0: parts.append("\(p) \(verb) to the \(place) .")
            case 1: parts.append("\(p) felt \(feel) , and \(q) did not say a word .")
            case 2: parts.append("\" we should go home , \" said \(q) .")
            case 3: parts.append("the \(c.rng.pick(Lexicon.weather)) came over the \(place) , and \(p) was \(feel) .")
            case 4: parts.append("\" where is the \(c.entity.name) ? \" asked \(p) . \(q) did not know .")
            case 5: parts.append("that night \(p) could not sleep , thinking of the \(place) .")
            case 6: parts.append("long ago , \(q) had lived near the \(place) with an old \(c.rng.pick(["dog", "friend", "uncle", "aunt"])) .")
            case 7: parts.append("\(p) and \(q) \(verb) home before the \(c.rng.pick(Lexicon.weather)) .")
            default: parts.append("\(q) \(verb) to \(p) and smiled .")
            }
        }
        return parts.joined(separator: " ")
    }

    // MARK: math — arithmetic, counting and comparison problems with worked steps

    static func mathReasoning(_ c: inout DocContext) -> String {
        let head = "problem \(c.rng.int(in: 1...40)) ."
        switch c.rng.int(4) {
        case 0:
            let a = c.rng.int(in: 5...40), b = c.rng.int(in: 1...30), d = c.rng.int(in: 1...min(30, a + b))
            return "\(head) compute \(a) + \(b) - \(d) . step 1 : \(a) + \(b) = \(a + b) . step 2 : \(a + b) - \(d) = \(a + b - d) . answer : \(a + b - d) ."
        case 1 where c.rng.chance(0.3):
            let a = c.rng.int(in: 1...9), b = c.rng.int(in: 1...9), e = c.entity.name
            return "\(head) \(c.person) has \(a) \(e) and gets \(b) more . how many now ? \(a) + \(b) = \(a + b) . answer : \(a + b) ."
        default: return head + " " + Blocks.anyReasoning(&c.rng, objectShare: 0.1) + " answer given ."
        }
    }

    static func mathVisual(_ c: inout DocContext) -> String {
        let facts = ["a square has 4 sides of the same length .", "a triangle has 3 sides and 3 corners .", "a circle is round and has no corners .",
                     "a rectangle has 4 sides , two long and two short .", "a diamond is a square turned on its corner ."]
        return "geometry . " + c.rng.pick(facts) + " " + Blocks.lookScene(&c.rng)
    }

    static func mathOther(_ c: inout DocContext) -> String {
        c.rng.pick(["chapter \(c.rng.int(in: 1...12)) .", "exercise set \(c.rng.int(in: 1...20)) .", "notes ."]) + " "
            + c.rng.pick(Lexicon.mathSentences) + " " + c.rng.pick(Lexicon.mathSentences)
    }
}

