/// The code source: small programs over lists, numbers and strings, each with its printed
/// result and a trace comment of the intermediate values (the steps a small model can learn).
enum CodeGenre {
    static func q(_ s: String) -> String { "\" \(s) \"" }

    static func intList(_ r: inout WorldRNG, _ n: ClosedRange<Int>, _ v: ClosedRange<Int>) -> [Int] {
        (0..<r.int(in: n)).map { _ in r.int(in: v) }
    }

    static func reasoning(_ c: inout DocContext) -> String {
        let v = c.rng.pick(["xs", "items", "values", "data", "nums"])
        switch c.rng.int(6) {
        case 0:
            let xs = intList(&c.rng, 3...6, 0...15)
            var t = 0
            let trace = xs.map { t += $0; return "total = \(t)" }.joined(separator: " , ")
            return "\(v) = [ \(Blocks.nums(xs)) ] \ntotal = 0 \nfor x in \(v) : \n<in> total = total + x \n# trace : \(trace) \nprint ( total ) \n# output : \(t)"
        case 1:
            let syms = c.rng.chance(0.1) ? c.rng.sample(Entities.all, 3).map(\.name) : c.rng.sample(Blocks.letters, 3)
            let items = Blocks.randomItems(&c.rng, from: syms, n: c.rng.int(in: 4...8))
            let target = items[c.rng.int(items.count)]
            var n = 0
            let trace = items.map { if $0 == target { n += 1 }; return String(n) }.joined(separator: " , ")
            return "\(v) = [ \(items.map(q).joined(separator: " , ")) ] \ncount = 0 \nfor x in \(v) : \n<in> if x == \(q(target)) : \n<in> <in> count += 1 \n# count after each : \(trace) \nprint ( count ) \n# output : \(n)"
        case 2:
            let xs = intList(&c.rng, 3...7, 0...40)
            var best = xs[0]
            let trace = xs.map { best = max(best, $0); return String(best) }.joined(separator: " , ")
            return "def largest ( \(v) ) : \n<in> best = \(v) [ 0 ] \n<in> for x in \(v) : \n<in> <in> if x > best : \n<in> <in> <in> best = x \n<in> return best \n# best after each : \(trace) \nprint ( largest ( [ \(Blocks.nums(xs)) ] ) ) \n# output : \(best)"
        case 3:
            let a = c.rng.int(in: 0...50), b = c.rng.int(in: 0...50)
            let out = a > b ? "a" : a < b ? "b" : "same"
            return "a = \(a) \nb = \(b) \n# a - b = \(a - b >= 0 ? "\(a - b)" : "- \(b - a)") \nif a > b : \n<in> print ( \(q("a")) ) \nelif a < b : \n<in> print ( \(q("b")) ) \nelse : \n<in> print ( \(q("same")) ) \n# output : \(out)"
        case 4:
            let letters = c.rng.sample(Blocks.letters, 3)
            let word = Blocks.randomItems(&c.rng, from: letters, n: c.rng.int(in: 4...8))
            let t = c.rng.pick(letters)
            let n = word.filter { $0 == t }.count
            return "s = \" \(word.joined(separator: " ")) \" \nn = s . count ( \(q(t)) ) \n# \(t) appears \(n) times in \(word.count) letters \nprint ( n , len ( s ) ) \n# output : \(n) \(word.count)"
        default:
            let xs = intList(&c.rng, 4...7, 0...20), limit = c.rng.int(in: 5...15)
            let kept = xs.filter { $0 > limit }
            return "\(v) = [ \(Blocks.nums(xs)) ] \nbig = [ x for x in \(v) if x > \(limit) ] \n# kept : \(kept.isEmpty ? "none" : Blocks.nums(kept)) \nprint ( len ( big ) ) \n# output : \(kept.count)"
        }
    }

    static func visual(_ c: inout DocContext) -> String {
        let e = c.entity, l = e.look
        if c.rng.chance(0.5) {
            return "\(e.name) = { \(q("shape")) : \(q(l.shape.rawValue)) , \(q("colour")) : \(q(l.colour.rawValue)) , \(q("size")) : \(q(l.size.rawValue)) } \n# a \(e.name) is drawn as a \(l.phrase)"
        }
        let a = Blocks.randomLook(&c.rng), b = Blocks.randomLook(&c.rng)
        let x = c.rng.int(in: 1...6), y = c.rng.int(in: 1...14), dx = c.rng.int(in: 4...8)
        return "draw ( \(a.shape.rawValue) , colour = \(q(a.colour.rawValue)) , size = \(q(a.size.rawValue)) , x = \(x) , y = \(y) ) \ndraw ( \(b.shape.rawValue) , colour = \(q(b.colour.rawValue)) , size = \(q(b.size.rawValue)) , x = \(x + dx) , y = \(y) ) \n# the \(a.colour.rawValue) \(a.shape.rawValue) is left of the \(b.colour.rawValue) \(b.shape.rawValue)"
    }

    static func other(_ c: inout DocContext) -> String {
        var lines: [String] = []
        for _ in 0..<c.rng.int(in: 2...4) {
            switch c.rng.int(5) {
            case 0: lines.append("import \(c.rng.pick(["os", "sys", "json", "time", "math"]))")
            case 1: lines.append("# \(c.rng.pick(Lexicon.codeComments))")
            case 2: lines.append("def \(c.rng.pick(["load", "save", "main", "run", "setup"])) ( \(c.rng.pick(["path", "name", "config", "args"])) ) : \n<in> return \(c.rng.pick(["none", "open ( path )", "config", "true"]))")
            case 3: lines.append("log ( \(q(c.rng.pick(Lexicon.codeComments))) )")
            default: lines.append("class \(c.rng.pick(["reader", "writer", "server", "client"])) : \n<in> pass")
            }
        }
        return lines.joined(separator: " \n")
    }
}
