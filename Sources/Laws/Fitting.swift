@preconcurrency import CNumerics
import Foundation

/// Why a fit was refused or failed. Every message names what to change.
public enum LawError: Error, CustomStringConvertible, Equatable {
    case noRuns(String)
    case tooFewPoints(family: String, have: Int, need: Int)
    case notFinite(what: String, run: Int64?)
    case unknownCategory(String, available: [String])
    case unidentifiable(family: String, reason: String)
    case notConverged(family: String, reason: String)
    case noApplicableFamily(String)
    /// A fit near a mixture (`LocalFit`) that cannot be made as asked.
    case notLocal(String)

    public var description: String {
        switch self {
        case let .noRuns(s): return "no runs: \(s)"
        case let .tooFewPoints(f, have, need):
            return "family \(f) needs at least \(need) points (its parameters + \(LawFamily.spareDegreesOfFreedom)); the data has \(have)"
        case let .notFinite(what, run):
            return "refused: \(what) is NaN or infinite" + (run.map { " (run \($0))" } ?? "")
        case let .unknownCategory(c, avail):
            return "unknown category '\(c)'; the runs have: " + (avail.isEmpty ? "(no scores)" : avail.joined(separator: ", "))
        case let .unidentifiable(f, why): return "family \(f) cannot be fitted to this data: \(why)"
        case let .notConverged(f, why): return "family \(f) did not converge: \(why)"
        case let .noApplicableFamily(why): return "no law family applies: \(why)"
        case let .notLocal(why): return why
        }
    }
}

/// Knobs of one fit. Defaults suit the CLI; tests lower `bootstrap` and `randomStarts`.
public struct FitOptions: Sendable {
    /// Random starts added to each family's grid of starts.
    public var randomStarts = 8
    public var maxIterations = 200
    /// GSL's relative objective-change tolerance for the multi-start search (0 = off; GSL's
    /// driver takes it but its convergence test reads only the step and the gradient).
    public var ftol = 0.0
    /// The least-squares solver (`LeastSquaresMethod`; `.gslAccelerated` is `fit --accelerated`).
    public var method = LeastSquaresMethod.levenbergMarquardt
    /// Huber loss by iteratively reweighted least squares (threshold `huberK` robust SDs).
    public var huber = false
    public var huberK = 1.345
    /// Bootstrap replicates (resampling runs with replacement); 0 turns intervals off.
    public var bootstrap = 200
    /// Two-sided interval level from the bootstrap percentiles.
    public var intervalLevel = 0.9
    public var folds = 5
    public var holdOutLargest = false
    public var axis: InputAxis?
    /// Fit only the runs at this model size (N) and budget (D), within 1%. A mixture law
    /// otherwise goes where `mixtureSite` puts it.
    public var onlyParams: Double?
    public var onlyTokens: Double?
    /// The loss law a ladder_sigmoid fit reads (`fit --through`); with it, `auto` offers the ladder.
    public var ladderLoss: FittedLaw?
    /// Fit one mixture family near a mixture (`LocalFit`); refused with `auto`.
    public var near: LocalFit?
    /// Whether a run at (N, D) is one `onlyParams` and `onlyTokens` keep.
    public func keeps(params: Double, tokens: Double) -> Bool {
        func near(_ a: Double, _ b: Double?) -> Bool { b.map { abs(a - $0) <= 0.01 * abs($0) } ?? true }
        return near(params, onlyParams) && near(tokens, onlyTokens)
    }
    public var seed: UInt = 20250926
    /// Threads for the multi-start search and the bootstrap (the machine has 2 cores).
    public var threads = 2
    public init() {}
}

/// Convergence facts of a multi-start fit, reported with every law.
public struct FitDiagnostics: Codable, Sendable, Equatable {
    public var starts: Int
    public var convergedStarts: Int
    /// Starts that ended within 0.1% of the best objective: a well-determined optimum has many.
    public var startsAtBest: Int
    public var iterations: Int
    /// Iterations summed over all starts (the cost of the multi-start search).
    public var totalIterations: Int = 0
    public var status: String
    public var parametersAtBounds: [String]
    public var huberIterations: Int?
    public var bootstrapReplicates: Int
    public var bootstrapFailed: Int

