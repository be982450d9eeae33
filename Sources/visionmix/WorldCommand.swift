import ArgumentParser
import Foundation
import VisionMixCore
import World

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world",
        abstract: "Look into the miniature visual world: text sources, scenes, questions and statistics.",
        subcommands: [Sample.self, Stats.self, Bench.self]
    )
}

private func parseSource(_ name: String) throws -> TextSource {
    guard let s = TextSource(name: name) else { throw UserError(MixtureError.unknownSource(name).description) }
    return s
}

extension WorldCommand {
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print sample documents of one source, each segment with its tag.")
        @Option(help: "The source (web_crawl, encyclopedia, academia, literature, math, code).") var source: String
        @Option(help: "How many documents.") var n = 3
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Flag(help: "Print the documents as plain text, without tags.") var plain = false

        func run() throws {
            var stream = SourceStream(source: try parseSource(source), seed: seed)
            for i in 0..<max(0, n) {
                let doc = stream.nextDocument()
                if plain { print(doc.text + "\n"); continue }
                print("── document \(i + 1) · \(doc.tokens.count) tokens")
                for s in doc.segments { print("[\(s.tag.rawValue)] " + Tokenizer.shared.decode(s.tokens).replacingOccurrences(of: "\n", with: "\n    ")) }
                print()
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate tokens of every source and measure their reasoning and visual shares.")
        @Option(help: "Tokens per source (suffixes allowed: 100K, 1M).") var tokens = "100000"
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard let n = Quantity.parse(tokens).map({ Int($0) }), n > 0 else { throw UserError("--tokens must be a positive count") }
            struct Row: Encodable { let tokens: Int, reasoning_share: Double, visual_share: Double }
            var rows: [String: Row] = [:]
            var t = TextTable(["source", "tokens", "reasoning", "reference", "visual", "reference"])
            for s in TextSource.allCases {
                var stream = SourceStream(source: s, seed: seed)
                while stream.counts.total < n { _ = stream.nextDocument() }
                let c = stream.counts
                rows[s.name] = Row(tokens: c.total, reasoning_share: c.reasoningShare, visual_share: c.visualShare)
                t.add([s.name, "\(c.total)", percentCell(c.reasoningShare), percentCell(s.reasoningShare),
                       percentCell(c.visualShare), percentCell(s.visualShare)])
            }
            if json {
                struct Out: Encodable { let sources: [String: Row], vocabulary: Int, world_version: String }
                try printJSON(Out(sources: rows, vocabulary: Tokenizer.shared.vocabularySize, world_version: WorldVersion.current))
                return
            }
            print(t.render())
            print("vocabulary: \(Tokenizer.shared.vocabularySize) words · \(WorldVersion.current)")
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time the mixture sampler (build with -c release for real numbers).")
        @Option(help: "Tokens to draw (suffixes allowed).") var tokens = "1M"
        @Option(help: "Mixture: a preset, source=weight list, or reasoning=R,visual=V.") var mix = "balanced"
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard let n = Quantity.parse(tokens).map({ Int($0) }), n > 0 else { throw UserError("--tokens must be a positive count") }
            let mixture = try MixtureSpec.parse(mix).mixture
            let start = DispatchTime.now()
            var sampler = MixtureSampler(mixture: mixture, seed: 1)
            var drawn = 0
            while drawn < n { drawn += sampler.nextTokens(min(65536, n - drawn)).count }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            struct Out: Encodable { let tokens: Int, seconds: Double, tokens_per_second: Double, reasoning_share: Double, visual_share: Double }
            let out = Out(tokens: drawn, seconds: seconds, tokens_per_second: Double(drawn) / seconds,
                          reasoning_share: sampler.realisedReasoningShare, visual_share: sampler.realisedVisualShare)
            if json { try printJSON(out); return }
            print(String(format: "%d tokens in %.3f s (%.0f tokens/s) · reasoning %.1f%% (target %.1f%%) · visual %.1f%% (target %.1f%%)",
                         drawn, seconds, out.tokens_per_second, out.reasoning_share * 100, mixture.reasoningShare * 100,
                         out.visual_share * 100, mixture.visualShare * 100))
        }
    }
}
