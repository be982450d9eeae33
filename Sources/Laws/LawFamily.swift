import Foundation
import VisionMixCore

/// A named functional form for a score as a function of model size N, token budget D and
/// the mixture. Formulas and rationale are in docs/laws.md; `formula` and `about` repeat them
/// for `visionmix fit --list-families`.
public enum LawFamily: String, CaseIterable, Codable, Sendable {
    case saturatingInteraction = "saturating_interaction"
    case chinchillaAdditive = "chinchilla_additive"
    case chinchillaLoss = "chinchilla_loss"
    case logLinearN = "loglinear_n"
    case quadraticShares = "quadratic_shares"
    case mixingExponential = "mixing_exponential"
    case kernelRidge = "kernel_ridge"
    case mixtureAdditiveLoss = "mixture_additive_loss"
    case mixtureJointLoss = "mixture_joint_loss"
    case ladderSigmoid = "ladder_sigmoid"
    case saturatingPerSource = "saturating_per_source"
    case joint = "joint"
    case power1D = "power_1d"
    case sigmoidLog1D = "sigmoid_log_1d"

    public enum Kind: String, Codable, Sendable { case sizeData = "size-data", mixture, joint, oneDimensional = "1-d" }

    public var kind: Kind {
        switch self {
        case .saturatingInteraction, .chinchillaAdditive, .chinchillaLoss, .logLinearN, .ladderSigmoid: .sizeData
        case .quadraticShares, .mixingExponential, .saturatingPerSource, .kernelRidge: .mixture
        case .joint, .mixtureAdditiveLoss, .mixtureJointLoss: .joint
        case .power1D, .sigmoidLog1D: .oneDimensional
        }
    }

    /// n = N / N_ref and d = D / D_ref, with the references the largest N and D of the fit data,
    /// so every family is unit-free and the starting grids work for 25K-parameter toys and 13B models alike.
    public var formula: String {
        switch self {
        case .saturatingInteraction: "a + b·ln n + (c + e·ln n)·[1 − (1 + d/τ)^(−β)]"
        case .chinchillaAdditive: "E − A·n^(−α) − B·(1 + d/τ)^(−β)"
        case .chinchillaLoss: "E + A·n^(−α) + B·d^(−β)"
        case .logLinearN: "a_D + b_D·ln n, one (a, b) per token budget D"
        case .quadraticShares: "c0 + c_r·Δr + c_v·Δv + c_rr·Δr² + c_vv·Δv² + c_rv·Δr·Δv   (Δ = share − mean share; c0 + c_t·t + c_tt·t² along t = u·Δ when the shares lie on a line)"
        case .mixingExponential: "c + k·exp(Σ_j t_j·w_j)   (w_j source weights; the reference source is absorbed in k)"
        case .saturatingPerSource: "c + Σ_j a_j·[1 − exp(−w_j/ρ)]   (reference source absorbed in c)"
        case .ladderSigmoid: "a + h / (1 + exp(k·(ℓ − m))),  ℓ = L(N, D) the loss law it reads"
        case .mixtureAdditiveLoss: "E + A·n^(−α) + B·d^(−β) + 1/Σ_j C_j·w_j^γ_j"
        case .mixtureJointLoss: "E + A·n^(−α) + B·d^(−β) + d^(−δ)/Σ_j C_j·w_j^γ_j"
        case .kernelRidge: "μ + Σ_i α_i·exp(−‖φ(w) − φ(w_i)‖² / 2ℓ²)   (w_i the fitted runs' weights; φ_j = ln(w_j + 10⁻³), standardised)"
        case .joint: "a + b·ln n + (c + e·ln n)·(1 + m_r·Δr + m_v·Δv + m_vv·Δv²)·[1 − (1 + d/τ)^(−β)]"
        case .power1D: "a − b·x^(−c)"
        case .sigmoidLog1D: "a + h / (1 + exp(−k·(ln x − m)))"
        }
    }

