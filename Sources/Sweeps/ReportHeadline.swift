import Charts
import Fits
import Foundation
import Laws
import Store
import VisionMixCore

/// A score's mean over seeds with its SD and the number of seeds.
public struct SeedSpread: Codable, Sendable, Equatable {
    public var mean: Double
    public var sd: Double
    public var n: Int
    public init(mean: Double, sd: Double, n: Int) { self.mean = mean; self.sd = sd; self.n = n }
    var text: String { String(format: "%.1f ± %.1f", mean, sd) }
}

/// What pre-training adds at one model size and mixture: a category's score at the largest
/// budget against the untrained model (0 tokens), each as a mean over seeds with its SD.
public struct PretrainingLift: Encodable, Sendable, Equatable {
    public var size: String
    public var params: Double
    public var mixture: String
    public var category: String
    public var tokens: Double
    public var untrained: SeedSpread
    public var trained: SeedSpread
    public var chance: Double?
    /// The same models on the same questions with a blank image (`blind_<category>`), when
    /// scored: a lift that needs the image shows here as none.
    public var blind: BlindControl?
    public struct BlindControl: Codable, Sendable, Equatable {
        public var untrained: SeedSpread
        public var trained: SeedSpread
    }

    public var effect: Double { trained.mean - untrained.mean }
    /// The seed SD of the two ends pooled (root mean variance).
    public var seedSD: Double { ((untrained.sd * untrained.sd + trained.sd * trained.sd) / 2).squareRoot() }
    /// The effect in seed SDs (∞ when both ends agree across seeds to the digit).
    public var ratio: Double { seedSD > 0 ? effect / seedSD : effect == 0 ? 0 : effect > 0 ? .infinity : -.infinity }
    /// The room between the two mean ± SD bands, in points (negative when they overlap).
    public var gap: Double { abs(effect) - untrained.sd - trained.sd }

    enum CodingKeys: String, CodingKey {
        case size, params, mixture, category, tokens, untrained, trained, chance, blind, effect
        case seedSD = "seed_sd", ratio = "effect_in_seed_sds", gap = "bands_apart_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(size, forKey: .size); try c.encode(params, forKey: .params); try c.encode(mixture, forKey: .mixture)
        try c.encode(category, forKey: .category); try c.encode(tokens, forKey: .tokens)
        try c.encode(untrained, forKey: .untrained); try c.encode(trained, forKey: .trained)
        try c.encodeIfPresent(chance, forKey: .chance); try c.encodeIfPresent(blind, forKey: .blind)
        try c.encode(effect, forKey: .effect); try c.encode(seedSD, forKey: .seedSD); try c.encode(ratio, forKey: .ratio); try c.encode(gap, forKey: .gap)
    }

    /// One sentence with both numbers: the lift and the seed band it stands against.
    public var summary: String {
        var s = String(format: "at %@, %@ goes from %@ with no pre-training to %@ after %@ tokens of %@ (mean ± SD over %d and %d seeds): "
                       + "%+.1f points against a seed SD of %.1f (%.1f seed SDs)",
                       size, category, untrained.text, trained.text, Quantity.format(tokens), mixture, untrained.n, trained.n, effect, seedSD, ratio)
        s += gap > 0 ? String(format: ", and the two seed bands are %.1f points apart", gap) : ", and the two seed bands overlap: the lift is within the seeds' noise"
        if let b = blind { s += "; with the image blanked the same models score \(b.untrained.text) and \(b.trained.text)" }
        return s + (chance.map { String(format: "; chance is %.1f", $0) } ?? "")
    }
}

extension ReportWriter {
    /// Categories whose lift the report tabulates: the vision groups, then language.
    static let liftCategories = ["vqa_avg", "general", "knowledge", "ocr_chart", "vision_centric", "perception", "reasoning", "text_acc"]

