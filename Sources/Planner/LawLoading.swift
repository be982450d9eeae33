import Foundation
import Laws
import Store
import VisionMixCore

/// A fitted law as the planner sees it.
public struct FittedCategoryLaw: CategoryLaw {
    public let law: FittedLaw
    public init(_ law: FittedLaw) { self.law = law }

    public var category: String { law.category }
    public var family: String { law.family.rawValue }
    public var chance: Double? { law.chance }
    public var space: MixtureSpace? {
        switch law.family.kind {
        case .mixture: law.family == .quadraticShares ? .shares : .weights
        case .joint: .shares
        case .sizeData: nil
        case .oneDimensional: (law.shape.axis == .reasoningShare || law.shape.axis == .visualShare) ? .shares : nil
        }
    }
    public func predict(params: Double, tokens: Double, mixture: Mixture) -> Double {
        law.predict(params: params, tokens: tokens, mixture: mixture)
    }
    public func ensemble(params: Double, tokens: Double, mixture: Mixture) -> [Double] {
        law.ensembleValues(params: params, tokens: tokens, mixture: mixture)
    }
    public func isExtrapolation(params: Double, tokens: Double, mixture: Mixture) -> Bool {
        law.isExtrapolation(params: params, tokens: tokens, mixture: mixture)
    }
    public func anchors(in space: MixtureSpace) -> [[Double]] {
        switch space {
        case .weights: law.ranges.weightHull?.points ?? []
        case .shares: (law.ranges.shareHull?.points ?? []).map { [$0[0], $0[1], max(0, 1 - $0[0] - $0[1])] }
        }
    }
}

extension LawSet {
    /// The latest fit of every category of `source` (with `mixtureAware`, preferring laws
    /// that depend on the mixture): from the database, or, when it holds none, from the
    /// committed `fits/<source>/*.json` files.
    public static func load(store: ResultStore, source: String, mixtureAware: Bool = false,
                            fitsRoot: String = "fits") throws -> (LawSet, origin: String) {
        var fits = try store.latestFits(label: source, mixtureAware: mixtureAware)
        var origin = "database"
        if fits.isEmpty {
            let dir = URL(fileURLWithPath: fitsRoot).appendingPathComponent(source)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasSuffix(".json") }.sorted() ?? []
            for f in files {
                let data = try Data(contentsOf: dir.appendingPathComponent(f))
                fits.append(try FitJSON.decode(data))
            }
            origin = dir.path
        }
        guard !fits.isEmpty else {
            let known = try store.labels().map(\.label)
            throw PlannerError.missing("no fitted laws for source '\(source)'; run `visionmix fit --source \(source) --all` first"
                                       + (known.isEmpty ? "" : " (sources in the store: \(known.joined(separator: ", ")))"))
        }
        return (LawSet(fits: fits.map(\.law), source: source), origin)
    }

    public init(fits: [FittedLaw], source: String) {
        var laws: [String: any CategoryLaw] = [:]
        for f in fits { laws[f.category] = FittedCategoryLaw(f) }
        // A single fitted size (or budget) is the natural default for queries; the mixture laws'
        // decide it when there are any, since those are what recommendations search over.
        let fixed = fits.filter { $0.family.kind == .mixture }, varying = fits.filter(\.dependsOnMixture)
        let basis = !fixed.isEmpty ? fixed : (!varying.isEmpty ? varying : fits)
        let ns = Set(basis.flatMap { $0.ranges.params }), ds = Set(basis.flatMap { $0.ranges.tokens })
        self.init(source: source, laws: laws, defaultParams: ns.count == 1 ? ns.first : nil, defaultTokens: ds.count == 1 ? ds.first : nil)
    }
}
