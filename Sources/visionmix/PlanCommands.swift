import ArgumentParser
import Fits
import Foundation
import Laws
import Planner
import Store
import Sweeps
import VisionMixCore

/// Which laws a planning command reads: the store's fits of a source, or, named explicitly,
/// fit files exported by `visionmix fit --fits-dir`.
struct LawOptions: ParsableArguments {
    @Option(help: "Source label whose fitted laws to use.") var source: String
    @Option(help: "Read the fits from DIR/<source>/*.json (exported by `fit --fits-dir DIR`) instead of the database.")
    var fits: String?

    /// Loads the laws, saying where they came from when it is not the database, and what to know about them.
    func load(_ global: GlobalOptions) throws -> LawSet {
        do {
            let (laws, origin) = try fits.map { try LawSet.load(fitsDirectory: $0, source: source) }
                ?? LawSet.load(store: try global.openStore(), source: source)
            if fits != nil { note("note: laws read from the fit files in \(origin.place)") }
            for n in origin.notes { note("note: \(n)") }
            return laws
        } catch let e as PlannerError { throw UserError(e.description) }
    }
}

func parseCount(_ text: String?, _ option: String) throws -> Double? {
    guard let text else { return nil }
    guard let v = Quantity.parse(text), v > 0 else { throw UserError("\(option) '\(text)' is not a count like 7B or 1T") }
    return v
}

/// A mixture over `catalogue`'s sources (the laws' sources), as `--mix` or `--baseline` gives it.
func parseMixture(_ spec: String, catalogue: SourceCatalogue = .builtin, option: String = "--mix") throws -> Mixture {
    do {
        let p = try MixtureSpec.parse(spec, catalogue: catalogue)
        for n in p.notices { note("note: \(n)") }
        return p.mixture
    } catch let e as MixtureError { throw UserError("\(option): \(e.description)") }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict every fitted category's score for a mixture, model size and token budget.",
        discussion: "Intervals come from the bootstrap ensemble of each fit; `extrapolated` marks queries outside the fitted ranges."
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var lawOptions: LawOptions
    @Option(help: "Mixture: a preset (language_favorable, balanced, web_crawl; uniform, natural for any sources) or web_crawl=40,code=35,... (percent or fractions, by the laws' source names).")
    var mix: String
    @Option(help: "Model size, e.g. 7B (default: the size the laws were fitted at, if only one).") var params: String?
    @Option(help: "Pre-training tokens, e.g. 1T (default: the fitted budget, if only one).") var tokens: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let (n, d) = (try parseCount(params, "--params"), try parseCount(tokens, "--tokens"))
        let laws = try lawOptions.load(global)
        // The mixture names the laws' sources, so it is read with them.
        let mixture = try parseMixture(mix, catalogue: laws.catalogue)
        let report: PredictionReport
        do { report = try laws.predictAll(params: n, tokens: d, mixture: mixture) }
        catch let e as PlannerError { throw UserError(e.description) }
        if json { try printJSON(report); return }
        print("\(report.source) laws at \(Quantity.format(report.params)) parameters, \(Quantity.format(report.tokens)) tokens")
        print("mixture: \(mixture.description)")
        print(mixture.sharesDescription)
        print(scoresTable(report.scores))
    }
}

struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recommend a mixture that maximises an objective under constraints.",
        discussion: """
            Dirichlet samples of the simplex, then Nelder–Mead (GSL) on a softmax parametrisation; \
            bounds and token availability hold exactly. When the laws know mixtures only by their \
            reasoning and visual shares, the recipe is a pair of shares.
            """
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var lawOptions: LawOptions
    @Option(help: "A category (vqa_avg), a weighted sum (0.5*general+0.5*vision_centric), or either after minimize or maximize (\"minimize pile_cc_loss\"); without a word, losses and perplexities count lower as better.")
    var objective: String
    @Option(help: "Model size (default: the fitted size, if only one).") var params: String?
    @Option(help: "Pre-training tokens (default: the fitted budget, if only one).") var tokens: String?
    @Option(name: .customLong("constraint"), help: "A score floor or ceiling, e.g. text_acc>=52.5 (repeatable).") var constraints: [String] = []
    @Option(help: "Per-source bounds in percent, e.g. code<=40,literature>=2 (or reasoning/visual in the shares space).") var bounds: String?
    @Option(help: "Tokens available per source, e.g. code=2T,math=500B.") var available: String?
    @Option(help: "Repetition limit: epochs over each source's available tokens.") var maxEpochs: Double = 4
    @Option(help: "Mixture to compare against (preset or list; default language_favorable for the built-in sources, else natural when the sources state their tokens, else uniform).")
    var baseline: String?
    @Option(help: "Candidates sampled from the simplex.") var candidates = RecommendationRequest.defaultCandidates
    @Option(help: "Seed of the sampler.") var seed: UInt64 = 1
    @Flag(help: "Also search mixtures outside the fitted range.") var allowExtrapolation = false
    @Option(help: "table, json, yaml or megatron.") var format = "table"
    @Flag(help: "Same as --format json.") var json = false
    @Option(help: "Write the vision–language Pareto front as an SVG.") var plot: String?
    @Option(help: "Refit the objective's law of the shares (quadratic_shares) near the recipe, each run weighted by a Gaussian kernel of this bandwidth (0.15, as `sweep run --adaptive`), store the refit and recommend from it. Laws of the per-source weights are kept as fitted.")
    var localBandwidth: Double?

    /// The request the options describe, every part but the baseline checked before any law is
    /// read (the baseline names the laws' sources, so `withBaseline` reads it with them).
    func request() throws -> RecommendationRequest {
        do {
            var req = RecommendationRequest(objective: try Objective.parse(objective), baseline: Mixture.preset("uniform")!, baselineName: "")
            req.constraints = try constraints.map { try ScoreConstraint.parse($0) }
            req.bounds = try bounds.map { try MixtureBound.parseList($0) } ?? []
            req.available = try available.map { try SourceAvailability.parseList($0) } ?? []
            req.maxEpochs = maxEpochs
            req.params = try parseCount(params, "--params"); req.tokens = try parseCount(tokens, "--tokens")
            req.candidates = candidates; req.seed = seed; req.allowExtrapolation = allowExtrapolation
            return req
        } catch let e as PlannerError { throw UserError(e.description) }
    }

    func run() throws {
        guard ["table", "json", "yaml", "megatron"].contains(json ? "json" : format) else {
            throw UserError("--format must be table, json, yaml or megatron")
        }
        try Checks.within(candidates, 1...Limits.maxCandidates, option: "--candidates")
        // As the server's max_epochs: a repetition limit of zero, below or NaN limits nothing sensible.
        guard maxEpochs.isFinite, maxEpochs > 0 else { throw UserError("--max-epochs must be a positive number (got \(maxEpochs))") }
        if let plot { try Checks.writableFile(plot, option: "--plot") }
        if let h = localBandwidth {
            guard lawOptions.fits == nil else { throw UserError("--local-bandwidth refits a law from the store's runs; fit files (--fits) cannot be refitted") }
            if let why = LocalFit.refusal(bandwidth: h, name: "--local-bandwidth") { throw UserError(why) }
        }
        var req = try request()
        let laws = try lawOptions.load(global)
        req.baselineName = baseline ?? RecommendationRequest.defaultBaseline(for: laws.catalogue)
        req.baseline = try parseMixture(req.baselineName, catalogue: laws.catalogue, option: "--baseline")
        // The runs the transfer check reads; laws read from fit files may have none stored.
        let runs = (try? global.openStore().runs(RunFilter(source: lawOptions.source))) ?? []
        let recipe: Recipe
        do { recipe = try lawsNearRecipe(laws, request: req).recommend(req, checkingTransferIn: runs) } catch let e as PlannerError { throw UserError(e.description) }
        for w in recipe.warnings { note("warning: \(w)") }
        // The recipe is printed either way; a store that cannot take it is worth a line, not a failure.
        do { try global.openStore().saveRecommendation(recipe, label: recipe.source, objective: objective, request: req.summary) } catch {
            note("the recommendation was not stored: \(error)")
        }
        if let plot { try paretoSVG(recipe).write(toFile: plot, atomically: true, encoding: .utf8); note("wrote the Pareto front to \(plot)") }
        switch json ? "json" : format {
        case "json": print(try recipe.json(), terminator: "")
        case "yaml": print(recipe.yaml(), terminator: "")
        case "megatron":
            do { print(try recipe.megatron(), terminator: "") } catch let e as PlannerError { throw UserError(e.description) }
        case "table": printRecipe(recipe)
        default: throw UserError("--format must be table, json, yaml or megatron")
        }
    }

    /// `laws`, or with `--local-bandwidth` the objective's law of the shares refitted near the
    /// recipe they give (`LawSet.refittedNearRecipe`, which stores the refit).
    func lawsNearRecipe(_ laws: LawSet, request req: RecommendationRequest) throws -> LawSet {
        guard let h = localBandwidth else { return laws }
        let store = try global.openStore()
        let fits = try SourceFits.forPlanning(label: lawOptions.source, in: store).filter { req.objective.categories.contains($0.category) }
        do {
            let refit = try laws.refittedNearRecipe(of: fits, request: req, bandwidth: h, store: store)
            if refit.refitted.isEmpty { note("note: no law of \(req.objective.text) is a quadratic in the shares; recommending from the laws as fitted") }
            for n in LawSet.localNotes(refit.refitted) { note("note: refitted: \(n)") }
            return refit.laws
        } catch let e as LawError { throw UserError(e.description) }
    }

    func printRecipe(_ r: Recipe) {
        print("recipe to \(r.goal) for \(r.source) at \(Quantity.format(r.params)) parameters, \(Quantity.format(r.tokens)) tokens")
        if let w = r.weights {
            var t = TextTable(["source", "weight"])
            for s in r.orderedSources { t.add([s, fmt((w[s] ?? 0) * 100, 1) + "%"]) }
            print(t.render())
        } else {
            print("(the laws know mixtures only by their shares, so the recipe is a pair of shares)")
        }
        if let rs = r.reasoningShare, let vs = r.visualShare {
            print(String(format: "reasoning share %.1f%% · visual share %.1f%%", rs * 100, vs * 100))
        }
        print(scoresTable(r.scores))
        // The refits keep the law's family: the share says how sure the data make this law, not
        // whether another form of law would agree.
        let prob = r.baseline.probabilityBetter.map { String(format: "%.0f%% of the law's bootstrap refits", $0 * 100) } ?? "unknown (no bootstrap)"
        print(String(format: "against %@: %@ %.3f → %.3f (margin %+.3f); probability it beats %@: %@", r.baseline.name, r.objective,
                     r.baseline.objective, r.objectiveValue, r.baseline.margin, r.baseline.name, prob))
        print("binding: " + (r.binding.isEmpty ? "none" : r.binding.joined(separator: ", ")))
        if let near = r.nearestMeasured { print(near.summary) }
        if let check = r.transferCheck { print(check.summary) }
        if let lang = r.languageCategory, !r.pareto.isEmpty {
            // A terminal table of a dense front is a wall of near-equal rows: show at most a
            // dozen, evenly spaced and always with both ends (--json and --plot have them all).
            let shown = evenlySpaced(r.pareto.count, atMost: 12)
            let of = shown.count < r.pareto.count ? ", \(shown.count) of its \(r.pareto.count) points; --json or --plot for all" : ""
            print("\nvision–language Pareto front (\(r.objective) vs \(lang)\(of)):")
            var p = TextTable(["reasoning", "visual", r.objective, lang])
            for q in shown.map({ r.pareto[$0] }) {
                p.add([percentCell(q.reasoningShare), percentCell(q.visualShare), fmt(q.objective, 3), fmt(q.language, 3)])
            }
            print(p.render())
        }
        print("(\(r.candidatesSampled) mixtures sampled; \(r.candidatesEvaluated) inside the fitted range; \(r.candidatesFeasible) met every constraint)")
    }
}

/// At most `k` indices of 0..<n, evenly spaced, the first and the last always among them.
func evenlySpaced(_ n: Int, atMost k: Int) -> [Int] {
    guard n > k, k >= 2 else { return Array(0..<n) }
    return (0..<k).map { ($0 * (n - 1) + (k - 1) / 2) / (k - 1) }
}

/// Predicted scores with their intervals, one row per category.
func scoresTable(_ scores: [String: Prediction]) -> String {
    var t = TextTable(["category", "predicted", "90% interval", "chance", "family", "note"])
    for (c, p) in scores.sorted(by: { $0.key < $1.key }) {
        t.add([c, fmt(p.value), "\(fmt(p.low)) – \(fmt(p.high))", p.chance.map { fmt($0, 1) } ?? "", p.family, p.extrapolated ? "extrapolated" : ""])
    }
    return t.render()
}

func paretoSVG(_ r: Recipe) -> String {
    paretoChart(r, title: "Vision–language Pareto front (\(r.source))").svg()
}
