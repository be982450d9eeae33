import Foundation
import VisionMixCore

/// One observation to fit: a run's inputs and its score in one category.
public struct LawPoint: Sendable, Equatable {
    public var params: Double
    public var tokens: Double
    public var mixture: Mixture?
    public var score: Double
    /// Relative weight in the least-squares objective (1 = ordinary).
    public var weight: Double
    public var runId: Int64?
    /// The score's chance level, when the run recorded one.
    public var chance: Double?

    public init(params: Double, tokens: Double, mixture: Mixture? = nil, score: Double, weight: Double = 1, runId: Int64? = nil,
                chance: Double? = nil) {
        self.params = params; self.tokens = tokens; self.mixture = mixture; self.score = score
        self.weight = weight; self.runId = runId; self.chance = chance
    }
}

/// Distinct values, tolerant of float noise from unit conversions.
func distinct(_ xs: [Double]) -> [Double] {
    var out: [Double] = []
    for x in xs.sorted() where out.last.map({ abs($0 - x) > 1e-9 * max(1, abs(x)) }) ?? true { out.append(x) }
    return out
}

extension LawShape {
    /// Binds `family` to `points`: picks input scales, the parameter list (which for some
    /// families depends on the data) and checks the data can identify the family.
    /// Throws `LawError` naming what is missing.
    static func make(_ family: LawFamily, points: [LawPoint], axis: InputAxis? = nil, through loss: FittedLaw? = nil) throws -> LawShape {
        let Ns = distinct(points.map(\.params)), Ds = distinct(points.map(\.tokens))
        let nScale = Ns.last ?? 1
        let dScale = (Ds.last ?? 0) > 0 ? Ds.last! : 1
        let mixtures = Set(points.compactMap { $0.mixture?.canonicalKey })
        var shape = LawShape(family: family, parameters: [], nScale: nScale > 0 ? nScale : 1, dScale: dScale)
        let tauB = ParameterBound.logRange(1e-4, 10), betaB = ParameterBound.logRange(0.05, 50)
        func spec(_ name: String, _ bound: ParameterBound = .free, linear: Bool = false) -> ParameterSpec {
            ParameterSpec(name: name, bound: bound, linear: linear)
        }
        func need(_ ok: Bool, _ why: String) throws { if !ok { throw LawError.unidentifiable(family: family.rawValue, reason: why) } }
        let noShares = "the mixtures have no reasoning/visual shares: their sources' catalogue gives no tag shares, so there is no share law"
        switch family {
        case .saturatingInteraction, .chinchillaAdditive, .joint:
            try need(Ns.count >= 2, "it needs at least 2 model sizes (the data has \(Ns.count))")
            try need(Ds.count >= 3, "it needs at least 3 token budgets (the data has \(Ds.count))")
            if family == .chinchillaAdditive {
                shape.parameters = [spec("E", linear: true), spec("A", .logRange(1e-8, 1e8), linear: true),
                                    spec("alpha", .logRange(1e-3, 3)), spec("B", .logRange(1e-8, 1e8), linear: true),
                                    spec("tau", tauB), spec("beta", betaB)]
            } else {
                shape.parameters = [spec("a", linear: true), spec("b", linear: true), spec("c", linear: true),
                                    spec("e", linear: true), spec("tau", tauB), spec("beta", betaB)]
            }
            if family == .joint {
                try need(points.allSatisfy { $0.mixture != nil }, "every run needs a mixture")
                try need(points.allSatisfy { $0.mixture!.hasShares }, noShares)
                try need(mixtures.count >= 3, "it needs at least 3 distinct mixtures (the data has \(mixtures.count))")
                let rs = points.map { $0.mixture!.reasoningShare! }, vs = points.map { $0.mixture!.visualShare! }
                shape.centre = [rs.reduce(0, +) / Double(rs.count), vs.reduce(0, +) / Double(vs.count)]
                shape.parameters += [spec("m_r"), spec("m_v"), spec("m_vv")]
            }
        case .chinchillaLoss:
            try need(Ns.count >= 2, "it needs at least 2 model sizes (the data has \(Ns.count))")
            try need(Ds.count >= 3, "it needs at least 3 token budgets (the data has \(Ds.count))")
            try need(Ds.first! > 0, "every token budget must be positive (B/D^β is infinite at D = 0)")
            try need(points.allSatisfy { $0.score > 0 }, "every loss must be positive (it is fitted on relative errors)")
            shape.parameters = [spec("E", linear: true), spec("A", .logRange(1e-8, 1e8), linear: true), spec("alpha", .logRange(1e-3, 3)),
                                spec("B", .logRange(1e-8, 1e8), linear: true), spec("beta", .logRange(1e-3, 3))]
        case .logLinearN:
            try need(Ns.count >= 2, "it needs at least 2 model sizes (the data has \(Ns.count))")
            shape.knots = Ds.map { $0 / shape.dScale }
            for D in Ds {
                let sizes = distinct(points.filter { abs($0.tokens - D) <= 1e-9 * max(1, D) }.map(\.params))
                try need(sizes.count >= 2, "token budget \(D) has \(sizes.count) model size(s); each budget needs at least 2")
            }
            for D in Ds {
                let tag = String(format: "%g", D)
                shape.parameters += [spec("a@\(tag)", linear: true), spec("b@\(tag)", linear: true)]
            }
        case .quadraticShares:
            try need(points.allSatisfy { $0.mixture != nil }, "every run needs a mixture (or its reasoning/visual shares)")
            try need(points.allSatisfy { $0.mixture!.hasShares }, noShares)
            try need(mixtures.count >= 6, "it needs at least 6 distinct mixtures (the data has \(mixtures.count))")
            let rs = points.map { $0.mixture!.reasoningShare! }, vs = points.map { $0.mixture!.visualShare! }
            shape.centre = [rs.reduce(0, +) / Double(rs.count), vs.reduce(0, +) / Double(vs.count)]
            if let u = collinearDirection(rs, vs, centre: shape.centre) {
                shape.principal = u
                shape.parameters = ["c0", "c_t", "c_tt"].map { spec($0, linear: true) }
            } else {
                shape.parameters = ["c0", "c_r", "c_v", "c_rr", "c_vv", "c_rv"].map { spec($0, linear: true) }
            }
        case .mixingExponential, .saturatingPerSource:
            try need(points.allSatisfy { $0.mixture.map { !$0.isSharesOnly } ?? false }, "every run needs per-source weights, not only shares")
            let catalogue = points[0].mixture!.catalogue
            try need(points.allSatisfy { $0.mixture!.catalogue == catalogue }, "every run's weights must be over the same sources")
            try need(mixtures.count >= 3, "it needs at least 3 distinct mixtures (the data has \(mixtures.count))")
            // Only sources whose weight varies can be identified; weights sum to 1, so one of
            // them (the largest on average) is the baseline absorbed into the constant.
            var varying: [(String, Double)] = []
            for (i, name) in catalogue.names.enumerated() {
                let ws = points.map { $0.mixture!.fractions![i] }
                if (ws.max()! - ws.min()!) > 1e-9 { varying.append((name, ws.reduce(0, +) / Double(ws.count))) }
            }
            try need(varying.count >= 2, "source weights must vary for at least 2 sources")
            let ref = varying.max { $0.1 < $1.1 }!.0
            shape.referenceSource = ref
            shape.setSources(varying.map(\.0).filter { $0 != ref })
            if family == .mixingExponential {
                shape.parameters = [spec("c", linear: true), spec("k", linear: true)]
                    + shape.sources.map { spec("t_\($0)", .range(-50, 50)) }
            } else {
                shape.parameters = [spec("c", linear: true)] + shape.sources.map { spec("a_\($0)", linear: true) }
                    + [spec("rho", .logRange(1e-3, 10))]
            }
        case .ladderSigmoid:
            guard let loss else { throw LawError.unidentifiable(family: family.rawValue, reason: "it reads a loss law: name the loss category with --through") }
            try need(loss.family.kind == .sizeData, "the loss law it reads must be a size–data law (\(loss.category) is \(loss.family.rawValue))")
            shape.via = [loss]
            let ls = points.map { loss.predict(params: $0.params, tokens: $0.tokens, mixture: $0.mixture) }
            try need(ls.allSatisfy(\.isFinite), "the loss law \(loss.category) has no finite prediction at every run")
            try need(distinct(ls).count >= 3, "the loss law predicts fewer than 3 distinct losses at the runs")
            let span = ls.max()! - ls.min()!
            shape.parameters = [spec("a", linear: true), spec("h", linear: true), spec("k", .logRange(0.01 / span, 1000 / span)),
                                spec("m", .range(ls.min()! - span, ls.max()! + span))]
        case .mixtureAdditiveLoss, .mixtureJointLoss:
            try need(Ns.count >= 2, "it needs at least 2 model sizes (the data has \(Ns.count))")
            try need(Ds.count >= 3, "it needs at least 3 token budgets (the data has \(Ds.count))")
            try need(Ds.first! > 0, "every token budget must be positive (B/D^β is infinite at D = 0)")
            try need(points.allSatisfy { $0.score > 0 }, "every loss must be positive (it is fitted on log residuals)")
            try need(points.allSatisfy { $0.mixture.map { !$0.isSharesOnly } ?? false }, "every run needs per-source weights, not only shares")
            let catalogue = points[0].mixture!.catalogue
            try need(points.allSatisfy { $0.mixture!.catalogue == catalogue }, "every run's weights must be over the same sources")
            try need(mixtures.count >= 3, "it needs at least 3 distinct mixtures (the data has \(mixtures.count))")
            shape.setSources(catalogue.names.enumerated().filter { i, _ in
                let ws = points.map { $0.mixture!.fractions![i] }
                return ws.max()! - ws.min()! > 1e-9
            }.map(\.element))
            try need(shape.sources.count >= 2, "source weights must vary for at least 2 sources")
            shape.parameters = [spec("E", linear: true), spec("A", .logRange(1e-8, 1e8), linear: true), spec("alpha", .logRange(1e-3, 3)),
                                spec("B", .logRange(1e-8, 1e8), linear: true), spec("beta", .logRange(1e-3, 3))]
            if family == .mixtureJointLoss { shape.parameters.append(spec("delta", .logRange(1e-3, 3))) }
            shape.parameters += shape.sources.map { spec("C_\($0)", .logRange(1e-4, 1e4)) } + shape.sources.map { spec("gamma_\($0)", .logRange(1e-2, 3)) }
        case .kernelRidge:
            try need(points.allSatisfy { $0.mixture.map { !$0.isSharesOnly } ?? false }, "every run needs per-source weights, not only shares")
            let catalogue = points[0].mixture!.catalogue
            try need(points.allSatisfy { $0.mixture!.catalogue == catalogue }, "every run's weights must be over the same sources")
            try need(mixtures.count >= KernelRidge.minimumMixtures,
                     "a regressor needs at least \(KernelRidge.minimumMixtures) distinct mixtures at one size and budget (the data has \(mixtures.count)); use a parametric mixture law")
            let varying = catalogue.names.enumerated().filter { i, _ in
                let ws = points.map { $0.mixture!.fractions![i] }
                return ws.max()! - ws.min()! > 1e-9
            }.map(\.element)
            try need(varying.count >= 2, "source weights must vary for at least 2 sources")
            shape.setSources(varying)
            shape.parameters = [spec("mu", linear: true), spec("length_scale"), spec("ridge")]
            shape.kernel = KernelRidge.bind(shape, points: points)
        case .power1D, .sigmoidLog1D:
            let ax = try axis ?? inferAxis(points, family: family)
            if ax == .reasoningShare || ax == .visualShare { try need(points.allSatisfy { $0.mixture?.hasShares ?? false }, noShares) }
            shape.axis = ax
            let feats = points.map { Features(params: $0.params, tokens: $0.tokens, mixture: $0.mixture, shape: shape) }
            let xs = feats.map { $0.axisValue(ax) }
            try need(xs.allSatisfy { $0 > 0 }, "x (\(ax.rawValue)) must be positive at every point; drop the zero points or use a size–data family")
            try need(distinct(xs).count >= 3, "x (\(ax.rawValue)) needs at least 3 distinct values")
            shape.parameters = family == .power1D
                ? [spec("a", linear: true), spec("b", linear: true), spec("c", .logRange(1e-3, 5))]
                : [spec("a", linear: true), spec("h", linear: true), spec("k", .logRange(0.05, 50)),
                   spec("m", .range(log(xs.min()!) - 3, log(xs.max()!) + 3))]
        }
        return shape
    }

