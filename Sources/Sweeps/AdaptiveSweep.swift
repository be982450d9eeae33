import Fits
import Foundation
import Laws
import Planner
import Store
import VisionMixCore

/// `sweep run --adaptive`: the spec's runs first, then rounds of runs designed from the
/// uncertainty of the recommendation (`LawSet.designRuns`): run, fit, design, repeat.
///
/// Each round is a row of `design_rounds` holding the spec of its runs, written in one
/// transaction before any of them starts, and each round's spec is a sweep of its own
/// (`NAME-round-R`), whose runs the runner stores one unit at a time. So a sweep killed inside a
/// round resumes that round's stored spec (its seeds and mixtures as designed, never designed
/// again), and one killed between rounds designs the next round from the same stored runs,
/// which gives the same design.
public struct AdaptiveSweep {
    public var spec: SweepSpec
    public var rounds: Int
    public var runsPerRound: Int
    /// How each round places its runs. A round already stored keeps the runs it was designed with.
    public var strategy = DesignStrategy.standard
    /// The bandwidth each round refits the objective's laws of the shares near their recipe
    /// with before designing (`LocalFit.refitsNearRecipe`); nil fits every run alike.
    public var localBandwidth: Double? = LocalFit.standardBandwidth
    public var request: RecommendationRequest
    public var store: ResultStore
    public var jobs: Int
    public var threads: Int
    public var executable: URL
    public var databasePath: String

    public init(spec: SweepSpec, rounds: Int, runsPerRound: Int, store: ResultStore, jobs: Int, threads: Int, executable: URL, databasePath: String) {
        self.spec = spec; self.rounds = rounds; self.runsPerRound = runsPerRound; self.store = store
        self.jobs = jobs; self.threads = threads; self.executable = executable; self.databasePath = databasePath
        request = AfterSweep.recommendationRequest()
    }

    /// Runs the spec, then each round; after the last, one more fit assesses the recipe (a row
    /// without a spec). `roundStored` hears of every round as it is designed or found stored.
    public func run(_ events: LocalSweep.Events, roundStored: (DesignRoundRecord) -> Void) throws {
        try LocalSweep(spec: spec, store: store, jobs: jobs, threads: threads, executable: executable, databasePath: databasePath).run(events)
        for r in 1...(rounds + 1) {
            let record = try store.designRounds(sweepName: spec.name).first { $0.round == r }
                ?? store.saveDesignRound(try design(round: r, assessOnly: r > rounds))
            roundStored(record)
            guard let text = record.spec else { break }
            let roundSpec = try JSONDecoder().decode(SweepSpec.self, from: Data(text.utf8))
            try LocalSweep(spec: roundSpec, store: store, jobs: jobs, threads: threads, executable: executable, databasePath: databasePath).run(events)
        }
    }

    /// Fits the objective's mixture law to every stored run of the label and designs round `r`.
    func design(round r: Int, assessOnly: Bool) throws -> DesignRoundRecord {
        let outcome = try SourceFits.fit(store: store, label: spec.label, categories: request.objective.categories, family: .autoMixture)
        if let failed = outcome.failures.first {
            throw SweepError.bad("round \(r) cannot be designed: the mixture law of \(failed.category) could not be fitted to the stored runs: \(failed.reason)")
        }
        let laws = try refitNearRecipe(try LawSet.load(store: store, source: spec.label).0, fits: outcome.fits, round: r)
        guard let noise = DesignRequest.residualSD(request.objective, fits: outcome.fits) else {
            throw SweepError.bad("the fits of \(request.objective.text) give no residual SD to design round \(r) with")
        }
        var req = DesignRequest(recommendation: request, runs: runsPerRound, noise: noise)
        req.strategy = strategy
        let plan = try laws.searchPlan(for: request)
        req.targetSize = DesignScale.name(params: plan.params)
        req.scales = [DesignScale(size: req.targetSize!, params: plan.params, tokens: plan.tokens)]
        let design = try laws.designRuns(req)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        var specText: String?
        if !assessOnly {
            let seeded = try design.seeded(stored: try store.runs(RunFilter(source: spec.label)))
            let roundSpec = try design.sweepSpec(seeded, name: "\(spec.name)-round-\(r)", label: spec.label, encoder: spec.encoder,
                                                 profile: spec.profile)
            specText = String(decoding: try e.encode(roundSpec), as: UTF8.self)
        }
        return DesignRoundRecord(sweepName: spec.name, round: r, label: spec.label, spec: specText,
                                 design: String(decoding: try e.encode(design), as: UTF8.self),
                                 probabilityBeatsBaseline: design.probabilityBeatsBaseline,
                                 probabilityNotBest: design.probabilityNotBest, expectedRegret: design.expectedRegret)
    }

