import Foundation
import VisionMixCore

/// Reads result files trained elsewhere (CSV wide or tidy, or JSON) into runs, refusing the
/// whole file at the first bad row. Nothing here touches the database, so a refused file
/// leaves it exactly as it was.
public struct ResultFile: Sendable {
    public enum Format: String, Sendable { case wideCSV = "wide CSV", tidyCSV = "tidy CSV", json = "JSON" }

    public var format: Format
    public var runs: [NewRun]
    /// What the reader assumed (percent or fraction weights, normalisation), for the user.
    public var notices: [String]

    /// Parses `path`; `defaultMixture` applies to rows that give no mixture of their own, and
    /// weights are read as those of `catalogue`'s sources.
    public static func read(path: String, defaultMixture: Mixture? = nil, catalogue: SourceCatalogue = .builtin) throws -> ResultFile {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError(file: path, line: nil, reason: "cannot read the file")
        }
        do { return try parse(data: data, name: name, defaultMixture: defaultMixture, catalogue: catalogue) } catch var e as ImportError {
            e.file = path
            throw e
        }
    }

    /// Parses results already in memory (CSV or JSON, told apart by their first character).
    /// `name` is recorded as the runs' `import_file` provenance.
    public static func parse(data: Data, name: String, defaultMixture: Mixture? = nil, catalogue: SourceCatalogue = .builtin) throws -> ResultFile {
        let text = try utf8(data)
        let trimmed = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        let file = (trimmed.first == "[" || trimmed.first == "{") ? try JSONResults.parse(text, catalogue: catalogue)
            : try CSVResults.parse(text, catalogue: catalogue)
        return try finish(file, name: name, defaultMixture: defaultMixture)
    }

    /// Parses JSON results only, as `runs import` reads a .json file. The HTTP service uses this
    /// for request bodies, which are never sniffed as CSV.
    public static func parseJSON(_ data: Data, name: String, defaultMixture: Mixture? = nil, catalogue: SourceCatalogue = .builtin) throws -> ResultFile {
        try finish(JSONResults.parse(try utf8(data), catalogue: catalogue), name: name, defaultMixture: defaultMixture)
    }

    static func utf8(_ data: Data) throws -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportError(line: nil, reason: "the file is not UTF-8 text")
        }
        return text
    }

    static func finish(_ parsed: ResultFile, name: String, defaultMixture: Mixture?) throws -> ResultFile {
        var file = parsed
        for i in file.runs.indices {
            if file.runs[i].mixture == nil { file.runs[i].mixture = defaultMixture }
            file.runs[i].provenance["import_file"] = .string(name)
            file.runs[i].provenance["import_format"] = .string(file.format.rawValue)
        }
        if file.runs.isEmpty { throw ImportError(line: nil, reason: "the file holds no runs") }
        for run in file.runs { try checkText(run) }
        return file
    }

    /// A run's free text (its name, its attributes) is stored as given, so it is held to
    /// `Limits.maxTextLength` and may not hide a NUL byte.
    static func checkText(_ run: NewRun) throws {
        let line = run.provenance["import_line"]?.numberValue.map { Int($0) }
        let texts = [("name", run.name)] + run.attributes.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) }
        for case let (field, text?) in texts {
            if text.utf8.contains(0) { throw ImportError(line: line, reason: "\(field) holds a NUL byte") }
            let n = text.count
            if n > Limits.maxTextLength {
                throw ImportError(line: line, reason: "\(field) is \(n) characters; the limit is \(Limits.maxTextLength)")
            }
        }
    }
}

/// How far a row's weights may sum from 1 (or 100), as a fraction: published tables round
/// (a row may sum to 99.9), and nothing more is let through.
let weightSumTolerance = 0.02

/// Turns the per-source weights of one row (in the catalogue's order, 0 where not given) into
/// a mixture. `columns` names where the weights came from, for the message.
func mixtureFromRow(_ w: [Double], catalogue: SourceCatalogue, scale: WeightScale, line: Int, columns: String,
                    unknownColumns: [String]) throws -> Mixture {
    let unit = scale == .percent ? 100.0 : 1.0
    for (i, v) in w.enumerated() {
        if !v.isFinite { throw ImportError(line: line, reason: "weight of \(catalogue.names[i]) is not a finite number") }
        if v < 0 { throw ImportError(line: line, reason: "weight of \(catalogue.names[i]) is negative (\(v))") }
    }
    let total = w.reduce(0) { $0 + $1 }
    if total <= 0 { throw ImportError(line: line, reason: "mixture weights sum to zero") }
    if abs(total - unit) > weightSumTolerance * unit {
        var reason = String(format: "mixture weights (%@) sum to %g, expected %g (%@, within %g%%)", columns, total, unit, scale.rawValue,
                            weightSumTolerance * 100)
        if !unknownColumns.isEmpty {
            reason += "; columns " + unknownColumns.joined(separator: ", ")
                + " are not sources (sources are " + catalogue.namesForMessages + ")"
        }
        throw ImportError(line: line, reason: reason)
    }
    return try Mixture(vector: w, catalogue: catalogue, scale: scale, normalise: true)
}