    /// The single input that varies, for 1-D families.
    static func inferAxis(_ points: [LawPoint], family: LawFamily) throws -> InputAxis {
        var varying: [InputAxis] = []
        if distinct(points.map(\.params)).count > 1 { varying.append(.params) }
        if distinct(points.map(\.tokens)).count > 1 { varying.append(.tokens) }
        if distinct(points.map { $0.mixture?.reasoningShare ?? 0 }).count > 1 { varying.append(.reasoningShare) }
        else if distinct(points.map { $0.mixture?.visualShare ?? 0 }).count > 1 { varying.append(.visualShare) }
        else if points.contains(where: { $0.mixture.map { !$0.hasShares } ?? false }),
                Set(points.compactMap { $0.mixture?.canonicalKey }).count > 1 {
            throw LawError.unidentifiable(family: family.rawValue, reason: "the mixtures vary but have no reasoning/visual shares (their sources "
                                          + "have no tag shares), and a 1-D law reads N, D or a share; use a mixture law over the source weights")
        }
        guard varying.count == 1 else {
            throw LawError.unidentifiable(family: family.rawValue, reason: varying.isEmpty
                ? "no input varies" : "more than one input varies (\(varying.map(\.rawValue).joined(separator: ", "))); a 1-D family needs exactly one")
        }
        return varying[0]
    }

