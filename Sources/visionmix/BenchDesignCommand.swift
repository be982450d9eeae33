import ArgumentParser
import Charts
import CNumerics
import Foundation
import Laws
import Planner
import VisionMixCore

/// Hidden helper for bench/design/run.sh: on planted problems (PlantedProblem), the regret of
/// the recipe fitted after T runs placed by the adaptive design (`designRuns`, each strategy),
/// by RegMix's Dirichlet sampling and by a simplex-lattice grid, at equal numbers of runs.
struct BenchDesignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-design", abstract: "Compare run designs on planted problems (for bench/design).",
                                                    shouldDisplay: false)
    @Option(help: "Planted problems.") var problems = 50
    @Option(help: "Runs each design ends with.") var maxRuns = 50
    @Option(help: "Runs before the first fit (default: the fewest the fitted family takes, 8 for shares, 9 for weights).") var initial: Int?
    @Option(help: "Runs the adaptive design adds a round, and the step between the fits of the fixed designs.") var perRound = 2
    @Option(help: "The adaptive design's first runs: maximin (spread over flat Dirichlet draws), grid (the lattice's, noise and all), dirichlet (the Dirichlet design's) or central (maximin among the --central-share of the draws nearest the uniform mixture).")
    var start = PlantedStart.maximin
    @Option(help: "The share of the 2,000 draws nearest the uniform mixture that --start central spreads its runs over (1: maximin).")
    var centralShare = 0.1
    @Option(help: "Bootstrap replicates of the adaptive design's fits.") var bootstrap = 64
    @Option(help: "Calibration whose seed SD sets the noise.") var calibration = "data/calibration/standard.csv"
    @Option(help: "How the planted law reads mixtures: shares (quadratic), saturating-shares or weights.") var space = PlantedSpace.shares
    @Option(help: "How many seed SDs the planted optimum beats the uniform mixture by, LO-HI.") var gap = "2-6"
    @Option(help: "Runs of each adaptive round drawn from a flat Dirichlet instead of designed.") var explore = 0
    @Option(name: .customLong("local-bandwidth"), help: "The bandwidth the adaptive designs refit a law of the shares near its recipe with, as `sweep run --adaptive --local-bandwidth` (0: every run alike).")
    var localBandwidthOption = LocalFit.standardBandwidth
    @Flag(help: "Refit the Dirichlet and grid designs' laws near their recipe too.") var localFixed = false
    @Option var seed = 1
    @Option(help: "Write an SVG of each design's median regret by runs, with its quartiles as a band and the one-seed-SD line.")
    var plot: String?

    func run() throws {
        try Checks.within(problems, 1...1000, option: "--problems")
        let initial = initial ?? space.minimumRuns
        try Checks.within(initial, space.minimumRuns...Limits.maxDesignRuns, option: "--initial")
        try Checks.within(maxRuns, initial...Limits.maxDesignRuns, option: "--max-runs")
        try Checks.within(perRound, 1...Limits.maxDesignRuns, option: "--per-round")
        try Checks.within(bootstrap, 2...1000, option: "--bootstrap")
        guard centralShare > 0, centralShare <= 1 else { throw UserError("--central-share \(centralShare) is not a share of the draws in (0, 1]") }
        let ends = gap.split(separator: "-").compactMap { Double($0) }
        guard ends.count == 2, ends[0] > 0, ends[1] >= ends[0] else { throw UserError("--gap '\(gap)' is not LO-HI in seed SDs, like 2-6") }
        if let plot { try Checks.writableFile(plot, option: "--plot") }
        guard localBandwidthOption == 0 || LocalFit.takes(bandwidth: localBandwidthOption) else {
            throw UserError("--local-bandwidth \(localBandwidthOption) is not 0 or a distance in (0, \(LocalFit.widest)]")
        }
        let noise = try calibrationSeedSD(csv: calibration, category: PlantedFit.category)
        let schedule = Array(stride(from: initial, through: maxRuns, by: perRound))
        let adaptiveMethods: [(name: String, strategy: DesignStrategy)] = [("adaptive", .regret), ("space_filling", .spaceFilling)]
        var results: [String: [[Double]]] = ["dirichlet": [], "grid": []]
        var seconds: [String: Double] = ["dirichlet": 0, "grid": 0]
        for m in adaptiveMethods { results[m.name] = []; seconds[m.name] = 0 }
        let lattice = PlantedDesigns.lattice()
        let rng = gsl_rng_alloc(gsl_rng_mt19937)!
        defer { gsl_rng_free(rng) }
        for p in 0..<problems {
            gsl_rng_set(rng, UInt(seed * 100_003 + p))
            let problem = PlantedProblem(rng: rng, sd: noise.sd, space: space, gap: ends[0]...ends[1])
            let sampled = PlantedDesigns.dirichlet(rng, count: maxRuns)
            let errors = (0..<(4 * maxRuns)).map { _ in gsl_ran_ugaussian(rng) * noise.sd }
            let measured = sampled.enumerated().map { i, m in (m: m, y: problem.truth(m) + errors[i]) }
            var t = Date()
            results["dirichlet"]!.append(fixedDesign(measured, problem, schedule, sd: noise.sd))
            seconds["dirichlet"]! += Date().timeIntervalSince(t)
            t = Date()
            let grid = (0..<maxRuns).map { i in lattice[i % lattice.count] }.enumerated().map { i, m in (m: m, y: problem.truth(m) + errors[maxRuns + i]) }
            results["grid"]!.append(fixedDesign(grid, problem, schedule, sd: noise.sd))
            seconds["grid"]! += Date().timeIntervalSince(t)
            let first: [(m: Mixture, y: Double)]
            switch start {
            case .grid: first = Array(grid.prefix(initial))
            case .dirichlet: first = Array(measured.prefix(initial))
            case .maximin, .central:
                let design = start == .central ? PlantedDesigns.central(rng, count: initial, share: centralShare) : PlantedDesigns.maximin(rng, count: initial)
                first = design.enumerated().map { i, m in (m: m, y: problem.truth(m) + errors[3 * maxRuns + i]) }
            }
            let random = PlantedDesigns.dirichlet(rng, count: maxRuns)
            for m in adaptiveMethods {
                t = Date()
                results[m.name]!.append(adaptive(first, problem, schedule, sd: noise.sd, errors: Array(errors[(2 * maxRuns)..<(3 * maxRuns)]),
                                                 seed: UInt64(p + 1), random: random, strategy: m.strategy))
                seconds[m.name]! += Date().timeIntervalSince(t)
            }
            let reached = ["adaptive", "space_filling", "dirichlet", "grid"].map { k in
                "\(k) " + (runsToOneSD(results[k]!.last!, schedule).map(String.init) ?? ">\(maxRuns)")
            }
            note("problem \(p + 1)/\(problems): runs to regret < 1 SD — " + reached.joined(separator: ", "))
        }
        var report = BenchDesignReport(noise: noise, calibration: calibration, schedule: schedule, results: results, seconds: seconds,
                                       bootstrap: bootstrap, perRound: perRound, space: space.rawValue, gap: gap, start: start.rawValue)
        report.localBandwidth = localBandwidth
        report.localFixed = localFixed
        if let plot { try report.chart().svg().write(toFile: plot, atomically: true, encoding: .utf8) }
        try printJSON(report)
    }

    var localBandwidth: Double? { localBandwidthOption == 0 ? nil : localBandwidthOption }

    /// The regret, in seed SDs, of the recipe fitted to the first T runs, for every T of the schedule.
    func fixedDesign(_ runs: [(m: Mixture, y: Double)], _ problem: PlantedProblem, _ schedule: [Int], sd: Double) -> [Double] {
        let fitter = PlantedFit(space: space, bootstrap: 0)
        return schedule.map { t in problem.regret(fitter.recipe(fitter.lawsNearRecipe(Array(runs.prefix(t)), bandwidth: localFixed ? localBandwidth : nil))) / sd }
    }

    /// Fit, recommend, design the next round's runs from the bootstrap ensemble, measure them; repeat.
    func adaptive(_ start: [(m: Mixture, y: Double)], _ problem: PlantedProblem, _ schedule: [Int], sd: Double,
                  errors: [Double], seed: UInt64, random: [Mixture], strategy: DesignStrategy) -> [Double] {
        let fitter = PlantedFit(space: space, bootstrap: bootstrap)
        var runs = start, regrets: [Double] = []
        for t in schedule {
            let laws = fitter.lawsNearRecipe(runs, bandwidth: localBandwidth)
            guard t < schedule.last!, let laws, let rec = try? fitter.request() else {
                regrets.append(problem.regret(fitter.recipe(laws)) / sd)
                continue
            }
            let drawn = Array(random[(runs.count - start.count)...].prefix(min(explore, perRound)))
            var req = DesignRequest(recommendation: rec, runs: perRound - drawn.count, noise: sd)
            req.recommendation.seed = seed &+ UInt64(t)
            req.candidates = 1000
            req.strategy = strategy
            let design = req.runs > 0 ? try? laws.designRuns(req) : nil
            // The design recommends as `recipe` does, with the same request: its recipe is that one.
            regrets.append(problem.regret(design.map { PlantedFit.mixture($0.recipe) } ?? fitter.recipe(laws)) / sd)
            // A law that cannot be designed with adds the uniform mixture, which every recipe falls back on.
            let chosen = (design?.runs.map { PlantedFit.mixture($0.mixture) } ?? [Mixture](repeating: PlantedFit.uniform, count: req.runs)) + drawn
            if ProcessInfo.processInfo.environment["VISIONMIX_BENCH_TRACE"] != nil {
                let f = { (m: Mixture) in m.vector.map { String(format: "%.2f", $0) }.joined(separator: " ") + " | " + m.sharesDescription }
                note("T=\(t) optimum [\(f(problem.optimum))] recipe [\(design.map { f(PlantedFit.mixture($0.recipe)) } ?? "")] regret \(String(format: "%.2f", regrets.last!))")
                for m in chosen { note("   run [\(f(m))] truth \(String(format: "%.2f", problem.truth(m))) (optimum \(String(format: "%.2f", problem.truth(problem.optimum))))") }
            }
            for m in chosen {
                runs.append((m, problem.truth(m) + errors[runs.count - start.count]))
            }
        }
        return regrets
    }
}