    enum CodingKeys: String, CodingKey {
        case starts, status, iterations, totalIterations = "total_iterations"
        case convergedStarts = "converged_starts", startsAtBest = "starts_at_best", parametersAtBounds = "parameters_at_bounds"
        case huberIterations = "huber_iterations", bootstrapReplicates = "bootstrap_replicates", bootstrapFailed = "bootstrap_failed"
    }
}

/// The least-squares problem of one law on one data set, with its solver.
/// Parameters are optimised as unconstrained θ; `LawShape` maps them to natural values.
final class LawProblem {
    let shape: LawShape
    var feats: [Features] { didSet { indexBudgets() } }
    var y: [Double]
    /// Square roots of the weights (base weight × Huber weight).
    var sw: [Double]
    private(set) var solver: NonlinearLeastSquares!
    private(set) var natural: [Double]
    private(set) var dnat: [Double]
    private var grad: [Double]
    /// The bounds' maps with their constants (logs, widths) taken once (`Reparametrisation`).
    private let maps: [Reparametrisation]
    /// The θ that `natural` and `dnat` are of.
    private var naturalAt: [Double]
    private var naturalKnown = false
    // The token terms of the current τ and β, one per distinct budget: runs share a handful
    // of budgets, and log1p and exp were a fifth of a fit's time when computed per run. The solver
    // asks for the Jacobian at the point whose residuals it just took, so the Jacobian finds
    // them already computed.
    private var budgets: [Double] = []
    private(set) var budgetIndex: [Int] = []
    private(set) var terms: [TokenTerm] = []
    private var termsAt: (tau: Double, beta: Double)?
    /// ln n and d of every run, for the written-out saturating_interaction loops.
    private(set) var lnN: [Double] = []
    private(set) var dRun: [Double] = []

    init(shape: LawShape, feats: [Features], y: [Double], weights: [Double], method: LeastSquaresMethod) {
        self.shape = shape; self.feats = feats; self.y = y
        sw = weights.map { $0.squareRoot() }
        let p = shape.parameters.count
        natural = [Double](repeating: 0, count: p); dnat = natural; grad = natural; naturalAt = natural
        maps = shape.parameters.map { Reparametrisation($0.bound) }
        indexBudgets()
        solver = NonlinearLeastSquares(n: feats.count, p: p, method: method,
                                       residuals: { _, _ in }, jacobian: nil)
        solver.residuals = { [unowned self] x, f in self.residuals(x, f) }
        solver.jacobian = { [unowned self] x, J in self.jacobian(x, J) }
    }

    func toNatural(_ theta: UnsafeBufferPointer<Double>) {
        // The solver takes the Jacobian at the θ of the residuals it has just taken.
        if naturalKnown, (0..<theta.count).allSatisfy({ naturalAt[$0].bitPattern == theta[$0].bitPattern }) { return }
        for i in 0..<theta.count { naturalAt[i] = theta[i] }
        naturalKnown = true
        natural.withUnsafeMutableBufferPointer { nat in
            dnat.withUnsafeMutableBufferPointer { dn in
                maps.withUnsafeBufferPointer { m in
                    for i in 0..<m.count { (nat[i], dn[i]) = m[i].natural(theta[i]) }
                }
            }
        }
    }

    /// The same problem with a workspace of its own (for another thread).
    func copy() -> LawProblem {
        let c = LawProblem(shape: shape, feats: feats, y: y, weights: [], method: solver.method)
        c.sw = sw
        return c
    }

    private func indexBudgets() {
        lnN = feats.map(\.lnN); dRun = feats.map(\.d)
        guard shape.usesTokenTerm else { return }
        var slot: [Double: Int] = [:]
        budgets = []
        budgetIndex = feats.map { x in
            if let k = slot[x.d] { return k }
            slot[x.d] = budgets.count; budgets.append(x.d)
            return budgets.count - 1
        }
        termsAt = nil
    }

