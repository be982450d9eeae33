import Foundation

/// Parses the mixture syntax used on the command line and over HTTP:
/// `web_crawl=40,encyclopedia=8,academia=5,literature=2,math=10,code=35` (percentages or
/// fractions, by the names of a catalogue's sources), `reasoning=60,visual=15` (shares only),
/// or a preset name (`Mixture.preset`).
public enum MixtureSpec {
    public struct Parsed: Sendable {
        public let mixture: Mixture
        /// What the parser assumed or changed, for the user to see (e.g. normalisation).
        public let notices: [String]
    }

    public static func parse(_ text: String, catalogue: SourceCatalogue = .builtin) throws -> Parsed {
        let spec = text.trimmedSpaces
        if let m = Mixture.preset(spec, catalogue: catalogue) { return Parsed(mixture: m, notices: []) }
        guard spec.contains("=") else {
            let example = catalogue.names.prefix(2).enumerated().map { "\($1)=\($0 == 0 ? 40 : 60)" }.joined(separator: ",")
            throw MixtureError.malformed(
                "'\(spec)' is neither a preset (" + Mixture.presetNames(for: catalogue).joined(separator: ", ")
                    + ") nor a list like \(example)")
        }
        var pairs: [(String, Double)] = []
        for part in spec.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { String($0).trimmedSpaces }
            guard kv.count == 2, !kv[0].isEmpty else { throw MixtureError.malformed("'\(part)' is not NAME=WEIGHT") }
            guard let v = Double(strict: kv[1].hasSuffix("%") ? String(kv[1].dropLast()) : kv[1]) else {
                throw MixtureError.malformed("weight of \(kv[0]) is not a number: '\(kv[1])'")
            }
            if pairs.contains(where: { $0.0 == kv[0] }) { throw MixtureError.malformed("\(kv[0]) is given twice") }
            pairs.append((kv[0], v))
        }
        let shareNames = ["reasoning", "visual", "reasoning_share", "visual_share", "reasoning_pct", "visual_pct"]
        if pairs.allSatisfy({ shareNames.contains($0.0.lowercased()) }) {
            var r = 0.0, v = 0.0
            for (k, x) in pairs { if k.lowercased().hasPrefix("reasoning") { r = x } else { v = x } }
            let percent = r > 1 || v > 1
            return Parsed(mixture: try Mixture(reasoningShare: percent ? r / 100 : r, visualShare: percent ? v / 100 : v),
                          notices: percent ? ["read the shares as percentages"] : [])
        }
        var v = [Double](repeating: 0, count: catalogue.count)
        for (k, x) in pairs {
            guard let i = catalogue.index(of: k) else { throw MixtureError.unknownSource(k, catalogue: catalogue) }
            v[i] = x
        }
        let total = v.reduce(0) { $0 + $1 }
        let scale: WeightScale = total > 1.5 ? .percent : .fraction
        let m = try Mixture(vector: v, catalogue: catalogue, scale: scale, normalise: true)
        var notices: [String] = []
        let unit = scale == .percent ? 100.0 : 1.0
        if abs(total - unit) > 1e-9 * unit {
            notices.append(String(format: "weights sum to %g; normalised to %@", total, scale == .percent ? "100%" : "1"))
        }
        return Parsed(mixture: m, notices: notices)
    }
}

/// Parses counts written with suffixes: `340M`, `1.2B`, `50B`, `1T`, `250K`, or plain numbers.
public enum Quantity {
    public static func parse(_ text: String) -> Double? {
        var s = text.trimmedSpaces.uppercased()
        guard !s.isEmpty else { return nil }
        var scale = 1.0
        switch s.last! {
        case "K": scale = 1e3
        case "M": scale = 1e6
        case "B", "G": scale = 1e9
        case "T": scale = 1e12
        default: break
        }
        if scale != 1 { s.removeLast() }
        guard let v = Double(strict: s), v.isFinite, v >= 0 else { return nil }
        return v * scale
    }

    /// Short form for tables: 3B, 340M, 50B, 1T, 2.5M.
    public static func format(_ x: Double) -> String {
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]
        for (u, suffix) in units where x >= u {
            let v = x / u
            return (v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.3g", v)) + suffix
        }
        return x == x.rounded() ? String(format: "%.0f", x) : String(format: "%g", x)
    }
}

extension Double {
    /// A number written as text, refusing what Swift's `Double(_:)` reads past: it hands the
    /// text to `strtod` as a C string, so `"40\0junk"` reads as 40. A NUL byte is never part
    /// of a number a person wrote.
    public init?(strict text: some StringProtocol) {
        guard !text.utf8.contains(0), let v = Double(text) else { return nil }
        self = v
    }
}
