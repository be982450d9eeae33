import Charts
import Foundation
import Hummingbird
import Store
import VisionMixCore

/// `GET /`: one self-contained HTML page (inline CSS and SVG, nothing fetched from elsewhere):
/// the sources with their run counts, the newest sweep's progress, and per source a scaling
/// curve for each score category plus the mixture panels (`DashboardPanels`).
enum DashboardRoutes {
    /// Runs read per source for plotting; enough for any sweep, bounded for a 100k-row import.
    static let plotRunLimit = 5000
    static let maxSources = 8

    @Sendable static func page(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let only = Query(request).string("source")
        let html = try await offload { try render(store: ctx.state.store, only: only) }
        return JSON.text(html, contentType: "text/html; charset=utf-8")
    }

    static func render(store: ResultStore, only: String?) throws -> String {
        let labels = try store.labels()
        var body = "<h1>VisionMix</h1><p class=\"sub\">Scaling laws and data-mixture planning · server \(VisionMixServer.version) · "
            + "plan with the <a href=\"/planner\">planner</a>, read the laws on <a href=\"/fits\">fits</a></p>"
        body += "<h2>Sources</h2>"
        if labels.isEmpty {
            body += "<p>The store holds no runs yet. Import some with <code>visionmix runs import FILE --source LABEL</code> or <code>POST /v1/runs</code>.</p>"
        } else {
            body += "<table><tr><th>source</th><th>runs</th></tr>"
            for l in labels {
                body += "<tr><td><a href=\"/?source=\(xmlEscape(percentEncode(l.label)))\">\(xmlEscape(l.label))</a></td><td class=\"num\">\(l.runs)</td></tr>"
            }
            body += "</table>"
        }
        body += try DashboardPanels.sweep(store: store)
        let shown = labels.filter { only == nil || $0.label == only }.prefix(maxSources)
        for l in shown {
            let runs = try store.runs(RunFilter(source: l.label, limit: plotRunLimit))
            body += "<h2>\(xmlEscape(l.label)) — scaling curves</h2>"
            let charts = scalingCharts(runs)
            if charts.isEmpty {
                body += "<p class=\"note\">No scaling curves: no model size has runs at two or more token budgets.</p>"
            } else {
                body += "<div class=\"grid\">" + charts.map { "<figure>\($0.svg())</figure>" }.joined() + "</div>"
            }
            if l.runs > plotRunLimit { body += "<p class=\"note\">Plotted from the first \(plotRunLimit) of \(l.runs) runs.</p>" }
            // Mixture panels: what the runs show per mixture, and what the fitted laws trade off.
            let mixturePanels = [DashboardPanels.heatmap(runs)?.svg(), DashboardPanels.pareto(store: store, source: l.label)?.svg()].compactMap { $0 }
            if !mixturePanels.isEmpty {
                body += "<h3>\(xmlEscape(l.label)) — mixtures</h3><div class=\"grid\">" + mixturePanels.map { "<figure>\($0)</figure>" }.joined() + "</div>"
            }
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>VisionMix</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff}
            h1{margin:0}.sub{color:#666;margin-top:4px}
            table{border-collapse:collapse}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}
            .num{text-align:right}.note{color:#666}
            .grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #eee;padding:4px;max-width:100%}
            figure svg{max-width:100%;height:auto}.table-wrap{overflow-x:auto}
            nav.pages{display:flex;flex-wrap:wrap;gap:4px;margin:-8px 0 12px}nav.pages a{padding:4px 10px;color:#3465a4;text-decoration:none}
            nav.pages a[aria-current="page"]{background:#3465a4;color:#fff;border-radius:4px}header.top .brand{display:none}
            </style></head><body>
            \(DashboardPages.header(current: "/", tokenField: false))
            \(body)
            </body></html>
            """
    }

    /// One chart per category: mean score against tokens, one line per model size, for the
    /// categories where at least one size was scored at two or more budgets.
    static func scalingCharts(_ runs: [StoredRun]) -> [LineChart] {
        let present = Set(runs.flatMap { $0.scores.keys })
        let known = MetricCatalogue.standard.map(\.name).filter(present.contains)
        let categories = known + present.subtracting(known).sorted()
        var charts: [LineChart] = []
        for c in categories {
            var bySize: [Double: [Double: [Double]]] = [:]
            for r in runs where r.tokens > 0 { if let v = r.scores[c], v.isFinite { bySize[r.params, default: [:]][r.tokens, default: []].append(v) } }
            guard bySize.values.contains(where: { $0.count >= 2 }) else { continue }
            let series = bySize.keys.sorted().map { size in
                Series(name: Quantity.format(size), points: bySize[size]!.map { (x: $0.key, y: $0.value.reduce(0, +) / Double($0.value.count)) })
            }
            let chart = LineChart(title: c, xLabel: "pre-training tokens", yLabel: c, series: series, logX: true)
            charts.append(chart)
        }
        return charts
    }

    static func percentEncode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }
}