    public var about: String {
        switch self {
        case .saturatingInteraction:
            "Size–data law. The score at D = 0 (the un-pre-trained model after adaptation) is log-linear in N; the gain from data saturates as a power law in D, and its ceiling c + e·ln n grows with N (the N×D interaction: bigger models gain more from data). Handles D = 0 exactly."
        case .chinchillaAdditive:
            "Size–data law in the additive Chinchilla style: separate saturating power-law terms in N and D, no interaction. D enters as (1 + d/τ) so D = 0 is finite."
        case .chinchillaLoss:
            "Size–data law for a loss that falls: Chinchilla's L = E + A/N^α + B/D^β (Hoffmann et al.), fitted as Hoffmann et al. and Epoch fit it: Huber's loss (δ = 10⁻³) of the log residuals, from a grid of starts in α and β. Every D must be positive. The family auto selection offers for metrics that fall (losses, perplexities)."
        case .logLinearN:
            "Baseline: for each token budget seen in the data, a straight line in ln N. Budgets between two seen ones interpolate linearly; other budgets extrapolate."
        case .quadraticShares:
            "Mixture law: a quadratic response surface over the mixture's reasoning and visual shares (N and D fixed). Needs sources with tag shares."
        case .mixingExponential:
            "Mixture law: the data-mixing-law exponential form over source weights (N and D fixed). Only sources whose weight varies get a coefficient."
        case .ladderSigmoid:
            "OLMo's two-step ladder: a score predicted through its loss. A size–data loss law of another category (fit --through CATEGORY) gives the loss ℓ at (N, D); a sigmoid in ℓ, falling as the loss rises, maps it to the score. The sigmoid is fitted to the loss law's predictions at the runs, so its residuals are the whole ladder's."
        case .mixtureAdditiveLoss:
            "Joint law for a loss that falls, over N, D and the source weights, in the spirit of Shukor et al.'s additive law: Chinchilla's terms plus a mixture term 1/Σ_j C_j·w_j^γ_j that does not depend on N or D, so the best mixture is the same at every scale. Fitted as chinchilla_loss is (Huber on log loss). Needs 2+ sizes, 3+ budgets, 3+ mixtures with per-source weights, D > 0."
        case .mixtureJointLoss:
            "Joint law for a loss that falls, in the spirit of Shukor et al.'s joint law: as mixture_additive_loss, with the mixture term decaying in D at its own rate δ, so the best mixture can move with the budget."
        case .kernelRidge:
            "Mixture model in RegMix's spirit: a regressor over the source weights (kernel ridge regression with a Gaussian kernel on standardised log weights), for studies of many mixtures at one size and budget (50 or more). Length scale and ridge are chosen by 5-fold cross-validation; the dual weights are one linear solve. No functional form is assumed, so it ranks mixtures a parametric law cannot describe, and says nothing outside the sampled mixtures."
        case .saturatingPerSource:
            "Mixture law: each source adds a saturating contribution with one shared saturation scale ρ (N and D fixed)."
        case .joint:
            "Joint law s(N, D, mixture): the size–data interaction law whose data gain is scaled by a function of the reasoning share (linear) and visual share (quadratic, so it can saturate). Needs at least 3 mixtures, of sources with tag shares."
        case .power1D:
            "One-dimensional saturating power law over one varying input x (N, D, or a share); x must be positive."
        case .sigmoidLog1D:
            "One-dimensional sigmoid in ln x (an abrupt rise, as when a model starts to read its visual tokens); x must be positive."
        }
    }

