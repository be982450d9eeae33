import Fits
import Foundation
import Laws
import Planner
import Store
import VisionMixCore

/// What follows a finished sweep: every category fitted, mixture laws for the recommendation,
/// a recipe, and the report. The CLI prints it; the server's sweeps run it through the CLI.
public enum AfterSweep {
    /// The recommendation a sweep makes and its report shows: vision (`vqa_avg`) against the
    /// language-favourable baseline, on a search small enough to stay quick.
    public static func recommendationRequest() -> RecommendationRequest {
        var req = RecommendationRequest(objective: try! Objective.parse("vqa_avg"), baseline: Mixture.preset("language_favorable")!,
                                        baselineName: "language_favorable")
        req.candidates = 4000
        return req
    }

    public struct Outcome: Sendable {
        /// Every category's fit, by held-out selection over all families.
        public var fits: SourceFitOutcome
        /// The mixture laws of the objective and the language score, at the largest size with
        /// enough mixtures (`LawFamilySelection.autoMixture`).
        public var mixtureFits: SourceFitOutcome
        public var recipe: Recipe?
        /// Why there is no recipe, when there is none and the laws allowed one.
        public var noRecipe: String?
        /// The chance level of the objective's law.
        public var chance: Double?
        /// The report's headline: the clearest lift of a vision score over the untrained model.
        public var headline: PretrainingLift?
        /// The report's Markdown file (report.html beside it).
        public var reportPath: String
    }

    /// Fits, recommends (storing the recipe) and writes the report into `reportDir`.
    /// `stage` hears of each step before it starts. With `localBandwidth` (an adaptive sweep's),
    /// the objective's law of the shares is refitted near its recipe before recommending, as
    /// each round was (`LawSet.refittedNearRecipe`).
    public static func run(store: ResultStore, label: String, reportDir: String, localBandwidth: Double? = nil,
                           stage: (String) -> Void = { _ in }) throws -> Outcome {
        stage("fitting every category of '\(label)'")
        let fits = try SourceFits.fit(store: store, label: label)
        let req = recommendationRequest()
        let objective = req.objective.text
        // A sweep of one mixture (the quick preset) has no mixture law to fit or recipe to make.
        let mixtures = Set(try store.runs(RunFilter(source: label)).compactMap { $0.mixture?.canonicalKey }).count
        let mixtureFits = mixtures >= 3
            ? try SourceFits.fit(store: store, label: label, categories: [objective, "text_acc"], family: .autoMixture) : SourceFitOutcome()
        var outcome = Outcome(fits: fits, mixtureFits: mixtureFits, reportPath: "")
        if mixtures < 3 { outcome.noRecipe = "the sweep ran \(mixtures) mixture(s); a recipe needs mixture laws, fitted to 3 or more" }
        if mixtureFits.fits.contains(where: { $0.category == objective }) {
            stage("recommending a recipe for \(objective)")
            do {
                let laws = try LawSet.load(store: store, source: label).0
                    .refittedNearRecipe(of: mixtureFits.fits.filter { $0.category == objective }, request: req,
                                        bandwidth: localBandwidth, store: store).laws
                let recipe = try laws.recommend(req, checkingTransferIn: try store.runs(RunFilter(source: label)))
                try store.saveRecommendation(recipe, label: label, objective: objective, request: req.summary)
                outcome.recipe = recipe
                outcome.chance = laws.laws[objective]?.chance
            } catch {
                outcome.noRecipe = "\(error)"
            }
        }
        stage("writing the report")
        let report = ReportWriter(store: store, label: label)
        outcome.reportPath = try report.write(to: reportDir)
        outcome.headline = try report.headline()
        return outcome
    }
}
