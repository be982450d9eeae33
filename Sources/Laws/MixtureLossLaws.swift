import Foundation

/// The mixture loss laws in the spirit of Shukor et al. (Scaling laws for optimal data
/// mixtures, 2025): Chinchilla's terms in N and D plus a mixture term 1/M, with
/// M = Σ_j C_j·w_j^γ_j over the sources whose weight varies.
///
/// - `mixture_additive_loss`: L = E + A·n^−α + B·d^−β + 1/M. The mixture term does not depend
///   on N or D (∂²L/∂N∂w = ∂²L/∂D∂w = 0), so the best mixture is the same at every scale.
/// - `mixture_joint_loss`: L = E + A·n^−α + B·d^−β + d^−δ/M. The mixture's effect shrinks with
///   data at its own rate δ, so the best mixture can move with the budget.
///
/// Parameters: E, A, alpha, B, beta, (delta), then C_j for every source, then gamma_j.
extension LawShape {
    /// Index of the first C_j.
    var mixtureTermStart: Int { family == .mixtureJointLoss ? 6 : 5 }

    func mixtureLossValue(_ p: UnsafeBufferPointer<Double>, _ x: Features, gradient g: UnsafeMutableBufferPointer<Double>?) -> Double {
        let (E, A, alpha, B, beta) = (p[0], p[1], p[2], p[3], p[4])
        let lnD = log(x.d)
        let na = exp(-alpha * x.lnN), db = exp(-beta * lnD)
        let joint = family == .mixtureJointLoss
        let decay = joint ? exp(-p[5] * lnD) : 1
        let c0 = mixtureTermStart, S = sources.count
        var M = 0.0
        for k in 0..<S where x.w(k) > 0 { M += p[c0 + k] * exp(p[c0 + S + k] * log(x.w(k))) }
        let T = decay / M
        if let g {
            g[0] = 1; g[1] = na; g[2] = -A * na * x.lnN; g[3] = db; g[4] = -B * db * lnD
            if joint { g[5] = -lnD * T }
            // ∂(decay/M)/∂C_j = −decay·w^γ/M², ∂/∂γ_j = −decay·C_j·w^γ·ln w/M²; an absent
            // source (w = 0) contributes nothing and has no slope.
            for k in 0..<S {
                let w = x.w(k)
                guard w > 0 else { g[c0 + k] = 0; g[c0 + S + k] = 0; continue }
                let wg = exp(p[c0 + S + k] * log(w))
                g[c0 + k] = -T / M * wg
                g[c0 + S + k] = -T / M * p[c0 + k] * wg * log(w)
            }
        }
        return E + A * na + B * db + T
    }
}
