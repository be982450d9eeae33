import Foundation

/// Small dependency-free SVG charts for reports, the dashboard and `--plot` options.
public struct Series: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    /// Draw markers only (a scatter), or a line through the points.
    public var line: Bool
    /// The spread behind each point (over seeds, say), drawn as a shaded band in the series'
    /// colour; what the band is goes in the chart's `notes`.
    public var band: [(x: Double, low: Double, high: Double)] = []
    /// A fitted curve rather than measurements: a dashed line without markers.
    public var fitted = false
    /// The palette index to draw in, so that a fitted curve takes the colour of its points
    /// (by default the series' position).
    public var colour: Int?
    public init(name: String, points: [(x: Double, y: Double)], line: Bool = true) {
        self.name = name; self.points = points; self.line = line
    }
}

/// A line across the plot at a value of one axis (a chance level), dashed and labelled.
public struct ReferenceLine: Sendable {
    public var value: Double
    public var label: String
    /// A value of the x axis (a vertical line) rather than of the y axis.
    public var vertical: Bool
    /// Whether the axis widens to show the line. A line left outside a narrow range (a Pareto
    /// front a point wide, far above chance) is named in the key as off the axis instead.
    public var stretchesAxis: Bool
    public init(y: Double, label: String, stretchesAxis: Bool = true) {
        value = y; self.label = label; vertical = false; self.stretchesAxis = stretchesAxis
    }
    public init(x: Double, label: String, stretchesAxis: Bool = true) {
        value = x; self.label = label; vertical = true; self.stretchesAxis = stretchesAxis
    }
}