/// The first number of runs at which the regret falls under one seed SD.
func runsToOneSD(_ regrets: [Double], _ schedule: [Int]) -> Int? {
    zip(regrets, schedule).first { $0.0 < 1 }?.1
}

/// The number of runs from which the regret stays under one seed SD at every later fit.
func runsToStayUnderOneSD(_ regrets: [Double], _ schedule: [Int]) -> Int? {
    guard let last = regrets.lastIndex(where: { !($0 < 1) }) else { return schedule.first }
    return last + 1 < schedule.count ? schedule[last + 1] : nil
}

/// What bench/design prints: per design, the regret's quartiles at each run count and the runs
/// needed to reach a regret under one seed SD (nil: not within the schedule).
struct BenchDesignReport: Encodable {
    struct Method: Encodable {
        var regretMedian: [Double], regretQ25: [Double], regretQ75: [Double]
        var runsToOneSD: [Int?]
        var runsMedian: Int?, runsQ25: Int?, runsQ75: Int?
        var reached: Int
        /// Runs from which the regret stays under one seed SD (`runsToStayUnderOneSD`).
        var stayMedian: Int?, stayQ25: Int?, stayQ75: Int?
        var stayed: Int
        var seconds: Double
        /// Problems where this design needs more runs than the grid to reach one seed SD; the
        /// same counting the runs from which the regret stays under one SD; problems where its
        /// final regret exceeds the grid's by more than a tenth of a seed SD.
        var laterThanGrid = 0, laterThanGridToStay = 0, worseThanGridAtEnd = 0
        enum CodingKeys: String, CodingKey {
            case regretMedian = "regret_median", regretQ25 = "regret_q25", regretQ75 = "regret_q75", runsToOneSD = "runs_to_1sd"
            case runsMedian = "runs_median", runsQ25 = "runs_q25", runsQ75 = "runs_q75", reached, seconds
            case stayMedian = "stay_median", stayQ25 = "stay_q25", stayQ75 = "stay_q75", stayed
            case laterThanGrid = "later_than_grid", laterThanGridToStay = "later_than_grid_to_stay", worseThanGridAtEnd = "worse_than_grid_at_end"
        }
    }
    var seedSD: Double, seedSDGroups: Int, calibration: String, category: String
    var problems: Int, schedule: [Int], bootstrap: Int, perRound: Int, space: String, gap: String, start: String
    /// The planted law in words (`PlantedSpace.law`).
    var law: String
    /// The bandwidth the adaptive designs refit a law of the shares near the recipe with (nil: none); whether the fixed designs did too.
    var localBandwidth: Double?
    var localFixed = false
    var methods: [String: Method]
    enum CodingKeys: String, CodingKey {
        case seedSD = "seed_sd", seedSDGroups = "seed_sd_groups", calibration, category, problems, schedule, bootstrap, methods, space, law, gap, start
        case perRound = "per_round", localBandwidth = "local_bandwidth", localFixed = "local_fixed"
    }

