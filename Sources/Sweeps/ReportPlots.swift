import Charts
import Fits
import Foundation
import Laws
import Planner
import Store
import VisionMixCore

/// The report's plots of scores over tokens: one line per model size (mean over seeds), its seed
/// band, the fitted law over it, the chance level and axes in their units.
extension ReportWriter {
    /// A mean over seeds with its spread (what `means` returns).
    typealias SeedMean = (run: StoredRun, mean: Double, sd: Double, n: Int)

    /// The chance level of `category` over `runs`, as the runs recorded it (their evaluation
    /// knows how many options each question had); nil when none did.
    func chance(of category: String, in runs: [StoredRun]) -> Double? {
        let cs = runs.compactMap { $0.chance[category] }.filter(\.isFinite)
        return cs.isEmpty ? nil : cs.reduce(0, +) / Double(cs.count)
    }

    /// The chance level of `category` as a dashed line, when the runs recorded one.
    func chanceLine(_ category: String, runs: [StoredRun]) -> [ReferenceLine] {
        chance(of: category, in: runs).map { [ReferenceLine(y: $0, label: String(format: "chance (%.1f%%)", $0))] } ?? []
    }

    /// "m (205K parameters)", or the count alone for a run no sweep named.
    func sizeName(_ run: StoredRun) -> String {
        let count = "\(Quantity.format(run.params)) parameters"
        return RunName(run.name).map { "\($0.size) (\(count))" } ?? count
    }

    /// For each category, the newest fit that draws a curve over tokens (a size–data or joint
    /// law, or a 1-D law of tokens): the mixture laws fitted after a sweep at one size and
    /// budget are newer but flat along tokens.
    func tokenCurveLaws() -> [String: FittedLaw] {
        guard let records = try? store.fits(label: label) else { return [:] }
        var out: [String: FittedLaw] = [:]
        for record in records where out[record.category] == nil {
            guard let fit = try? FitJSON.decode(Data(record.body.utf8)) else { continue }
            switch fit.law.family.kind {
            case .sizeData, .joint: out[fit.category] = fit.law
            case .oneDimensional where fit.law.shape.axis == .tokens: out[fit.category] = fit.law
            default: continue
            }
        }
        return out
    }

    /// What the seed bands of `points` are, in words for the chart's key.
    func bandNote(_ points: [SeedMean]) -> String? {
        let ns = Set(points.map(\.n))
        guard let most = ns.max(), most >= 2 else { return "one seed: no seed band" }
        let seeds = ns.count == 1 ? "\(most) seeds" : "\(ns.min()!)–\(most) seeds"
        return "shaded: mean ± SD over \(seeds)"
    }

    /// `category` over pre-training tokens for `runs` (one mixture), one line per size.
    func tokenChart(_ category: String, runs: [StoredRun], title: String, laws: [String: FittedLaw]) -> LineChart {
        let pts = means(runs, category)
        let sizes = Set(pts.map(\.run.params)).sorted()
        var series: [Series] = []
        for (i, n) in sizes.enumerated() {
            let at = pts.filter { $0.run.params == n }
            var s = Series(name: sizeName(at[0].run), points: at.map { ($0.run.tokens, $0.mean) })
            s.band = at.filter { $0.n >= 2 }.map { ($0.run.tokens, $0.mean - $0.sd, $0.mean + $0.sd) }
            s.colour = i
            series.append(s)
        }
        var notes = [bandNote(pts)].compactMap { $0 }
        if let law = laws[category] {
            let top = pts.map(\.run.tokens).max() ?? 0, mixture = runs.first?.mixture
            for (i, n) in sizes.enumerated() {
                // Denser near zero, where a law fitted to few budgets can rise steeply.
                let curve = (0...40).map { k -> (x: Double, y: Double) in
                    let d = top * Double(k * k) / 1600
                    return (d, law.predict(params: n, tokens: d, mixture: mixture))
                }.filter { $0.y.isFinite }
                var fit = Series(name: "fit, \(Quantity.format(n))", points: curve)
                fit.fitted = true
                fit.colour = i
                series.append(fit)
            }
            notes.append("dashed: the fitted law, \(law.family.rawValue)")
        }
        var chart = LineChart(title: title, xLabel: "pre-training tokens", yLabel: MetricCatalogue.axisLabel(category), series: series)
        chart.references = chanceLine(category, runs: runs)
        if chart.references.isEmpty { notes.append("no chance level recorded for \(category)") }
        chart.notes = notes
        return chart
    }
}

/// A recipe's vision–language Pareto front (predicted by the laws), the recipe marked, and both
/// axes' chance levels from the laws; a chance level far below a front a point wide is named
/// in the key rather than squashing the front into a line.
public func paretoChart(_ r: Recipe, title: String) -> LineChart {
    let lang = r.languageCategory ?? "language"
    var chart = LineChart(title: title, xLabel: "\(MetricCatalogue.axisLabel(lang)), predicted",
                          yLabel: "\(MetricCatalogue.axisLabel(r.objective)), predicted",
                          series: [Series(name: "Pareto front", points: r.pareto.map { ($0.language, $0.objective) })])
    if let l = r.scores[lang] { chart.highlights = [(l.value, r.objectiveValue, "recipe")] }
    chart.references = [r.scores[lang]?.chance.map { ReferenceLine(x: $0, label: String(format: "%@ chance (%.1f%%)", lang, $0), stretchesAxis: false) },
                        r.scores[r.objective]?.chance.map { ReferenceLine(y: $0, label: String(format: "%@ chance (%.1f%%)", r.objective, $0), stretchesAxis: false) }]
        .compactMap { $0 }
    return chart
}