public struct LineChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logX = false
    /// A log y axis, for values over orders of magnitude (a regret from 0.01 to 30); values at
    /// or below zero cannot be drawn on it and are left out.
    public var logY = false
    /// Points to mark specially (a recommended recipe, a baseline), with a label each.
    public var highlights: [(x: Double, y: Double, label: String)] = []
    /// Lines the reader measures against (chance levels).
    public var references: [ReferenceLine] = []
    /// Lines of small text under the key: what the bands and the dashed curves are.
    public var notes: [String] = []
    public var width = 560.0
    public var height = 360.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.logX = logX
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    public func svg() -> String {
        let left = 62.0, right = 170.0, top = 34.0, bottom = 46.0
        let pw = width - left - right, ph = height - top - bottom
        let visible = { (x: Double) in x.isFinite && (!logX || x > 0) }
        let visibleY = { (y: Double) in y.isFinite && (!logY || y > 0) }
        let stretching = references.filter(\.stretchesAxis)
        let xs = (series.flatMap { $0.points.map(\.x) } + highlights.map(\.x) + stretching.filter(\.vertical).map(\.value)).filter(visible)
        let ys = (series.flatMap { s in s.points.filter { visible($0.x) }.map(\.y) + s.band.filter { visible($0.x) }.flatMap { [$0.low, $0.high] } }
                  + highlights.map(\.y) + stretching.filter { !$0.vertical }.map(\.value)).filter(visibleY)
        var out = SVG(width: width, height: height)
        out.text(width / 2, 20, title, anchor: "middle", size: 14, weight: "bold")
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else {
            out.text(width / 2, height / 2, "no data", anchor: "middle", size: 12)
            return out.finish()
        }
        let tx = { (x: Double) in logX ? log10(x) : x }, ty = { (y: Double) in logY ? log10(y) : y }
        let (ax0, ax1) = widen(tx(x0), tx(x1))
        let (ay0, ay1) = widen(ty(y0), ty(y1))
        let plot = Plot(left: left, top: top, width: pw, height: ph, x: (ax0, ax1), y: (ay0, ay1), transform: tx, yTransform: ty)
        axes(&out, plot)
        for (i, s) in series.enumerated() where !s.band.isEmpty {
            // On a log axis a band's low end at or below zero is drawn at the axis's foot.
            let foot = logY ? pow(10, ay0) : -Double.infinity
            let band = s.band.filter { visible($0.x) && $0.low.isFinite && visibleY($0.high) }.map { ($0.x, max($0.low, foot), $0.high) }
                .sorted { $0.0 < $1.0 }
            guard !band.isEmpty else { continue }
            // Along a line the band is the region between its low and high ends; at a lone point
            // or in a scatter, a bar.
            if s.line && band.count > 1 {
                out.polygon(band.map { (plot.px($0.0), plot.py($0.2)) } + band.reversed().map { (plot.px($0.0), plot.py($0.1)) },
                            fill: colour(of: s, at: i), opacity: 0.18)
            } else {
                for (x, low, high) in band {
                    out.rect(plot.px(x) - 3, plot.py(high), 6, max(plot.py(low) - plot.py(high), 1), fill: colour(of: s, at: i), stroke: "none", opacity: 0.3)
                }
            }
        }
        // Named in the key only: a label on the line would sit on the data somewhere.
        for r in references where plot.shows(r) {
            if r.vertical {
                out.line(plot.px(r.value), top, plot.px(r.value), top + ph, stroke: "#555", width: 1.2, dash: "5,4")
            } else {
                out.line(left, plot.py(r.value), left + pw, plot.py(r.value), stroke: "#555", width: 1.2, dash: "5,4")
            }
        }
        for (i, s) in series.enumerated() {
            let c = colour(of: s, at: i)
            let pts = s.points.filter { visible($0.x) && visibleY($0.y) }.sorted { $0.x < $1.x }
            if (s.line || s.fitted) && pts.count > 1 {
                out.polyline(pts.map { (plot.px($0.x), plot.py($0.y)) }, stroke: c, dash: s.fitted ? "6,3" : nil)
            }
            if !s.fitted { for p in pts { out.circle(plot.px(p.x), plot.py(p.y), 2.8, fill: c) } }
        }
        for h in highlights where visible(h.x) && visibleY(h.y) {
            out.circle(plot.px(h.x), plot.py(h.y), 6, fill: "none", stroke: "#000")
            out.text(plot.px(h.x) + 8, plot.py(h.y) - 8, h.label, anchor: "start", size: 10, weight: "bold")
        }
        key(&out, x: left + pw + 10, top: top, plot: plot)
        return out.finish()
    }

    func colour(of s: Series, at i: Int) -> String { Self.palette[(s.colour ?? i) % Self.palette.count] }

    /// Where values land: the plot area and its axis ranges (x after `transform`).
    struct Plot {
        var left, top, width, height: Double
        /// Axis ranges are in transformed units (log10 on a log axis).
        var x: (Double, Double), y: (Double, Double)
        var transform: (Double) -> Double
        var yTransform: (Double) -> Double = { $0 }
        func px(_ v: Double) -> Double { left + (transform(v) - x.0) / (x.1 - x.0) * width }
        func py(_ v: Double) -> Double { pyTransformed(yTransform(v)) }
        func pyTransformed(_ t: Double) -> Double { top + height - (t - y.0) / (y.1 - y.0) * height }
        func shows(_ r: ReferenceLine) -> Bool {
            guard r.value.isFinite else { return false }
            let (lo, hi) = r.vertical ? x : y, v = r.vertical ? transform(r.value) : yTransform(r.value)
            return v.isFinite && v >= lo && v <= hi
        }
    }

    func axes(_ out: inout SVG, _ plot: Plot) {
        out.rect(plot.left, plot.top, plot.width, plot.height, fill: "none", stroke: "#999")
        let yt = logY ? logTicks(plot.y.0, plot.y.1) : ticks(plot.y.0, plot.y.1)
        for (t, l) in zip(yt, logY ? yt.map { String(format: "%g", pow(10, $0)) } : tickLabels(yt)) {
            out.line(plot.left, plot.pyTransformed(t), plot.left + plot.width, plot.pyTransformed(t), stroke: "#eee")
            out.text(plot.left - 6, plot.pyTransformed(t) + 4, l, anchor: "end", size: 10)
        }
        let xt = logX ? logTicks(plot.x.0, plot.x.1) : ticks(plot.x.0, plot.x.1)
        for (t, l) in zip(xt, logX ? xt.map { compact(pow(10, $0)) } : tickLabels(xt)) {
            let x = plot.left + (t - plot.x.0) / (plot.x.1 - plot.x.0) * plot.width
            out.line(x, plot.top + plot.height, x, plot.top + plot.height + 4, stroke: "#999")
            out.text(x, plot.top + plot.height + 16, l, anchor: "middle", size: 10)
        }
        out.text(plot.left + plot.width / 2, height - 8, logX ? "\(xLabel) (log scale)" : xLabel, anchor: "middle", size: 11)
        out.text(14, plot.top + plot.height / 2, logY ? "\(yLabel) (log scale)" : yLabel, anchor: "middle", size: 11, rotate: true)
    }

    /// The key shows what the plot draws: a line, a marker for a scatter, a dash for a fit, a
    /// swatch for a band; then the reference lines and the notes.
    func key(_ out: inout SVG, x: Double, top: Double, plot: Plot) {
        var y = top + 12
        for (i, s) in series.enumerated() {
            let c = colour(of: s, at: i)
            if !s.band.isEmpty { out.rect(x, y - 10, 16, 12, fill: c, stroke: "none", opacity: 0.18) }
            if s.line || s.fitted { out.line(x, y - 4, x + 16, y - 4, stroke: c, width: 2.5, dash: s.fitted ? "4,2" : nil) }
            if !s.fitted { out.circle(x + 8, y - 4, 2.8, fill: c) }
            out.text(x + 20, y, s.name, anchor: "start", size: 10)
            y += 16
        }
        for r in references where r.value.isFinite {
            let shown = plot.shows(r)
            if shown { out.line(x, y - 4, x + 16, y - 4, stroke: "#555", width: 1.2, dash: "5,4") }
            out.text(shown ? x + 20 : x, y, shown ? r.label : "\(r.label): off the axis", anchor: "start", size: 10)
            y += 16
        }
        for line in notes.flatMap({ wrap($0, width: 28) }) {
            out.text(x, y, line, anchor: "start", size: 9, fill: "#555")
            y += 12
        }
    }
}

