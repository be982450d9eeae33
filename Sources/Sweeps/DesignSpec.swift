import Foundation
import Planner
import Store
import Trainer
import World
import VisionMixCore

/// A designed run as a sweep trains it: its mixture as spec text and a seed no stored run of
/// the same size, budget and mixture has (the embedded trainer is deterministic, so a repeated
/// seed would store the same numbers twice as if they were two measurements).
public struct SeededDesignRun: Sendable {
    public var run: DesignedRun
    public var mix: String
    public var seed: Int
}

extension RunDesign {
    /// The runs with their spec mixtures and seeds, given the runs already stored for the label.
    public func seeded(stored: [StoredRun]) throws -> [SeededDesignRun] {
        var taken: [String: Set<Int>] = [:]
        func key(_ params: Double, _ tokens: Double, _ m: Mixture) -> String {
            "\(Int((params / 1e3).rounded()))|\(Int(tokens.rounded()))|\(m.canonicalKey)"
        }
        for r in stored {
            guard let m = r.mixture, let seed = r.seed else { continue }
            taken[key(r.params, r.tokens, m), default: []].insert(seed)
        }
        return try runs.map { run in
            let mix = Self.specText(run.mixture)
            let k = key(run.params, run.tokens, try MixtureSpec.parse(mix).mixture)
            let seed = ((taken[k] ?? []).max() ?? 0) + 1
            taken[k, default: []].insert(seed)
            return SeededDesignRun(run: run, mix: mix, seed: seed)
        }
    }

    /// A mixture in the spec's syntax, in tenths of a percent that add up to exactly 100, so the
    /// sweep trains the mixture the design chose to within 0.05 points and without a notice.
    public static func specText(_ m: DesignMixture) -> String {
        if let w = m.weights, let names = m.sources {
            var tenths = names.map { Int(((w[$0] ?? 0) * 1000).rounded()) }
            if let top = tenths.indices.max(by: { tenths[$0] < tenths[$1] }) { tenths[top] += 1000 - tenths.reduce(0, +) }
            return zip(names, tenths).filter { $0.1 > 0 }.map { "\($0.0)=\(Double($0.1) / 10)" }.joined(separator: ",")
        }
        let r = ((m.reasoningShare ?? 0) * 1000).rounded() / 10, v = ((m.visualShare ?? 0) * 1000).rounded() / 10
        return "reasoning=\(r),visual=\(v)"
    }

    /// The sweep spec that trains the designed runs: one design per run, at its own size,
    /// budget (scored once, at the end) and seed.
    public func sweepSpec(_ seeded: [SeededDesignRun], name: String, label: String, encoder: String, profile: String?) throws -> SweepSpec {
        let designs = seeded.enumerated().map { i, s in
            SweepDesign(name: "\(name)-\(i + 1)", sizes: [s.run.size], mixtures: [s.mix], tokens: Quantity.format(s.run.tokens),
                        checkpoints: [Quantity.format(s.run.tokens)], seeds: [s.seed])
        }
        let spec = SweepSpec(name: name, label: label, encoder: encoder, seeds: [1], designs: designs, profile: profile)
        try spec.validate(knownSizes: nil)
        return spec
    }

    /// The runs as CSV for a team that trains elsewhere: one row per run, the weights in percent.
    public func csv(_ seeded: [SeededDesignRun]) -> String {
        let names = seeded.first?.run.mixture.sources ?? []
        var lines = [(["run", "size", "params", "tokens", "seed"] + names.map { "\($0)_pct" }
                      + ["reasoning_pct", "visual_pct", "role", "predicted", "disagreement", "reason"]).joined(separator: ",")]
        for (i, s) in seeded.enumerated() {
            let m = s.run.mixture
            let weights = names.map { n in m.weights?[n].map { String(format: "%.1f", $0 * 100) } ?? "" }
            let shares = [m.reasoningShare, m.visualShare].map { $0.map { String(format: "%.1f", $0 * 100) } ?? "" }
            let cells = ["\(i + 1)", s.run.size, String(format: "%.0f", s.run.params), String(format: "%.0f", s.run.tokens), "\(s.seed)"]
                + weights + shares + [s.run.role, String(format: "%.3f", s.run.predicted), String(format: "%.3f", s.run.disagreement),
                                      "\"" + s.run.reason.replacingOccurrences(of: "\"", with: "\"\"") + "\""]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension DesignScale {
    /// The scale of a trainer size (`xl`) or a parameter count (`20M`, for an external trainer).
    public static func parse(size: String, tokens: Double) -> DesignScale? {
        if let s = ModelSize.named(size) { return DesignScale(size: s.name, params: parameters(of: s), tokens: tokens) }
        guard let n = Quantity.parse(size), n > 0 else { return nil }
        return DesignScale(size: size, params: n, tokens: tokens)
    }

    /// The trainer size whose parameter count is within 1% of `params`, else the count itself.
    public static func name(params: Double) -> String {
        let match = ModelSize.all.first { s in abs(parameters(of: s) - params) <= 0.01 * params }
        return match?.name ?? Quantity.format(params)
    }

    /// A trainer size's parameters as its runs store them (with the world's vocabulary).
    static func parameters(of size: ModelSize) -> Double {
        Double(size.config(vocabularySize: Tokenizer.shared.vocabularySize).parameterCount)
    }
}