    /// Makes `terms` those of the natural parameters' τ and β.
    func updateTerms() {
        guard shape.usesTokenTerm else { return }
        let tau = natural[4], beta = natural[5]
        if let at = termsAt, at.tau == tau, at.beta == beta { return }
        if terms.count != budgets.count { terms = budgets.map { TokenTerm(d: $0, tau: tau, beta: beta) } }
        // In place: the solver's loop allocates nothing.
        budgets.withUnsafeBufferPointer { d in
            terms.withUnsafeMutableBufferPointer { t in
                for k in 0..<d.count { t[k] = TokenTerm(d: d[k], tau: tau, beta: beta) }
            }
        }
        termsAt = (tau, beta)
    }

    func naturalValues(_ theta: [Double]) -> [Double] {
        zip(shape.parameters, theta).map { $0.bound.natural($1).0 }
    }

    func thetaValues(_ p: [Double]) -> [Double] {
        zip(shape.parameters, p).map { $0.bound.unconstrained($1) }
    }

    // The inner loops read local copies of the arrays (no per-element exclusivity checks on
    // class properties) through unsafe buffers.
    private func residuals(_ theta: UnsafeBufferPointer<Double>, _ f: UnsafeMutableBufferPointer<Double>) {
        toNatural(theta)
        updateTerms()
        if shape.family == .saturatingInteraction { return saturatingResiduals(f) }
        let shape = self.shape, feats = self.feats, sw = self.sw, y = self.y, natural = self.natural
        let terms = self.terms, bi = budgetIndex, useTerms = shape.usesTokenTerm
        let huberLog = shape.family.fitsHuberLogLoss
        natural.withUnsafeBufferPointer { p in
            feats.withUnsafeBufferPointer { fx in
                for i in 0..<fx.count {
                    let pred = shape.evaluate(p, fx[i], term: useTerms ? terms[bi[i]] : nil, gradient: nil)
                    f[i] = huberLog ? sw[i] * y[i] * HuberLogLoss.residual(pred: pred, observed: y[i]).value
                                    : sw[i] * (pred - y[i])
                }
            }
        }
    }

    private func jacobian(_ theta: UnsafeBufferPointer<Double>, _ J: UnsafeMutableBufferPointer<Double>) {
        toNatural(theta)
        updateTerms()
        if shape.family == .saturatingInteraction { return saturatingJacobian(J) }
        let shape = self.shape, feats = self.feats, sw = self.sw, natural = self.natural, dnat = self.dnat
        let terms = self.terms, bi = budgetIndex, useTerms = shape.usesTokenTerm
        let huberLog = shape.family.fitsHuberLogLoss, y = self.y
        let p = natural.count, n = feats.count
        var grad = self.grad
        natural.withUnsafeBufferPointer { pv in
            grad.withUnsafeMutableBufferPointer { g in
                feats.withUnsafeBufferPointer { fx in
                    for i in 0..<fx.count {
                        let pred = shape.evaluate(pv, fx[i], term: useTerms ? terms[bi[i]] : nil, gradient: g)
                        // d s(log pred − log y)/dθ = s′ · (∂pred/∂θ) / pred
                        let scale = huberLog ? sw[i] * y[i] * HuberLogLoss.residual(pred: pred, observed: y[i]).slope / pred : sw[i]
                        for j in 0..<p { J[j * n + i] = scale * g[j] * dnat[j] }
                    }
                }
            }
        }
    }

    /// The objective at natural parameters `p`: the weighted sum of squared residuals (twice
    /// Huber's loss of the log residuals for the loss families).
    func cost(_ p: [Double]) -> Double {
        var s = 0.0
        for i in 0..<feats.count {
            let pred = shape.evaluate(p, feats[i])
            let r = shape.family.fitsHuberLogLoss ? sw[i] * y[i] * HuberLogLoss.residual(pred: pred, observed: y[i]).value
                                                  : sw[i] * (pred - y[i])
            s += r * r
        }
        return s
    }