/// Words of `text` in lines of at most `width` characters (a longer word keeps its own line).
func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = [], line = ""
    for word in text.split(separator: " ") {
        if !line.isEmpty && line.count + 1 + word.count > width { lines.append(line); line = "" }
        line += (line.isEmpty ? "" : " ") + word
    }
    return line.isEmpty ? lines : lines + [line]
}

/// A grid of values over two axes (the reasoning × visual heatmap).
public struct Heatmap: Sendable {
    public var title: String
    public var xLabel: String, yLabel: String
    public var xValues: [Double], yValues: [Double]
    /// values[yIndex][xIndex]; NaN for an empty cell.
    public var values: [[Double]]
    public init(title: String, xLabel: String, yLabel: String, xValues: [Double], yValues: [Double], values: [[Double]]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.xValues = xValues; self.yValues = yValues; self.values = values
    }

    public func svg() -> String {
        let cell = 52.0, left = 70.0, top = 36.0
        // Wide enough for the title too (about 8 px a character at 14 px bold).
        let w = max(left + cell * Double(xValues.count) + 20, Double(title.count) * 8.2 + 20), h = top + cell * Double(yValues.count) + 50
        var out = SVG(width: w, height: h)
        out.text(w / 2, 20, title, anchor: "middle", size: 14, weight: "bold")
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        for (yi, y) in yValues.enumerated() {
            let row = Double(yValues.count - 1 - yi)
            out.text(left - 6, top + row * cell + cell / 2 + 4, label(y), anchor: "end", size: 10)
            for (xi, _) in xValues.enumerated() {
                let v = values[yi][xi]
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                let fill = v.isFinite ? colour(t) : "#f4f4f4"
                out.rect(left + Double(xi) * cell, top + row * cell, cell - 2, cell - 2, fill: fill, stroke: "none")
                if v.isFinite { out.text(left + Double(xi) * cell + cell / 2 - 1, top + row * cell + cell / 2 + 4, String(format: "%.1f", v), anchor: "middle", size: 10) }
            }
        }
        for (xi, x) in xValues.enumerated() {
            out.text(left + Double(xi) * cell + cell / 2, top + Double(yValues.count) * cell + 14, label(x), anchor: "middle", size: 10)
        }
        out.text(left + cell * Double(xValues.count) / 2, h - 8, xLabel, anchor: "middle", size: 11)
        out.text(14, top + cell * Double(yValues.count) / 2, yLabel, anchor: "middle", size: 11, rotate: true)
        return out.finish()
    }

