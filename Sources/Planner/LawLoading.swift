import Fits
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
    public var lackOfFit: LackOfFit? { law.lackOfFit }
    public var space: MixtureSpace? {
        switch law.family.kind {
        case .mixture: law.family == .quadraticShares ? .shares : .weights
        case .joint: law.family == .joint ? .shares : .weights
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
    public func replicate(_ index: Int, params: Double, tokens: Double, mixture: Mixture) -> Double {
        index < law.ensemble.count ? law.evaluate(law.ensemble[index], params: params, tokens: tokens, mixture: mixture) : .nan
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

/// Where a law set came from, and what a user should know before trusting it.
public struct LawOrigin: Sendable, Equatable {
    /// "database", or the folder of fit files it was read from.
    public var place: String
    /// Warnings, such as runs stored after the newest fit.
    public var notes: [String] = []
}

extension LawSet {
    /// The laws to plan with for `source`: the store's fits chosen by `SourceFits.forPlanning`,
    /// over the label's catalogue. Files are never read here; that takes `load(fitsDirectory:)`.
    public static func load(store: ResultStore, source: String) throws -> (LawSet, origin: LawOrigin) {
        let fits = try SourceFits.forPlanning(label: source, in: store)
        guard !fits.isEmpty else {
            let known = try store.labels().map(\.label)
            throw PlannerError.missing("no fitted laws for source '\(source)'; run `visionmix fit --source \(source) --all` first"
                                       + (known.isEmpty ? "" : " (sources in the store: \(known.joined(separator: ", ")))"))
        }
        var origin = LawOrigin(place: "database", notes: localNotes(fits))
        // A fit made before runs were added does not describe them.
        if let newest = try store.fits(label: source).first?.createdAt {
            let unseen = try store.runsStored(label: source, after: newest)
            if unseen > 0 {
                origin.notes.append("\(unseen) run(s) of '\(source)' were stored after its newest fit; "
                                    + "refit with `visionmix fit --source \(source) --all` to plan with them")
            }
        }
        return (LawSet(fits: fits.map(\.law), source: source, catalogue: try store.catalogue(label: source)), origin)
    }

    /// The laws exported for `source` under `dir` (`visionmix fit --fits-dir`), refusing a file
    /// of another source or of another version of the fitter.
    public static func load(fitsDirectory dir: String, source: String) throws -> (LawSet, origin: LawOrigin) {
        let fits: [FitResult]
        do { fits = try FitFiles.read(source: source, from: dir) } catch let e as FitFiles.Refusal {
            throw PlannerError.missing(e.description)
        }
        let catalogues = Set(fits.filter { !$0.law.ranges.sourceWeights.isEmpty }.map(\.law.catalogue))
        guard catalogues.count <= 1 else {
            throw PlannerError.missing("the fit files of '\(source)' in \(dir) were fitted over different sources; refit and export them again")
        }
        return (LawSet(fits: fits.map(\.law), source: source, catalogue: catalogues.first ?? .builtin),
                LawOrigin(place: URL(fileURLWithPath: dir).appendingPathComponent(source).path, notes: localNotes(fits)))
    }

    /// A law fitted near a mixture (`fit --near`, an adaptive sweep's refit near its recipe)
    /// describes the mixtures near it best: the planner says so for each.
    public static func localNotes(_ fits: [FitResult]) -> [String] {
        fits.compactMap { f in
            f.local.map { String(format: "the law of %@ (%@) was fitted near %@, bandwidth %.2f: it describes mixtures near there best",
                                 f.category, f.law.family.rawValue, $0.centreDescription(family: f.law.family), $0.bandwidth) }
        }
    }

    public init(fits: [FittedLaw], source: String, catalogue: SourceCatalogue = .builtin) {
        var laws: [String: any CategoryLaw] = [:]
        for f in fits { laws[f.category] = FittedCategoryLaw(f) }
        // A single fitted size (or budget) is the natural default for queries; the mixture laws'
        // decide it when there are any, since those are what recommendations search over.
        let fixed = fits.filter { $0.family.kind == .mixture }, varying = fits.filter(\.dependsOnMixture)
        let basis = !fixed.isEmpty ? fixed : (!varying.isEmpty ? varying : fits)
        let ns = Set(basis.flatMap { $0.ranges.params }), ds = Set(basis.flatMap { $0.ranges.tokens })
        self.init(source: source, laws: laws, defaultParams: ns.count == 1 ? ns.first : nil, defaultTokens: ds.count == 1 ? ds.first : nil,
                  catalogue: catalogue)
    }
}
