import Foundation
import Testing
@testable import Charts

@Test func svgChartUsesALogAxis() {
    let c = LineChart(title: "t <&>", xLabel: "tokens", yLabel: "score",
                      series: [Series(name: "1B", points: [(1e9, 1), (1e10, 2), (1e11, 3)])], logX: true)
    let svg = c.svg()
    #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>") && svg.contains("t &lt;&amp;&gt;") && svg.contains("(log scale)"))
    // Equal ratios land at equal distances on a log axis.
    let xs = svg.components(separatedBy: "<circle cx=\"").dropFirst().compactMap { Double($0.prefix { $0 != "\"" }) }
    // Three points, then the key's marker.
    #expect(xs.count == 4 && abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.2)
}

@Test func aLogYAxisSpacesRatiosEquallyAndLeavesOutWhatItCannotDraw() {
    var c = LineChart(title: "regret", xLabel: "runs", yLabel: "regret", series: [Series(name: "a", points: [(1, 0.01), (2, 0.1), (3, 1), (4, 0)])])
    c.logY = true
    c.series[0].band = [(1, 0, 0.02), (2, 0.05, 0.2), (3, 0.5, 2)]
    c.references = [ReferenceLine(y: 1, label: "one SD")]
    let svg = c.svg()
    #expect(svg.contains("regret (log scale)") && svg.contains(">0.01</text>") && svg.contains(">0.1</text>") && svg.contains(">1</text>"))
    #expect(!svg.contains("nan") && !svg.contains("inf") && !svg.contains("off the axis"))
    // Three drawable points (the zero is left out), then the key's marker; equal ratios, equal steps.
    let ys = svg.components(separatedBy: "<circle cx=\"").dropFirst().compactMap { part -> Double? in
        guard let r = part.range(of: "cy=\"") else { return nil }
        return Double(part[r.upperBound...].prefix { $0 != "\"" })
    }
    #expect(ys.count == 4 && abs((ys[0] - ys[1]) - (ys[1] - ys[2])) < 0.2 && ys[0] > ys[1])
}

@Test func aScatterKeyShowsAMarkerAndNoLine() {
    let scatter = LineChart(title: "s", xLabel: "x", yLabel: "y", series: [Series(name: "runs", points: [(1, 1), (2, 2)], line: false)])
    let lined = LineChart(title: "s", xLabel: "x", yLabel: "y", series: [Series(name: "runs", points: [(1, 1), (2, 2)])])
    #expect(!scatter.svg().contains("<polyline"))
    #expect(lined.svg().contains("<polyline"))
    #expect(lined.svg().components(separatedBy: "<line x1").count > scatter.svg().components(separatedBy: "<line x1").count)
}

@Test func heatmapLeavesMissingCellsBlankAndLabelsValues() {
    let h = Heatmap(title: "vqa", xLabel: "r", yLabel: "v", xValues: [50, 65], yValues: [5, 15],
                    values: [[30.5, .nan], [31.25, 32]])
    let svg = h.svg()
    #expect(svg.contains(">30.5</text>") && svg.contains(">32.0</text>") && svg.contains("#f4f4f4"))
}

@Test func ticksAreRoundAndCoverTheRange() {
    let t = ticks(0.13, 0.87)
    #expect(t.first! >= 0.13 && t.last! <= 0.87 && t.count >= 3)
    #expect(label(2.5e10) == "25B" && label(0) == "0")
}

/// A narrow range (a Pareto front that spans a tenth of a point) gets labels that differ.
@Test func tickLabelsShowAsManyDecimalsAsTheStepNeeds() {
    let narrow = ticks(42.95, 43.08)
    let labels = tickLabels(narrow)
    #expect(Set(labels).count == narrow.count, "\(labels)")
    #expect(labels.contains("43.00"), "\(labels)")
    #expect(tickLabels(ticks(0, 100)) == ["0", "20", "40", "60", "80", "100"])
    #expect(tickLabels([0.25, 0.5, 0.75]) == ["0.25", "0.50", "0.75"])
}

/// A seed band is a shaded region behind its line, a fitted curve a dashed line without
/// markers in the colour of its points, and the chance level a dashed line the y axis stretches
/// to show, all named in the key.
@Test func bandsFitsAndChanceAreDrawnAndKeyed() {
    var measured = Series(name: "m", points: [(0, 30), (250_000, 40), (500_000, 42)])
    measured.band = [(0, 29, 31), (250_000, 38, 42), (500_000, 41, 43)]
    var fit = Series(name: "fit, m", points: [(0, 31), (250_000, 39), (500_000, 43)])
    fit.fitted = true
    fit.colour = 0
    var chart = LineChart(title: "t", xLabel: "pre-training tokens", yLabel: "vqa_avg (% accuracy)", series: [measured, fit])
    chart.references = [ReferenceLine(y: 25, label: "chance (25.0%)")]
    chart.notes = ["shaded: mean ± SD over 3 seeds"]
    let svg = chart.svg()
    // One band polygon: 3 points along the top, 3 back along the bottom.
    let bands = svg.components(separatedBy: "<polygon class=\"band\" points=\"").dropFirst()
    #expect(bands.count == 1 && bands.first!.prefix { $0 != "\"" }.split(separator: " ").count == 6)
    #expect(svg.contains("<polyline") && svg.contains("stroke-dasharray=\"6,3\""))
    // Markers: the three measured points and the measured series' key; none for the fit.
    #expect(svg.components(separatedBy: "<circle").count - 1 == 4)
    // The fit is drawn in the colour of its points.
    #expect(svg.components(separatedBy: "stroke=\"#1f77b4\"").count - 1 >= 4)
    #expect(!svg.contains("#d62728"))
    // Chance at 25 lies below every score, and the axis reaches down to show it.
    #expect(svg.contains(">chance (25.0%)</text>") && !svg.contains("off the axis"))
    let ys = svg.components(separatedBy: "stroke-dasharray=\"5,4\"").count - 1
    #expect(ys == 2, "the chance line and its key")
    #expect(svg.contains("shaded: mean ± SD over 3") && svg.contains("vqa_avg (% accuracy)"))
}

/// A reference line that must not squash a narrow range stays off it and says so in the key.
@Test func aChanceLineOutsideANarrowRangeIsNamedNotDrawn() {
    var chart = LineChart(title: "front", xLabel: "text_acc", yLabel: "vqa_avg", series: [Series(name: "front", points: [(50, 43.0), (52, 42.9)])])
    chart.references = [ReferenceLine(y: 25, label: "vqa_avg chance (25.0%)", stretchesAxis: false),
                        ReferenceLine(x: 51, label: "text_acc chance (51.0%)", stretchesAxis: false)]
    let svg = chart.svg()
    #expect(svg.contains("vqa_avg chance (25.0%): off the axis"))
    #expect(svg.contains(">text_acc chance (51.0%)</text>") && !svg.contains("text_acc chance (51.0%): off"))
    // The y axis stays near the front: no tick label as low as 25.
    #expect(!svg.contains(">25</text>") && !svg.contains(">30</text>"))
}

@Test func notesWrapAtWords() {
    #expect(wrap("shaded: mean ± SD over 3 seeds", width: 12) == ["shaded: mean", "± SD over 3", "seeds"])
    #expect(wrap("", width: 5).isEmpty)
}