    /// Parameters and the minimum number of points, in words (some families size themselves
    /// to the data: S is the number of sources whose weight varies).
    public var parameterSummary: String {
        switch self {
        case .saturatingInteraction: "a, b, c, e, tau, beta (6); minimum 8 points, 2+ sizes, 3+ budgets"
        case .chinchillaAdditive: "E, A, alpha, B, tau, beta (6); minimum 8 points, 2+ sizes, 3+ budgets"
        case .chinchillaLoss: "E, A, alpha, B, beta (5); minimum 7 points, 2+ sizes, 3+ budgets, D > 0"
        case .logLinearN: "a@D, b@D per budget (2 per budget); minimum 2·budgets + 2 points, 2+ sizes per budget"
        case .quadraticShares: "c0, c_r, c_v, c_rr, c_vv, c_rv (6); minimum 8 points, 6+ mixtures (c0, c_t, c_tt and 5 points on collinear shares)"
        case .mixingExponential: "c, k, t_source for S − 1 sources (S + 1); minimum S + 3 points (9 with all 6 built-in sources varying, 20 with 17)"
        case .saturatingPerSource: "c, a_source for S − 1 sources, rho (S + 1); minimum S + 3 points (9 with all 6 built-in sources varying, 20 with 17)"
        case .joint: "a, b, c, e, tau, beta, m_r, m_v, m_vv (9); minimum 11 points, 3+ mixtures"
        case .ladderSigmoid: "a, h, k, m (4) over the loss law's prediction; minimum 6 points"
        case .mixtureAdditiveLoss: "E, A, alpha, B, beta, C_source and gamma_source for S sources (2S + 5); minimum 2S + 7 points"
        case .mixtureJointLoss: "E, A, alpha, B, beta, delta, C_source and gamma_source for S sources (2S + 6); minimum 2S + 8 points"
        case .kernelRidge: "mu, length_scale, ridge, and one dual weight per run; minimum 50 mixtures"
        case .power1D: "a, b, c (3); minimum 5 points"
        case .sigmoidLog1D: "a, h, k, m (4); minimum 6 points"
        }
    }

    /// Fitted as losses are, by Huber's loss of the log residuals (`HuberLogLoss`): the small
    /// losses of large runs count as much as the large ones of small runs, and a few diverged
    /// runs do not bend the law.
    public var fitsHuberLogLoss: Bool { self == .chinchillaLoss || self == .mixtureAdditiveLoss || self == .mixtureJointLoss }

    /// How the minimum point count is set: at least two more points than parameters, so a fit
    /// leaves residual degrees of freedom for its error estimate.
    public static let spareDegreesOfFreedom = 2
}

/// The input a 1-D family varies along.
public enum InputAxis: String, Codable, Sendable, CaseIterable {
    case params, tokens, reasoningShare = "reasoning_share", visualShare = "visual_share"
}

/// How a parameter is kept in its domain: the optimiser works on an unconstrained θ.
public enum ParameterBound: Codable, Sendable, Equatable {
    case free
    /// lo + (hi − lo)·σ(θ)
    case range(Double, Double)
    /// exp(ln lo + (ln hi − ln lo)·σ(θ)), for positive scales spanning decades.
    case logRange(Double, Double)
}

public struct ParameterSpec: Codable, Sendable, Equatable {
    public var name: String
    public var bound: ParameterBound
    /// Enters the formula linearly (for fixed nonlinear parameters): starts solve these by linear least squares.
    public var linear: Bool
}

/// A family bound to its data: parameter list, input scales and the family's extra context.
/// It is stored inside every `FittedLaw`, so a law can be evaluated without the original data.
public struct LawShape: Codable, Sendable, Equatable {
    public var family: LawFamily
    public var parameters: [ParameterSpec]
    /// N_ref and D_ref: n = N / nScale, d = D / dScale.
    public var nScale: Double
    public var dScale: Double
    /// loglinear_n: the token budgets (scaled) that own an (a, b) pair, ascending.
    public var knots: [Double] = []
    /// Mixture families: the sources (names in the mixtures' catalogue) with a coefficient, in parameter order.
    public var sources: [String] = []
    /// Mixture families: the source absorbed into the constant (largest mean weight).
    public var referenceSource: String?
    /// Quadratic and joint laws: the mean shares the Δ terms are taken from.
    public var centre: [Double] = [0, 0]
    /// 1-D families: the varying input.
    public var axis: InputAxis?
    /// Quadratic law on nearly collinear shares: the unit direction of the data's line. The
    /// surface is then a quadratic in t = u·Δ, since nothing in the data fixes its curvature
    /// across the line (the paper's eleven mixtures lie almost on a line).
    public var principal: [Double]?
    /// kernel_ridge: the feature map and the fitted runs' features (`KernelSupport`).
    public var kernel: KernelSupport?
    /// ladder_sigmoid: the loss law whose prediction is the sigmoid's input (one element; an
    /// array because a shape cannot hold a law directly).
    public var via: [FittedLaw] = []
    enum CodingKeys: String, CodingKey {
        case family, parameters, knots, sources, centre, axis, principal, kernel, via
        case nScale = "n_scale", dScale = "d_scale", referenceSource = "reference_source"
    }

