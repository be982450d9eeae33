import Foundation
import Trainer
import VisionMixCore

/// The built-in sweep specs. `visionmix sweep show --preset NAME` prints one as JSON, a
/// starting point for a spec of one's own.
public enum SweepPresets {
    public static let names = ["quick", "standard"]

    public static func named(_ name: String, encoder: String = VisionEncoders.defaultName) -> SweepSpec? {
        switch name {
        case "quick": quick(encoder: encoder)
        case "standard": standard(encoder: encoder)
        default: nil
        }
    }

    /// The demo: what pre-training adds to vision, against the seeds' noise. At m, 500K tokens
    /// of `balanced` lift `vision_centric` and `reasoning` by several seed SDs over the untrained
    /// model, and only with the image (their blank-image scores stay put); xs, too small to gain
    /// within the budget, is the contrast, and as a second size lets the size–data laws fit a
    /// curve over the points. Three seeds give each point a seed band. Six runs, 152 core-seconds
    /// with the fits and report (release build, AMD EPYC): one worker runs two m runs (38 s
    /// each), the other an m run and the three xs runs (10 s each), about 80 s on two idle
    /// cores (docs/sweeps.md). No mixture varies, so the sweep makes no recipe.
    public static func quick(encoder: String) -> SweepSpec {
        SweepSpec(name: "quick", label: "quick", encoder: encoder, seeds: [1, 2, 3], designs: [
            SweepDesign(name: "pretraining", sizes: ["m"], mixtures: ["balanced"], tokens: "500K", checkpoints: ["0", "500K"]),
            SweepDesign(name: "pretraining", sizes: ["xs"], mixtures: ["balanced"], tokens: "500K", checkpoints: ["0", "250K", "500K"]),
        ])
    }

    /// The paper's designs in miniature, two seeds, sized for about an hour on two cores
    /// (an xl run of 1M tokens costs about eight core-minutes; docs/sweeps.md):
    /// - the scaling figure: five sizes over 1M tokens for three mixtures. The untrained model
    ///   depends on the seed alone, not on the mixture, so only `balanced` scores it (0 tokens);
    /// - the mixture designs at xs, as the paper ran them at one size, and the reasoning-share
    ///   line at s and xl as well, to see whether its effect grows with size. At xl the line has
    ///   three seeds and the `precise` evaluation: there the mixtures' effect on visual
    ///   reasoning is a few points, and with two seeds and 40 questions a family the seed and
    ///   question-sample noise is as large (docs/findings.md, "Where the xl noise comes from").
    ///   The line runs twice at xl: adapted as everywhere else, and with the LM frozen
    ///   (`frozen-lm`), which measures the prior before instruction tuning teaches it to every LM.
    public static func standard(encoder: String) -> SweepSpec {
        let budget = "1M", at = ["xs"], curve = ["250K", "500K", "1M"]
        // Largest first: the costliest runs start while both workers are free, and the numbers
        // that most findings read (xl) arrive early.
        let sizes = ["xl", "l", "m", "s", "xs"]
        return SweepSpec(name: "standard", label: "calibration", encoder: encoder, seeds: [1, 2], designs: [
            SweepDesign(name: "scaling", sizes: sizes, mixtures: ["balanced"], tokens: budget, checkpoints: ["0"] + curve),
            SweepDesign(name: "scaling", sizes: sizes, mixtures: ["web_crawl", "language_favorable"], tokens: budget, checkpoints: curve),
            SweepDesign(name: "reasoning", sizes: ["xl"], mixtures: reasoningLine([0, 25, 50, 75, 100]), tokens: budget,
                        checkpoints: [budget], seeds: [1, 2, 3], profile: "precise"),
            // The same LMs adapted with the LM frozen: tuning the LM teaches every xl LM the
            // counting that reasoning text gives, which covers the prior the line is there to see
            // (docs/findings.md, "A frozen LM shows the prior").
            SweepDesign(name: "reasoning", sizes: ["xl"], mixtures: reasoningLine([0, 25, 50, 75, 100]), tokens: budget,
                        checkpoints: [budget], seeds: [1, 2, 3], profile: "frozen-lm"),
            SweepDesign(name: "sources", sizes: at, mixtures: TextSource.allCases.map { "\($0.name)=100" },
                        tokens: budget, checkpoints: [budget]),
            SweepDesign(name: "reasoning", sizes: at + ["s"], mixtures: reasoningLine([0, 25, 50, 75, 100]), tokens: budget, checkpoints: [budget]),
            SweepDesign(name: "visual", sizes: at, mixtures: visualLine([0, 25, 50, 75, 100]), tokens: budget, checkpoints: [budget]),
            SweepDesign(name: "grid", sizes: at, mixtures: grid(reasoning: [50, 65, 85], visual: [5, 15, 30]), tokens: budget, checkpoints: [budget]),
            SweepDesign(name: "interpolation", sizes: at, mixtures: (0...10).map { "mix\($0)" }, tokens: budget, checkpoints: [budget]),
        ])
    }

    /// Reasoning share varied; the rest of the tokens come from the natural pool, whose visual
    /// share (about a fifth of non-reasoning text) shrinks as reasoning grows.
    static func reasoningLine(_ percents: [Int]) -> [String] {
        percents.map { r in "reasoning=\(r),visual=\(fmt(0.2 * Double(100 - r)))" }
    }

    /// Visual share varied; the rest keeps the pool's reasoning share of about a third.
    static func visualLine(_ percents: [Int]) -> [String] {
        percents.map { v in "reasoning=\(fmt(0.3 * Double(100 - v))),visual=\(v)" }
    }

    static func grid(reasoning: [Int], visual: [Int]) -> [String] {
        reasoning.flatMap { r in visual.filter { r + $0 <= 100 }.map { v in "reasoning=\(r),visual=\(v)" } }
    }

    static func fmt(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x) }
}
