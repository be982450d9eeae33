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
    @Flag(help: "Print JSON: the report's path and its headline.") var json = false

    struct Written: Encodable {
        var report: String
        var headline: PretrainingLift?
    }

    func run() throws {
        guard MetricCatalogue.isValidName(source) else { throw UserError("--source must be a plain label (letters, digits, _)") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDir), !isDir.boolValue {
            throw UserError("--out \(out) is a file; give a folder for the report")
        }
        do {
            let writer = ReportWriter(store: try global.openStore(), label: source)
            let written = Written(report: try writer.write(to: out), headline: try writer.headline())
            if json { return try printJSON(written) }
            print("report: \(written.report) (and report.html beside it)")
            if let h = written.headline { print("headline: " + h.summary) }
        } catch let e as SweepError { throw UserError(e.description) }
    }
}
