// Multiple-choice scoring with the shared prefix computed once.
//
// The options of a question share their image and prompt (a text question: its prompt); scored
// one sequence per option, that prefix (most of every sequence) runs through the model once per
// option. Packed, one sequence holds the prefix once and then every option as a segment:
//   [visual tokens][prompt minus its last token] [last prompt token, option 1, ...] [last prompt token, option 2, ...] ...
// Each segment's rows sit at the rotary positions they have in their own sequence and attend to
// the prefix and to their own segment only (PackedRows), so every option's log-likelihood is the
// one its own sequence gives, up to rounding (the softmax sums the visible keys in another order).
// The last prompt token opens each segment because its row predicts the option's first token.
import Foundation

/// The rows of one packed sequence and, for each example it holds, the rows that score it.
struct PackedSequence {
    var features: [Float]              // (P,F) of the shared image
    var inputs: [Int32] = []           // token of each row after the visual prefix (0 on visual rows)
    var targets: [Int32] = []
    var positions: [Int32] = []
    var segmentStarts: [Int32] = []
    var shared = 0                     // rows every segment sees
    var scored: [(example: Int, rows: Range<Int>)] = []
    var count: Int { inputs.count }

    init(features: [Float]) { self.features = features }

    /// One example's own sequence (no sharing), cut to `context`: row t holds text token t − P
    /// and predicts token t − P + 1, scored from `scoredFrom` on. Training batches lay out their
    /// examples this way too (VisualModel.forward).
    init(example ex: VisualExample, index: Int, visualTokens P: Int, context: Int) {
        features = ex.features
        let T = min(context, P + ex.tokens.count)
        for t in 0..<T {
            let k = t - P + 1   // the text token row t predicts
            inputs.append(t >= P ? ex.tokens[t - P] : 0)
            targets.append(k >= ex.scoredFrom && k >= 0 && k < ex.tokens.count ? ex.tokens[k] : -1)
            positions.append(Int32(t)); segmentStarts.append(0)
        }
        scored = [(index, 0..<T)]
    }
}

/// Packs runs of consecutive examples with the same image (features) and prompt, as many options
/// per sequence as `context` holds; an example without a prompt to share, or longer than the
/// context, keeps a sequence of its own. `P` visual rows open every sequence (0 for text).
func packedSequences(_ examples: [VisualExample], visualTokens P: Int, context: Int) -> [PackedSequence] {
    var out: [PackedSequence] = []
    var i = 0
    while i < examples.count {
        let first = examples[i], n = first.scoredFrom
        var j = i + 1
        while j < examples.count, examples[j].scoredFrom == n, examples[j].tokens.prefix(n) == first.tokens.prefix(n),
              examples[j].features == first.features { j += 1 }
        let fits = examples[i..<j].allSatisfy { P + $0.tokens.count <= context }
        guard n >= 1, fits else {
            for k in i..<j { out.append(PackedSequence(example: examples[k], index: k, visualTokens: P, context: context)) }
            i = j; continue
        }
        var seq = PackedSequence(sharedPrefixOf: first, visualTokens: P)
        for k in i..<j {
            let tokens = examples[k].tokens, rows = tokens.count - n   // tokens[n-1] ..< tokens[count-1]
            if seq.count + rows > context {
                out.append(seq)
                seq = PackedSequence(sharedPrefixOf: first, visualTokens: P)
            }
            let start = seq.count
            for m in (n - 1)..<(tokens.count - 1) {
                seq.inputs.append(tokens[m]); seq.targets.append(tokens[m + 1])
                seq.positions.append(Int32(P + m)); seq.segmentStarts.append(Int32(start))
            }
            seq.scored.append((k, start..<seq.count))
        }
        out.append(seq)
        i = j
    }
    return out
}

extension PackedSequence {
    /// The visual rows and the prompt minus its last token: what every option's segment sees.
    init(sharedPrefixOf ex: VisualExample, visualTokens P: Int) {
        self.init(features: ex.features)
        let rows = P + ex.scoredFrom - 1
        for t in 0..<rows {
            inputs.append(t >= P ? ex.tokens[t - P] : 0); targets.append(-1)
            positions.append(Int32(t)); segmentStarts.append(0)
        }
        shared = rows
    }
}

/// The summed log-probabilities of every example's scored tokens, from packed sequences run in
/// batches of `model.maxBatch`; `embed` turns a batch's features into its visual rows (nil: text).
func packedLogLikelihoods(_ sequences: [PackedSequence], examples: Int, model: Model, visualTokens P: Int,
                          embed: (([Float], Int) -> [Float])?) -> [Double] {
    var out = [Double](repeating: 0, count: examples)
    var start = 0
    while start < sequences.count {
        let batch = sequences[start..<min(start + model.maxBatch, sequences.count)]
        let B = batch.count, T = batch.map(\.count).max() ?? 1
        var inputs = [Int32](repeating: 0, count: B * T), targets = [Int32](repeating: -1, count: B * T)
        var rows = PackedRows(position: [Int32](repeating: 0, count: B * T), segmentStart: [Int32](repeating: 0, count: B * T),
                              shared: batch.map { Int32($0.shared) })
        for (b, seq) in batch.enumerated() {
            for t in 0..<T {
                let r = b * T + t
                guard t < seq.count else { rows.position[r] = Int32(t); rows.segmentStart[r] = Int32(t); continue }
                inputs[r] = seq.inputs[t]; targets[r] = seq.targets[t]
                rows.position[r] = seq.positions[t]; rows.segmentStart[r] = seq.segmentStarts[t]
            }
        }
        if let embed {
            let embedded = embed(batch.flatMap(\.features), B)
            embedded.withUnsafeBufferPointer { pre in
                _ = model.forward(inputs: inputs, targets: targets, B: B, T: T, prefix: pre.baseAddress!, prefixLength: P, packed: rows)
            }
        } else {
            model.forward(inputs: inputs, targets: targets, B: B, T: T, packed: rows)
        }
        for (b, seq) in batch.enumerated() {
            for (example, range) in seq.scored {
                var s = 0.0
                for t in range where targets[b * T + t] >= 0 { s -= Double(model.losses[b * T + t]) }
                out[example] = s
            }
        }
        start += B
    }
    return out
}

extension VisualModel {
    /// Sum of log-probabilities of the scored tokens of every example (for option scoring).
    public func logLikelihoods(_ examples: [VisualExample]) -> [Double] {
        let sequences = packedSequences(examples, visualTokens: P, context: model.config.context)
        return packedLogLikelihoods(sequences, examples: examples.count, model: model, visualTokens: P) { features, B in
            var embedded: [Float] = []
            self.projector.forward(features, B: B, into: &embedded)
            return embedded
        }
    }
}