    /// Fills the linear parameters of `start` by weighted linear least squares with the
    /// nonlinear ones fixed (variable projection for the starts), so each start only has to
    /// search the nonlinear directions. A tiny ridge keeps collinear designs solvable.
    func projectLinear(_ start: [Double]) -> [Double] {
        let lin = shape.parameters.indices.filter { shape.parameters[$0].linear }
        guard !lin.isEmpty else { return start }
        var p0 = start
        for j in lin { p0[j] = 0 }
        let m = lin.count
        var A = [Double](repeating: 0, count: m * m), b = [Double](repeating: 0, count: m)
        var g = [Double](repeating: 0, count: shape.parameters.count)
        // The token terms once per budget, as the solver's residuals take them.
        let terms = shape.usesTokenTerm ? budgets.map { TokenTerm(d: $0, tau: p0[4], beta: p0[5]) } : []
        p0.withUnsafeBufferPointer { pv in
            g.withUnsafeMutableBufferPointer { gb in
                for i in 0..<feats.count {
                    let base = shape.evaluate(pv, feats[i], term: terms.isEmpty ? nil : terms[budgetIndex[i]], gradient: gb)
                    let w = sw[i] * sw[i], t = y[i] - base
                    for a in 0..<m {
                        b[a] += w * gb[lin[a]] * t
                        for c in 0..<m { A[a * m + c] += w * gb[lin[a]] * gb[lin[c]] }
                    }
                }
            }
        }
        let trace = (0..<m).reduce(0.0) { $0 + A[$1 * m + $1] }
        for a in 0..<m { A[a * m + a] += 1e-10 * max(trace / Double(m), 1e-300) }
        guard let beta = solveSymmetric(A, b, m) else { return start }
        var out = start
        for (a, j) in lin.enumerated() { out[j] = shape.parameters[j].bound.clamp(beta[a]) }
        return out
    }
}

/// Solves the small dense system A x = b by Gaussian elimination with partial pivoting.
func solveSymmetric(_ A0: [Double], _ b0: [Double], _ m: Int) -> [Double]? {
    var A = A0, b = b0
    for k in 0..<m {
        var piv = k
        for i in (k + 1)..<max(k + 1, m) where abs(A[i * m + k]) > abs(A[piv * m + k]) { piv = i }
        guard abs(A[piv * m + k]) > 1e-300 else { return nil }
        if piv != k {
            for j in 0..<m { A.swapAt(k * m + j, piv * m + j) }
            b.swapAt(k, piv)
        }
        for i in (k + 1)..<max(k + 1, m) {
            let f = A[i * m + k] / A[k * m + k]
            for j in k..<m { A[i * m + j] -= f * A[k * m + j] }
            b[i] -= f * b[k]
        }
    }
    var x = [Double](repeating: 0, count: m)
    for k in stride(from: m - 1, through: 0, by: -1) {
        var s = b[k]
        for j in (k + 1)..<max(k + 1, m) { s -= A[k * m + j] * x[j] }
        x[k] = s / A[k * m + k]
    }
    return x.allSatisfy(\.isFinite) ? x : nil
}

/// The best parameters of one law on one data set.
struct ParameterFit {
    var shape: LawShape
    var params: [Double]
    var theta: [Double]
    /// Weighted SSR at the optimum.
    var ssr: Double
    /// Natural-parameter covariance (row-major p×p) from the Jacobian, scaled by the residual variance.
    var covariance: [Double]?
    var diagnostics: FitDiagnostics
}

/// A seeded Gaussian source (GSL's Mersenne twister), owned so it is freed.
final class RandomSource {
    let rng: OpaquePointer
    init(seed: UInt) {
        rng = OpaquePointer(gsl_rng_alloc(gsl_rng_mt19937))
        gsl_rng_set(UnsafePointer(rng), seed)
    }
    deinit { gsl_rng_free(UnsafeMutablePointer(rng)) }
    func gaussian() -> Double { gsl_ran_ugaussian(UnsafePointer(rng)) }
    func below(_ n: Int) -> Int { Int(gsl_rng_uniform_int(UnsafePointer(rng), UInt(n))) }
}

