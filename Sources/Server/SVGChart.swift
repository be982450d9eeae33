import Foundation

// Plain-string SVG line charts with no dependency beyond Foundation, so reports can reuse
// this file as it is (the dashboard is its first user).

/// A line chart with one line per series, optionally with a logarithmic x axis.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logX: Bool
    public var width: Double = 420
    public var height: Double = 270
    /// Formats x tick labels (token counts print as 5B, 1T).
    public var xFormat: @Sendable (Double) -> String = { String(format: "%g", $0) }

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.logX = logX
    }

    /// Colour-blind-friendly palette (Okabe–Ito), cycled.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

    public func svg() -> String {
        let pts = series.flatMap(\.points).filter { $0.y.isFinite && $0.x.isFinite && (!logX || $0.x > 0) }
        let left = 52.0, right = 110.0, top = 28.0, bottom = 42.0
        let plotW = width - left - right, plotH = height - top - bottom
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">"
        out += "<title>\(xml(title))</title>"
        out += "<text x=\"\(n(width / 2))\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(xml(title))</text>"
        guard !pts.isEmpty else {
            return out + "<text x=\"\(n(width / 2))\" y=\"\(n(height / 2))\" text-anchor=\"middle\" fill=\"#777\">no data</text></svg>"
        }
        let tx: (Double) -> Double = { logX ? log10($0) : $0 }
        var (x0, x1) = (pts.map { tx($0.x) }.min()!, pts.map { tx($0.x) }.max()!)
        var (y0, y1) = (pts.map(\.y).min()!, pts.map(\.y).max()!)
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 1; y1 += 1 }
        let pad = (y1 - y0) * 0.08
        y0 -= pad; y1 += pad
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotH }

        out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" fill=\"#fafafa\" stroke=\"#999\"/>"
        for y in niceTicks(y0, y1) {
            out += "<line x1=\"\(n(left))\" x2=\"\(n(left + plotW))\" y1=\"\(n(py(y)))\" y2=\"\(n(py(y)))\" stroke=\"#e3e3e3\"/>"
            out += "<text x=\"\(n(left - 5))\" y=\"\(n(py(y) + 4))\" text-anchor=\"end\">\(xml(String(format: "%g", y)))</text>"
        }
        let xt = logX ? logTicks(pow(10, x0), pow(10, x1)) : niceTicks(x0, x1)
        for x in xt {
            out += "<line x1=\"\(n(px(x)))\" x2=\"\(n(px(x)))\" y1=\"\(n(top))\" y2=\"\(n(top + plotH))\" stroke=\"#e3e3e3\"/>"
            out += "<text x=\"\(n(px(x)))\" y=\"\(n(top + plotH + 14))\" text-anchor=\"middle\">\(xml(xFormat(x)))</text>"
        }
        out += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 8))\" text-anchor=\"middle\">\(xml(xLabel + (logX ? " (log scale)" : "")))</text>"
        out += "<text transform=\"translate(13 \(n(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(xml(yLabel))</text>"
        for (i, s) in series.enumerated() {
            let colour = Self.palette[i % Self.palette.count]
            let sp = s.points.filter { $0.y.isFinite && $0.x.isFinite && (!logX || $0.x > 0) }.sorted { $0.x < $1.x }
            if sp.count > 1 {
                let d = sp.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
                out += "<polyline points=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
            }
            for p in sp {
                out += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"2.6\" fill=\"\(colour)\"><title>\(xml(s.name)): \(xml(xFormat(p.x))), \(xml(String(format: "%.3g", p.y)))</title></circle>"
            }
            let ly = top + 8 + Double(i) * 16
            out += "<line x1=\"\(n(left + plotW + 10))\" x2=\"\(n(left + plotW + 28))\" y1=\"\(n(ly))\" y2=\"\(n(ly))\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(n(left + plotW + 32))\" y=\"\(n(ly + 4))\">\(xml(s.name))</text>"
        }
        return out + "</svg>"
    }

    /// About five round-numbered ticks inside [lo, hi].
    func niceTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var t = ceil(lo / step) * step, ticks: [Double] = []
        while t <= hi + step * 1e-9 && ticks.count < 20 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return ticks
    }

    /// Powers of ten inside [lo, hi]; 1-2-5 steps when the range spans less than two decades.
    func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let mults: [Double] = log10(hi / lo) < 2 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for e in Int(floor(log10(lo)))...Int(ceil(log10(hi))) {
            for m in mults { let v = m * pow(10, Double(e)); if v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) { ticks.append(v) } }
        }
        return ticks.isEmpty ? [lo, hi] : ticks
    }

    func n(_ x: Double) -> String { String(format: "%.1f", x) }
}

/// Escapes text for XML and HTML content and attribute values.
public func xml(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}
