import Foundation
import VisionMixCore

/// JSON results: an array of runs (or `{"runs": [...]}`), each
/// `{"name", "params", "tokens", "seed", "mixture", "scores", "chance"}` — the shape `runs list --json`
/// prints, so an export imports back unchanged.
public enum JSONResults {
    static func parse(_ text: String, catalogue: SourceCatalogue) throws -> ResultFile {
        let root: JSONValue
        do { try JSONText.check(Data(text.utf8)) } catch let p as JSONText.Problem {
            throw ImportError(line: p.line, reason: "malformed JSON: \(p.message) (column \(p.column))")
        }
        do { root = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) } catch {
            throw ImportError(line: nil, reason: "malformed JSON: \(jsonErrorDetail(error))")
        }
        let items: [JSONValue]
        if case let .array(a) = root { items = a }
        else if case let .object(o) = root, case let .array(a)? = o["runs"] {
            // The paging fields let a `GET /v1/runs` page import back as it is; anything else is
            // refused rather than silently dropped.
            if let bad = o.keys.sorted().first(where: { !["runs", "total", "limit", "offset"].contains($0) }) {
                throw ImportError(line: nil, reason: "unknown top-level field '\(bad)' (expected \"runs\", and optionally total, limit, offset)")
            }
            items = a
        }
        else { throw ImportError(line: nil, reason: "expected an array of runs or an object with a \"runs\" array") }
        let lines = elementLines(text)
        var runs: [NewRun] = []
        var scaleNotice: Set<String> = []
        for (i, item) in items.enumerated() {
            let line = i < lines.count ? lines[i] : nil
            func fail(_ r: String) -> ImportError { ImportError(line: line, reason: "run \(i + 1): \(r)") }
            guard case let .object(o) = item else { throw fail("not an object") }
            let allowed: Set<String> = ["name", "run", "params", "tokens", "seed", "mixture", "scores", "chance", "attributes",
                                        "reasoning_share", "visual_share", "id", "source", "origin", "status",
                                        "provenance", "duration_seconds", "started_at", "finished_at"]
            if let bad = o.keys.first(where: { !allowed.contains($0) }) { throw fail("unknown field '\(bad)'") }
            for k in ["name", "run"] where o[k] != nil && o[k] != .null {
                guard let text = o[k]?.stringValue else { throw fail("\(k) must be a string") }
                // Both are held to the limits of stored text, also the one `name` makes unused.
                if text.utf8.contains(0) { throw fail("\(k) holds a NUL byte") }
                if text.count > Limits.maxTextLength { throw fail("\(k) is \(text.count) characters; the limit is \(Limits.maxTextLength)") }
            }
            var run = NewRun(params: 0, tokens: 0, mixture: nil, scores: [:])
            run.name = (o["name"] ?? o["run"])?.stringValue
            guard let p = try count(o["params"], field: "params", fail: fail), p > 0 else { throw fail("params is missing or not positive") }
            guard let t = try count(o["tokens"], field: "tokens", fail: fail) else { throw fail("tokens is missing") }
            run.params = p; run.tokens = t
            if let s = o["seed"], s != .null {
                guard let n = s.numberValue, n == n.rounded(), abs(n) < 1e15 else { throw fail("seed is not an integer") }
                run.seed = Int(n)
            }
            if case let .object(m)? = o["mixture"] {
                var w = [Double](repeating: 0, count: catalogue.count)
                var named: [String] = []
                var r: Double?, v: Double?
                for (k, raw) in m {
                    guard let x = number(raw) else { throw fail("mixture.\(k) is not a number") }
                    if k == "reasoning_share" { r = x; continue }
                    if k == "visual_share" { v = x; continue }
                    guard let s = catalogue.index(of: k) else {
                        throw fail(MixtureError.unknownSource(k, catalogue: catalogue).description
                            .replacingOccurrences(of: "unknown source", with: "mixture has an unknown source"))
                    }
                    w[s] = x
                    named.append(k)
                }
                if !named.isEmpty {
                    let scale: WeightScale = w.filter(\.isFinite).reduce(0, +) > 1.5 ? .percent : .fraction
                    scaleNotice.insert(scale == .percent ? "percentages" : "fractions")
                    do {
                        run.mixture = try mixtureFromRow(w, catalogue: catalogue, scale: scale, line: line ?? 0,
                                                         columns: "mixture." + named.sorted().joined(separator: ", mixture."), unknownColumns: [])
                    } catch let e as ImportError {
                        throw fail(e.reason)
                    }
                } else if let r, let v {
                    do { run.mixture = try Mixture(reasoningShare: r, visualShare: v) } catch let e as MixtureError { throw fail(e.description) }
                } else { throw fail("mixture gives neither source weights nor both shares") }
            } else if let m = o["mixture"], m != .null {
                throw fail("mixture must be an object")
            }
            guard case let .object(scores)? = o["scores"] else { throw fail("scores is missing or not an object") }
            for (k, raw) in scores {
                guard MetricCatalogue.isValidName(k) else { throw fail("'\(k)' is not a valid metric name") }
                if raw == .null { continue }
                guard let x = number(raw), x.isFinite else { throw fail("scores.\(k) is not a finite number") }
                run.scores[k] = x
            }
            if case let .object(c)? = o["chance"] {
                for (k, raw) in c where raw != .null {
                    guard run.scores[k] != nil else { throw fail("chance.\(k) is given but scores has no \(k)") }
                    guard let x = number(raw) else { throw fail("chance.\(k) is not a number") }
                    do { run.chance[k] = try chanceLevel(x, of: k, line: line) } catch let e as ImportError { throw fail(e.reason) }
                }
            } else if let c = o["chance"], c != .null {
                throw fail("chance must be an object of numbers")
            }
            if case let .object(a)? = o["attributes"] {
                for (k, raw) in a {
                    guard let v = raw.stringValue else { throw fail("attributes.\(k) must be a string") }
                    run.attributes[k] = v
                }
            } else if let a = o["attributes"], a != .null {
                throw fail("attributes must be an object of strings")
            }
            try readRecord(o, into: &run, fail: fail)
            if let line { run.provenance["import_line"] = .number(Double(line)) }
            runs.append(run)
        }
        let notices = scaleNotice.sorted().map { "read the mixture weights as \($0)" }
        return ResultFile(format: .json, runs: runs, notices: notices)
    }

    static func number(_ raw: JSONValue?) -> Double? { raw?.numberValue }

    /// Runs that `encode` wrote, read back as they were (without the provenance an import adds).
    public static func decode(_ data: Data, catalogue: SourceCatalogue = .builtin) throws -> [NewRun] {
        try parse(try ResultFile.utf8(data), catalogue: catalogue).runs.map { var run = $0; run.provenance["import_line"] = nil; return run }
    }

    /// How and when the run was made, kept as given: a result file written by a sweep worker
    /// carries the provenance and timings the local backend would have stored.
    static func readRecord(_ o: [String: JSONValue], into run: inout NewRun, fail: (String) -> ImportError) throws {
        if case let .object(p)? = o["provenance"] { run.provenance = p }
        else if let p = o["provenance"], p != .null { throw fail("provenance must be an object") }
        if let d = o["duration_seconds"], d != .null {
            guard let x = d.numberValue, x.isFinite, x >= 0 else { throw fail("duration_seconds is not a non-negative number") }
            run.durationSeconds = x
        }
        for (field, path) in [("started_at", \NewRun.startedAt), ("finished_at", \NewRun.finishedAt)] {
            guard let raw = o[field], raw != .null else { continue }
            guard let text = raw.stringValue, let date = timestamp.date(from: text) else {
                throw fail("\(field) is not an ISO 8601 time like 2026-01-31T12:00:00.000Z")
            }
            run[keyPath: path] = date
        }
    }

    nonisolated(unsafe) static let timestamp: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()

    /// Runs as JSON results that `parse` reads back to equal runs (numbers print in their
    /// shortest exact form). Non-finite scores are left out, as `parse` skips nulls.
    public static func encode(_ runs: [NewRun]) throws -> Data {
        let items: [JSONValue] = runs.map { r in
            var o: [String: JSONValue] = [
                "params": .number(r.params), "tokens": .number(r.tokens),
                "scores": .object(r.scores.filter { $0.value.isFinite }.mapValues { .number($0) }),
                "chance": .object(r.chance.filter { $0.value.isFinite && r.scores[$0.key]?.isFinite == true }.mapValues { .number($0) }),
                "attributes": .object(r.attributes.mapValues { .string($0) }), "provenance": .object(r.provenance),
            ]
            if let n = r.name { o["name"] = .string(n) }
            if let s = r.seed { o["seed"] = .number(Double(s)) }
            if let m = r.mixture { o["mixture"] = mixtureValue(m) }
            if let d = r.durationSeconds { o["duration_seconds"] = .number(d) }
            if let t = r.startedAt { o["started_at"] = .string(timestamp.string(from: t)) }
            if let t = r.finishedAt { o["finished_at"] = .string(timestamp.string(from: t)) }
            return .object(o)
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(JSONValue.array(items))
    }

    static func mixtureValue(_ m: Mixture) -> JSONValue {
        guard let w = m.weights else {
            return .object(["reasoning_share": .number(m.reasoningShare!), "visual_share": .number(m.visualShare!)])
        }
        return .object(w.mapValues { JSONValue.number($0) })
    }

    static func count(_ raw: JSONValue?, field: String, fail: (String) -> ImportError) throws -> Double? {
        guard let raw, raw != .null else { return nil }
        if let s = raw.stringValue {
            guard let v = Quantity.parse(s) else { throw fail("\(field) '\(s)' is not a count like 340M or 1.2B") }
            return v
        }
        guard let v = number(raw), v.isFinite, v >= 0 else { throw fail("\(field) is not a non-negative number") }
        return v
    }

    static func jsonErrorDetail(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(ctx) = error {
            let under = ctx.underlyingError.map { ($0 as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\($0)" }
            return under ?? ctx.debugDescription
        }
        return "\(error)"
    }

    /// The line on which each element of the top-level array starts, so errors can say where.
    static func elementLines(_ text: String) -> [Int] {
        var lines: [Int] = []
        var depth = 0, line = 1
        var inString = false, escaped = false
        var arrayDepth: Int?
        for c in text.utf8 {
            if c == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if arrayDepth == nil && c == UInt8(ascii: "[") { arrayDepth = depth + 1 }
                else if depth == arrayDepth { lines.append(line) }
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return lines
    }
}
