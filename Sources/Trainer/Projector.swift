// The trainable projector: frozen encoder features → visual tokens in the LM's embedding space,
// placed before the text through Model.forward(prefix:).
//
// Shapes (B images, P tokens per image, N = B·P, F features, H hidden, C the LM width):
//   x   (N,F)  features                     pre = x·W1ᵀ + b1   (N,H)    W1 (H,F), b1 (H)
//   h   (N,H)  = gelu(pre)                   out = h·W2ᵀ + b2 + pos[p]  (N,C)   W2 (C,H), b2 (C), pos (P,C)
// Caches for backward: x (the caller's, must stay valid), pre, h.
// Backward: given dout (N,C): dW2 += doutᵀ·h, db2 += Σ dout, dpos[p] += Σ_b dout,
//   dh = dout·W2, dpre = gelu'(pre)·dh, dW1 += dpreᵀ·x, db1 += Σ dpre. (Input gradient not needed: the encoder is frozen.)
// The learned per-slot embedding `pos` tells patch tokens apart by place beyond the LM's rotary offsets.
import Foundation

public final class Projector {
    public let F: Int, H: Int, C: Int, P: Int
    /// Parameters in one array: W1, b1, W2, b2, pos.
    public var params: [Float]
    public var grads: [Float]
    let oW1: Int, ob1: Int, oW2: Int, ob2: Int, opos: Int
    private var optimizer: Adam
    // caches of the last forward
    private var pre: [Float] = [], h: [Float] = [], dh: [Float] = [], dpre: [Float] = []
    private var lastN = 0

    public init(features F: Int, hidden H: Int, width C: Int, tokens P: Int, seed: UInt64) {
        self.F = F; self.H = H; self.C = C; self.P = P
        oW1 = 0; ob1 = H * F; oW2 = ob1 + H; ob2 = oW2 + C * H; opos = ob2 + C
        let n = opos + P * C
        params = [Float](repeating: 0, count: n)
        grads = params
        optimizer = Adam(count: n)
        var rng = SplitMix64(seed: seed ^ 0x9_0_1EC7)
        for i in 0..<(H * F) { params[oW1 + i] = Float(rng.normal() / Double(F).squareRoot()) }
        // Outputs start at about the scale of the token embeddings (std 0.02 per coordinate ×√C after RMSNorm).
        for i in 0..<(C * H) { params[oW2 + i] = Float(rng.normal() * 0.5 / Double(H).squareRoot()) }
        for i in 0..<(P * C) { params[opos + i] = Float(rng.normal() * 0.02) }
    }

    public var parameterCount: Int { params.count }

    /// out (B,P,C) from x (B,P,F).
    public func forward(_ x: [Float], B: Int, into out: inout [Float]) {
        let N = B * P
        precondition(x.count >= N * F)
        lastN = N
        if pre.count < N * H { pre = [Float](repeating: 0, count: N * H); h = pre; dh = pre; dpre = pre }
        if out.count < N * C { out = [Float](repeating: 0, count: N * C) }
        params.withUnsafeBufferPointer { W in
            x.withUnsafeBufferPointer { xp in
                pre.withUnsafeMutableBufferPointer { pp in
                    matmulForward(pp.baseAddress!, xp.baseAddress!, W.baseAddress! + oW1, N, F, H)
                    for i in 0..<N { for j in 0..<H { pp[i * H + j] += W[ob1 + j] } }
                    h.withUnsafeMutableBufferPointer { hp in
                        geluForward(hp.baseAddress!, pp.baseAddress!, N * H)
                        out.withUnsafeMutableBufferPointer { op in
                            matmulForward(op.baseAddress!, hp.baseAddress!, W.baseAddress! + oW2, N, H, C)
                            for i in 0..<N {
                                let p = i % P
                                for j in 0..<C { op[i * C + j] += W[ob2 + j] + W[opos + p * C + j] }
                            }
                        }
                    }
                }
            }
        }
    }

    public func zeroGrad() { for i in grads.indices { grads[i] = 0 } }

    /// grads += ∂loss/∂params, given dout (B,P,C) of the last forward over x.
    public func backward(_ dout: [Float], x: [Float]) {
        let N = lastN
        grads.withUnsafeMutableBufferPointer { G in
            params.withUnsafeBufferPointer { W in
                dout.withUnsafeBufferPointer { d in
                    for i in 0..<N {
                        let p = i % P
                        for j in 0..<C { G[ob2 + j] += d[i * C + j]; G[opos + p * C + j] += d[i * C + j] }
                    }
                    h.withUnsafeBufferPointer { hp in
                        dh.withUnsafeMutableBufferPointer { dhp in
                            matmulBackward(dhp.baseAddress!, G.baseAddress! + oW2, d.baseAddress!, hp.baseAddress!, W.baseAddress! + oW2, N, H, C)
                            pre.withUnsafeBufferPointer { pp in
                                dpre.withUnsafeMutableBufferPointer { dp in
                                    geluBackward(dp.baseAddress!, pp.baseAddress!, dhp.baseAddress!, N * H)
                                    for i in 0..<N { for j in 0..<H { G[ob1 + j] += dp[i * H + j] } }
                                    // dx is not needed (frozen encoder) but matmulBackward writes it: reuse dh as scratch only if big enough.
                                    var dx = [Float](repeating: 0, count: N * F)
                                    x.withUnsafeBufferPointer { xp in
                                        dx.withUnsafeMutableBufferPointer { dxp in
                                            matmulBackward(dxp.baseAddress!, G.baseAddress! + oW1, dp.baseAddress!, xp.baseAddress!, W.baseAddress! + oW1, N, F, H)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One Adam step over every parameter (no weight decay: the projector is small and trained briefly).
    public func update(lr: Float, clip: Float = 1) {
        optimizer.update(params: &params, grads: grads, lr: lr, clip: clip)
    }
}