    init(family: LawFamily, parameters: [ParameterSpec], nScale: Double, dScale: Double) {
        self.family = family; self.parameters = parameters; self.nScale = nScale; self.dScale = dScale
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        family = try c.decode(LawFamily.self, forKey: .family)
        parameters = try c.decode([ParameterSpec].self, forKey: .parameters)
        nScale = try c.decode(Double.self, forKey: .nScale)
        dScale = try c.decode(Double.self, forKey: .dScale)
        knots = try c.decodeIfPresent([Double].self, forKey: .knots) ?? []
        referenceSource = try c.decodeIfPresent(String.self, forKey: .referenceSource)
        centre = try c.decodeIfPresent([Double].self, forKey: .centre) ?? [0, 0]
        axis = try c.decodeIfPresent(InputAxis.self, forKey: .axis)
        principal = try c.decodeIfPresent([Double].self, forKey: .principal)
        kernel = try c.decodeIfPresent(KernelSupport.self, forKey: .kernel)
        via = try c.decodeIfPresent([FittedLaw].self, forKey: .via) ?? []
        let names = try c.decodeIfPresent([String].self, forKey: .sources) ?? []
        guard names.count <= Features.maximumSources else {
            throw DecodingError.dataCorruptedError(forKey: .sources, in: c, debugDescription: "more than \(Features.maximumSources) sources")
        }
        setSources(names)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(family, forKey: .family); try c.encode(parameters, forKey: .parameters)
        try c.encode(nScale, forKey: .nScale); try c.encode(dScale, forKey: .dScale)
        try c.encode(knots, forKey: .knots); try c.encode(sources, forKey: .sources)
        try c.encodeIfPresent(referenceSource, forKey: .referenceSource)
        try c.encode(centre, forKey: .centre); try c.encodeIfPresent(axis, forKey: .axis)
        try c.encodeIfPresent(principal, forKey: .principal)
        try c.encodeIfPresent(kernel, forKey: .kernel)
        if !via.isEmpty { try c.encode(via, forKey: .via) }
    }

    mutating func setSources(_ names: [String]) {
        precondition(names.count <= Features.maximumSources, "a mixture law has at most \(Features.maximumSources) source coefficients")
        sources = names
    }

    public var parameterNames: [String] { parameters.map(\.name) }
    public var minimumPoints: Int { parameters.count + LawFamily.spareDegreesOfFreedom }
}

/// One point's inputs in the unit-free form every family evaluates.
struct Features {
    var n: Double
    var lnN: Double
    var d: Double
    var r: Double
    var v: Double
    /// The weights of the shape's `sources`, in that order (zeros without a weighted mixture).
    /// Inline storage, not an array, so copying features in the solver's loops costs no
    /// reference counting; a catalogue has at most 32 sources, one of them the reference.
    var weights: InlineArray<32, Double>
    var hasWeights: Bool
    /// ladder_sigmoid: the loss its loss law predicts at (N, D); 0 for other shapes.
    var ladderLoss: Double

    static let maximumSources = 32

    func w(_ k: Int) -> Double { weights[k] }

    init(params: Double, tokens: Double, mixture: Mixture?, shape: LawShape) {
        n = params / shape.nScale
        lnN = log(n)
        d = tokens / shape.dScale
        r = mixture?.reasoningShare ?? 0
        v = mixture?.visualShare ?? 0
        weights = InlineArray(repeating: 0)
        if let m = mixture, !m.isSharesOnly {
            for (k, name) in shape.sources.enumerated() { weights[k] = m.weight(named: name) }
        }
        hasWeights = mixture.map { !$0.isSharesOnly } ?? false
        ladderLoss = shape.via.first?.predict(params: params, tokens: tokens, mixture: mixture) ?? 0
    }

    func axisValue(_ axis: InputAxis) -> Double {
        switch axis {
        case .params: n
        case .tokens: d
        case .reasoningShare: r
        case .visualShare: v
        }
    }
}

/// The token saturation q^−β of the families with τ and β (parameters 4 and 5), with the
/// pieces its derivatives need. It depends on D, τ and β only, so a fit computes it once per
/// distinct budget rather than once per run (`LawProblem`).
struct TokenTerm {
    var q: Double
    var lq: Double
    var qb: Double

