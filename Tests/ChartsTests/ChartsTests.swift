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
