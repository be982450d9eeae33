import ArgumentParser
import Foundation
import Sweeps

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a Markdown and HTML report with SVG plots: scaling curves, mixture effects, heatmap, Pareto front, fit diagnostics."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Source label to report on.") var source = "calibration"
    @Option(help: "Output directory.") var out = "report"

    func run() throws {
        do {
            let path = try ReportWriter(store: try global.openStore(), label: source).write(to: out)
            print("report: \(path) (and report.html beside it)")
        } catch let e as SweepError { throw UserError(e.description) }
    }
}