    init(noise: (sd: Double, groups: Int, params: Double), calibration: String, schedule: [Int], results: [String: [[Double]]],
         seconds: [String: Double], bootstrap: Int, perRound: Int, space: String, gap: String, start: String) {
        seedSD = noise.sd; seedSDGroups = noise.groups; self.calibration = calibration; category = PlantedFit.category
        self.schedule = schedule; self.bootstrap = bootstrap; self.perRound = perRound; self.space = space; self.gap = gap; self.start = start
        law = PlantedSpace(rawValue: space)?.law ?? space
        problems = results["adaptive"]!.count
        func quantile(_ xs: [Double], _ q: Double) -> Double {
            let s = xs.sorted(); let h = q * Double(s.count - 1); let i = Int(h)
            return i + 1 < s.count ? s[i] + (h - Double(i)) * (s[i + 1] - s[i]) : s[i]
        }
        // Censored counts sort after every reached one; a quartile among them is nil (beyond the schedule).
        func runsQuantile(_ xs: [Int?], _ q: Double) -> Int? { xs.map { $0 ?? Int.max }.sorted()[Int((q * Double(xs.count - 1)).rounded())].nilIfMax }
        methods = results.mapValues { rs in
            let byT = schedule.indices.map { t in rs.map { $0[t] } }
            let runs = rs.map { runsToOneSD($0, schedule) }, stay = rs.map { runsToStayUnderOneSD($0, schedule) }
            return Method(regretMedian: byT.map { quantile($0, 0.5) }, regretQ25: byT.map { quantile($0, 0.25) }, regretQ75: byT.map { quantile($0, 0.75) },
                          runsToOneSD: runs, runsMedian: runsQuantile(runs, 0.5), runsQ25: runsQuantile(runs, 0.25), runsQ75: runsQuantile(runs, 0.75),
                          reached: runs.compactMap { $0 }.count, stayMedian: runsQuantile(stay, 0.5), stayQ25: runsQuantile(stay, 0.25),
                          stayQ75: runsQuantile(stay, 0.75), stayed: stay.compactMap { $0 }.count, seconds: 0)
        }
        for (k, s) in seconds { methods[k]?.seconds = s }
        let g = results["grid"]!
        for (k, a) in results {
            methods[k]!.laterThanGrid = zip(a, g).filter { (runsToOneSD($0.0, schedule) ?? Int.max) > (runsToOneSD($0.1, schedule) ?? Int.max) }.count
            methods[k]!.worseThanGridAtEnd = zip(a, g).filter { $0.0.last! > $0.1.last! + 0.1 }.count
            methods[k]!.laterThanGridToStay = zip(a, g).filter {
                (runsToStayUnderOneSD($0.0, schedule) ?? Int.max) > (runsToStayUnderOneSD($0.1, schedule) ?? Int.max)
            }.count
        }
    }
}