    /// The laws to design with: with `localBandwidth`, the objective's laws of the shares
    /// refitted near their recipe (`LawSet.refittedNearRecipe`).
    func refitNearRecipe(_ laws: LawSet, fits: [FitResult], round r: Int) throws -> LawSet {
        do {
            return try laws.refittedNearRecipe(of: fits, request: request, bandwidth: localBandwidth, store: store).laws
        } catch let e as LawError {
            throw SweepError.bad("round \(r) cannot be designed: \(e.description)")
        }
    }
}

extension DesignRoundRecord {
    /// One line for `sweep status` and the sweep's output.
    public var summary: String {
        let beats = probabilityBeatsBaseline.map { String(format: "P(recipe beats the baseline) %.0f%%", $0 * 100) } ?? "P(recipe beats the baseline) unknown"
        let what = spec == nil ? "after the last round" : "round \(round) designed"
        return String(format: "%@: %@; P(not best by a seed SD) %.0f%%; expected regret %.2f points", what, beats, probabilityNotBest * 100, expectedRegret)
    }
}

/// A round as `sweep status --json` shows it.
public struct AdaptiveRound: Codable, Sendable {
    public var round: Int
    /// False for the assessment after the last round, which designs no runs.
    public var designed: Bool
    public var runs: Int
    /// How the round's runs were placed (`DesignStrategy`).
    public var strategy: DesignStrategy
    public var probabilityBeatsBaseline: Double?
    public var probabilityNotBest: Double
    public var expectedRegret: Double
    enum CodingKeys: String, CodingKey {
        case round, designed, runs, strategy, probabilityBeatsBaseline = "probability_beats_baseline"
        case probabilityNotBest = "probability_not_best", expectedRegret = "expected_regret"
    }

    public init(_ r: DesignRoundRecord) {
        round = r.round; designed = r.spec != nil
        let design = try? JSONDecoder().decode(RunDesign.self, from: Data(r.design.utf8))
        runs = r.spec == nil ? 0 : (design?.runs.count ?? 0)
        strategy = design?.strategy ?? .regret
        probabilityBeatsBaseline = r.probabilityBeatsBaseline; probabilityNotBest = r.probabilityNotBest; expectedRegret = r.expectedRegret
    }
}

extension ReportWriter {
    /// The rounds of the label's adaptive sweeps: what each round was designed from, and whether
    /// the recipe's uncertainty fell from round to round (the assessment row is after the last).
    func adaptiveRounds() throws -> Section? {
        let rounds = try store.designRounds(label: label)
        guard !rounds.isEmpty else { return nil }
        var text = ["Each round's runs were designed (`design next`) from the laws fitted to every run stored before it "
                    + "(a quadratic law of the shares refitted near its recipe, unless the sweep ran with --local-bandwidth 0); "
                    + "the numbers are those laws' view of the recipe: the share of bootstrap refits in which it beats the baseline, "
                    + "the share whose own optimum beats it by more than one seed SD, and the mean of that gap (expected regret, points)."]
        for (name, group) in Dictionary(grouping: rounds, by: \.sweepName).sorted(by: { $0.key < $1.key }) where group.count >= 2 {
            let first = group.first!.expectedRegret, last = group.last!.expectedRegret
            text.append(String(format: "%@: the expected regret went from %.2f to %.2f points over %d rounds%@", name, first, last, group.count - 1,
                               last < first ? "." : "; it did not fall."))
        }
        let rows = rounds.map { r -> [String] in
            let a = AdaptiveRound(r)
            return [r.sweepName, a.designed ? "\(r.round)" : "after \(r.round - 1)", "\(a.runs)", a.designed ? a.strategy.rawValue : "—",
                    r.probabilityBeatsBaseline.map { String(format: "%.0f%%", $0 * 100) } ?? "—",
                    String(format: "%.0f%%", r.probabilityNotBest * 100), String(format: "%.2f", r.expectedRegret)]
        }
        return Section(title: "Adaptive rounds", text: text,
                       table: (["sweep", "round", "runs designed", "placed by", "P(beats baseline)", "P(not best)", "expected regret"], rows))
    }
}
