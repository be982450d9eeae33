import ArgumentParser
import Foundation
import Laws
import Planner
import VisionMixCore

struct TransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Whether smaller sizes and budgets rank mixtures as larger ones do (Spearman, Kendall, decision accuracy).",
        discussion: """
            For every pair of sizes measured on the same mixtures (at one budget, or each at its \
            largest) and every pair of budgets of one size: the rank correlations and the share \
            of mixture pairs ordered as at the larger scale, from seed means, with 90% percentile \
            bootstrap intervals over mixtures and seeds (fixed seed, so the output repeats).
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Source label whose runs to compare.") var source: String
    @Option(help: "The score category to rank mixtures by, e.g. vqa_avg.") var category: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard MetricCatalogue.isValidName(category) else { throw UserError("--category '\(category)' is not a category name") }
        let report: TransferReport
        do { report = try Transfer.report(store: try global.openStore(), source: source, category: category) }
        catch let e as TransferError { throw UserError(e.description) }
        if json { try printJSON(report); return }
        print("rank transfer of \(report.category) in \(report.source): scores averaged over seeds per mixture first; "
              + "\(Int(report.intervalLevel * 100))% percentile bootstrap intervals from \(report.resamples) resamples of mixtures and of seeds within each (seed \(report.seed))")
        for (adaptation, n) in report.leftOut.sorted(by: { $0.key < $1.key }) {
            note("note: \(n) run(s) adapted as '\(adaptation)' left out, as the fitter leaves them out")
        }
        let compared = report.comparisons.filter { $0.agreement?.spearman != nil }
        let showCondition = Set(report.comparisons.map(\.smaller.condition)).count > 1
        var t = TextTable(["kind"] + (showCondition ? ["scoring"] : []) + ["smaller", "larger", "mixtures", "spearman", "interval",
                                                                           "kendall", "interval", "decision acc.", "interval"])
        for c in compared {
            let a = c.agreement!
            var row = [c.kind.rawValue] + (showCondition ? [c.smaller.condition] : []) + [c.smaller.label, c.larger.label, "\(c.mixtures.count)"]
            for e in [a.spearman, a.kendall, a.decisionAccuracy] { row += estimateCells(e) }
            t.add(row)
        }
        if compared.isEmpty { print("no two scales of \(report.source) share \(report.minimumMixtures) mixtures with a \(report.category) score") }
        else { print(t.render()) }
        let skipped = report.comparisons.filter { $0.agreement?.spearman == nil }
        if !skipped.isEmpty || !report.unpaired.isEmpty {
            print("\nnot compared:")
            for c in skipped { print("  \(c.kind.rawValue) \(c.smaller.label) vs \(c.larger.label): \(c.reason ?? "")") }
            for u in report.unpaired {
                let scoring = u.scale.condition.isEmpty ? "" : " (\(u.scale.condition))"
                print("  \(u.scale.label)\(scoring), \(u.mixtures) mixture\(u.mixtures == 1 ? "" : "s"): no other scale of its condition at its size or budget")
            }
        }
        print("\ndecision accuracy: the share of mixture pairs the smaller scale orders as the larger does; "
              + "a pair tied at the larger scale is left out, one tied only at the smaller counts one half (0.5 is a coin)")
    }

    /// The value and its interval, or dashes when undefined.
    func estimateCells(_ e: BootstrapEstimate?) -> [String] {
        guard let e else { return ["—", ""] }
        let interval = e.low.flatMap { lo in e.high.map { "\(fmt(lo)) – \(fmt($0))" } } ?? ""
        return [fmt(e.value), interval]
    }
}
