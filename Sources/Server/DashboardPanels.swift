import Charts
import Foundation
import Planner
import Store
import Sweeps
import VisionMixCore

/// The dashboard's panels beyond the scaling curves: the newest sweep's progress, a
/// reasoning × visual heatmap of the mixture runs, and the vision–language Pareto front of
/// the fitted laws. Each returns HTML (inline SVG) or nothing when it has nothing to show.
enum DashboardPanels {
    /// Candidates for the Pareto front: enough for a smooth front, cheap enough per page view.
    static let paretoCandidates = 2000

    /// The newest sweep: name, status, runs stored out of the total, as a bar.
    static func sweep(store: ResultStore) throws -> String {
        guard let record = try store.latestSweep() else { return "" }
        // A record whose spec no longer reads (hand-edited, older format) still gets a line.
        guard let p = try? SweepRunner(store: store, sweep: record).progress() else {
            return "<h2>Sweep</h2><p>sweep \(record.id ?? 0) <b>\(xmlEscape(record.name))</b>: \(xmlEscape(record.status))</p>"
        }
        let fraction = p.totalRuns > 0 ? Double(p.completedRuns) / Double(p.totalRuns) : 0
        let colour = ["running": "#3b7dd8", "complete": "#2e9e5b", "failed": "#c0392b", "cancelled": "#888"][p.status] ?? "#bbb"
        let width = 480.0, filled = (width * min(1, max(0, fraction)) * 10).rounded() / 10
        var html = "<h2>Sweep</h2><p>sweep \(p.sweepId) <b>\(xmlEscape(p.name))</b> (source \(xmlEscape(p.label))): "
            + "<span class=\"status\">\(xmlEscape(p.status))</span>, \(p.completedRuns)/\(p.totalRuns) runs stored"
        if let eta = p.etaSeconds { html += String(format: ", about %.0f s left", eta) }
        html += "</p>"
        html += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width) + 2)\" height=\"22\" viewBox=\"0 0 \(Int(width) + 2) 22\" style=\"max-width:100%;height:auto\" role=\"img\" aria-label=\"sweep progress\">"
            + "<rect x=\"1\" y=\"1\" width=\"\(Int(width))\" height=\"20\" fill=\"#f0f0f0\" stroke=\"#ccc\"/>"
            + "<rect x=\"1\" y=\"1\" width=\"\(filled)\" height=\"20\" fill=\"\(colour)\"/>"
            + "<text x=\"\(Int(width / 2))\" y=\"15\" text-anchor=\"middle\" font-size=\"12\" font-family=\"sans-serif\">"
            + String(format: "%.0f%%", fraction * 100) + "</text></svg>"
        if let m = p.message { html += "<p class=\"note\">\(xmlEscape(m))</p>" }
        return html
    }

    /// Mean score of the main vision category over runs binned by reasoning and visual share
    /// (10-point bins, only the bins that have runs), when the runs vary both shares.
    static func heatmap(_ runs: [StoredRun]) -> Heatmap? {
        let category = ["vqa_avg", "general", "vision_centric"].first { c in runs.contains { $0.scores[c] != nil } }
        guard let category else { return nil }
        var cells: [Double: [Double: [Double]]] = [:]
        for r in runs {
            guard let rs = r.reasoningShare, let vs = r.visualShare, let v = r.scores[category], v.isFinite else { continue }
            cells[bin(vs), default: [:]][bin(rs), default: []].append(v)
        }
        let ys = cells.keys.sorted(), xs = Set(cells.values.flatMap(\.keys)).sorted()
        guard xs.count >= 2, ys.count >= 2 else { return nil }
        let values = ys.map { y in xs.map { x in cells[y]?[x].map { $0.reduce(0, +) / Double($0.count) } ?? .nan } }
        return Heatmap(title: "\(category) by mixture (mean per cell)", xLabel: "reasoning share (%)", yLabel: "visual share (%)",
                       xValues: xs, yValues: ys, values: values)
    }

    /// A share (fraction) to the lower edge of its 10-point bin, in percent.
    static func bin(_ share: Double) -> Double { min(90, (share * 100 / 10).rounded(.down) * 10) }

    /// The vision–language trade-off of `source`'s mixture-aware laws: the Pareto front of a
    /// small recommendation for the vision objective, with the recommended mixture marked.
    /// Nil when the source has no fits, or not both a vision and a language law.
    static func pareto(store: ResultStore, source: String) -> LineChart? {
        // The search costs a second or more on a busy machine; the front only changes with the fits.
        let key = ((try? store.newestFitId(label: source)) ?? nil).map(String.init) ?? "files"
        if let hit = paretoCache.withLock({ $0[source] }), hit.key == key { return hit.chart }
        let chart = computePareto(store: store, source: source)
        paretoCache.withLock { $0[source] = (key, chart) }
        return chart
    }

    /// The last front drawn per source, with the newest fit id it was drawn from ("files" when
    /// the laws came from fits/ files, which the server never writes).
    static let paretoCache = LockedValue<[String: (key: String, chart: LineChart?)]>([:])

    static func computePareto(store: ResultStore, source: String) -> LineChart? {
        guard let laws = try? LawSet.load(store: store, source: source).0,
              let vision = ["vqa_avg", "general", "vision_centric"].first(where: { laws.laws[$0] != nil }),
              laws.laws["text_acc"] != nil,
              let objective = try? Objective.parse(vision), let baseline = Mixture.preset("language_favorable") else { return nil }
        var req = RecommendationRequest(objective: objective, baseline: baseline, baselineName: "language_favorable")
        req.candidates = paretoCandidates
        req.languageCategory = "text_acc"
        // A front needs both laws to read the mixture; size-only laws have no trade-off to draw.
        guard let recipe = try? laws.recommend(req), recipe.pareto.count >= 2 else { return nil }
        let points = recipe.pareto.map { (x: $0.language, y: $0.objective) }.sorted { $0.x < $1.x }
        var chart = LineChart(title: "\(source): vision–language Pareto front", xLabel: "text_acc (predicted)",
                              yLabel: "\(vision) (predicted)", series: [Series(name: "Pareto front", points: points)])
        if let lang = recipe.scores["text_acc"]?.value {
            chart.highlights = [(x: lang, y: recipe.objectiveValue, label: "recommended")]
        }
        return chart
    }
}

/// A value behind a lock, for the few caches handlers share.
final class LockedValue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return body(&value) }
}
