import Foundation
import Laws
import Store
import VisionMixCore

/// A stored fit without its bootstrap ensemble (hundreds of parameter vectors, which a
/// picture of the law does not need): the JSON of `fit --json` with `law` replaced by what a
/// reader needs of it, the law's `kind`, fitted `ranges` and `chance`.
public struct FitSummary: Encodable, Sendable {
    public let fields: [String: JSONValue]

    public init(_ f: FitResult) throws {
        guard case var .object(o) = try JSONDecoder().decode(JSONValue.self, from: FitJSON.encode(f, pretty: false)) else {
            throw EncodingError.invalidValue(f.category, .init(codingPath: [], debugDescription: "a fit did not encode as a JSON object"))
        }
        let law = o.removeValue(forKey: "law")?.objectValue ?? [:]
        o["kind"] = .string(f.law.family.kind.rawValue)
        o["ranges"] = law["ranges"] ?? .null
        o["chance"] = law["chance"] ?? .null
        fields = o
    }

    public func encode(to encoder: Encoder) throws { try JSONValue.object(fields).encode(to: encoder) }
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
        let fits = try order.map { kind -> FitPlot in
            let f = byKind[kind]!
            let plans = planning.map { $0.family == f.family && $0.law.parameters == f.law.parameters } ?? false
            return FitPlot(plans: plans, fit: try FitSummary(f), plot: f.law.plot(points: points, holdout: f.holdout))
        }
        return CategoryFitPlots(source: label, category: category, runs: runs.count,
                                fits: fits.filter(\.plans) + fits.filter { !$0.plans })
    }

    /// The categories of `label` with at least one stored fit, sorted.
    public static func fittedCategories(label: String, in store: ResultStore) throws -> [String] {
        try store.newestFits(label: label).map(\.category)
    }
}
