// Model and training configuration, and the five named sizes.
import Foundation

/// The shape of one decoder-only transformer (Llama style: pre-norm RMSNorm, rotary positions,
/// GELU MLP of width 4C, no biases, tied input/output embeddings).
public struct ModelConfig: Codable, Equatable, Sendable {
    public var vocabularySize: Int   // V
    public var context: Int          // T (maximum sequence length)
    public var layers: Int           // L
    public var width: Int            // C (d_model)
    public var heads: Int            // NH (C % NH == 0, head size even for rotary)

    public init(vocabularySize: Int, context: Int, layers: Int, width: Int, heads: Int) {
        self.vocabularySize = vocabularySize; self.context = context
        self.layers = layers; self.width = width; self.heads = heads
    }

    public var headSize: Int { width / heads }

    /// Throws when the shape cannot be built.
    public func validate() throws {
        guard vocabularySize >= 2, context >= 1, layers >= 1, width >= 2, heads >= 1 else {
            throw TrainerError.invalidConfig("all sizes must be positive (V ≥ 2)")
        }
        guard width % heads == 0, headSize % 2 == 0 else {
            throw TrainerError.invalidConfig("width \(width) must split into \(heads) heads of even size")
        }
    }

    /// Number of trainable parameters (embedding counted once: it is tied to the output head).
    public var parameterCount: Int { ParameterLayout(self).total }

    /// Parameters outside the embedding table.
    public var nonEmbeddingParameterCount: Int { parameterCount - vocabularySize * width }

    /// Matmul FLOPs of forward+backward per trained token: 6 × (matmul parameters) plus attention
    /// (QKᵀ and PV, counted over the full T×T as computed), the convention used for MFU.
    public var flopsPerToken: Double {
        let C = Double(width), L = Double(layers), V = Double(vocabularySize), T = Double(context)
        let matmulParams = L * 12 * C * C + V * C
        let attention = L * 2 * 2 * T * C   // forward QKᵀ + PV per token
        return 6 * matmulParams + 3 * attention
    }
}

/// A named model size.
public struct ModelSize: Codable, Equatable, Sendable {
    public var name: String
    public var layers: Int
    public var width: Int
    public var heads: Int
    public var context: Int
    /// Default batch (sequences per step) for training this size.
    public var batch: Int
    /// Default peak learning rate.
    public var learningRate: Float

    public func config(vocabularySize: Int) -> ModelConfig {
        ModelConfig(vocabularySize: vocabularySize, context: context, layers: layers, width: width, heads: heads)
    }

    /// The vocabulary size used in the documented size table (the World tokenizer's is used in runs).
    public static let referenceVocabulary = 1024

    /// The five sizes, smallest first. Parameter counts at V=1024 span about 62×.
    public static let all: [ModelSize] = [
        ModelSize(name: "xs", layers: 2, width: 16, heads: 2, context: 64, batch: 32, learningRate: 3e-3),
        ModelSize(name: "s", layers: 2, width: 32, heads: 4, context: 64, batch: 32, learningRate: 3e-3),
        ModelSize(name: "m", layers: 3, width: 64, heads: 4, context: 128, batch: 16, learningRate: 3e-3),
        ModelSize(name: "l", layers: 4, width: 96, heads: 6, context: 128, batch: 16, learningRate: 3e-3),
        ModelSize(name: "xl", layers: 4, width: 160, heads: 8, context: 128, batch: 16, learningRate: 3e-3),
    ]

    public static func named(_ name: String) -> ModelSize? { all.first { $0.name == name.lowercased() } }
}

/// Optimiser and run settings.
public struct TrainConfig: Codable, Equatable, Sendable {
    public var batch: Int                 // B sequences per step
    public var tokens: Int                // total training tokens (B*T per step)
    public var learningRate: Float
    public var minLearningRateFraction: Float = 0.1
    public var warmupFraction: Double = 0.05
    public var weightDecay: Float = 0.1
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var epsilon: Float = 1e-8
    public var gradientClip: Float = 1.0
    public var seed: UInt64
    public var threads: Int
    /// Token budgets at which validation loss is measured (the data-scaling curve).
    public var evalAtTokens: [Int] = []
    /// Validation batches (each B×T tokens) per evaluation.
    public var evalBatches: Int = 4
    /// Record the training loss every this many steps in the loss curve.
    public var logEvery: Int = 1

    public init(batch: Int, tokens: Int, learningRate: Float, seed: UInt64, threads: Int) {
        self.batch = batch; self.tokens = tokens; self.learningRate = learningRate
        self.seed = seed; self.threads = threads
    }
}

public enum TrainerError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case checkpoint(String)

    public var description: String {
        switch self {
        case .invalidConfig(let m): return "invalid model configuration: \(m)"
        case .checkpoint(let m): return "checkpoint refused: \(m)"
        }
    }
}

