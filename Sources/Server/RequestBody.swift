import Foundation
import Hummingbird
import NIOCore
import VisionMixCore

/// A JSON request body read field by field, so each mistake is reported against the field
/// that holds it. Decoding into Codable structs would report "typeMismatch at codingPath" and
/// lose the distinction between a missing field and a wrong one.
struct RequestBody {
    let fields: [String: JSONValue]
    /// The body as sent, for a field decoded whole into a Codable type (a sweep spec): a
    /// round trip through `JSONValue` would turn integers into doubles and re-escape strings.
    var raw = Data()

    /// Reads the whole body (at most `limit` bytes) and checks it is one JSON object with no
    /// field outside `allowed`.
    static func read(_ request: Request, limit: Int, allowed: Set<String>) async throws -> RequestBody {
        try requireJSONContentType(request)
        let buffer = try await request.body.collect(upTo: limit)
        return try parse(Data(buffer.readableBytesView), allowed: allowed)
    }

    static func parse(_ data: Data, allowed: Set<String>) throws -> RequestBody {
        guard !data.isEmpty else { throw APIError.badRequest("the request body is empty; send a JSON object", field: "body") }
        let value: JSONValue
        do { try JSONText.check(data) } catch let p as JSONText.Problem {
            throw APIError.badRequest("the request body is not valid JSON: \(p)", field: "body")
        }
        do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw APIError.badRequest("the request body is not valid JSON", field: "body")
        }
        guard case let .object(o) = value else { throw APIError.badRequest("the request body must be a JSON object", field: "body") }
        if let bad = o.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest("unknown field '\(bad)'; fields are " + allowed.sorted().joined(separator: ", "), field: bad)
        }
        return RequestBody(fields: o, raw: data)
    }

    /// A body that says it is something other than JSON is refused rather than guessed at.
    static func requireJSONContentType(_ request: Request) throws {
        guard let type = request.headers[.contentType] else { return }
        let base = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard base == "application/json" || base.hasSuffix("+json") else {
            throw APIError(.unsupportedMediaType, "send the body as application/json (got \(type))", field: "body")
        }
    }

    /// The value of `name`, treating an explicit null like an absent field.
    func value(_ name: String) -> JSONValue? {
        guard let v = fields[name], v != .null else { return nil }
        return v
    }

    func string(_ name: String, required: Bool = false) throws -> String? {
        guard let v = value(name) else {
            if required { throw APIError.badRequest("\(name) is required", field: name) }
            return nil
        }
        guard let s = v.stringValue else { throw APIError.badRequest("\(name) must be a string", field: name) }
        return s
    }

    func number(_ name: String, positive: Bool = false) throws -> Double? {
        guard let v = value(name) else { return nil }
        guard let x = v.numberValue, x.isFinite else { throw APIError.badRequest("\(name) must be a finite number", field: name) }
        if positive && x <= 0 { throw APIError.badRequest("\(name) must be positive", field: name) }
        return x
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let x = try number(name) else { return nil }
        guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw APIError.badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return Int(x)
    }

    func bool(_ name: String) throws -> Bool? {
        guard let v = value(name) else { return nil }
        guard case let .bool(b) = v else { throw APIError.badRequest("\(name) must be true or false", field: name) }
        return b
    }

    /// A model size or token count: a positive number, or a string like "7B" or "50B".
    func count(_ name: String) throws -> Double? {
        guard let v = value(name) else { return nil }
        if let s = v.stringValue {
            guard let x = parseCount(s) else { throw APIError.badRequest("\(name) '\(s)' is not a count like 340M, 7B or 1T", field: name) }
            return x
        }
        guard let x = v.numberValue, x.isFinite, x > 0 else {
            throw APIError.badRequest("\(name) must be a positive number or a string like 7B", field: name)
        }
        return x
    }

    /// A list of strings, also accepting one string for a single item.
    func strings(_ name: String) throws -> [String] {
        guard let v = value(name) else { return [] }
        if let s = v.stringValue { return [s] }
        guard case let .array(items) = v else { throw APIError.badRequest("\(name) must be an array of strings", field: name) }
        return try items.enumerated().map { i, item in
            guard let s = item.stringValue else { throw APIError.badRequest("\(name)[\(i)] must be a string", field: "\(name)[\(i)]") }
            return s
        }
    }

    /// A mixture over `catalogue`'s sources: a spec string as on the command line (`balanced`,
    /// `web_crawl=40,code=60`, `reasoning=60,visual=15`), or an object of source weights
    /// (percentages or fractions), or `{"reasoning_share", "visual_share"}`.
    func mixture(_ name: String, required: Bool = false, catalogue: SourceCatalogue) throws -> Mixture? {
        guard let v = value(name) else {
            if required { throw APIError.badRequest("\(name) is required", field: name) }
            return nil
        }
        return try field(name) { try Self.mixture(from: v, field: name, catalogue: catalogue) }
    }

    static func mixture(from v: JSONValue, field name: String, catalogue: SourceCatalogue) throws -> Mixture {
        if let s = v.stringValue { return try MixtureSpec.parse(s, catalogue: catalogue).mixture }
        guard case let .object(o) = v, !o.isEmpty else {
            throw APIError.badRequest("\(name) must be a mixture spec string or an object of source weights", field: name)
        }
        var numbers: [String: Double] = [:]
        for (k, raw) in o {
            guard let x = raw.numberValue else { throw APIError.badRequest("\(name).\(k) must be a number", field: "\(name).\(k)") }
            numbers[k] = x
        }
        let shareKeys: Set<String> = ["reasoning_share", "visual_share"]
        if Set(numbers.keys).isSubset(of: shareKeys) {
            guard let r = numbers["reasoning_share"], let vis = numbers["visual_share"] else {
                throw APIError.badRequest("\(name) needs both reasoning_share and visual_share", field: name)
            }
            return try Mixture(reasoningShare: r, visualShare: vis)
        }
        var w = [Double](repeating: 0, count: catalogue.count)
        for (k, x) in numbers {
            guard let i = catalogue.index(of: k) else {
                throw APIError.badRequest(MixtureError.unknownSource(k, catalogue: catalogue).description, field: "\(name).\(k)")
            }
            w[i] = x
        }
        let total = w.filter(\.isFinite).reduce(0, +)
        guard total.isFinite else { throw APIError.badRequest("\(name): the weights are too large to add up", field: name) }
        return try Mixture(vector: w, catalogue: catalogue, scale: total > 1.5 ? .percent : .fraction, normalise: true)
    }
}

/// A query string parameter, parsed or refused with the parameter's name.
struct Query {
    let parameters: [String: String]

    init(_ request: Request) {
        var p: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { p[String(k)] = String(v) }
        parameters = p
    }

    /// The parameter's value, with an empty value read as absent (`?source=` lists everything).
    func string(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// The parameter's value whenever it is given, even empty, for parameters whose values are
    /// checked: `?params=` is a mistake to report, not a filter to drop.
    func present(_ name: String) -> String? { parameters[name] }

    func integer(_ name: String, default d: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let s = parameters[name] else { return d }
        guard let x = Int(s), range.contains(x) else {
            throw APIError.badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return x
    }
}

/// A count written as text (`340M`, `7B`, `1T`, `3000000000`): at least 1, since a fraction of
/// a parameter or token written as text is a typo, not a size.
func parseCount(_ s: String) -> Double? {
    guard let x = Quantity.parse(s), x >= 1 else { return nil }
    return x
}
