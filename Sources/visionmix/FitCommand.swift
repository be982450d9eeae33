import ArgumentParser
import Fits
import Foundation
import Laws
import Store
import VisionMixCore

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit scaling laws per score category, validate them and store the fits.",
        discussion: """
            Fits one category (--category) or every category of the source (--all) with a named \
            family or --family auto, which picks the family with the lowest held-out error (the \
            largest model size left out when there are 3+ sizes, else k-fold CV) and says why. \
            Each fit is stored in the database, where predict and recommend read it; --fits-dir DIR \
            also exports it as DIR/<source>/<category>.json. Formulas: --list-families, or docs/laws.md.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Source label of the runs to fit.") var source: String?
    @Option(help: "Score category (metric) to fit.") var category: String?
    @Flag(help: "Fit every category the source's runs have.") var all = false
    @Option(help: "A family name; auto (lowest held-out error); or auto-mixture (the best mixture law, at the largest size with 6+ mixtures).") var family = "auto"
    @Flag(help: "Also fit without the largest model size and report the error of predicting it.") var holdOutLargest = false
    @Option(help: "Bootstrap replicates for the intervals (0 = none).") var bootstrap = 200
    @Option(help: "Random starts added to each family's grid of starts.") var starts = 8
    @Option(help: "Folds of cross-validation.") var folds = 5
    @Flag(help: "Huber loss (iteratively reweighted least squares) instead of plain least squares.") var huber = false
    @Flag(help: "Levenberg–Marquardt with geodesic acceleration (GSL's; the same as --solver gsl-accelerated).") var accelerated = false
    @Option(help: "The least-squares solver: lm (the fitter's Levenberg–Marquardt), gsl (GSL's trust region, the reference it follows) or gsl-accelerated.")
    var solver = LeastSquaresMethod.levenbergMarquardt.rawValue
    @Option(help: "Fit only the runs at this model size, e.g. 1.39M (a mixture law otherwise takes the largest size with 6+ mixtures).") var params: String?
    @Option(help: "Fit only the runs at this token budget, e.g. 1M.") var tokens: String?
    @Option(help: "Input of a 1-D family: params, tokens, reasoning_share or visual_share (default: the one that varies).")
    var axis: String?
    @Option(help: "Also export the fits as DIR/<source>/<category>.json (`predict --fits DIR` reads them).") var fitsDir: String?
    @Option(help: "Fit the score through a loss (OLMo's ladder): the newest size–data fit of this loss category gives the loss at each size and budget, and a sigmoid maps it to the score (family ladder_sigmoid, or auto to compare).")
    var through: String?
    @Option(help: "Fit near this mixture (a preset, web_crawl=40,code=35,..., or reasoning=30,visual=20): each run weighted by a Gaussian kernel of its distance from it, so an approximate law (a quadratic in the shares) takes its curvature there. Needs a mixture --family.")
    var near: String?
    @Option(help: "The kernel's bandwidth with --near, in share (or weight) units.") var bandwidth = LocalFit.standardBandwidth
    @Flag(help: "Do not store the fits (database and files).") var noSave = false
    @Flag(help: "List the law families with their formulas.") var listFamilies = false
    @Flag(help: "Print JSON (an object, or an array with --all).") var json = false

    func run() throws {
        if listFamilies { try printFamilies(); return }
        guard let source else { throw UserError("--source is required (see `visionmix runs sources`)") }
        guard all != (category != nil) else { throw UserError("give exactly one of --category C or --all") }
        let selection: LawFamilySelection
        do { selection = try LawFamilySelection.parse(family) } catch { throw UserError("\(error)") }
        var options = FitOptions()
        try Checks.within(bootstrap, 0...Limits.maxBootstrap, option: "--bootstrap")
        try Checks.within(starts, 0...Limits.maxRandomStarts, option: "--starts")
        try Checks.within(folds, Limits.folds, option: "--folds")
        options.bootstrap = bootstrap; options.randomStarts = starts; options.folds = folds
        options.huber = huber; options.holdOutLargest = holdOutLargest
        options.method = try leastSquaresMethod(solver, accelerated: accelerated)
        options.onlyParams = try parseCount(params, "--params"); options.onlyTokens = try parseCount(tokens, "--tokens")
        if let axis {
            guard let a = InputAxis(rawValue: axis) else {
                throw UserError("unknown --axis '\(axis)'; use " + InputAxis.allCases.map(\.rawValue).joined(separator: ", "))
            }
            options.axis = a
        }
        // Checked before anything is fitted or stored, so a bad folder leaves the store as it was.
        if let fitsDir, !noSave {
            do { try FitFiles.checkExport(source: source, to: fitsDir) } catch let e as FitFiles.Refusal { throw UserError(e.description) }
        }
        let store = try global.openStore()
        if near == nil && bandwidth != LocalFit.standardBandwidth { throw UserError("--bandwidth weighs runs near a mixture: give --near too") }
        if let near {
            do { options.near = try LocalFit(centre: try parseMixture(near, catalogue: try store.catalogue(label: source), option: "--near"), bandwidth: bandwidth) }
            catch let e as LawError { throw UserError(e.description) }
        }
        if let through {
            guard !all else { throw UserError("--through fits one category; give --category, not --all") }
            do { options.ladderLoss = try LadderLoss.law(category: through, label: source, in: store) } catch let e as LawError { throw UserError(e.description) }
        }
        let outcome: SourceFitOutcome
        do {
            outcome = try SourceFits.fit(store: store, label: source, categories: all ? nil : [category!], family: selection,
                                         options: options, save: !noSave)
        } catch let e as LawError {
            throw UserError(e.description + " (import runs with `visionmix runs import`)")
        }
        noteLeftOut(outcome.leftOut)
        if let fitsDir, !noSave, !outcome.fits.isEmpty {
            do { try FitFiles.export(outcome.fits, source: source, to: fitsDir) } catch let e as FitFiles.Refusal { throw UserError(e.description) }
        }
        // With --all one category's refusal must not stop the others; a single category's is the error.
        if !all, let f = outcome.failures.first { throw UserError(f.reason) }
        let results = outcome.fits
        let failures = outcome.failures.map { "\($0.category): \($0.reason)" }
        for f in failures { note("not fitted: \(f)") }
        if results.isEmpty { throw UserError("no category could be fitted") }
        if json {
            if all { try printJSON(results) } else { try printJSON(results[0]) }
            return
        }
        printTable(results)
    }

    private func printTable(_ results: [FitResult]) {
        var t = TextTable(["category", "family", "parameter", "value", "90% interval", "train RMSE", "CV MAE", "held-out MAE"])
        for r in results {
            for (i, name) in r.law.parameterNames.enumerated() {
                let iv = r.intervals[name]
                let interval = (iv?.low).flatMap { lo in (iv?.high).map { "[\(num(lo)), \(num($0))]" } } ?? (iv?.se.map { "± \(num($0)) (se)" } ?? "")
                t.add(i == 0
                      ? [r.category, r.family, name, num(r.parameters[name] ?? .nan), interval, fmt(r.train.rmse, 3),
                         r.cv.map { fmt($0.mae, 3) } ?? "—", r.holdout.map { fmt($0.mae, 3) } ?? "—"]
                      : ["", "", name, num(r.parameters[name] ?? .nan), interval, "", "", ""])
            }
        }
        print(t.render())
        for r in results {
            print("\n\(r.category): \(r.family)  \(r.formula)")
            if let s = r.selection {
                print("  chosen because " + s.reason)
                for c in s.candidates {
                    let ho = c.holdoutMAE.map { "held-out MAE \(fmt($0, 3))" } ?? ""
                    let cv = c.cvMAE.map { "CV MAE \(fmt($0, 3))" } ?? ""
                    print("    \(c.family): " + (c.error ?? [ho, cv, "train RMSE \(fmt(c.trainRMSE, 3))"].filter { !$0.isEmpty }.joined(separator: ", ")))
                }
            }
            if let h = r.holdout {
                print("  held out N = \(String(format: "%g", h.params)): \(h.points) points, MAE \(fmt(h.mae, 3)), RMSE \(fmt(h.rmse, 3))")
            }
            let d = r.diagnostics
            print("  \(d.status); \(d.startsAtBest)/\(d.starts) starts reached the best objective; \(d.bootstrapReplicates) bootstrap refits"
                  + (d.parametersAtBounds.isEmpty ? "" : "; at bounds: " + d.parametersAtBounds.joined(separator: ", ")))
            for n in r.notes { print("  note: \(n)") }
        }
    }

    private func printFamilies() throws {
        struct Row: Encodable { let family, kind, formula, about: String; let parameters: String }
        let rows = LawFamily.allCases.map { f in
            Row(family: f.rawValue, kind: f.kind.rawValue, formula: f.formula, about: f.about, parameters: f.parameterSummary)
        }
        if json { try printJSON(rows); return }
        for r in rows {
            print("\(r.family)  [\(r.kind)]\n  \(r.formula)\n  parameters: \(r.parameters)\n  \(r.about)\n")
        }
        print("n = N / N_ref, d = D / D_ref (largest N and D of the data). auto picks the family with the lowest held-out error.")
    }
}

/// Compact numbers for parameter tables: fixed for ordinary magnitudes, scientific otherwise.
private func num(_ x: Double) -> String {
    guard x.isFinite else { return "—" }
    let a = abs(x)
    return (a != 0 && (a < 1e-3 || a >= 1e5)) ? String(format: "%.3e", x) : String(format: "%.4g", x)
}

/// Hidden helper for bench/fit/run.sh: writes the fitting problem for scipy and times the
/// Swift/GSL fit of the very same problem and starts.
struct FitBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-fit", abstract: "Time law fitting (for bench/fit).",
                                                    shouldDisplay: false)
    @Option(help: "A reference CSV (tidy: category, params_b, tokens_b, score).") var csv: String
    @Option var category = "general"
    @Option var family = "saturating_interaction"
    @Option var repeats = 200
    @Option(help: "Where to write the problem JSON for the other solver.") var problemOut: String
    @Option var starts = 8
    @Option var ftol = 0.0
    @Option(help: "Threads for the starts (1 compares like with like against scipy's one).") var threads = 2
    @Option(help: "The least-squares solver: lm (the fitter's), gsl (GSL's trust region) or gsl-accelerated.") var solver = "lm"

    func run() throws {
        try Checks.within(repeats, 1...Limits.maxBenchmarkRepeats, option: "--repeats")
        let method = try leastSquaresMethod(solver, accelerated: false)
        try Checks.within(starts, 0...Limits.maxRandomStarts, option: "--starts")
        try Checks.threads(threads)
        guard let f = LawFamily(rawValue: family) else { throw UserError("unknown family \(family)") }
        let file = try ResultFile.read(path: csv, defaultMixture: nil)
        let points = try file.runs.compactMap { r -> LawPoint? in
            guard let s = r.scores[category] else { return nil }
            guard s.isFinite else { throw UserError("NaN score") }
            return LawPoint(params: r.params, tokens: r.tokens, score: s)
        }
        var o = FitOptions()
        o.randomStarts = starts
        o.bootstrap = 0
        o.ftol = ftol
        o.threads = threads
        o.method = method
        let problem = try FitBench.problem(f, points: points, options: o)
        let url = URL(fileURLWithPath: problemOut)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder().encode(problem).write(to: url)
        try printJSON(try FitBench.time(f, points: points, options: o, repeats: repeats))
    }
}

/// The solver `--solver` names; `--accelerated` asks for GSL's accelerated one and refuses another.
func leastSquaresMethod(_ name: String, accelerated: Bool) throws -> LeastSquaresMethod {
    guard let method = LeastSquaresMethod(rawValue: name) else {
        throw UserError("unknown --solver '\(name)'; use " + LeastSquaresMethod.choices)
    }
    guard accelerated else { return method }
    guard method == .levenbergMarquardt || method == .gslAccelerated else {
        throw UserError("--accelerated is --solver gsl-accelerated; it cannot go with --solver \(name)")
    }
    return .gslAccelerated
}

/// Says which runs of the source the laws left out, being adapted another way.
func noteLeftOut(_ leftOut: [(adaptation: String, count: Int)]) {
    for o in leftOut {
        note("left out of the laws: \(o.count) run(s) adapted under '\(o.adaptation)', which measure something else")
    }
}
