// Multiple-choice scoring with the shared prefix computed once.
//
// The options of a question share their image and prompt; scored one sequence per option, that
// prefix (the visual tokens and the prompt, most of every sequence) runs through the model once
// per option. Packed, one sequence holds the prefix once and then every option as a segment:
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

    /// A sequence of one example laid out as training lays it out (no sharing), cut to `context`.
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

extension VisualModel {
    /// Packs runs of consecutive examples with the same image and prompt, as many options per
    /// sequence as the context holds; an example without a prompt to share, or longer than the
    /// context, keeps a sequence of its own.
    func packedSequences(_ examples: [VisualExample]) -> [PackedSequence] {
        let P = self.P, context = model.config.context
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
            var seq = sharedPrefix(first, visualTokens: P)
            for k in i..<j {
                let tokens = examples[k].tokens, rows = tokens.count - n   // tokens[n-1] ..< tokens[count-1]
                if seq.count + rows > context {
                    out.append(seq)
                    seq = sharedPrefix(first, visualTokens: P)
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

    /// The visual rows and the prompt minus its last token: what every option's segment sees.
    private func sharedPrefix(_ ex: VisualExample, visualTokens P: Int) -> PackedSequence {
        var seq = PackedSequence(features: ex.features)
        let rows = P + ex.scoredFrom - 1
        for t in 0..<rows {
            seq.inputs.append(t >= P ? ex.tokens[t - P] : 0); seq.targets.append(-1)
            seq.positions.append(Int32(t)); seq.segmentStarts.append(0)
        }
        seq.shared = rows
        return seq
    }

    /// Sum of log-probabilities of the scored tokens of every example (for option scoring).
    public func logLikelihoods(_ examples: [VisualExample]) -> [Double] {
        var out = [Double](repeating: 0, count: examples.count)
        let sequences = packedSequences(examples)
        let F = encoder.features, Pn = P
        var features: [Float] = [], embedded: [Float] = []
        var start = 0
        while start < sequences.count {
            let batch = sequences[start..<min(start + model.maxBatch, sequences.count)]
            let B = batch.count, T = batch.map(\.count).max() ?? 1
            var inputs = [Int32](repeating: 0, count: B * T), targets = [Int32](repeating: -1, count: B * T)
            var rows = PackedRows(position: [Int32](repeating: 0, count: B * T), segmentStart: [Int32](repeating: 0, count: B * T),
                                  shared: batch.map { Int32($0.shared) })
            features.removeAll(keepingCapacity: true)
            for (b, seq) in batch.enumerated() {
                features += seq.features
                for t in 0..<T {
                    let r = b * T + t
                    guard t < seq.count else { rows.position[r] = Int32(t); rows.segmentStart[r] = Int32(t); continue }
                    inputs[r] = seq.inputs[t]; targets[r] = seq.targets[t]
                    rows.position[r] = seq.positions[t]; rows.segmentStart[r] = seq.segmentStarts[t]
                }
            }
            precondition(features.count == B * Pn * F)
            projector.forward(features, B: B, into: &embedded)
            embedded.withUnsafeBufferPointer { pre in
                _ = model.forward(inputs: inputs, targets: targets, B: B, T: T, prefix: pre.baseAddress!, prefixLength: Pn, packed: rows)
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
}