    /// White to deep blue.
    func colour(_ t: Double) -> String {
        let c = max(0, min(1, t))
        let r = Int(247 - c * 200), g = Int(251 - c * 150), b = Int(255 - c * 60)
        return String(format: "#%02x%02x%02x", r, g, b)
    }
}

/// A minimal SVG writer.
struct SVG {
    var body: [String] = []
    let width: Double, height: Double
    init(width: Double, height: Double) { self.width = width; self.height = height }

    mutating func text(_ x: Double, _ y: Double, _ s: String, anchor: String, size: Double, weight: String = "normal", rotate: Bool = false,
                       fill: String? = nil) {
        let r = rotate ? " transform=\"rotate(-90 \(f(x)) \(f(y)))\"" : ""
        let colour = fill.map { " fill=\"\($0)\"" } ?? ""
        body.append("<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(f(size))\" font-weight=\"\(weight)\"\(colour)\(r)>\(xmlEscape(s))</text>")
    }
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\"\(d)/>")
    }
    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String, opacity: Double? = nil) {
        let o = opacity.map { " fill-opacity=\"\(f2($0))\"" } ?? ""
        body.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\" stroke=\"\(stroke)\"\(o)/>")
    }
    mutating func polygon(_ pts: [(Double, Double)], fill: String, opacity: Double) {
        let p = pts.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        body.append("<polygon class=\"band\" points=\"\(p)\" fill=\"\(fill)\" fill-opacity=\"\(f2(opacity))\" stroke=\"none\"/>")
    }
    mutating func circle(_ x: Double, _ y: Double, _ r: Double, fill: String, stroke: String = "none") {
        body.append("<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }
    mutating func polyline(_ pts: [(Double, Double)], stroke: String, dash: String? = nil) {
        let p = pts.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"1.8\"\(d)/>")
    }
    func finish() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + body.joined(separator: "\n") + "\n</svg>"
    }
}

func f(_ x: Double) -> String { String(format: "%.1f", x) }
func f2(_ x: Double) -> String { String(format: "%.2f", x) }

/// Text made safe inside XML and HTML.
public func xmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
}

func widen(_ a: Double, _ b: Double) -> (Double, Double) {
    if a == b { return (a - 1, b + 1) }
    let pad = (b - a) * 0.06
    return (a - pad, b + pad)
}

/// About five round tick values across [a, b].
func ticks(_ a: Double, _ b: Double) -> [Double] {
    let raw = (b - a) / 5
    let mag = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
    var t = ceil(a / step) * step
    var out: [Double] = []
    while t <= b + 1e-12 { out.append(t); t += step }
    return out
}

func logTicks(_ a: Double, _ b: Double) -> [Double] {
    let whole = stride(from: ceil(a), through: floor(b), by: 1).map { $0 }
    return whole.count >= 2 ? whole : ticks(a, b)
}

/// Labels for evenly spaced ticks, with as many decimals as their step needs: a narrow range
/// (42.95, 43.00, 43.05) must not print the same number twice.
func tickLabels(_ ts: [Double]) -> [String] {
    guard ts.count >= 2, ts.allSatisfy({ abs($0) < 1e4 }) else { return ts.map(label) }
    let step = abs(ts[1] - ts[0])
    var decimals = max(0, Int(-floor(log10(step))))
    while decimals < 9 {
        let scaled = step * pow(10, Double(decimals))
        if abs(scaled - scaled.rounded()) <= 1e-6 * scaled { break }
        decimals += 1
    }
    return ts.map { abs($0) < step * 1e-9 ? "0" : String(format: "%.\(decimals)f", $0) }
}

func label(_ x: Double) -> String {
    if abs(x) < 1e-9 { return "0" }
    if abs(x) >= 1e4 { return compact(x) }
    return abs(x) >= 100 || x == x.rounded() ? String(format: "%.0f", x) : String(format: "%.3g", x)
}

/// 1K, 2.5M, 1B for log axes of counts.
func compact(_ x: Double) -> String {
    for (u, s) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")] where x >= u {
        let v = x / u
        return (v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.2g", v)) + s
    }
    return String(format: "%.3g", x)
}
