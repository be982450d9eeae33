import Foundation
import Laws
import Store
import VisionMixCore

/// The points of `category` in `runs`, refusing NaN or infinite inputs and unknown categories.
public func lawPoints(runs: [StoredRun], category: String) throws -> [LawPoint] {
    guard !runs.isEmpty else { throw LawError.noRuns("nothing to fit") }
    let withScore = runs.filter { $0.scores[category] != nil }
    guard !withScore.isEmpty else {
        throw LawError.unknownCategory(category, available: Array(Set(runs.flatMap { $0.scores.keys })).sorted())
    }
    for r in withScore {
        if !r.scores[category]!.isFinite { throw LawError.notFinite(what: "score \(category)", run: r.id) }
        if !r.params.isFinite || r.params <= 0 { throw LawError.notFinite(what: "model size (must be finite and > 0)", run: r.id) }
        if !r.tokens.isFinite || r.tokens < 0 { throw LawError.notFinite(what: "token count (must be finite and ≥ 0)", run: r.id) }
    }
    return withScore.map { LawPoint(params: $0.params, tokens: $0.tokens, mixture: $0.mixture, score: $0.scores[category]!, runId: $0.id,
                                    chance: $0.chance[category]) }
}

/// Fits `category` over `runs`, recording the source they came from.
public func fitCategory(runs: [StoredRun], category: String, family: LawFamilySelection,
                        options: FitOptions = FitOptions()) throws -> FitResult {
    var result = try fitPoints(try lawPoints(runs: runs, category: category), category: category, family: family, options: options)
    let labels = Set(runs.map(\.source))
    result.source = labels.count == 1 ? labels.first : labels.sorted().joined(separator: "+")
    return result
}

/// What fitting a source gave: the fits, the categories that could not be fitted with the
/// reason, and the runs left out for being adapted another way (`Adaptations`).
public struct SourceFitOutcome: Sendable {
    public var fits: [FitResult] = []
    public var failures: [(category: String, reason: String)] = []
    public var leftOut: [(adaptation: String, count: Int)] = []
    public init(leftOut: [(adaptation: String, count: Int)] = []) { self.leftOut = leftOut }
}

/// Fitting the stored runs of a source and keeping the fits: the one way the CLI, the sweeps
/// and the server fit, so a fit means the same whoever asked for it.
public enum SourceFits {
    /// Fits each of `categories` (every category the runs have when nil) over the complete runs
    /// of `label` that share one adaptation, keeps going past a category that cannot be fitted,
    /// and stores each fit in the store unless `save` is false.
    public static func fit(store: ResultStore, label: String, categories: [String]? = nil, family: LawFamilySelection = .auto,
                           options: FitOptions = FitOptions(), save: Bool = true) throws -> SourceFitOutcome {
        let stored = try store.runs(RunFilter(source: label)).filter { $0.status == "complete" }
        guard !stored.isEmpty else { throw LawError.noRuns("no runs under source '\(label)'") }
        let (runs, leftOut) = Adaptations.fitted(stored)
        let wanted = categories ?? Array(Set(runs.flatMap { $0.scores.keys })).sorted()
        var outcome = SourceFitOutcome(leftOut: leftOut)
        for c in wanted {
            do {
                var r = try fitCategory(runs: runs, category: c, family: family, options: options)
                r.source = label
                if save { try Self.save(r, label: label, in: store) }
                outcome.fits.append(r)
            } catch let e as LawError {
                outcome.failures.append((c, e.description))
            }
        }
        return outcome
    }

    /// Refits each of `fits` near `centre` (`LocalFit`): the same family over the same runs of
    /// `label`, each run weighted by its distance from the centre; stores the refits unless
    /// `save` is false.
    public static func fit(near centre: LocalFit, refitting fits: [FitResult], store: ResultStore, label: String,
                           options: FitOptions = FitOptions(), save: Bool = true) throws -> SourceFitOutcome {
        var local = options
        local.near = centre
        var outcome = SourceFitOutcome()
        for f in fits {
            guard let family = LawFamily(rawValue: f.family) else { outcome.failures.append((f.category, "unknown family \(f.family)")); continue }
            let one = try fit(store: store, label: label, categories: [f.category], family: .family(family), options: local, save: save)
            outcome.fits += one.fits
            outcome.failures += one.failures
            outcome.leftOut = one.leftOut
        }
        return outcome
    }

    /// Stores one fit under `label`.
    @discardableResult
    public static func save(_ fit: FitResult, label: String, in store: ResultStore) throws -> Int64 {
        let body = String(decoding: try FitJSON.encode(fit, pretty: false), as: UTF8.self)
        return try store.saveFit(label: label, category: fit.category, family: fit.family, body: body)
    }

    /// The newest fit of each category of `label`, sorted by category.
    public static func newest(label: String, in store: ResultStore) throws -> [FitResult] {
        try store.newestFits(label: label).map { try FitJSON.decode(Data($0.body.utf8)) }
    }

    /// The fits to plan with: for each category, its newest fit that depends on the mixture
    /// where it has one, else its newest fit. Predictions take a mixture and recommendations
    /// search over mixtures, so a law that reads the mixture answers both where there is one.
    public static func forPlanning(label: String, in store: ResultStore) throws -> [FitResult] {
        var newest: [String: FitResult] = [:], newestReadingMixture: [String: FitResult] = [:]
        for record in try store.fits(label: label) {
            let f = try FitJSON.decode(Data(record.body.utf8))
            if newest[f.category] == nil { newest[f.category] = f }
            if newestReadingMixture[f.category] == nil && f.law.dependsOnMixture { newestReadingMixture[f.category] = f }
        }
        return newest.keys.sorted().map { newestReadingMixture[$0] ?? newest[$0]! }
    }
}

/// The loss law a ladder reads: the newest stored size–data fit of `category` under `label`.
public enum LadderLoss {
    public static func law(category: String, label: String, in store: ResultStore) throws -> FittedLaw {
        let fits = try SourceFits.newest(label: label, in: store).filter { $0.category == category }
        guard let fit = fits.first else {
            throw LawError.noRuns("no fit of '\(category)' under '\(label)' to read the loss from; fit it first: visionmix fit --source \(label) --category \(category)")
        }
        guard fit.law.family.kind == .sizeData else {
            throw LawError.unidentifiable(family: LawFamily.ladderSigmoid.rawValue,
                                          reason: "the newest fit of '\(category)' is \(fit.family), not a law of size and budget; refit it with --family chinchilla_loss")
        }
        return fit.law
    }
}