    /// Starting values for the nonlinear parameters (linear ones are solved per start), as a
    /// grid chosen from what the parameters mean; random starts are added around these.
    func startGrid(_ feats: [Features]) -> [[Double]] {
        var grid: [[Double]] = []
        let p = parameters.count
        func point(_ assign: [Int: Double]) -> [Double] {
            var v = [Double](repeating: 0, count: p)
            for (i, x) in assign { v[i] = x }
            return v
        }
        // Three values per decade-spanning scale: enough to land in each basin the paper data
        // shows (fast exponential-like saturation, slow log-like growth) without wasting starts.
        let taus = [0.005, 0.05, 0.5], betas = [0.5, 2.0, 10.0]
        switch family {
        case .saturatingInteraction, .joint:
            for t in taus { for b in betas { grid.append(point([4: t, 5: b])) } }
        case .chinchillaAdditive:
            for a in [0.1, 0.5] { for t in taus { for b in betas { grid.append(point([2: a, 4: t, 5: b])) } } }
        case .chinchillaLoss:
            // Epoch's grid over the exponents, where published fits lie (0.1–0.6).
            for a in [0.1, 0.25, 0.45, 0.7] { for b in [0.1, 0.25, 0.45, 0.7] { grid.append(point([2: a, 4: b])) } }
        case .logLinearN, .quadraticShares:
            grid.append(point([:]))
        case .kernelRidge:
            break
        case .ladderSigmoid:
            let ls = feats.map(\.ladderLoss)
            let lo = ls.min() ?? 0, span = max((ls.max() ?? 1) - lo, 1e-9)
            for k in [1.0, 4.0, 16.0] { for f in [0.25, 0.5, 0.75] { grid.append(point([2: k / span, 3: lo + f * span])) } }
        case .mixtureAdditiveLoss, .mixtureJointLoss:
            // Chinchilla's exponents, every γ at 1 (M linear in the weights) and C at two
            // scales of the mixture term (1/M about 1 and about 0.1).
            let c0 = mixtureTermStart, S = sources.count
            for (a, b) in [(0.25, 0.25), (0.45, 0.45), (0.25, 0.45), (0.45, 0.25)] {
                for c in [1.0, 10.0] {
                    var v = point([2: a, 4: b])
                    if family == .mixtureJointLoss { v[5] = 0.3 }
                    for k in 0..<S { v[c0 + k] = c; v[c0 + S + k] = 1 }
                    grid.append(v)
                }
            }
        case .mixingExponential:
            grid.append(point([:]))
            for k in 0..<sources.count { for s in [-3.0, 3.0] { grid.append(point([2 + k: s])) } }
        case .saturatingPerSource:
            for r in [0.03, 0.1, 0.3, 1.0] { grid.append(point([p - 1: r])) }
        case .power1D:
            for c in [0.1, 0.3, 0.7, 1.5] { grid.append(point([2: c])) }
        case .sigmoidLog1D:
            let lx = feats.map { log($0.axisValue(axis ?? .params)) }
            let lo = lx.min() ?? 0, hi = lx.max() ?? 1
            for k in [0.5, 2.0, 8.0] { for f in [0.25, 0.5, 0.75] { grid.append(point([2: k, 3: lo + f * (hi - lo)])) } }
        }
        return grid
    }
}

/// The unit direction of the shares' principal axis when they spread less than a tenth as
/// much across it as along it (nil for a genuinely two-dimensional design).
func collinearDirection(_ rs: [Double], _ vs: [Double], centre: [Double]) -> [Double]? {
    var srr = 0.0, svv = 0.0, srv = 0.0
    for (r, v) in zip(rs, vs) {
        let a = r - centre[0], b = v - centre[1]
        srr += a * a; svv += b * b; srv += a * b
    }
    let tr = srr + svv, det = srr * svv - srv * srv
    let disc = max(0, tr * tr / 4 - det).squareRoot()
    let major = tr / 2 + disc, minor = max(0, tr / 2 - disc)
    guard major > 0, minor.squareRoot() < 0.1 * major.squareRoot() else { return nil }
    // Eigenvector of the major eigenvalue.
    var u = abs(srv) > 1e-300 ? [major - svv, srv] : (srr >= svv ? [1.0, 0] : [0, 1.0])
    let n = (u[0] * u[0] + u[1] * u[1]).squareRoot()
    u = [u[0] / n, u[1] / n]
    return u
}
