import Foundation
import Laws
import Store
import VisionMixCore

/// A stored fit without its bootstrap ensemble (hundreds of parameter vectors, which a
/// picture of the law does not need): what was fitted, how well, and why this family.
public struct FitSummary: Encodable, Sendable {
    public var source: String?
    public var category: String
    public var family: String
    public var kind: String
    public var formula: String
    public var parameters: [String: Double]
    public var intervals: [String: ParameterInterval]
    public var train: ErrorMetrics
    public var cv: ErrorMetrics?
    public var holdout: HoldoutMetrics?
    public var selection: SelectionReport?
    public var notes: [String]
    public var status: String
    public var ranges: FittedRanges
    public var chance: Double?

    public init(_ f: FitResult) {
        source = f.source; category = f.category; family = f.family; kind = f.law.family.kind.rawValue
        formula = f.formula; parameters = f.parameters; intervals = f.intervals; train = f.train; cv = f.cv
        holdout = f.holdout; selection = f.selection; notes = f.notes; status = f.diagnostics.status
        ranges = f.law.ranges; chance = f.law.chance
    }
}

/// One fit of a category drawn over the category's runs; `plans` marks the fit predict and
/// recommend use (`SourceFits.forPlanning`).
public struct FitPlot: Encodable, Sendable {
    public var plans: Bool
    public var fit: FitSummary
    public var plot: LawPlot
}

/// What the dashboard's fits page shows for one category of a source.
public struct CategoryFitPlots: Encodable, Sendable {
    public var source: String
    public var category: String
    /// Complete runs of the fitted adaptation that have this score.
    public var runs: Int
    public var fits: [FitPlot]
}

extension SourceFits {
    /// The newest fit of each kind of law (size–data, joint, 1-D, mixture) of `category`,
    /// the planning fit first, each drawn over the category's runs by the law itself. The runs
    /// are those fitting reads: complete, of the adaptation `Adaptations.fitted` keeps.
    public static func plots(label: String, category: String, in store: ResultStore) throws -> CategoryFitPlots? {
        var byKind: [String: FitResult] = [:], order: [String] = []
        for record in try store.fits(label: label) where record.category == category {
            let f = try FitJSON.decode(Data(record.body.utf8))
            let kind = f.law.family.kind.rawValue
            if byKind[kind] == nil { byKind[kind] = f; order.append(kind) }
        }
        guard !order.isEmpty else { return nil }
        let planning = try forPlanning(label: label, in: store).first { $0.category == category }
        let stored = try store.runs(RunFilter(source: label)).filter { $0.status == "complete" }
        let runs = Adaptations.fitted(stored).runs.filter { $0.scores[category] != nil }
        let points = (try? lawPoints(runs: runs, category: category)) ?? []
        let fits = order.map { kind -> FitPlot in
            let f = byKind[kind]!
            let plans = planning.map { $0.family == f.family && $0.law.parameters == f.law.parameters } ?? false
            return FitPlot(plans: plans, fit: FitSummary(f), plot: f.law.plot(points: points, holdout: f.holdout))
        }
        return CategoryFitPlots(source: label, category: category, runs: runs.count,
                                fits: fits.filter(\.plans) + fits.filter { !$0.plans })
    }

    /// The categories of `label` with at least one stored fit, sorted.
    public static func fittedCategories(label: String, in store: ResultStore) throws -> [String] {
        try store.newestFits(label: label).map(\.category)
    }
}
