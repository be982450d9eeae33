import ArgumentParser
import Foundation
import Sweeps
import VisionMixCore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a Markdown and HTML report with SVG plots: scaling curves, mixture effects, heatmap, Pareto front, fit diagnostics."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Source label to report on.") var source = "calibration"
    @Option(help: "Output directory.") var out = "report"

    func run() throws {
        guard MetricCatalogue.isValidName(source) else { throw UserError("--source must be a plain label (letters, digits, _)") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDir), !isDir.boolValue {
            throw UserError("--out \(out) is a file; give a folder for the report")
        }
        do {
            let path = try ReportWriter(store: try global.openStore(), label: source).write(to: out)
            print("report: \(path) (and report.html beside it)")
        } catch let e as SweepError { throw UserError(e.description) }
    }
}