extension BenchDesignReport {
    static let plotFloor = 0.01

    /// Median regret by runs for each design, its quartiles as a band, and the one-SD line.
    func chart() -> LineChart {
        let order = ["space_filling", "adaptive", "dirichlet", "grid"]
        let names = ["space_filling": "space-filling", "adaptive": "regret strategy", "dirichlet": "Dirichlet", "grid": "lattice grid"]
        let series = order.compactMap { k -> Series? in
            guard let m = methods[k] else { return nil }
            // A log axis draws 0.01 to 80 SD; a regret under a hundredth of a seed SD is drawn at the floor.
            let x = schedule.map(Double.init), floor = { (v: Double) in max(v, Self.plotFloor) }
            var s = Series(name: names[k] ?? k, points: Array(zip(x, m.regretMedian)).map { ($0.0, floor($0.1)) })
            s.band = x.indices.map { (x[$0], floor(m.regretQ25[$0]), floor(m.regretQ75[$0])) }
            return s
        }
        var chart = LineChart(title: "Recipe regret, \(law), optimum \(gap) SD",
                              xLabel: "runs", yLabel: "regret (seed SDs)", series: series)
        chart.logY = true
        chart.references = [ReferenceLine(y: 1, label: "one seed SD (\(String(format: "%.2f", seedSD)) points)")]
        chart.notes = ["line: median over \(problems) planted", "problems; band: quartiles;", "the first two are adaptive;",
                       "under \(Self.plotFloor) SD drawn at \(Self.plotFloor)"]
        return chart
    }
}

extension Int {
    var nilIfMax: Int? { self == Int.max ? nil : self }
}
