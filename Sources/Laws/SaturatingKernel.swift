import Foundation

/// saturating_interaction's residuals and Jacobian written out over flat per-run arrays (ln n,
/// d, the budget's `TokenTerm`), for the solver's inner loop: `LawShape.evaluate` reads a
/// `Features` (a few hundred bytes, copied per call) and branches on the family per run.
///
/// Each value is the expression `evaluate` computes, in the same order, with its factor
/// m = 1 (the joint law's mixture factor) dropped: x·1 = x exactly, so every residual and
/// Jacobian entry, and with them every fit, is the same to the bit.
extension LawProblem {
    func saturatingResiduals(_ f: UnsafeMutableBufferPointer<Double>) {
        let (a, b, c, e) = (natural[0], natural[1], natural[2], natural[3])
        let terms = self.terms, bi = budgetIndex, lnN = self.lnN, sw = self.sw, y = self.y
        terms.withUnsafeBufferPointer { t in
            bi.withUnsafeBufferPointer { bi in
                lnN.withUnsafeBufferPointer { ln in
                    sw.withUnsafeBufferPointer { sw in
                        y.withUnsafeBufferPointer { y in
                            for i in 0..<ln.count {
                                let S = 1 - t[bi[i]].qb
                                let gain = c + e * ln[i]
                                let pred = a + b * ln[i] + gain * S
                                f[i] = sw[i] * (pred - y[i])
                            }
                        }
                    }
                }
            }
        }
    }

    func saturatingJacobian(_ J: UnsafeMutableBufferPointer<Double>) {
        let (c, e, tau, beta) = (natural[2], natural[3], natural[4], natural[5])
        let tau2 = tau * tau
        let terms = self.terms, bi = budgetIndex, lnN = self.lnN, d = dRun, sw = self.sw, dn = dnat
        terms.withUnsafeBufferPointer { t in
            bi.withUnsafeBufferPointer { bi in
                lnN.withUnsafeBufferPointer { ln in
                    d.withUnsafeBufferPointer { d in
                        sw.withUnsafeBufferPointer { sw in
                            dn.withUnsafeBufferPointer { dn in
                                let n = ln.count, col = J.baseAddress!
                                for i in 0..<n {
                                    let term = t[bi[i]]
                                    let S = 1 - term.qb
                                    let gain = c + e * ln[i]
                                    let s = sw[i]
                                    col[i] = s * 1 * dn[0]
                                    col[n + i] = s * ln[i] * dn[1]
                                    col[2 * n + i] = s * S * dn[2]
                                    col[3 * n + i] = s * (ln[i] * S) * dn[3]
                                    col[4 * n + i] = s * (-gain * beta * term.qb / term.q * d[i] / tau2) * dn[4]
                                    col[5 * n + i] = s * (gain * term.qb * term.lq) * dn[5]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A parameter's map from θ with the bound's constants taken once: the same expressions as
/// `ParameterBound.natural`, whose ln lo and ln hi − ln lo are otherwise two logs per call.
struct Reparametrisation {
    enum Kind { case free, range, logRange }
    let kind: Kind
    let lo: Double
    /// hi − lo for a range; ln hi − ln lo for a log range.
    let span: Double
    let logLo: Double

    init(_ bound: ParameterBound) {
        switch bound {
        case .free: (kind, lo, span, logLo) = (.free, 0, 0, 0)
        case let .range(lo, hi): (kind, self.lo, span, logLo) = (.range, lo, hi - lo, 0)
        case let .logRange(lo, hi): (kind, self.lo, span, logLo) = (.logRange, lo, log(hi) - log(lo), log(lo))
        }
    }

    /// Natural value and dp/dθ at θ.
    @inline(__always) func natural(_ t: Double) -> (Double, Double) {
        switch kind {
        case .free: return (t, 1)
        case .range:
            let s = 1 / (1 + exp(-t))
            return (lo + span * s, span * s * (1 - s))
        case .logRange:
            let s = 1 / (1 + exp(-t))
            let v = exp(logLo + span * s)
            return (v, v * span * s * (1 - s))
        }
    }
}