/// The family's grid of starts (every `gridStride`-th) plus seeded random perturbations of
/// grid points in θ, each with its linear parameters solved; natural values. Deterministic
/// for a seed, so benches can hand the very same starts to another solver.
func makeStarts(_ prob: LawProblem, options: FitOptions, randomStarts: Int? = nil, gridStride: Int = 1) -> [[Double]] {
    let shape = prob.shape
    let rng = RandomSource(seed: options.seed)
    let fullGrid = shape.startGrid(prob.feats)
    let grid = stride(from: 0, to: fullGrid.count, by: max(1, gridStride)).map { fullGrid[$0] }
    var starts = grid.map { prob.projectLinear($0) }
    for k in 0..<(randomStarts ?? options.randomStarts) {
        // Perturb a grid start in θ: 1.5 units of logit moves a bounded parameter substantially.
        var th = prob.thetaValues(grid[k % grid.count])
        for j in th.indices where !shape.parameters[j].linear { th[j] += 1.5 * rng.gaussian() }
        starts.append(prob.projectLinear(prob.naturalValues(th)))
    }
    return starts
}

/// Multi-start least squares of `shape` on `points`: the grid of starts plus random ones,
/// each with its linear parameters solved first; keeps the lowest objective.
/// With `options.huber` the best fit is refined by iteratively reweighted least squares.
func fitParameters(_ shape: LawShape, points: [LawPoint], options: FitOptions, extraStarts: [[Double]] = [],
                   randomStarts: Int? = nil, gridStride: Int = 1) throws -> ParameterFit {
    let name = shape.family.rawValue
    if shape.family == .kernelRidge { return try KernelRidge.fit(shape, points: points) }
    guard points.count >= shape.minimumPoints else {
        throw LawError.tooFewPoints(family: name, have: points.count, need: shape.minimumPoints)
    }
    let feats = points.map { Features(params: $0.params, tokens: $0.tokens, mixture: $0.mixture, shape: shape) }
    let weights = fitWeights(shape, points: points)
    let prob = LawProblem(shape: shape, feats: feats, y: points.map(\.score), weights: weights,
                          method: options.method)
    let starts = extraStarts + makeStarts(prob, options: options, randomStarts: randomStarts, gridStride: gridStride)
    let outcomes = solveStarts(prob, starts: starts, options: options)
    var best: NonlinearLeastSquares.Outcome?
    for o in outcomes {
        guard o.ssr.isFinite, o.x.allSatisfy(\.isFinite) else { continue }
        // A step-limited run can still be the best point found; prefer converged ones on ties.
        if best == nil || o.ssr < best!.ssr * (1 - 1e-12) || (o.converged && !best!.converged && o.ssr <= best!.ssr * (1 + 1e-9)) {
            best = o
        }
    }
    guard var top = best else {
        throw LawError.notConverged(family: name, reason: "no start gave a finite fit (\(starts.count) starts)")
    }
    var huberIterations: Int?
    // A loss family's objective is Huber's already.
    if options.huber && !shape.family.fitsHuberLogLoss {
        (top, huberIterations) = huberRefine(prob, from: top, baseWeights: weights, options: options)
    }
    // Re-solve from the optimum so the workspace's Jacobian is the optimum's (for the covariance).
    let startCost = prob.cost(prob.naturalValues(top.x))
    let final = prob.solver.solve(start: top.x, maxIterations: options.maxIterations)
    if final.ssr.isFinite && final.ssr <= top.ssr * (1 + 1e-9) { top = final }
    var status = top.message
    // A parameter creeping toward a bound (a logistic reparametrisation flattens there) can
    // exhaust the iterations, and a start already at the optimum makes the solver report "no
    // progress", while the objective no longer moves: say so rather than "not converged".
    let flat = final.ssr >= startCost * (1 - 1e-9) - 1e-15
    if !top.converged && flat && top.ssr.isFinite {
        let why = top.message.replacingOccurrences(of: "not converged: ", with: "")
        status = "converged (objective flat to 1e-9; the solver stopped with: \(why))"
    }
    let params = prob.naturalValues(top.x)
    let p = params.count, n = points.count
    var cov: [Double]?
    if let u = prob.solver.unscaledCovariance() {
        let s2 = top.ssr / Double(max(1, n - p))
        let d = zip(shape.parameters, top.x).map { $0.bound.natural($1).1 }
        cov = (0..<(p * p)).map { k in u[k] * s2 * d[k / p] * d[k % p] }
    }
    let atBounds = shape.parameters.indices.filter { j in
        if case .free = shape.parameters[j].bound { return false }
        return abs(top.x[j]) > 12  // σ(θ) within ~6e-6 of a bound
    }.map { shape.parameters[$0].name }
    let tol = top.ssr * 1e-3 + 1e-12
    var diag = FitDiagnostics(starts: starts.count, convergedStarts: outcomes.filter(\.converged).count,
                              startsAtBest: outcomes.filter { $0.ssr <= top.ssr + tol }.count,
                              iterations: top.iterations, status: status, parametersAtBounds: atBounds,
                              huberIterations: huberIterations, bootstrapReplicates: 0, bootstrapFailed: 0)
    diag.totalIterations = outcomes.reduce(0) { $0 + $1.iterations }
    return ParameterFit(shape: shape, params: params, theta: top.x, ssr: top.ssr, covariance: cov, diagnostics: diag)
}