/// Where each parameter tensor lives in the one contiguous parameter arena.
/// Order: wte (V,C); per layer: ln1w (C), qkvw (3C,C), attprojw (C,C), ln2w (C), fcw (4C,C), fcprojw (C,4C); lnfw (C).
public struct ParameterLayout: Sendable {
    public struct Tensor: Sendable { public var name: String; public var offset: Int; public var count: Int; public var decay: Bool }
    public private(set) var tensors: [Tensor] = []
    public private(set) var total = 0
    public let wte: Int, lnf: Int
    public let ln1: [Int], qkv: [Int], attproj: [Int], ln2: [Int], fc: [Int], fcproj: [Int]

    public init(_ c: ModelConfig) {
        let V = c.vocabularySize, C = c.width
        var tensors: [Tensor] = []
        var total = 0
        func add(_ name: String, _ n: Int, _ decay: Bool) -> Int {
            tensors.append(Tensor(name: name, offset: total, count: n, decay: decay)); total += n; return total - n
        }
        wte = add("wte", V * C, true)
        var ln1: [Int] = [], qkv: [Int] = [], attproj: [Int] = [], ln2: [Int] = [], fc: [Int] = [], fcproj: [Int] = []
        for l in 0..<c.layers {
            ln1.append(add("h\(l).ln1", C, false))
            qkv.append(add("h\(l).qkv", 3 * C * C, true))
            attproj.append(add("h\(l).attproj", C * C, true))
            ln2.append(add("h\(l).ln2", C, false))
            fc.append(add("h\(l).fc", 4 * C * C, true))
            fcproj.append(add("h\(l).fcproj", 4 * C * C, true))
        }
        lnf = add("lnf", C, false)
        self.ln1 = ln1; self.qkv = qkv; self.attproj = attproj; self.ln2 = ln2; self.fc = fc; self.fcproj = fcproj
        self.tensors = tensors; self.total = total
    }
}

/// Where the model's activations, the caches backward reads and the backward scratch live in
/// one arena, in floats, for batches of up to B sequences of T tokens. Each buffer is named and
/// sized once here, and the total is what they add up to.
struct ActivationLayout {
    /// One block's caches: inputs and outputs of each layer that backward needs.
    struct BlockCaches {
        var ln1: Int, ln1rstd: Int     // (B,T,C), (B,T)
        var qkv: Int                   // (B,T,3C), after rope
        var atty: Int                  // (B,T,C)
        var att: Int                   // (B,NH,T,T) attention probabilities
        var res2: Int                  // (B,T,C)
        var ln2: Int, ln2rstd: Int     // (B,T,C), (B,T)
        var fch: Int, fchg: Int        // (B,T,4C) before and after GELU
        var res3: Int                  // (B,T,C), the block's output
    }

    private(set) var total = 0
    /// Token (and visual-prefix) embeddings (B,T,C).
    private(set) var encoded = 0
    private(set) var layers: [BlockCaches] = []
    /// Final norm (B,T,C) with its reciprocal RMS (B,T); logits turned into probabilities (B,T,V);
    /// per-position losses (B,T).
    private(set) var lnf = 0, lnfrstd = 0, probs = 0, losses = 0
    /// Backward scratch shared by all blocks: (B,T,C) ×3, (B,T,3C), (B,T,4C) ×2, and one T×T
    /// attention row block per worker thread.
    private(set) var dres = 0, dbtc = 0, datty = 0, dqkv = 0, dfchg = 0, dfch = 0, dscratch = 0

    init(_ c: ModelConfig, batch B: Int, scratchThreads: Int) {
        let T = c.context, C = c.width, NH = c.heads, V = c.vocabularySize, BT = B * T
        func take(_ n: Int) -> Int { defer { total += n }; return total }
        encoded = take(BT * C)
        for _ in 0..<c.layers {
            layers.append(BlockCaches(ln1: take(BT * C), ln1rstd: take(BT), qkv: take(BT * 3 * C), atty: take(BT * C),
                                      att: take(B * NH * T * T), res2: take(BT * C), ln2: take(BT * C), ln2rstd: take(BT),
                                      fch: take(BT * 4 * C), fchg: take(BT * 4 * C), res3: take(BT * C)))
        }
        lnf = take(BT * C); lnfrstd = take(BT)
        probs = take(BT * V); losses = take(BT)
        dres = take(BT * C); dbtc = take(BT * C); datty = take(BT * C)
        dqkv = take(BT * 3 * C); dfchg = take(BT * 4 * C); dfch = take(BT * 4 * C); dscratch = take(scratchThreads * T * T)
    }
}