    init(d: Double, tau: Double, beta: Double) {
        // exp(−β·ln q) rather than pow: ln q is needed for ∂/∂β anyway, and pow is slower.
        q = 1 + d / tau
        lq = log1p(d / tau)
        qb = exp(-beta * lq)
    }
}

extension LawShape {
    /// Whether `evaluate` uses a `TokenTerm` (parameters 4 and 5 are τ and β).
    var usesTokenTerm: Bool { family == .saturatingInteraction || family == .joint || family == .chinchillaAdditive }

    /// The model value at natural parameters `p`; when `g` is given it receives ∂value/∂p.
    /// `term`, when given, must be `TokenTerm(d: x.d, tau: p[4], beta: p[5])`.
    func evaluate(_ p: UnsafeBufferPointer<Double>, _ x: Features, term: TokenTerm? = nil,
                  gradient g: UnsafeMutableBufferPointer<Double>?) -> Double {
        switch family {
        case .saturatingInteraction, .joint:
            let (a, b, c, e, tau, beta) = (p[0], p[1], p[2], p[3], p[4], p[5])
            let t = term ?? TokenTerm(d: x.d, tau: tau, beta: beta)
            let (q, lq, qb) = (t.q, t.lq, t.qb)
            let S = 1 - qb
            var m = 1.0
            let dr = x.r - centre[0], dv = x.v - centre[1]
            if family == .joint { m = 1 + p[6] * dr + p[7] * dv + p[8] * dv * dv }
            let gain = c + e * x.lnN
            if let g {
                g[0] = 1; g[1] = x.lnN; g[2] = m * S; g[3] = m * x.lnN * S
                g[4] = -gain * m * beta * qb / q * x.d / (tau * tau)
                g[5] = gain * m * qb * lq
                if family == .joint { g[6] = gain * S * dr; g[7] = gain * S * dv; g[8] = gain * S * dv * dv }
            }
            return a + b * x.lnN + gain * m * S
        case .chinchillaAdditive:
            let (E, A, alpha, B, tau, beta) = (p[0], p[1], p[2], p[3], p[4], p[5])
            let na = exp(-alpha * x.lnN)
            let t = term ?? TokenTerm(d: x.d, tau: tau, beta: beta)
            let (q, lq, qb) = (t.q, t.lq, t.qb)
            if let g {
                g[0] = 1; g[1] = -na; g[2] = A * na * x.lnN; g[3] = -qb
                g[4] = -B * beta * qb / q * x.d / (tau * tau)
                g[5] = B * qb * lq
            }
            return E - A * na - B * qb
        case .chinchillaLoss:
            let (E, A, alpha, B, beta) = (p[0], p[1], p[2], p[3], p[4])
            let lnD = log(x.d)
            let na = exp(-alpha * x.lnN), db = exp(-beta * lnD)
            if let g { g[0] = 1; g[1] = na; g[2] = -A * na * x.lnN; g[3] = db; g[4] = -B * db * lnD }
            return E + A * na + B * db
        case .logLinearN:
            // The bracketing knots and their interpolation weights (clamped outside the knots).
            let (i, j, wj) = knotBracket(x.d)
            if let g {
                for k in 0..<g.count { g[k] = 0 }
                g[2 * i] += 1 - wj; g[2 * i + 1] += (1 - wj) * x.lnN
                g[2 * j] += wj; g[2 * j + 1] += wj * x.lnN
            }
            let si = p[2 * i] + p[2 * i + 1] * x.lnN, sj = p[2 * j] + p[2 * j + 1] * x.lnN
            return (1 - wj) * si + wj * sj
        case .quadraticShares:
            let dr = x.r - centre[0], dv = x.v - centre[1]
            if let u = principal {
                let t = u[0] * dr + u[1] * dv
                if let g { g[0] = 1; g[1] = t; g[2] = t * t }
                return p[0] + p[1] * t + p[2] * t * t
            }
            if let g { g[0] = 1; g[1] = dr; g[2] = dv; g[3] = dr * dr; g[4] = dv * dv; g[5] = dr * dv }
            return p[0] + p[1] * dr + p[2] * dv + p[3] * dr * dr + p[4] * dv * dv + p[5] * dr * dv
        case .mixingExponential:
            var z = 0.0
            let count = sources.count
            for k in 0..<count { z += p[2 + k] * x.w(k) }
            let ez = exp(z)
            if let g {
                g[0] = 1; g[1] = ez
                for k in 0..<count { g[2 + k] = p[1] * ez * x.w(k) }
            }
            return p[0] + p[1] * ez
        case .saturatingPerSource:
            let count = sources.count
            let rho = p[count + 1]
            var s = p[0], drho = 0.0
            if let g { g[0] = 1 }
            for k in 0..<count {
                let ex = exp(-x.w(k) / rho)
                s += p[1 + k] * (1 - ex)
                drho += -p[1 + k] * ex * x.w(k) / (rho * rho)
                if let g { g[1 + k] = 1 - ex }
            }
            if let g { g[count + 1] = drho }
            return s
        case .mixtureAdditiveLoss, .mixtureJointLoss:
            return mixtureLossValue(p, x, gradient: g)
        case .ladderSigmoid:
            let s = 1 / (1 + exp(p[2] * (x.ladderLoss - p[3])))
            if let g {
                let ds = s * (1 - s)
                g[0] = 1; g[1] = s; g[2] = -p[1] * ds * (x.ladderLoss - p[3]); g[3] = p[1] * ds * p[2]
            }
            return p[0] + p[1] * s
        case .kernelRidge:
            // Solved, not iterated: no gradient is ever asked for.
            return kernelValue(p, x)
        case .power1D:
            let xv = x.axisValue(axis ?? .params)
            let xc = pow(xv, -p[2])
            if let g { g[0] = 1; g[1] = -xc; g[2] = p[1] * xc * log(xv) }
            return p[0] - p[1] * xc
        case .sigmoidLog1D:
            let lx = log(x.axisValue(axis ?? .params))
            let sg = 1 / (1 + exp(-p[2] * (lx - p[3])))
            if let g {
                let ds = sg * (1 - sg)
                g[0] = 1; g[1] = sg; g[2] = p[1] * ds * (lx - p[3]); g[3] = -p[1] * ds * p[2]
            }
            return p[0] + p[1] * sg
        }
    }

