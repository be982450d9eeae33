import Foundation
import VisionMixCore

/// Recipe exports that training stacks read, the same for `recommend --format` and the
/// server's `export` (the dashboard's copy buttons).
extension Recipe {
    /// What the recipe does, in words: `minimize pile_cc_loss` as given, else `maximise vqa_avg`.
    public var goal: String {
        ["minimi", "maximi"].contains(objective.lowercased().prefix(6)) ? objective : "maximise \(objective)"
    }

    /// The weights' source names in their catalogue's order (sorted when a recipe lacks it).
    public var orderedSources: [String] { sources ?? weights.map { $0.keys.sorted() } ?? [] }

    /// The recipe as `recommend --json` prints it: pretty JSON with sorted keys and a newline.
    public func json() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(self), as: UTF8.self) + "\n"
    }

    /// Every export by format name (`json`, `yaml`, `megatron`), with the reason a format
    /// cannot be made (a Megatron list needs per-source weights).
    public func exports() throws -> (texts: [String: String], refusals: [String: String]) {
        var texts = ["json": try json(), "yaml": yaml()], refusals: [String: String] = [:]
        do { texts["megatron"] = try megatron() } catch let e as PlannerError { refusals["megatron"] = e.description }
        return (texts, refusals)
    }

    /// YAML with the weights (or shares), the predicted scores and the baseline comparison.
    public func yaml() -> String {
        var lines = ["# VisionMix recipe: \(goal) (source \(source))",
                     "params: \(Quantity.format(params))", "tokens: \(Quantity.format(tokens))"]
        if let w = weights {
            lines.append("weights:")
            for s in orderedSources { lines.append("  \(s): \(String(format: "%.6f", w[s] ?? 0))") }
        } else {
            lines.append("weights: null")
        }
        lines.append("reasoning_share: " + (reasoningShare.map { String(format: "%.6f", $0) } ?? "null"))
        lines.append("visual_share: " + (visualShare.map { String(format: "%.6f", $0) } ?? "null"))
        lines.append(String(format: "objective_value: %.4f", objectiveValue))
        lines.append("scores:")
        for (c, p) in scores.sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "  %@: {value: %.4f, low: %.4f, high: %.4f, family: %@, extrapolated: %@}",
                                c, p.value, p.low, p.high, p.family, p.extrapolated ? "true" : "false"))
        }
        lines.append("baseline:")
        lines.append("  name: \(baseline.name)")
        lines.append(String(format: "  margin: %.4f", baseline.margin))
        lines.append("  probability_better: " + (baseline.probabilityBetter.map { String(format: "%.3f", $0) } ?? "null"))
        lines.append("binding: [" + binding.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Megatron-LM `--data-path` weight list: `W1 PREFIX1 W2 PREFIX2 ...`, one prefix per
    /// source under `dataPrefix` (Megatron normalises the weights itself; we print fractions).
    public func megatron(dataPrefix: String = "data") throws -> String {
        guard let w = weights else {
            throw PlannerError.missing("this recipe is a pair of shares (the laws know mixtures only by their shares); a Megatron weight list needs per-source weights")
        }
        let parts = orderedSources.filter { (w[$0] ?? 0) > 0 }
            .map { String(format: "%.6f", w[$0]!) + " \(dataPrefix)/\($0)_text_document" }
        return "--data-path " + parts.joined(separator: " ") + "\n"
    }
}
