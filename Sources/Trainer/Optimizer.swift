// AdamW, the warmup + cosine learning-rate schedule and global-norm gradient clipping.
import Foundation
#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Linear warmup to `peak` over `warmupSteps`, then cosine decay to `peak · minFraction` at `totalSteps`.
public struct LearningRateSchedule: Sendable, Equatable {
    public var peak: Float, minFraction: Float, warmupSteps: Int, totalSteps: Int
    public init(peak: Float, minFraction: Float, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak; self.minFraction = minFraction
        self.warmupSteps = max(0, warmupSteps); self.totalSteps = max(1, totalSteps)
    }
    /// Learning rate of step `step` (0-based).
    public func rate(_ step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let cosine = 0.5 * (1 + cos(Double.pi * progress))
        return peak * (minFraction + (1 - minFraction) * Float(cosine))
    }
}

/// Scales grads (n) so that their global L2 norm is at most `maxNorm`. Returns the norm before clipping.
@discardableResult
public func clipGradients(_ grads: FloatPtr, _ n: Int, maxNorm: Float) -> Float {
    var ss = 0.0
    var i = 0
    while i < n {                       // blocks of 4096 summed in Float, then in Double: fast and exact enough
        let end = min(n, i + 4096)
        ss += Double(vdot(grads + i, grads + i, end - i))
        i = end
    }
    let norm = Float(ss.squareRoot())
    if maxNorm > 0, norm > maxNorm {
        let s = maxNorm / (norm + 1e-6)
        parallelChunks(n, minimumPerChunk: 1 << 14) { r, _ in for j in r { grads[j] *= s } }
    }
    return norm
}

/// Adam's bias corrections after `step` updates: 1/(1−β₁ᵗ) and 1/(1−β₂ᵗ).
func adamBiasCorrections(step: Int, beta1: Float, beta2: Float) -> (Float, Float) {
    (1 / (1 - Float(pow(Double(beta1), Double(step)))), 1 / (1 - Float(pow(Double(beta2), Double(step)))))
}

/// Plain Adam over one small array, clipping inside the step: the projector's optimizer. Its
/// arithmetic differs from `AdamW`'s in rounding (the gradient norm summed in Float, the step
/// as lr·m̂ / (√v̂ + ε) rather than lr·(m̂ / (√v̂ + ε))); every stored vision score depends on
/// those bits, so the two stay separate rather than one reproducing the other's rounding.
struct Adam {
    let beta1: Float = 0.9, beta2: Float = 0.95, epsilon: Float = 1e-8
    private(set) var step = 0
    private var m: [Float], v: [Float]

    init(count: Int) {
        m = [Float](repeating: 0, count: count); v = m
    }

    /// One step: gradients scaled so their global L2 norm is at most `clip`, then the update.
    mutating func update(params: inout [Float], grads: [Float], lr: Float, clip: Float) {
        step += 1
        var ss: Float = 0
        for g in grads { ss += g * g }
        let norm = ss.squareRoot(), s: Float = norm > clip ? clip / (norm + 1e-6) : 1
        let b1 = beta1, b2 = beta2
        let (c1, c2) = adamBiasCorrections(step: step, beta1: b1, beta2: b2)
        for i in params.indices {
            let g = grads[i] * s
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            params[i] -= lr * (m[i] * c1) / ((v[i] * c2).squareRoot() + epsilon)
        }
    }
}

/// AdamW with decoupled weight decay on matrices only (not on norm weights); moments in one arena.
public final class AdamW {
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var step = 0
    private let m: FloatPtr, v: FloatPtr
    private let count: Int
    let layout: ParameterLayout
    // Read and restored by `TrainingState`, so a stopped run continues where it was.
    var firstMoment: FloatPtr { m }
    var secondMoment: FloatPtr { v }
    func restoreStep(_ s: Int) { step = s }

    public init(layout: ParameterLayout, beta1: Float = 0.9, beta2: Float = 0.95, epsilon: Float = 1e-8, weightDecay: Float = 0.1) {
        self.layout = layout; count = layout.total
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
        m = .allocate(capacity: max(count, 1)); v = .allocate(capacity: max(count, 1))
        m.initialize(repeating: 0, count: max(count, 1)); v.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { m.deallocate(); v.deallocate() }

    /// One update of `params` from `grads` at learning rate `lr`.
    public func update(params: FloatPtr, grads: ConstFloatPtr, lr: Float) {
        step += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let (c1, c2) = adamBiasCorrections(step: step, beta1: b1, beta2: b2)
        for t in layout.tensors {
            let p = params + t.offset, g = grads + t.offset, mm = m + t.offset, vv = v + t.offset
            let decay = t.decay ? weightDecay : 0
            parallelChunks(t.count, minimumPerChunk: 1 << 14) { r, _ in
                // LLVM leaves this loop scalar (Float.squareRoot calls the C library's sqrtf, whose
                // errno branch it cannot vectorise), so it runs 16 lanes by hand; each lane does the
                // scalar tail's operations in the same order, so the bits are the same.
                var i = r.lowerBound
                while i + 16 <= r.upperBound {
                    let gi = load16(g + i), p0 = load16(p + i)
                    let mi = b1 * load16(mm + i) + (1 - b1) * gi
                    let vi = b2 * load16(vv + i) + (1 - b2) * gi * gi
                    store16(mi, mm + i); store16(vi, vv + i)
                    let mhat = mi * c1, vhat = vi * c2
                    store16(p0 - lr * (mhat / (squareRoot16(vhat) + eps) + decay * p0), p + i)
                    i += 16
                }
                while i < r.upperBound {
                    let gi = g[i]
                    let mi = b1 * mm[i] + (1 - b1) * gi
                    let vi = b2 * vv[i] + (1 - b2) * gi * gi
                    mm[i] = mi; vv[i] = vi
                    let mhat = mi * c1, vhat = vi * c2
                    p[i] -= lr * (mhat / (vhat.squareRoot() + eps) + decay * p[i])
                    i += 1
                }
            }
        }
    }
}

@inline(__always) private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
/// Lane-wise square root, correctly rounded as Float.squareRoot is (SSE's sqrtps).
@inline(__always) private func squareRoot16(_ x: SIMD16<Float>) -> SIMD16<Float> {
    #if arch(x86_64)
    SIMD16(lowHalf: SIMD8(lowHalf: _mm_sqrt_ps(x.lowHalf.lowHalf), highHalf: _mm_sqrt_ps(x.lowHalf.highHalf)),
           highHalf: SIMD8(lowHalf: _mm_sqrt_ps(x.highHalf.lowHalf), highHalf: _mm_sqrt_ps(x.highHalf.highHalf)))
    #else
    x.squareRoot()
    #endif
}
@inline(__always) private func store16(_ x: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD16<Float>.self) }