    /// For loglinear_n: knots i ≤ j around d and the weight of j (0 when d sits on a knot or outside).
    func knotBracket(_ d: Double) -> (Int, Int, Double) {
        let last = knots.count - 1
        if d <= knots[0] { return (0, 0, 0) }
        if d >= knots[last] { return (last, last, 0) }
        var j = 1
        while knots[j] < d { j += 1 }
        let i = j - 1
        if abs(knots[j] - d) <= 1e-12 * max(1, d) { return (j, j, 0) }
        return (i, j, (d - knots[i]) / (knots[j] - knots[i]))
    }

    func evaluate(_ p: [Double], _ x: Features) -> Double {
        p.withUnsafeBufferPointer { evaluate($0, x, gradient: nil) }
    }
}

// MARK: - Reparametrisation (bounds)

extension ParameterBound {
    /// Natural value and dp/dθ at unconstrained θ.
    func natural(_ t: Double) -> (Double, Double) {
        switch self {
        case .free: return (t, 1)
        case let .range(lo, hi):
            let s = 1 / (1 + exp(-t))
            return (lo + (hi - lo) * s, (hi - lo) * s * (1 - s))
        case let .logRange(lo, hi):
            let s = 1 / (1 + exp(-t))
            let span = log(hi) - log(lo)
            let v = exp(log(lo) + span * s)
            return (v, v * span * s * (1 - s))
        }
    }

    /// θ for a natural value, nudged inside the bounds so the logit stays finite.
    func unconstrained(_ v: Double) -> Double {
        func logit(_ s: Double) -> Double { let c = min(max(s, 1e-6), 1 - 1e-6); return log(c / (1 - c)) }
        switch self {
        case .free: return v
        case let .range(lo, hi): return logit((v - lo) / (hi - lo))
        case let .logRange(lo, hi): return logit((log(max(v, 1e-300)) - log(lo)) / (log(hi) - log(lo)))
        }
    }

    func clamp(_ v: Double) -> Double {
        switch self {
        case .free: return v
        case let .range(lo, hi), let .logRange(lo, hi): return min(max(v, lo), hi)
        }
    }
}
