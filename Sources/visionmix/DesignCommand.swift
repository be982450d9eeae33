import ArgumentParser
import Fits
import Foundation
import Planner
import Store
import Sweeps
import VisionMixCore

struct DesignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "design", abstract: "Design calibration runs from the uncertainty of a recommendation.",
        subcommands: [Next.self]
    )
}

extension DesignCommand {
    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The next K calibration runs for a recommendation, each valued by the laws' bootstrap ensemble.",
            discussion: """
                --strategy space-filling (the default) places each run at the mixture farthest from every \
                mixture fitted and every run designed before it (for laws of the shares, among the mixtures \
                nearest the recipe). --strategy regret makes each bootstrap \
                refit's own optimum a candidate (ensemble Thompson sampling), as are the recipe and the \
                baseline, at every --sizes × --tokens scale, and chooses runs greedily by the expected drop in \
                the recipe's regret when a simulated measurement reweights the refits (docs/planner.md, \
                "design next"). --out writes a sweep spec for `sweep run --spec`, --csv a table for training \
                elsewhere.
                """
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var lawOptions: LawOptions
        @Option(help: "The objective, as recommend takes it.") var objective: String
        @Option(name: .customLong("constraint"), help: "A score floor or ceiling (repeatable).") var constraints: [String] = []
        @Option(help: "Per-source bounds in percent, e.g. code<=40.") var bounds: String?
        @Option(help: "Mixture to compare against (default as recommend).") var baseline: String?
        @Option(help: "Runs to design.") var runs: Int
        @Option(help: "How runs are placed: space-filling (maximin over the bounded simplex, or the recipe's neighbourhood for laws of the shares, at the target scale: safe when the law's form may be wrong) or regret (where a measurement most lowers the recipe's expected regret under the bootstrap ensemble).")
        var strategy = DesignStrategy.standard
        @Option(help: "Sizes runs may use, e.g. m,xl (default: the laws' size).") var sizes: String?
        @Option(help: "Token budgets runs may use, e.g. 500K,1M (default: the laws' budget).") var tokens: String?
        @Option(help: "The size the recipe is planned for (default: the laws' size).") var params: String?
        @Option(help: "One run's seed SD of the objective (default: the residual SD of the objective's fits).") var noise: Double?
        @Option(help: "Bootstrap replicates to draw optima from.") var replicates = 64
        @Option(help: "Seed of the sampler.") var seed: UInt64 = 1
        @Option(help: "Write a sweep spec for `sweep run --spec`.") var out: String?
        @Option(help: "Write the runs as CSV.") var csv: String?
        @Option(help: "Name of the written sweep spec.") var name = "design"
        @Option(help: "Adaptation profile of the spec's runs (standard, precise, frozen-lm, tiny).") var profile: String?
        @Option(help: "Vision encoder of the spec's runs.") var encoder = "object"
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            try Checks.within(runs, 1...Limits.maxDesignRuns, option: "--runs")
            try Checks.within(replicates, 2...1000, option: "--replicates")
            if let noise, !(noise.isFinite && noise > 0) { throw ValidationError("--noise must be a positive number") }
            if let profile, !SweepSpec.profiles.contains(profile) {
                throw ValidationError("--profile must be one of " + SweepSpec.profiles.joined(separator: ", "))
            }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), !name.isEmpty else {
                throw ValidationError("--name takes letters, digits, _ and -")
            }
        }

        func run() throws {
            for (path, option) in [(out, "--out"), (csv, "--csv")] { if let path { try Checks.writableFile(path, option: option) } }
            let laws = try lawOptions.load(global)
            var req = try request(laws)
            let design: RunDesign
            do {
                let plan = try laws.searchPlan(for: req.recommendation)
                req.targetSize = DesignScale.name(params: plan.params)
                req.scales = try scales(default: plan)
                design = try laws.designRuns(req)
            } catch let e as PlannerError { throw UserError(e.description) }
            let stored = (try? global.openStore().runs(RunFilter(source: lawOptions.source))) ?? []
            let seeded = try design.seeded(stored: stored)
            if let out {
                let spec = try design.sweepSpec(seeded, name: name, label: lawOptions.source, encoder: encoder, profile: profile)
                try writeJSON(spec, to: out)
                note("wrote the sweep spec of \(seeded.count) run(s) to \(out) (`visionmix sweep run --spec \(out)`)")
            }
            if let csv { try design.csv(seeded).write(toFile: csv, atomically: true, encoding: .utf8); note("wrote \(csv)") }
            for w in design.warnings ?? [] { note("warning: \(w)") }
            if json { try printJSON(design); return }
            printDesign(design, seeded)
        }

        /// The recommendation the runs are to settle, with the seed SD to judge a run by.
        func request(_ laws: LawSet) throws -> DesignRequest {
            do {
                var rec = RecommendationRequest(objective: try Objective.parse(objective), baseline: Mixture.preset("uniform")!, baselineName: "")
                rec.constraints = try constraints.map { try ScoreConstraint.parse($0) }
                rec.bounds = try bounds.map { try MixtureBound.parseList($0) } ?? []
                rec.params = try parseCount(params, "--params")
                rec.seed = seed
                rec.baselineName = baseline ?? RecommendationRequest.defaultBaseline(for: laws.catalogue)
                rec.baseline = try parseMixture(rec.baselineName, catalogue: laws.catalogue, option: "--baseline")
                var req = DesignRequest(recommendation: rec, runs: runs, noise: try noise ?? residualSD(rec.objective))
                req.replicates = replicates
                req.strategy = strategy
                return req
            } catch let e as PlannerError { throw UserError(e.description) }
        }

        /// The objective's seed SD read from its fits' residuals (`DesignRequest.residualSD`).
        func residualSD(_ objective: Objective) throws -> Double {
            let fits = try lawOptions.fits.map { try FitFiles.read(source: lawOptions.source, from: $0) }
                ?? SourceFits.forPlanning(label: lawOptions.source, in: try global.openStore())
            guard let sd = DesignRequest.residualSD(objective, fits: fits) else {
                throw UserError("the fits of \(objective.text) give no residual SD to judge a run by; give --noise")
            }
            return sd
        }

        /// Every --sizes × --tokens scale, or the recipe's own.
        func scales(default plan: SearchPlan) throws -> [DesignScale] {
            let budgets = try tokens.map { list in try list.split(separator: ",").map { t in
                guard let v = Quantity.parse(String(t)), v > 0 else { throw UserError("--tokens '\(t)' is not a count like 1M") }
                return v
            } } ?? [plan.tokens]
            let names = sizes.map { $0.split(separator: ",").map(String.init) } ?? [DesignScale.name(params: plan.params)]
            return try names.flatMap { n in try budgets.map { d in
                guard let s = DesignScale.parse(size: n, tokens: d) else {
                    throw UserError("--sizes '\(n)' is neither a model size (\(SweepSpec.knownSizes.joined(separator: ", "))) nor a parameter count like 20M")
                }
                return s
            } }
        }

        func printDesign(_ d: RunDesign, _ seeded: [SeededDesignRun]) {
            print("\(seeded.count) run(s) to settle the recipe for \(d.objective) in \(d.source) at \(Quantity.format(d.params)) parameters, \(Quantity.format(d.tokens)) tokens")
            print("recipe: \(d.recipe.place)" + (d.probabilityBeatsBaseline.map { String(format: "; beats %@ in %.0f%% of the bootstrap refits", d.baseline, $0 * 100) } ?? ""))
            print(String(format: "of %d refits, %.0f%% put their own optimum more than one seed SD (%.2f) above the recipe; expected regret %.2f points, %.2f once these runs are measured",
                         d.replicates, d.probabilityNotBest * 100, d.noise, d.expectedRegret, d.expectedRegretAfter))
            var t = TextTable(["#", "size", "tokens", "seed", "mixture", "role", "predicted", "disagreement"])
            for (i, s) in seeded.enumerated() {
                t.add(["\(i + 1)", s.run.size, Quantity.format(s.run.tokens), "\(s.seed)", s.mix, s.run.role, fmt(s.run.predicted), fmt(s.run.disagreement)])
            }
            print(t.render())
            for (i, s) in seeded.enumerated() { print("\(i + 1): \(s.run.reason)") }
        }
    }
}

extension DesignStrategy: ExpressibleByArgument {}

/// Writes any Encodable as pretty JSON with sorted keys.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try e.encode(value).write(to: URL(fileURLWithPath: path))
}
