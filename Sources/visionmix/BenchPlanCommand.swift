import ArgumentParser
import Foundation
import Laws
import Planner
import Store
import VisionMixCore

/// Hidden helper for bench/planner/run.sh: times `predict` and `recommend` in-process on laws
/// over all six source weights (the data-mixing exponential fitted to the paper's mixtures).
struct BenchPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-plan", abstract: "Time predict and recommend (for bench/planner).",
                                                    shouldDisplay: false)
    @Option var csv = "data/reference/paper-mixtures.csv"
    @Option var predictions = 2000
    @Option var candidates = 10_000
    @Option var repeats = 3

    func run() throws {
        try Checks.within(predictions, 1...Limits.maxBenchmarkPredictions, option: "--predictions")
        try Checks.within(candidates, 1...Limits.maxCandidates, option: "--candidates")
        try Checks.within(repeats, 1...Limits.maxBenchmarkRepeats, option: "--repeats")
        let runs = try ResultFile.read(path: csv).runs
        var options = FitOptions()
        options.bootstrap = 200
        let fits = try ["vqa_avg", "text_acc"].map { c in
            let points = runs.compactMap { r in r.scores[c].map { LawPoint(params: r.params, tokens: r.tokens, mixture: r.mixture, score: $0) } }
            return try fitPoints(points, category: c, family: .family(.mixingExponential), options: options).law
        }
        let laws = LawSet(fits: fits, source: "bench")
        let mix = Mixture.preset("balanced")!
        let t0 = Date()
        for _ in 0..<predictions { _ = try laws.predictAll(params: Double?.none, tokens: Double?.none, mixture: mix) }
        let predictSeconds = Date().timeIntervalSince(t0) / Double(predictions)
        var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: mix, baselineName: "balanced")
        req.constraints = [try ScoreConstraint.parse("text_acc>=52.5")]
        req.candidates = candidates
        req.allowExtrapolation = true
        var recipe: Recipe?
        func timeRecommend() throws -> Double {
            var best = Double.infinity
            for _ in 0..<repeats {
                let t = Date()
                recipe = try laws.recommend(req)
                best = min(best, Date().timeIntervalSince(t))
            }
            return best
        }
        let best = try timeRecommend()
        // Searching only inside the fitted range adds a convex-hull test per candidate.
        req.allowExtrapolation = false
        let inRange = (try? timeRecommend()) ?? .nan
        struct Out: Encodable {
            let predict_ms: Double, recommend_s: Double, recommend_in_range_s: Double, candidates: Int, sources: Int, bootstrap_replicates: Int, recipe_weights: [String: Double]?
        }
        try printJSON(Out(predict_ms: predictSeconds * 1e3, recommend_s: best, recommend_in_range_s: inRange, candidates: candidates,
                          sources: recipe?.weights?.count ?? 0, bootstrap_replicates: fits[0].ensemble.count, recipe_weights: recipe?.weights))
    }
}