/// Solves from every start, on `options.threads` threads, each with its own solver workspace.
/// A solve depends on its start alone, so the outcomes (in the order of `starts`) are the
/// same on any number of threads.
func solveStarts(_ prob: LawProblem, starts: [[Double]], options: FitOptions) -> [NonlinearLeastSquares.Outcome] {
    let solve = { (p: LawProblem, s: [Double]) in
        p.solver.solve(start: p.thetaValues(s), maxIterations: options.maxIterations, ftol: options.ftol)
    }
    let threads = max(1, min(options.threads, starts.count / 2))
    if threads == 1 { return starts.map { solve(prob, $0) } }
    let out = UnsafeMutableBufferPointer<NonlinearLeastSquares.Outcome?>.allocate(capacity: starts.count)
    out.initialize(repeating: nil)
    defer { out.deallocate() }
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        let p = t == 0 ? prob : prob.copy()
        for k in stride(from: t, to: starts.count, by: threads) { out[k] = solve(p, starts[k]) }
    }
    return out.map { $0! }
}

/// The base weight of each point: its own, divided by score² for a loss family, whose
/// residuals are relative (log) errors: the weights then linearise the log residuals for the
/// linear solve of the starts, and the residuals multiply the score back (`LawProblem`).
func fitWeights(_ shape: LawShape, points: [LawPoint]) -> [Double] {
    shape.family.fitsHuberLogLoss ? points.map { $0.weight / ($0.score * $0.score) } : points.map(\.weight)
}

/// Huber's loss of the log residuals, as Hoffmann et al. fit Chinchilla's law and Epoch refits
/// it, written as least squares so the trust-region solver minimises it exactly: the residual
/// r = log pred − log observed becomes s(r) with ½·s(r)² = Huber_δ(r), that is s = r for
/// |r| ≤ δ and sign(r)·√(2δ(|r| − δ/2)) beyond. s is continuously differentiable (s′ = 1 at
/// |r| = δ), so the Jacobian is s′(r)·∂r/∂θ.
enum HuberLogLoss {
    /// Hoffmann et al.'s threshold: below a 0.1% error a residual counts squared, above it
    /// linearly, so a few runs far off the law (a diverged small run) do not bend it.
    static let delta = 1e-3

