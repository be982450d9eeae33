/// The documented catalogue of score names (docs/metrics.md mirrors this table).
///
/// Imports may add metrics outside the catalogue; they are stored as custom metrics.
public struct Metric: Sendable, Hashable {
    public let name: String
    public let group: String
    public let higherIsBetter: Bool
    public let about: String
}

public enum MetricCatalogue {
    public static let vqaGroups = ["general", "knowledge", "ocr_chart", "vision_centric"]

    public static let standard: [Metric] = {
        var m: [Metric] = [
            Metric(name: "general", group: "vision", higherIsBetter: true, about: "attributes and existence of objects (accuracy %)"),
            Metric(name: "knowledge", group: "vision", higherIsBetter: true, about: "naming entities known only from text; entity facts (accuracy %)"),
            Metric(name: "ocr_chart", group: "vision", higherIsBetter: true, about: "reading pixel-font digits and words, reading bar charts (accuracy %)"),
            Metric(name: "vision_centric", group: "vision", higherIsBetter: true, about: "counting, spatial relations, relative size, comparisons (accuracy %)"),
            Metric(name: "vqa_avg", group: "vision", higherIsBetter: true, about: "mean of the VQA groups (accuracy %)"),
            Metric(name: "perception", group: "vision", higherIsBetter: true, about: "perception families rolled up (accuracy %)"),
            Metric(name: "reasoning", group: "vision", higherIsBetter: true, about: "visual reasoning families rolled up (accuracy %)"),
            Metric(name: "mle_small", group: "vision", higherIsBetter: true, about: "existence, target covers 0–30% of the image (accuracy %)"),
            Metric(name: "mle_medium", group: "vision", higherIsBetter: true, about: "existence, target covers 30–60% of the image (accuracy %)"),
            Metric(name: "mle_large", group: "vision", higherIsBetter: true, about: "existence, target covers 60–100% of the image (accuracy %)"),
            Metric(name: "text_acc", group: "language", higherIsBetter: true, about: "text-only multiple-choice accuracy (%)"),
            Metric(name: "text_reasoning", group: "language", higherIsBetter: true, about: "text-only reasoning probes: count, compare, add (accuracy %)"),
            Metric(name: "ppl", group: "language", higherIsBetter: false, about: "held-out perplexity"),
        ]
        // Blind scores: the same questions with a blank image (the language prior alone).
        let blindable = ["general", "knowledge", "ocr_chart", "vision_centric", "vqa_avg", "perception", "reasoning",
                         "mle_small", "mle_medium", "mle_large"]
        m += blindable.map { Metric(name: "blind_\($0)", group: "blind", higherIsBetter: true, about: "\($0) with a blank image") }
        // Curve means: the mean over the instruction-tuning curve, the steadier signal.
        m += (blindable + ["text_acc", "text_reasoning"]).map {
            Metric(name: "\($0)_curve", group: "curve", higherIsBetter: true, about: "\($0), mean over the adaptation curve")
        }
        return m
    }()

    public static func metric(named name: String) -> Metric? { standard.first { $0.name == name } }

    /// Whether higher values of a metric are better: the catalogue's word for its own metrics;
    /// otherwise losses, perplexities and bits per byte fall (`loss`, `*_loss`, `ppl`, `*_ppl`,
    /// `perplexity`, `*_perplexity`, `bpb`, `*_bpb`, and the same with the word first, as in
    /// `loss_pile_cc`), and every other score rises.
    public static func higherIsBetter(_ name: String) -> Bool {
        if let m = metric(named: name) { return m.higherIsBetter }
        let key = name.lowercased()
        return !fallingWords.contains { w in key == w || key.hasSuffix("_" + w) || key.hasPrefix(w + "_") }
    }

    static let fallingWords = ["loss", "ppl", "perplexity", "bpb"]

    public static func isKnown(_ name: String) -> Bool { metric(named: name) != nil }

    /// What a metric's values are counted in, for axis labels: "% accuracy" for the
    /// catalogue's accuracies, "perplexity" for `ppl`; nil for a metric it does not know.
    public static func unit(_ name: String) -> String? {
        guard let m = metric(named: name) else { return nil }
        return m.name == "ppl" ? "perplexity" : isAccuracy(name) ? "% accuracy" : nil
    }

    /// Whether a metric is one of the catalogue's accuracies (a percentage).
    public static func isAccuracy(_ name: String) -> Bool {
        guard let m = metric(named: name) else { return false }
        return m.name != "ppl" && m.higherIsBetter
    }

    /// The values a metric can take: 0–100 for the catalogue's accuracies, nil where the
    /// catalogue knows no bound (perplexity, losses, a team's own scores).
    public static func bounds(_ name: String) -> ClosedRange<Double>? {
        isAccuracy(name) ? 0...100 : nil
    }

    /// A metric's name with its unit, as an axis says it: `vqa_avg (% accuracy)`.
    public static func axisLabel(_ name: String) -> String { unit(name).map { "\(name) (\($0))" } ?? name }

    /// A metric name must be a plain identifier so it is safe as a JSON key and a file name.
    public static func isValidName(_ name: String) -> Bool {
        guard let f = name.first, f.isLetter else { return false }
        return name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
