import ArgumentParser
import Foundation
import Trainer
import VisionMixCore
import World

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pre-train a small transformer LM on the CPU, or list the model sizes.",
        discussion: """
            Prints a progress bar (tokens/s, ETA) on stderr and the loss curve at the end. Validation loss \
            is measured at every --eval-at budget, so one run gives a data-scaling curve. Same seed and \
            --threads give the same loss curve bit for bit. --benchmark measures training tokens/s of \
            every size against OpenBLAS's measured peak sgemm.
            """
    )
    @Flag(help: "List the model sizes, smallest first.") var listSizes = false
    @Flag(help: "Measure training throughput of every size (or --size) and OpenBLAS's peak sgemm.") var benchmark = false
    @Option(help: "Model size name (see --list-sizes).") var size: String?
    @Option(help: "Mixture: a preset or source=weight list (default balanced).") var mix: String?
    @Option(help: "Training tokens (e.g. 2M, 500K).") var tokens = "2M"
    @Option(help: "Random seed (weights and data order).") var seed: UInt64 = 1
    @Option(help: "OpenBLAS threads.") var threads = 2
    @Option(help: "Sequences per step (default: the size's).") var batch: Int?
    @Option(help: "Peak learning rate (default: the size's).") var lr: Float?
    @Option(help: "Comma-separated token budgets for validation (default: 4 log-spaced budgets).") var evalAt: String?
    @Option(help: "Save a checkpoint at every evaluation budget into this directory.") var checkpointDir: String?
    @Option(help: "Vocabulary size for --list-sizes and --benchmark (the synthetic benchmark stream); training uses the World vocabulary.") var vocab = ModelSize.referenceVocabulary
    @Option(help: "Timed steps per size for --benchmark.") var benchSteps = 10
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try Checks.within(vocab, 1...Limits.maxVocabulary, option: "--vocab")
        try Checks.within(benchSteps, 1...Limits.maxBenchmarkSteps, option: "--bench-steps")
        if listSizes { try printSizes(); return }
        if benchmark { try runBenchmark(); return }
        guard let name = size else { throw UserError("give --size NAME (see --list-sizes) or --list-sizes") }
        guard let s = ModelSize.named(name) else {
            throw UserError("unknown size '\(name)'; sizes are " + ModelSize.all.map(\.name).joined(separator: ", "))
        }
        let total = try Checks.runTokens(tokens)
        try Checks.threads(threads)
        if let batch { try Checks.within(batch, 1...Limits.maxBatch, option: "--batch") }
        let mixture = try mix.map { spec -> Mixture in
            do { return try MixtureSpec.parse(spec).mixture } catch { throw UserError("--mix: \(error)") }
        }

        // Pre-training reads the World mixture sampler in the World vocabulary; the validation
        // text comes from the same mixture on a seed no training run uses.
        let vocabularySize = Tokenizer.shared.vocabularySize
        let chosen = mixture ?? Mixture.preset("balanced")!
        let stream = MixtureSampler(mixture: chosen, seed: seed)
        var validationStream = MixtureSampler(mixture: chosen, seed: 0xFEED_BEEF)   // fixed across runs

        let model = s.config(vocabularySize: vocabularySize)
        var config = TrainConfig(batch: batch ?? s.batch, tokens: Int(total), learningRate: lr ?? s.learningRate, seed: seed, threads: threads)
        let budgets = try evalBudgets(total: Int(total))
        config.evalAtTokens = budgets.filter { $0 > 0 }
        let trainer: Trainer
        do { trainer = try Trainer(model: model, training: config) } catch { throw UserError("\(error)") }
        let validation = validationStream.nextTokens(trainer.validationTokenCount(batches: config.evalBatches))
        if let dir = checkpointDir { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        if !json {
            print("training \(s.name): \(Quantity.format(Double(model.parameterCount))) parameters, L=\(model.layers) C=\(model.width) "
                  + "NH=\(model.heads) T=\(model.context) B=\(config.batch), \(trainer.steps) steps, \(threads) thread(s), seed \(seed)")
        }
        // Budget 0 is the untrained model: only a checkpoint (the run pipeline's 0-token point).
        if budgets.contains(0), let dir = checkpointDir {
            let path = (dir as NSString).appendingPathComponent("\(s.name)-seed\(seed)-0.vmxckpt")
            try Checkpoint(model: trainer.model, tokensTrained: 0, seed: seed).write(to: path)
        }
        let bar = ProgressBar(total: Double(config.tokens), label: "train")
        let result = try trainer.run(stream: stream, validation: validation, progress: { p in
            bar.update(Double(p.tokens), detail: String(format: "%.0f tok/s · loss %.3f", p.tokensPerSecond, p.loss), force: p.step == p.steps)
        }) { e, m in
            if let dir = checkpointDir {
                let path = (dir as NSString).appendingPathComponent("\(s.name)-seed\(seed)-\(e.tokens).vmxckpt")
                try Checkpoint(model: m, tokensTrained: e.tokens, seed: seed).write(to: path)
            }
        }
        bar.finish()
        let rss = peakResidentBytes()
        if json {
            struct Out: Encodable {
                let size: String, parameters: Int, tokens: Int, steps: Int, seed: UInt64, threads: Int
                let final_loss: Float, loss_curve: [Float], evaluations: [E], tokens_per_second: Double, seconds: Double
                let peak_rss_mib: Double
                // The mixture as people read it; run identities use `Mixture.canonicalKey` instead.
                let mixture: String, reasoning_share: Double, visual_share: Double
                struct E: Encodable { let tokens: Int; let validation_loss: Float }
            }
            try printJSON(Out(size: s.name, parameters: result.parameters, tokens: result.tokens, steps: result.steps, seed: seed,
                              threads: threads, final_loss: result.finalLoss, loss_curve: result.lossCurve.map(\.loss),
                              evaluations: result.evaluations.map { .init(tokens: $0.tokens, validation_loss: $0.validationLoss) },
                              tokens_per_second: result.tokensPerSecond, seconds: result.seconds,
                              peak_rss_mib: Double(rss) / 1048576,
                              mixture: chosen.description, reasoning_share: chosen.reasoningShare!, visual_share: chosen.visualShare!))
            return
        }
        print("loss curve (training loss, every ~\(max(1, result.lossCurve.count / 20)) steps):")
        let every = max(1, result.lossCurve.count / 20)
        var t = TextTable(["step", "tokens", "loss", "lr"])
        for (i, p) in result.lossCurve.enumerated() where i % every == 0 || i == result.lossCurve.count - 1 {
            t.add(["\(p.step + 1)", Quantity.format(Double(p.tokens)), fmt(Double(p.loss), 4), String(format: "%.2e", p.learningRate)])
        }
        print(t.render())
        var v = TextTable(["tokens", "validation loss"])
        for e in result.evaluations { v.add([Quantity.format(Double(e.tokens)), fmt(Double(e.validationLoss), 4)]) }
        print(v.render())
        print(String(format: "final loss %.4f · %.0f tokens/s · %.1f s · peak RSS %.0f MiB", result.finalLoss,
                     result.tokensPerSecond, result.seconds, Double(rss) / 1048576))
    }

    func evalBudgets(total: Int) throws -> [Int] {
        guard let evalAt else { return [total / 8, total / 4, total / 2].filter { $0 > 0 } }
        return try evalAt.split(separator: ",").map {
            guard let x = Quantity.parse(String($0)), x >= 0, x <= Double(total) else {
                throw UserError("--eval-at: '\($0)' is not a token count in 0…\(Quantity.format(Double(total)))")
            }
            return Int(x)
        }
    }

    func printSizes() throws {
        struct Row: Encodable {
            let name: String, parameters: Int, non_embedding_parameters: Int, layers: Int, width: Int, heads: Int
            let context: Int, batch: Int, learning_rate: Float, vocabulary: Int
        }
        let rows = ModelSize.all.map { s -> Row in
            let c = s.config(vocabularySize: vocab)
            return Row(name: s.name, parameters: c.parameterCount, non_embedding_parameters: c.nonEmbeddingParameterCount,
                       layers: s.layers, width: s.width, heads: s.heads, context: s.context, batch: s.batch,
                       learning_rate: s.learningRate, vocabulary: vocab)
        }
        if json { try printJSON(rows); return }
        var t = TextTable(["name", "params", "non-emb", "layers", "width", "heads", "context", "batch"])
        for r in rows {
            t.add([r.name, "\(r.parameters)", "\(r.non_embedding_parameters)", "\(r.layers)", "\(r.width)", "\(r.heads)", "\(r.context)", "\(r.batch)"])
        }
        print(t.render())
        print("(parameter counts at vocabulary \(vocab); embeddings are tied)")
    }

    func runBenchmark() throws {
        note("measuring OpenBLAS peak sgemm on \(threads) thread(s)…")
        let peak = measureSgemmPeak(threads: threads)
        struct Row: Encodable {
            let name: String, parameters: Int, batch: Int, context: Int, tokens_per_second: Double
            let model_gflops: Double, mfu: Double, flops_per_token: Double
        }
        var rows: [Row] = []
        if let size, ModelSize.named(size) == nil { throw UserError("unknown size '\(size)'") }
        for s in ModelSize.all where size == nil || ModelSize.named(size!) == s {
            let c = s.config(vocabularySize: vocab)
            note("benchmarking \(s.name)…")
            let r = try benchmarkTraining(model: c, batch: s.batch, threads: threads, steps: benchSteps)
            let g = r.tokensPerSecond * c.flopsPerToken / 1e9
            rows.append(Row(name: s.name, parameters: c.parameterCount, batch: s.batch, context: s.context,
                            tokens_per_second: r.tokensPerSecond, model_gflops: g, mfu: g / peak.gflops, flops_per_token: c.flopsPerToken))
        }
        if json {
            struct Out: Encodable { let threads: Int, peak_sgemm_gflops: Double, peak_sgemm_size: Int, vocabulary: Int, sizes: [Row], blas: String }
            try printJSON(Out(threads: threads, peak_sgemm_gflops: peak.gflops, peak_sgemm_size: peak.size, vocabulary: vocab, sizes: rows,
                              blas: blasDescription))
            return
        }
        print(String(format: "OpenBLAS peak sgemm: %.1f GFLOP/s (n=%d, %d thread(s); kernels ", peak.gflops, peak.size, threads) + blasKernelsPhrase + ")")
        var t = TextTable(["size", "params", "B×T", "tokens/s", "GFLOP/s", "MFU"])
        for r in rows {
            t.add([r.name, "\(r.parameters)", "\(r.batch)×\(r.context)", String(format: "%.0f", r.tokens_per_second),
                   fmt(r.model_gflops, 1), fmt(r.mfu * 100, 1) + "%"])
        }
        print(t.render())
    }
}

