import Charts
import Fits
import Foundation
import Laws
import Planner
import Store
import VisionMixCore

/// `visionmix report`: Markdown and HTML with SVG plots of one source's runs and fits.
public struct ReportWriter {
    public let store: ResultStore
    public let label: String

    public init(store: ResultStore, label: String) { self.store = store; self.label = label }

    struct Section {
        var title: String
        var text: [String] = []
        var figures: [(file: String, svg: String, caption: String)] = []
        var table: (headers: [String], rows: [[String]])?
    }

    static let visionCategories = ["vqa_avg", "general", "knowledge", "ocr_chart", "vision_centric", "perception", "reasoning"]
    static let languageCategories = ["text_acc", "text_reasoning", "ppl"]

    /// Writes `report.md`, `report.html` and the SVGs into `dir`; returns the Markdown path.
    @discardableResult
    public func write(to dir: String) throws -> String {
        let runs = try store.runs(RunFilter(source: label)).filter { $0.status == "complete" }
        guard !runs.isEmpty else { throw SweepError.bad("no runs under source '\(label)' to report on") }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Curves and seed noise show the runs the laws are fitted to; runs adapted another way
        // (the LM frozen) would plot as other points of the same mixtures. The table of
        // mixtures against seed noise keeps every way apart and shows them all.
        let (main, others) = Adaptations.fitted(runs)
        var sections: [Section] = [overview(runs)]
        if !others.isEmpty {
            sections[0].text.append(others.map { "\($0.count) of them were adapted under '\($0.adaptation)'" }.joined(separator: "; ")
                                    + ": they appear only in \"Mixtures against seed noise\", and the curves and laws are of the others.")
        }
        let laws = tokenCurveLaws()
        if let h = headline(main, laws: laws) { sections.append(h) }
        sections += scaling(main, laws: laws)
        sections += shareCurves(main)
        if let h = heatmap(main) { sections.append(h) }
        if let n = seedNoise(main) { sections.append(n) }
        if let m = mixturesAgainstNoise(runs) { sections.append(m) }
        sections += try fitsAndRecipe()
        if let a = try adaptiveRounds() { sections.append(a) }
        var md = ["# VisionMix report: \(label)", "", "Generated \(ISO8601DateFormatter().string(from: Date())) from \(store.path).", ""]
        var html = ["<!doctype html><html><head><meta charset=\"utf-8\"><title>VisionMix report: \(label)</title>",
                    "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}figure{display:inline-block;margin:0.5em}figcaption{font-size:12px;color:#555}</style>",
                    "</head><body><h1>VisionMix report: \(xmlEscape(label))</h1>"]
        for s in sections {
            md += ["## \(s.title)", ""] + s.text.flatMap { [$0, ""] }
            html.append("<h2>\(xmlEscape(s.title))</h2>" + s.text.map { "<p>\(xmlEscape($0))</p>" }.joined())
            if let t = s.table {
                md.append("| " + t.headers.joined(separator: " | ") + " |")
                md.append("|" + t.headers.map { _ in " --- |" }.joined())
                md += t.rows.map { "| " + $0.joined(separator: " | ") + " |" }
                md.append("")
                html.append("<table><tr>" + t.headers.map { "<th>\(xmlEscape($0))</th>" }.joined() + "</tr>"
                            + t.rows.map { "<tr>" + $0.map { "<td>\(xmlEscape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>")
            }
            for f in s.figures {
                try f.svg.write(toFile: (dir as NSString).appendingPathComponent(f.file), atomically: true, encoding: .utf8)
                md += ["![\(f.caption)](\(f.file))", ""]
                html.append("<figure>\(f.svg)<figcaption>\(xmlEscape(f.caption))</figcaption></figure>")
            }
        }
        html.append("</body></html>")
        let mdPath = (dir as NSString).appendingPathComponent("report.md")
        try md.joined(separator: "\n").write(toFile: mdPath, atomically: true, encoding: .utf8)
        try html.joined(separator: "\n").write(toFile: (dir as NSString).appendingPathComponent("report.html"), atomically: true, encoding: .utf8)
        return mdPath
    }

    func overview(_ runs: [StoredRun]) -> Section {
        let sizes = Set(runs.map(\.params)).sorted().map { Quantity.format($0) }
        let mixes = Set(runs.compactMap { $0.mixture?.canonicalKey }).count
        let seeds = Set(runs.compactMap(\.seed)).sorted()
        var text = [
            "\(runs.count) stored results: \(sizes.count) model sizes (\(sizes.joined(separator: ", ")) parameters), \(mixes) mixtures, "
                + "\(Set(runs.map(\.tokens)).count) token budgets, seeds \(seeds.map(String.init).joined(separator: ", ")).",
        ]
        // A label's own sources are part of what its mixtures mean.
        if let c = try? store.declaredCatalogue(label: label) {
            text.append("Sources (\(c.count), declared for this label): " + c.names.joined(separator: ", ")
                        + (c.hasTags ? "." : "; without tag shares, so no reasoning or visual shares."))
        }
        return Section(title: "Overview", text: text)
    }

    /// Mean over seeds of `category`, keyed by what tells runs apart besides the seed.
    func means(_ runs: [StoredRun], _ category: String) -> [SeedMean] {
        var groups: [String: [StoredRun]] = [:]
        for r in runs where r.scores[category] != nil {
            groups["\(r.params)|\(r.tokens)|\(r.mixture?.canonicalKey ?? "")|\(r.provenance["attributes"]?.compactString ?? "")|\(scoring(r))",
                   default: []].append(r)
        }
        // In key order: a dictionary's order changes between processes, and reports of the
        // same database should differ only in their timestamp.
        return groups.sorted { $0.key < $1.key }.map(\.value).map { g in
            let xs = g.map { $0.scores[category]! }
            let m = xs.reduce(0, +) / Double(xs.count)
            let sd = xs.count > 1 ? (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot() : 0
            return (g[0], m, sd, xs.count)
        }
    }

    /// How a run was scored beyond its size, mixture, budget and seed ("" for a run no sweep named).
    func scoring(_ run: StoredRun) -> String { RunName(run.name)?.scoring ?? "" }

    func mixtureName(_ m: Mixture?) -> String {
        guard let m else { return "unknown mixture" }
        if let p = Mixture.presets.first(where: { Mixture.preset($0.name)?.canonicalKey == m.canonicalKey }) { return p.name }
        return m.description
    }

    /// Score against tokens, one line per model size, for each mixture run at 2+ sizes.
    func scaling(_ runs: [StoredRun], laws: [String: FittedLaw]) -> [Section] {
        var byMix: [String: [StoredRun]] = [:]
        for r in runs { byMix[r.mixture?.canonicalKey ?? "", default: []].append(r) }
        let scalingMixes = byMix.filter { Set($0.value.map(\.params)).count >= 2 && Set($0.value.map(\.tokens)).count >= 3 }
            .sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }.prefix(3)
        guard !scalingMixes.isEmpty else { return [] }
        var s = Section(title: "Scaling curves", text: [
            "Score after adaptation against pre-training tokens, one line per model size (mean over seeds, with the seed band where there are two or more seeds), as in the paper's scaling figure; the dashed line is the category's fitted law at that size, the grey dashes its chance level.",
        ])
        for (key, mixRuns) in scalingMixes {
            let name = mixtureName(mixRuns[0].mixture)
            for c in (Self.visionCategories + Self.languageCategories) where mixRuns.contains(where: { $0.scores[c] != nil }) {
                let chart = tokenChart(c, runs: mixRuns, title: "\(c) · \(name)", laws: laws)
                s.figures.append(("scaling-\(c)-\(slug(key.isEmpty ? "none" : name)).svg", chart.svg(), "\(c) over tokens, \(name)"))
            }
        }
        return [s]
    }

    /// The runs of the mixture designs: the (size, budget) with the most mixtures (ties to the
    /// larger size and budget, since dictionary order changes between runs).
    func mixtureStudy(_ runs: [StoredRun]) -> [StoredRun] {
        var groups: [String: [StoredRun]] = [:]
        for r in runs where r.mixture != nil { groups["\(r.params)|\(r.tokens)", default: []].append(r) }
        func rank(_ g: [StoredRun]) -> (Int, Double, Double) { (Set(g.compactMap { $0.mixture?.canonicalKey }).count, g[0].params, g[0].tokens) }
        guard let top = groups.values.max(by: { rank($0) < rank($1) }), rank(top).0 >= 3 else { return [] }
        return top
    }

    /// Per model size, the runs at its largest budget when they span at least three mixtures:
    /// one series each in the share plots, so that a mixture effect that grows with size shows.
    func mixtureStudiesBySize(_ runs: [StoredRun]) -> [[StoredRun]] {
        var bySize: [Double: [StoredRun]] = [:]
        for r in runs where r.mixture != nil { bySize[r.params, default: []].append(r) }
        return bySize.keys.sorted().compactMap { params in
            let rs = bySize[params]!
            let top = rs.filter { $0.tokens == rs.map(\.tokens).max()! }
            return Set(top.compactMap { $0.mixture?.canonicalKey }).count >= 3 ? top : nil
        }
    }

    func shareCurves(_ runs: [StoredRun]) -> [Section] {
        // Mixtures of sources without tag shares have no shares to plot against.
        let studies = mixtureStudiesBySize(runs.filter { $0.mixture?.hasShares ?? true })
        guard !studies.isEmpty else { return [] }
        var s = Section(title: "Mixture effects", text: [
            "Each point is one mixture (mean over seeds) at a model size's largest budget, against its reasoning share and its visual share; one colour per size.",
        ])
        for c in ["reasoning", "vision_centric", "perception", "general", "knowledge", "vqa_avg", "text_acc"] where studies.joined().contains(where: { $0.scores[c] != nil }) {
            for (axis, share) in [("reasoning share", \Mixture.reasoningShare), ("visual share", \Mixture.visualShare)] {
                var points: [SeedMean] = []
                let series = studies.map { study in
                    let pts = means(study, c)
                    points += pts
                    var s = Series(name: sizeName(study[0]), points: pts.map { ($0.run.mixture![keyPath: share]! * 100, $0.mean) }, line: false)
                    s.band = pts.filter { $0.n >= 2 }.map { ($0.run.mixture![keyPath: share]! * 100, $0.mean - $0.sd, $0.mean + $0.sd) }
                    return s
                }
                var chart = LineChart(title: "\(c) vs \(axis)", xLabel: "\(axis) (% of pre-training tokens)", yLabel: MetricCatalogue.axisLabel(c), series: series)
                chart.references = chanceLine(c, runs: studies.flatMap { $0 })
                chart.notes = [bandNote(points)].compactMap { $0 }.map { $0.replacingOccurrences(of: "shaded", with: "bars") }
                s.figures.append(("share-\(c)-\(axis.hasPrefix("r") ? "reasoning" : "visual").svg", chart.svg(), "\(c) against the \(axis)"))
            }
        }
        return [s]
    }

    func heatmap(_ runs: [StoredRun]) -> Section? {
        let study = mixtureStudy(runs.filter { $0.mixture?.hasShares ?? true })
        let cat = study.contains { $0.scores["vqa_avg"] != nil } ? "vqa_avg" : "reasoning"
        func r2(_ x: Double) -> Double { (x * 100).rounded() }
        // The grid design: share values that recur. Mixtures off the grid (lines, presets) each
        // add a row and a column of their own and would bury it in blank cells.
        var pts = means(study, cat)
        func recurring(_ xs: [Double]) -> Set<Double> { Set(xs.filter { x in xs.filter { $0 == x }.count >= 2 }) }
        func r(_ p: (run: StoredRun, mean: Double, sd: Double, n: Int)) -> Double { r2(p.run.mixture!.reasoningShare!) }
        func v(_ p: (run: StoredRun, mean: Double, sd: Double, n: Int)) -> Double { r2(p.run.mixture!.visualShare!) }
        let gridR = recurring(pts.map(r)), gridV = recurring(pts.map(v))
        pts = pts.filter { gridR.contains(r($0)) && gridV.contains(v($0)) }
        let rs = Set(pts.map(r)).sorted(), vs = Set(pts.map(v)).sorted()
        guard rs.count >= 2, vs.count >= 2 else { return nil }
        var grid = vs.map { _ in rs.map { _ in Double.nan } }
        var filled = 0
        for p in pts {
            let i = vs.firstIndex(of: v(p))!, j = rs.firstIndex(of: r(p))!
            if grid[i][j].isNaN { filled += 1 }
            grid[i][j] = p.mean
        }
        // A genuine grid, not a line of mixtures cutting across it (the paper's eleven mixes).
        guard filled >= max(rs.count, vs.count) + 2 else { return nil }
        let h = Heatmap(title: "\(cat) over reasoning × visual share", xLabel: "reasoning share (% of pre-training tokens)", yLabel: "visual share (% of tokens)",
                        xValues: rs, yValues: vs, values: grid)
        let chanceText = chance(of: cat, in: study).map { String(format: " Chance is %.1f%%.", $0) } ?? ""
        return Section(title: "Reasoning × visual heatmap", text: ["Each cell is one mixture's \(cat) (% accuracy, mean over seeds) on the grid of shares that recur among the mixtures; blank cells were not run." + chanceText],
                       figures: [("heatmap-\(cat).svg", h.svg(), "\(cat) by reasoning and visual share")])
    }

    func seedNoise(_ runs: [StoredRun]) -> Section? {
        var rows: [[String]] = []
        for c in Self.visionCategories + Self.languageCategories {
            let g = means(runs, c).filter { $0.n >= 2 }
            guard !g.isEmpty else { continue }
            let sd = g.map(\.sd).reduce(0, +) / Double(g.count)
            let spread = (g.map(\.mean).max()! - g.map(\.mean).min()!)
            rows.append([c, "\(g.count)", String(format: "%.2f", sd), String(format: "%.2f", spread)])
        }
        guard !rows.isEmpty else { return nil }
        return Section(title: "Seed noise", text: ["Mean standard deviation across seeds of runs that differ only in seed, against the spread of the mean scores across all conditions."],
                       table: (["category", "conditions", "seed SD", "spread of means"], rows))
    }

    /// Whether the mixtures run at a size are told apart: the spread of their means over seeds
    /// against the pooled seed SD, at the size's largest budget, per way of scoring (encoder,
    /// profile), since runs scored on other questions are not comparable.
    func mixturesAgainstNoise(_ runs: [StoredRun]) -> Section? {
        var rows: [[String]] = []
        let conditions = Dictionary(grouping: runs) { "\($0.params)|\(scoring($0))" }
        for (_, group) in conditions.sorted(by: { ($0.value[0].params, $0.key) < ($1.value[0].params, $1.key) }) {
            let top = group.map(\.tokens).max()!
            let atTop = group.filter { $0.tokens == top }
            for c in ["reasoning", "reasoning_curve", "perception", "vqa_avg"] {
                let g = means(atTop, c)
                let seeded = g.filter { $0.n >= 2 }
                guard g.count >= 2, !seeded.isEmpty else { continue }
                let pooled = (seeded.map { $0.sd * $0.sd }.reduce(0, +) / Double(seeded.count)).squareRoot()
                let spread = g.map(\.mean).max()! - g.map(\.mean).min()!
                let anova = OneWayANOVA(groups: g.map { ($0.mean, $0.sd, $0.n) })
                rows.append([Quantity.format(group[0].params), scoring(group[0]), Quantity.format(top),
                             "\(g.count)", c, String(format: "%.1f", spread), String(format: "%.2f", pooled),
                             pooled > 0 ? String(format: "%.1f", spread / pooled) : "∞",
                             anova.map { String(format: "F(%d, %d) = %.1f, p = %.2g", $0.dfBetween, $0.dfWithin, $0.f, $0.p) } ?? "—"])
            }
        }
        guard !rows.isEmpty else { return nil }
        return Section(title: "Mixtures against seed noise",
                       text: ["At each model size's largest budget: the spread (max − min) of the mixtures' means over seeds against the pooled seed SD (root mean variance of the mixtures with 2+ seeds). Below a ratio of about 3 the mixtures are not told apart from seed noise. The range of many means widens with their number even when the mixtures do nothing, so the last column adds a one-way ANOVA over the mixtures, whose p-value does not. Runs scored another way (encoder, evaluation profile) are a row of their own."],
                       table: (["params", "scoring", "tokens", "mixtures", "category", "spread", "pooled seed SD", "ratio", "ANOVA over mixtures"], rows))
    }

    func fitsAndRecipe() throws -> [Section] {
        let fits = try SourceFits.newest(label: label, in: store)
        guard !fits.isEmpty else { return [] }
        var s = Section(title: "Fitted laws", text: ["The newest fit of each category (`visionmix fit`); errors in score points. "
                                                      + "Lack of fit: F of what the law misses of its replicated inputs' means against their seed noise, "
                                                      + "marked where p < 0.01, a form that misses the data (docs/laws.md); — without replicated runs."])
        s.table = (["category", "family", "train RMSE", "CV MAE", "held-out MAE", "lack of fit", "status"], fits.map { f in
            [f.category, f.family, String(format: "%.3f", f.train.rmse), f.cv.map { String(format: "%.3f", $0.mae) } ?? "—",
             f.holdout.map { String(format: "%.3f", $0.mae) } ?? "—",
             f.law.lackOfFit.map { String(format: "F %.2f, p %.2g%@", $0.f, $0.p, $0.rejectsTheForm ? " (misses)" : "") } ?? "—",
             f.diagnostics.status]
        })
        var out = [s]
        guard let (laws, _) = try? LawSet.load(store: store, source: label), laws.laws["vqa_avg"] != nil,
              let r = try? laws.recommend(AfterSweep.recommendationRequest()) else { return out }
        let shares = r.reasoningShare.map { String(format: "reasoning share %.1f%%, visual share %.1f%%", $0 * 100, (r.visualShare ?? 0) * 100) }
            ?? "sources without tag shares"
        var text = ["Maximising vqa_avg: " + shares + String(format: "; predicted vqa_avg %.2f against %.2f for %@", r.objectiveValue,
                                                              r.baseline.objective, r.baseline.name)
                    + (r.baseline.probabilityBetter.map { String(format: " (better in %.0f%% of bootstrap replicates)", $0 * 100) } ?? "")
                    + (laws.laws["vqa_avg"]?.chance.map { String(format: "; chance is %.1f", $0) } ?? "") + "."]
        if let near = r.nearestMeasured { text.append(near.summary.prefix(1).uppercased() + near.summary.dropFirst() + ".") }
        text += r.warnings.map { "Warning: \($0)." }
        if let w = r.weights {
            text.append("Weights: " + r.orderedSources.map { String(format: "%@ %.1f%%", $0, (w[$0] ?? 0) * 100) }.joined(separator: ", ") + ".")
        }
        var rec = Section(title: "Recommended recipe and the vision–language Pareto front", text: text)
        if !r.pareto.isEmpty, let lang = r.languageCategory {
            let chart = paretoChart(r, title: "Pareto front: vqa_avg vs \(lang)")
            rec.figures.append(("pareto.svg", chart.svg(), "the vision–language Pareto front"))
        }
        out.append(rec)
        return out
    }
}

func slug(_ s: String) -> String {
    String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }).split(separator: "-").joined(separator: "-")
}
