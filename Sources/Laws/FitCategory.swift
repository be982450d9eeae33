import Foundation
import VisionMixCore

/// Which family to fit: one by name, or `auto` (choose by held-out error).
public enum LawFamilySelection: Sendable, Equatable {
    case family(LawFamily)
    case auto
    /// `auto` among the mixture laws only, fitted at one (N, D) (`mixtureSite`): the law a
    /// recommendation needs when a sweep also varies size and budget.
    case autoMixture

    /// Parses "auto", "auto-mixture" or a family name; the error lists the valid names.
    public static func parse(_ s: String) throws -> LawFamilySelection {
        if s == "auto" { return .auto }
        if s == "auto-mixture" { return .autoMixture }
        guard let f = LawFamily(rawValue: s) else {
            throw LawError.noApplicableFamily("unknown family '\(s)'; use auto, auto-mixture or one of: " + LawFamily.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return .family(f)
    }
}

public struct ParameterInterval: Codable, Sendable, Equatable {
    /// Standard error from the Jacobian covariance (nil when singular).
    public var se: Double?
    /// Bootstrap percentile interval at the fit's level (nil without bootstrap).
    public var low: Double?
    public var high: Double?
}

public struct ErrorMetrics: Codable, Sendable, Equatable {
    public var points: Int
    public var mae: Double
    public var rmse: Double
    /// Train only: coefficient of determination and AIC (Gaussian, n·ln(SSR/n) + 2k).
    public var r2: Double?
    public var aic: Double?
    /// Cross-validation only: number of folds.
    public var folds: Int?
}

/// The result of leaving the largest model size out: fitted on the rest, scored on it.
public struct HoldoutMetrics: Codable, Sendable, Equatable {
    /// The held-out model size (N).
    public var params: Double
    public var points: Int
    public var mae: Double
    public var rmse: Double
    /// Parameters of the law fitted without the held-out size.
    public var parameters: [String: Double]
}

/// One family's scores in a selection.
public struct CandidateScore: Codable, Sendable, Equatable {
    public var family: String
    public var trainRMSE: Double
    public var aic: Double
    public var cvMAE: Double?
    public var holdoutMAE: Double?
    public var error: String?
    enum CodingKeys: String, CodingKey {
        case family, aic, error
        case trainRMSE = "train_rmse", cvMAE = "cv_mae", holdoutMAE = "holdout_mae"
    }
}

public struct SelectionReport: Codable, Sendable, Equatable {
    /// "holdout_mae" or "cv_mae".
    public var criterion: String
    public var reason: String
    public var candidates: [CandidateScore]
}

/// Everything a fit reports; `law` is the part to predict with. This is the JSON stored in
/// the `fits` table and exported as `<dir>/<source>/<category>.json`.
public struct FitResult: Codable, Sendable {
    /// The fitter that made a fit. Raised whenever a change to fitting changes what a fit of
    /// the same runs holds, so that a fit exported by an older fitter is refused, not used;
    /// not for rounding (a solver whose fits agree with the last one's within its tolerance,
    /// as `LevenbergMarquardt` does with GSL's, keeps the number).
    public static let currentFitter = 2

    /// `currentFitter` when the fit was made; nil in fits written before fits carried it.
    public var fitter: Int? = FitResult.currentFitter
    public var source: String?
    public var category: String
    public var family: String
    public var formula: String
    public var parameters: [String: Double]
    public var intervals: [String: ParameterInterval]
    public var train: ErrorMetrics
    public var cv: ErrorMetrics?
    public var holdout: HoldoutMetrics?
    public var selection: SelectionReport?
    public var diagnostics: FitDiagnostics
    /// What the fit assumed or left out (e.g. runs at other sizes for a mixture law).
    public var notes: [String] = []
    public var law: FittedLaw
    /// Where and how narrowly the runs were weighted, for a law fitted near a mixture.
    public var local: LocalFit?
}

/// The families that could describe `points` of `category`, by which inputs vary; for a metric
/// that falls (a loss), Chinchilla's loss law too, when every budget and loss is positive.
public func applicableFamilies(_ points: [LawPoint], category: String) -> [LawFamily] {
    let nN = distinct(points.map(\.params)).count, nD = distinct(points.map(\.tokens)).count
    let nMix = Set(points.compactMap { $0.mixture?.canonicalKey }).count
    var out: [LawFamily] = []
    if nN >= 2 && nD >= 3 {
        let isLoss = !MetricCatalogue.higherIsBetter(category) && points.allSatisfy({ $0.tokens > 0 && $0.score > 0 })
        if isLoss { out.append(.chinchillaLoss) }
        out += [.saturatingInteraction, .chinchillaAdditive, .logLinearN]
        if nMix >= 3 { out.append(.joint) }
        if nMix >= 3 && isLoss && points.allSatisfy({ $0.mixture.map { !$0.isSharesOnly } ?? false }) {
            out += [.mixtureAdditiveLoss, .mixtureJointLoss]
        }
    } else if nN >= 2 || nD >= 2 {
        out += [.power1D, .sigmoidLog1D]
    } else if nMix >= 3 {
        out += [.quadraticShares, .mixingExponential, .saturatingPerSource]
        if nMix >= KernelRidge.minimumMixtures { out.append(.kernelRidge) }
    }
    return out
}

/// The runs `options` keeps by size and budget; asking for one that is not there names the
/// sizes and budgets the data has, with their run counts.
func pointsAt(_ points: [LawPoint], _ options: FitOptions) throws -> [LawPoint] {
    let kept = points.filter { options.keeps(params: $0.params, tokens: $0.tokens) }
    guard kept.isEmpty else { return kept }
    func counts(_ values: [Double]) -> String {
        Dictionary(grouping: values, by: { $0 }).sorted { $0.key < $1.key }
            .map { "\(Quantity.format($0.key)) (\($0.value.count))" }.joined(separator: ", ")
    }
    let asked = [options.onlyParams.map { "N = " + Quantity.format($0) }, options.onlyTokens.map { "D = " + Quantity.format($0) }]
    throw LawError.noRuns("none at " + asked.compactMap { $0 }.joined(separator: ", ") + "; the runs are at N = "
        + counts(points.map(\.params)) + " and D = " + counts(points.map(\.tokens)))
}

/// Mixtures a size and budget needs before a mixture law is fitted there by default: the
/// quadratic share surface has six coefficients.
public let mixtureSiteMinimum = 6

/// Where a mixture law goes when the runs span several (N, D): the largest model size whose
/// runs at one budget cover `mixtureSiteMinimum` mixtures (the most runs among its budgets),
/// because the small sizes of a sweep are often the most common and sit at chance on vision;
/// without such a size, the (N, D) with the most mixtures, then the most runs, then the largest.
func mixtureSite(_ groups: [[LawPoint]]) -> (points: [LawPoint], why: String) {
    func mixtures(_ g: [LawPoint]) -> Int { Set(g.compactMap { $0.mixture?.canonicalKey }).count }
    let enough = groups.filter { mixtures($0) >= mixtureSiteMinimum }
    if let largest = enough.map({ $0[0].params }).max() {
        let site = enough.filter { $0[0].params == largest }.max { ($0.count, $0[0].tokens) < ($1.count, $1[0].tokens) }!
        return (site, "the largest size with \(mixtureSiteMinimum)+ mixtures")
    }
    // Ties go to the larger size, then budget: the groups come from a dictionary, whose order changes between runs.
    let site = groups.max { (mixtures($0), $0.count, $0[0].params, $0[0].tokens) < (mixtures($1), $1.count, $1[0].params, $1[0].tokens) }!
    return (site, "the most mixtures of any size and budget (none has \(mixtureSiteMinimum))")
}

/// One family fitted and scored: the full-data fit, its training errors, k-fold CV, and the
/// largest-size hold-out when asked for.
struct FamilyScore {
    var fit: ParameterFit
    /// The full-data fit's value at each point.
    var predictions: [Double]
    var train: ErrorMetrics
    var cv: ErrorMetrics?
    var holdout: HoldoutMetrics?
}

/// Fits `category` over `allPoints`: the one fitting entry point the CLI, sweeps and the
/// server share (through `Fits`), and the one tests and benches call directly.
public func fitPoints(_ allPoints: [LawPoint], category: String, family: LawFamilySelection,
                      options: FitOptions = FitOptions()) throws -> FitResult {
    var (points, notes) = try pointsToFit(allPoints, family: family, options: options)
    if let near = options.near {
        if let refusal = LocalFit.refusal(for: family) { throw refusal }
        guard case let .family(f) = family else { preconditionFailure("a local fit's family is named") }
        let local = try near.weighted(points, family: f)
        points = local.points
        notes.append(local.note)
    }
    for p in points where !p.score.isFinite || !p.params.isFinite || !p.tokens.isFinite || !p.weight.isFinite {
        throw LawError.notFinite(what: "an input or score", run: p.runId)
    }
    let chosen: LawFamily
    var selection: SelectionReport?
    var scored: [LawFamily: FamilyScore] = [:]
    switch family {
    case let .family(f): chosen = f
    case .auto, .autoMixture:
        (chosen, selection, scored) = try selectFamily(points, category: category, options: options)
    }
    let wantHoldout = options.holdOutLargest || selection?.criterion == "holdout_mae"
    let s = try scored[chosen] ?? scoreFamily(chosen, points: points, options: options, holdout: wantHoldout)
    var fit = s.fit
    let boot = bootstrapParameters(fit, points: points, options: options)
    fit.diagnostics.bootstrapReplicates = boot.ensemble.count
    fit.diagnostics.bootstrapFailed = boot.failed
    let names = fit.shape.parameterNames
    var intervals: [String: ParameterInterval] = [:]
    let a = (1 - options.intervalLevel) / 2
    for (j, nm) in names.enumerated() {
        let se = fit.covariance.map { $0[j * names.count + j] }.flatMap { $0 >= 0 && $0.isFinite ? $0.squareRoot() : nil }
        let col = boot.ensemble.map { $0[j] }
        intervals[nm] = ParameterInterval(se: se, low: col.count >= 2 ? quantile(col, a) : nil, high: col.count >= 2 ? quantile(col, 1 - a) : nil)
    }
    if boot.failed > options.bootstrap / 2 && options.bootstrap > 0 {
        fit.diagnostics.status += "; warning: \(boot.failed) of \(options.bootstrap) bootstrap refits failed"
    }
    var law = FittedLaw(category: category, family: chosen, formula: chosen.formula, shape: fit.shape, parameters: fit.params,
                        ensemble: boot.ensemble, intervalLevel: options.intervalLevel, ranges: FittedRanges(points: points))
    // A law fitted near a mixture is meant to miss the far runs; a test over all of them would say only that.
    law.lackOfFit = options.near == nil ? LackOfFit(points: points, predictions: s.predictions, parameters: names.count) : nil
    if let lof = law.lackOfFit {
        // A law of N and D alone is missed by every difference between mixtures at one size and budget.
        let blind = !law.dependsOnMixture && Set(points.compactMap { $0.mixture?.canonicalKey }).count > 1
        notes.append(lof.summary + (lof.rejectsTheForm ? ": the form misses these runs beyond their seed noise" : "")
                     + (blind ? " (the law does not read the mixture, so what the mixtures change counts as missed)" : ""))
    }
    if let loss = fit.shape.via.first {
        notes.append("through \(loss.category)'s \(loss.family.rawValue) law; the intervals are the sigmoid's, with the loss law held at its best fit")
    }
    // A law of scores that sit at chance describes guessing, not what the mixture taught;
    // saying where chance lies lets every prediction be read against it.
    let chances = points.compactMap(\.chance)
    if chances.count == points.count, !chances.isEmpty {
        let c = chances.reduce(0, +) / Double(chances.count), mean = points.map(\.score).reduce(0, +) / Double(points.count)
        law.chance = c
        notes.append(String(format: "the fitted scores average %.1f against a chance level of %.1f (%+.1f points)", mean, c, mean - c))
    }
    return FitResult(source: nil, category: category, family: chosen.rawValue, formula: chosen.formula,
                     parameters: law.parameterValues, intervals: intervals, train: s.train, cv: s.cv,
                     holdout: wantHoldout ? s.holdout : nil, selection: selection, diagnostics: fit.diagnostics, notes: notes, law: law,
                     local: options.near)
}

/// The points a fit uses, and notes on what it left out: those at the asked size or budget,
/// and for a mixture law, those at one (N, D) (`mixtureSite`). Mixture laws hold N and D
/// fixed: when the data is a mixture study with a few runs at other sizes or budgets (the
/// paper's 11 mixes at 3B/50B plus two 7B/1T runs), the law goes to one (N, D).
func pointsToFit(_ allPoints: [LawPoint], family: LawFamilySelection, options: FitOptions) throws -> ([LawPoint], notes: [String]) {
    var points = allPoints
    var notes: [String] = []
    let wantsMixture: Bool = {
        if case let .family(f) = family { return f.kind == .mixture }
        if family == .autoMixture { return true }
        return distinct(points.map(\.tokens)).count < 3 && Set(points.compactMap { $0.mixture?.canonicalKey }).count >= 3
    }()
    if options.onlyParams != nil || options.onlyTokens != nil {
        let kept = try pointsAt(points, options)
        if kept.count < points.count { notes.append("fitted on the \(kept.count) runs at the asked size or budget; \(points.count - kept.count) left out") }
        points = kept
    }
    if wantsMixture {
        var groups: [String: [LawPoint]] = [:]
        for p in points { groups[String(format: "%.6g|%.6g", p.params, p.tokens), default: []].append(p) }
        if groups.count > 1 {
            let (site, why) = mixtureSite(Array(groups.values))
            let mixtures = Set(site.compactMap { $0.mixture?.canonicalKey }).count
            notes.append("mixture law fitted on the \(site.count) runs (\(mixtures) mixtures) at N = \(Quantity.format(site[0].params)), D = \(Quantity.format(site[0].tokens)), "
                         + "\(why); \(points.count - site.count) run(s) at other sizes or budgets left out (choose with --params/--tokens)")
            points = site
        }
    }
    return (points, notes)
}

/// `auto`: every applicable family scored, the one with the lowest held-out error chosen (the
/// largest size left out when there are 3+ sizes, else k-fold CV), with the reason.
func selectFamily(_ points: [LawPoint], category: String, options: FitOptions) throws
    -> (chosen: LawFamily, selection: SelectionReport, scored: [LawFamily: FamilyScore]) {
    let candidates = applicableFamilies(points, category: category) + (options.ladderLoss != nil ? [.ladderSigmoid] : [])
    guard !candidates.isEmpty else {
        throw LawError.noApplicableFamily("\(points.count) run(s) have this score and no input varies enough (need 2+ sizes and 3+ budgets, one varying input, or 3+ mixtures at one size and budget)")
    }
    let useHoldout = distinct(points.map(\.params)).count >= 3
    var scored: [LawFamily: FamilyScore] = [:]
    var rows: [CandidateScore] = []
    for f in candidates {
        do {
            let s = try scoreFamily(f, points: points, options: options, holdout: useHoldout)
            scored[f] = s
            rows.append(CandidateScore(family: f.rawValue, trainRMSE: s.train.rmse, aic: s.train.aic ?? .nan,
                                       cvMAE: s.cv?.mae, holdoutMAE: s.holdout?.mae, error: nil))
        } catch {
            rows.append(CandidateScore(family: f.rawValue, trainRMSE: .nan, aic: .nan, cvMAE: nil, holdoutMAE: nil,
                                       error: "\(error)"))
        }
    }
    func key(_ c: CandidateScore) -> Double { (useHoldout ? c.holdoutMAE : c.cvMAE) ?? .infinity }
    let ok = rows.filter { key($0).isFinite }
    guard let best = ok.min(by: { key($0) < key($1) }) else {
        throw LawError.noApplicableFamily("every candidate failed: " + rows.compactMap { $0.error.map { e in "\(e)" } }.joined(separator: "; "))
    }
    let crit = useHoldout ? "held-out MAE at the largest model size" : "\(options.folds)-fold cross-validated MAE"
    let others = ok.filter { $0.family != best.family }.sorted { key($0) < key($1) }
        .map { "\($0.family) \(String(format: "%.3f", key($0)))" }
    let selection = SelectionReport(criterion: useHoldout ? "holdout_mae" : "cv_mae",
                                    reason: "\(best.family) has the lowest \(crit): \(String(format: "%.3f", key(best)))"
                                        + (others.isEmpty ? "" : " against " + others.joined(separator: ", ")),
                                    candidates: rows)
    return (LawFamily(rawValue: best.family)!, selection, scored)
}

/// Full-data fit, training metrics, k-fold CV and (optionally) the largest-size hold-out.
func scoreFamily(_ f: LawFamily, points: [LawPoint], options: FitOptions, holdout: Bool) throws -> FamilyScore {
    let shape = try LawShape.make(f, points: points, axis: options.axis, through: options.ladderLoss)
    let fit = try fitParameters(shape, points: points, options: options)
    // The fit's shape: a regressor's holds the runs it was fitted on.
    let preds = points.map { fit.shape.evaluate(fit.params, Features(params: $0.params, tokens: $0.tokens, mixture: $0.mixture, shape: shape)) }
    var train = errorMetrics(preds, points.map(\.score))
    let n = Double(points.count), k = Double(shape.parameters.count)
    let ssr = zip(preds, points).reduce(0.0) { $0 + ($1.0 - $1.1.score) * ($1.0 - $1.1.score) }
    let mean = points.map(\.score).reduce(0, +) / n
    let sst = points.reduce(0.0) { $0 + ($1.score - mean) * ($1.score - mean) }
    train.r2 = sst > 0 ? 1 - ssr / sst : nil
    train.aic = n * log(max(ssr, 1e-300) / n) + 2 * k
    let cv = crossValidate(shape, points: points, options: options, best: fit.params)
    var ho: HoldoutMetrics?
    if holdout { ho = try holdOutLargest(f, points: points, options: options) }
    return FamilyScore(fit: fit, predictions: preds, train: train, cv: cv, holdout: ho)
}

func errorMetrics(_ pred: [Double], _ y: [Double]) -> ErrorMetrics {
    let e = zip(pred, y).map { $0 - $1 }
    let n = Double(max(1, e.count))
    return ErrorMetrics(points: e.count, mae: e.reduce(0) { $0 + abs($1) } / n,
                        rmse: (e.reduce(0) { $0 + $1 * $1 } / n).squareRoot(), r2: nil, aic: nil, folds: nil)
}

/// k-fold cross-validation with a seeded shuffle; folds whose training part is too small or
/// fails to fit are skipped. Nil when no fold could be scored.
func crossValidate(_ shape: LawShape, points: [LawPoint], options: FitOptions, best: [Double]) -> ErrorMetrics? {
    let n = points.count
    let k = min(options.folds, n)
    guard k >= 2 else { return nil }
    let rng = RandomSource(seed: options.seed &+ 7)
    var order = Array(0..<n)
    for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
    var pred: [Double] = [], obs: [Double] = [], used = 0
    for fold in 0..<k {
        // An array to iterate (a Set's order changes between processes, and with it the
        // error sums' last bits), a Set to look up.
        let test = order.enumerated().filter { $0.offset % k == fold }.map(\.element)
        let inTest = Set(test)
        let train = points.indices.filter { !inTest.contains($0) }.map { points[$0] }
        // Fewer starts than the full fit (the full-data optimum, every third grid start, one
        // random start): the optimum is a strong start and CV runs k times per family.
        guard let f = try? fitParameters(shape, points: train, options: options, extraStarts: [best], randomStarts: 1,
                                         gridStride: 3) else { continue }
        used += 1
        for i in test {
            let p = points[i]
            pred.append(f.shape.evaluate(f.params, Features(params: p.params, tokens: p.tokens, mixture: p.mixture, shape: shape)))
            obs.append(p.score)
        }
    }
    guard used > 0 else { return nil }
    var m = errorMetrics(pred, obs)
    m.folds = used
    return m
}

/// Fits on every size but the largest and scores the prediction at the largest.
public func holdOutLargest(_ f: LawFamily, points: [LawPoint], options: FitOptions) throws -> HoldoutMetrics {
    guard let top = points.map(\.params).max() else { throw LawError.noRuns("nothing to hold out") }
    let isTop: (LawPoint) -> Bool = { abs($0.params - top) <= 1e-9 * top }
    let train = points.filter { !isTop($0) }, test = points.filter(isTop)
    guard !train.isEmpty else { throw LawError.unidentifiable(family: f.rawValue, reason: "holding out the largest size leaves no data") }
    let shape = try LawShape.make(f, points: train, axis: options.axis, through: options.ladderLoss)
    let fit = try fitParameters(shape, points: train, options: options)
    let pred = test.map { fit.shape.evaluate(fit.params, Features(params: $0.params, tokens: $0.tokens, mixture: $0.mixture, shape: shape)) }
    let m = errorMetrics(pred, test.map(\.score))
    return HoldoutMetrics(params: top, points: test.count, mae: m.mae, rmse: m.rmse,
                          parameters: Dictionary(uniqueKeysWithValues: zip(shape.parameterNames, fit.params)))
}
