import Foundation

/// Small dependency-free SVG charts for reports, the dashboard and `--plot` options.
public struct Series: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    /// Draw markers only (a scatter), or a line through the points.
    public var line: Bool
    public init(name: String, points: [(x: Double, y: Double)], line: Bool = true) {
        self.name = name; self.points = points; self.line = line
    }
}

public struct LineChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logX = false
    /// Points to mark specially (a recommended recipe, a baseline), with a label each.
    public var highlights: [(x: Double, y: Double, label: String)] = []
    public var width = 560.0
    public var height = 360.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.logX = logX
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    public func svg() -> String {
        let left = 62.0, right = 140.0, top = 34.0, bottom = 46.0
        let pw = width - left - right, ph = height - top - bottom
        let xs = (series.flatMap { $0.points.map(\.x) } + highlights.map(\.x)).filter { $0.isFinite && (!logX || $0 > 0) }
        let ys = (series.flatMap { $0.points.map(\.y) } + highlights.map(\.y)).filter(\.isFinite)
        var out = SVG(width: width, height: height)
        out.text(width / 2, 20, title, anchor: "middle", size: 14, weight: "bold")
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else {
            out.text(width / 2, height / 2, "no data", anchor: "middle", size: 12)
            return out.finish()
        }
        let tx = { (x: Double) in logX ? log10(x) : x }
        let (ax0, ax1) = widen(tx(x0), tx(x1))
        let (ay0, ay1) = widen(y0, y1)
        let px = { (x: Double) in left + (tx(x) - ax0) / (ax1 - ax0) * pw }
        let py = { (y: Double) in top + ph - (y - ay0) / (ay1 - ay0) * ph }
        out.rect(left, top, pw, ph, fill: "none", stroke: "#999")
        let yt = ticks(ay0, ay1)
        for (t, l) in zip(yt, tickLabels(yt)) {
            out.line(left, py(t), left + pw, py(t), stroke: "#eee")
            out.text(left - 6, py(t) + 4, l, anchor: "end", size: 10)
        }
        let xt = logX ? logTicks(ax0, ax1) : ticks(ax0, ax1)
        for (t, l) in zip(xt, logX ? xt.map { compact(pow(10, $0)) } : tickLabels(xt)) {
            let x = left + (t - ax0) / (ax1 - ax0) * pw
            out.line(x, top + ph, x, top + ph + 4, stroke: "#999")
            out.text(x, top + ph + 16, l, anchor: "middle", size: 10)
        }
        out.text(left + pw / 2, height - 8, logX ? "\(xLabel) (log scale)" : xLabel, anchor: "middle", size: 11)
        out.text(14, top + ph / 2, yLabel, anchor: "middle", size: 11, rotate: true)
        for (i, s) in series.enumerated() {
            let colour = Self.palette[i % Self.palette.count]
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }.sorted { $0.x < $1.x }
            if s.line && pts.count > 1 {
                out.polyline(pts.map { (px($0.x), py($0.y)) }, stroke: colour)
            }
            for p in pts { out.circle(px(p.x), py(p.y), 2.8, fill: colour) }
            let ly = top + 12 + Double(i) * 16
            // The key shows what the plot draws: a line, or only a marker for a scatter.
            if s.line { out.line(left + pw + 10, ly - 4, left + pw + 26, ly - 4, stroke: colour, width: 2.5) }
            out.circle(left + pw + 18, ly - 4, 2.8, fill: colour)
            out.text(left + pw + 30, ly, s.name, anchor: "start", size: 10)
        }
        for h in highlights where h.x.isFinite && h.y.isFinite {
            out.circle(px(h.x), py(h.y), 6, fill: "none", stroke: "#000")
            out.text(px(h.x) + 8, py(h.y) - 8, h.label, anchor: "start", size: 10, weight: "bold")
        }
        return out.finish()
    }
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

    mutating func text(_ x: Double, _ y: Double, _ s: String, anchor: String, size: Double, weight: String = "normal", rotate: Bool = false) {
        let r = rotate ? " transform=\"rotate(-90 \(f(x)) \(f(y)))\"" : ""
        body.append("<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(f(size))\" font-weight=\"\(weight)\"\(r)>\(xmlEscape(s))</text>")
    }
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, stroke: String, width: Double = 1) {
        body.append("<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\"/>")
    }
    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String) {
        body.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }
    mutating func circle(_ x: Double, _ y: Double, _ r: Double, fill: String, stroke: String = "none") {
        body.append("<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }
    mutating func polyline(_ pts: [(Double, Double)], stroke: String) {
        let p = pts.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"1.8\"/>")
    }
    func finish() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + body.joined(separator: "\n") + "\n</svg>"
    }
}

func f(_ x: Double) -> String { String(format: "%.1f", x) }

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