    /// Every (size, mixture) that has two or more seeds both untrained and at its largest budget:
    /// the lift of each category there. The untrained model does not depend on the mixture, so
    /// its runs are compared only with runs of the same mixture (the same seeds' LMs).
    func pretrainingLifts(_ runs: [StoredRun]) -> [PretrainingLift] {
        let groups = Dictionary(grouping: runs.filter { $0.mixture != nil }) { "\($0.params)|\($0.mixture!.canonicalKey)|\(scoring($0))" }
        var out: [PretrainingLift] = []
        for (_, g) in groups.sorted(by: { ($0.value[0].params, $0.key) < ($1.value[0].params, $1.key) }) {
            let top = g.map(\.tokens).max()!
            let zero = g.filter { $0.tokens == 0 }, trained = g.filter { $0.tokens == top }
            guard top > 0, Set(zero.compactMap(\.seed)).count >= 2, Set(trained.compactMap(\.seed)).count >= 2 else { continue }
            func spread(_ runs: [StoredRun], _ c: String) -> SeedSpread? { means(runs, c).first.map { SeedSpread(mean: $0.mean, sd: $0.sd, n: $0.n) } }
            for c in Self.liftCategories {
                guard let u = spread(zero, c), let t = spread(trained, c) else { continue }
                var lift = PretrainingLift(size: sizeName(g[0]), params: g[0].params, mixture: mixtureName(g[0].mixture), category: c, tokens: top,
                                           untrained: u, trained: t, chance: chance(of: c, in: zero + trained))
                if let bu = spread(zero, "blind_" + c), let bt = spread(trained, "blind_" + c) { lift.blind = .init(untrained: bu, trained: bt) }
                out.append(lift)
            }
        }
        return out
    }

    /// The headline: the vision category whose lift stands furthest clear of its seed bands, in
    /// points (the one a reader sees first on the plot); nil when no vision score rose.
    public static func headline(of lifts: [PretrainingLift]) -> PretrainingLift? {
        lifts.filter { visionCategories.contains($0.category) && $0.effect > 0 }.max { ($0.gap, $1.category) < ($1.gap, $0.category) }
    }

    /// The headline of the stored runs of the report's source.
    public func headline() throws -> PretrainingLift? {
        let runs = try store.runs(RunFilter(source: label)).filter { $0.status == "complete" }
        return Self.headline(of: pretrainingLifts(Adaptations.fitted(runs).runs))
    }

    /// The report's first plot, the headline drawn over tokens with every size of its mixture,
    /// seed bands, the fitted law and chance; and the table of all the lifts, so the headline
    /// is read as the clearest of them, not the only one.
    func headline(_ runs: [StoredRun], laws: [String: FittedLaw]) -> Section? {
        let lifts = pretrainingLifts(runs)
        guard let best = Self.headline(of: lifts) else { return nil }
        let mixRuns = runs.filter { mixtureName($0.mixture) == best.mixture }
        let chart = tokenChart(best.category, runs: mixRuns, title: "What pre-training adds: \(best.category) · \(best.mixture)", laws: laws)
        var s = Section(title: "What pre-training adds")
        s.text = [
            "Headline: " + best.summary + ".",
            "The table gives every category's lift from the untrained model (0 tokens) to the largest budget, at each size and mixture run with two or more seeds; the headline is the vision score whose mean ± SD bands lie furthest apart. Scores are % accuracy.",
        ]
        s.figures = [("headline-\(best.category).svg", chart.svg(), "\(best.category) over pre-training tokens, \(best.mixture): the headline")]
        s.table = (["size", "mixture", "category", "0 tokens", "trained", "tokens", "lift", "seed SD", "lift / SD", "blind, 0 → trained", "chance"], lifts.map { l in
            [l.size, l.mixture, l.category, l.untrained.text, l.trained.text, Quantity.format(l.tokens), String(format: "%+.1f", l.effect),
             String(format: "%.1f", l.seedSD), l.ratio.isFinite ? String(format: "%.1f", l.ratio) : "∞",
             l.blind.map { "\($0.untrained.text) → \($0.trained.text)" } ?? "—", l.chance.map { String(format: "%.1f", $0) } ?? "—"]
        })
        return s
    }
}