/// Parses a number cell; empty means missing. NaN and infinities are refused.
func numberCell(_ raw: String, column: String, line: Int) throws -> Double? {
    let s = raw.trimmedSpaces
    if s.isEmpty { return nil }
    guard let v = Double(strict: s), v.isFinite else {
        // Escaped so a NUL or other control byte in the cell shows in the message.
        let shown = s.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
        throw ImportError(line: line, reason: "column \(column): '\(shown)' is not a finite number")
    }
    return v
}

/// Reads a size or token count: `params_b`-style columns are in billions unless the cell has
/// its own suffix (340M); plain columns take suffixes or raw counts.
func countCell(_ raw: String, column: String, multiplier: Double, line: Int) throws -> Double? {
    let s = raw.trimmedSpaces
    if s.isEmpty { return nil }
    if let last = s.uppercased().last, "KMBGT".contains(last) {
        guard let v = Quantity.parse(s) else { throw ImportError(line: line, reason: "column \(column): '\(s)' is not a count") }
        return v
    }
    guard let v = Double(strict: s), v.isFinite, v >= 0 else {
        throw ImportError(line: line, reason: "column \(column): '\(s)' is not a non-negative finite number")
    }
    return v * multiplier
}

enum ColumnRole {
    case name, seed, attribute
    case params(Double), tokens(Double)
    /// The weight of the catalogue's source at this position.
    case source(Int)
    case reasoning(WeightScale), visual(WeightScale)
    case tidyMetric, tidyValue
    case metric(String)
    /// `chance:<metric>`: the chance level of a metric's score, as `runs export` writes it.
    case chance(String)
    /// `weight_<name>` or `w_<name>` for a source the catalogue does not hold: refused.
    case unknownSourceWeight(String)
}

extension ColumnRole {
    static let countColumns: [String: (isParams: Bool, multiplier: Double)] = [
        "params": (true, 1), "parameters": (true, 1), "n_params": (true, 1), "params_b": (true, 1e9), "params_m": (true, 1e6),
        "tokens": (false, 1), "tokens_b": (false, 1e9), "tokens_m": (false, 1e6), "tokens_t": (false, 1e12),
    ]
    static let textColumns: Set<String> = ["run", "name", "run_name", "encoder", "model", "notes", "family", "mix", "mixture_name"]

    /// What a header names, with `catalogue`'s sources as weights; `nil` headers are refused by the caller.
    static func classify(_ header: String, catalogue: SourceCatalogue) -> ColumnRole? {
        let h = header.lowercased()
        if h == "run" || h == "name" || h == "run_name" { return .name }
        if textColumns.contains(h) { return .attribute }
        if h == "seed" { return .seed }
        if let c = countColumns[h] { return c.isParams ? .params(c.multiplier) : .tokens(c.multiplier) }
        if let i = catalogue.index(of: h) { return .source(i) }
        if let named = weightColumnSource(h) { return catalogue.index(of: named).map { .source($0) } ?? .unknownSourceWeight(named) }
        switch h {
        case "reasoning_pct": return .reasoning(.percent)
        case "visual_pct": return .visual(.percent)
        case "reasoning_share": return .reasoning(.fraction)
        case "visual_share": return .visual(.fraction)
        case "category", "metric": return .tidyMetric
        case "score", "value": return .tidyValue
        default:
            if h.hasPrefix("chance:") { let m = String(h.dropFirst(7)); return MetricCatalogue.isValidName(m) ? .chance(m) : nil }
            return MetricCatalogue.isValidName(h) ? .metric(h) : nil
        }
    }

    /// The source a `weight_<name>` or `w_<name>` column gives the weight of.
    static func weightColumnSource(_ h: String) -> String? {
        for prefix in ["weight_", "w_"] where h.hasPrefix(prefix) && h.count > prefix.count { return String(h.dropFirst(prefix.count)) }
        return nil
    }

    /// An unknown column that looks like a misspelt source (`maths`, `webcrawl`). A column that
    /// starts with a source's name and `_` (`arxiv_loss`) is a metric about that source, and a
    /// column named as a loss or perplexity is a metric whatever it starts with.
    static func looksLikeSource(_ h: String, catalogue: SourceCatalogue) -> String? {
        guard catalogue.index(of: h) == nil,
              ColumnRole.classify(h, catalogue: catalogue).map({ if case .metric = $0 { true } else { false } }) ?? false,
              !MetricCatalogue.isKnown(h), MetricCatalogue.higherIsBetter(h), let s = catalogue.suggestion(for: h),
              !h.hasPrefix(s + "_") else { return nil }
        let d = editDistance(h, s)
        let prefix = h.count >= 4 && (h.hasPrefix(s) || s.hasPrefix(h))
        return (d <= max(1, h.count / 4) || prefix) ? s : nil
    }
}