    /// s(r) and s′(r) at the log residual of `pred`; a non-positive prediction has no log and
    /// gives a non-finite value, which the solver treats as a rejected step.
    static func residual(pred: Double, observed: Double) -> (value: Double, slope: Double) {
        guard pred > 0 else { return (.infinity, 0) }
        let r = log(pred) - log(observed), a = abs(r)
        if a <= delta { return (r, 1) }
        let s = (2 * delta * (a - 0.5 * delta)).squareRoot()
        return (r < 0 ? -s : s, delta / s)
    }
}

/// Huber loss by iteratively reweighted least squares from `top`: weights min(1, c/|r|) with
/// c = k·MAD·1.4826 of the current residuals, until the parameters stop moving (≤ 30 rounds).
func huberRefine(_ prob: LawProblem, from start: NonlinearLeastSquares.Outcome, baseWeights base: [Double],
                 options: FitOptions) -> (NonlinearLeastSquares.Outcome, Int) {
    var top = start
    var it = 0
    while it < 30 {
        it += 1
        let p = prob.naturalValues(top.x)
        let r = prob.feats.indices.map { prob.shape.evaluate(p, prob.feats[$0]) - prob.y[$0] }
        let med = median(r), mad = median(r.map { abs($0 - med) }) * 1.4826
        guard mad > 1e-12 else { break }
        let c = options.huberK * mad
        prob.sw = r.indices.map { (base[$0] * min(1, c / max(abs(r[$0]), 1e-300))).squareRoot() }
        let o = prob.solver.solve(start: top.x, maxIterations: options.maxIterations)
        guard o.ssr.isFinite else { break }
        let change = zip(o.x, top.x).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        top = o
        if change < 1e-7 { break }
    }
    return (top, it)
}

func median(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// Quantile with linear interpolation (type 7), `xs` unsorted.
func quantile(_ xs: [Double], _ q: Double) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    let h = Double(s.count - 1) * q
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, s.count - 1)
    return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
}

/// Bootstrap by resampling runs with replacement: each replicate refits from the full-data
/// optimum (one start; the optimum is a good start for a perturbed data set). Replicates run
/// on `options.threads` threads, each with its own solver workspace. Returns the parameter
/// vectors of the replicates that gave a finite fit, and the number that failed.
func bootstrapParameters(_ fit: ParameterFit, points: [LawPoint], options: FitOptions) -> (ensemble: [[Double]], failed: Int) {
    let B = options.bootstrap
    guard B > 0 else { return ([], 0) }
    if fit.shape.family == .kernelRidge { return KernelRidge.bootstrap(fit, points: points, options: options) }
    let shape = fit.shape
    let feats = points.map { Features(params: $0.params, tokens: $0.tokens, mixture: $0.mixture, shape: shape) }
    let y = points.map(\.score), w = fitWeights(shape, points: points)
    let threads = max(1, min(options.threads, B))
    let results = UnsafeMutableBufferPointer<[Double]?>.allocate(capacity: B)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        let rng = RandomSource(seed: options.seed &+ UInt(1000 + t))
        let prob = LawProblem(shape: shape, feats: feats, y: y, weights: w, method: options.method)
        let n = feats.count
        for b in stride(from: t, to: B, by: threads) {
            var f2 = feats, y2 = y, w2 = w
            for i in 0..<n { let k = rng.below(n); f2[i] = feats[k]; y2[i] = y[k]; w2[i] = w[k] }
            prob.feats = f2; prob.y = y2; prob.sw = w2.map { $0.squareRoot() }
            var o = prob.solver.solve(start: fit.theta, maxIterations: options.maxIterations)
            // A robust fit's intervals must come from robust refits too.
            if options.huber && !shape.family.fitsHuberLogLoss && o.ssr.isFinite { o = huberRefine(prob, from: o, baseWeights: w2, options: options).0 }
            if o.ssr.isFinite && o.x.allSatisfy(\.isFinite) { results[b] = prob.naturalValues(o.x) }
        }
    }
    let ens = results.compactMap { $0 }
    return (ens, B - ens.count)
}
