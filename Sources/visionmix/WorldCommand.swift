import ArgumentParser
import Foundation
import VisionMixCore
import World

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world",
        abstract: "Look into the miniature visual world: text sources, scenes, questions and statistics.",
        subcommands: [Sample.self, SceneCmd.self, Questions.self, TextQuestions.self, CaptionsCmd.self, Stats.self, Bench.self]
    )
}

private func parseSource(_ name: String) throws -> TextSource {
    guard let s = TextSource(name: name) else { throw UserError(MixtureError.unknownSource(name, catalogue: .builtin).description) }
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
            try Checks.within(n, 1...Limits.maxWorldSamples, option: "--n")
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

    struct SceneCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scene", abstract: "Render a random scene to a picture file (.png or .svg) and show it in the terminal.")
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Option(help: "objects, entities, chart or glyphs.") var kind = "objects"
        @Option(help: "Write the picture here (.png or .svg).") var out: String?
        @Option(help: "Pixels per image pixel in the file.") var scale = 16

        func run() throws {
            try Checks.within(scale, 1...Limits.maxPictureScale, option: "--scale")
            guard let k = SceneKind(rawValue: kind) else {
                throw UserError("--kind must be one of " + SceneKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let scene = Scene.random(k, seed: seed)
            let image = Renderer.render(scene)
            print(PictureFile.ascii(image))
            print(Captions.describe(scene))
            if let out { try writePicture(image, to: out, scale: scale) }
        }
    }

    struct Questions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print sample questions of one family, each with its picture.")
        @Option(help: "The family (\(QuestionFamily.allCases.map(\.rawValue).joined(separator: ", "))).") var family: String
        @Option(help: "How many questions.") var n = 5
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Option(help: "training (adaptation entities) or evaluation (held-out entities).") var purpose = "evaluation"
        @Option(help: "Also write each picture as DIR/FAMILY-I.png.") var outDir: String?

        func run() throws {
            try Checks.within(n, 1...Limits.maxWorldSamples, option: "--n")
            guard let f = QuestionFamily(name: family) else {
                throw UserError("unknown family '\(family)'; families are " + QuestionFamily.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let p = QuestionPurpose(rawValue: purpose) else { throw UserError("--purpose must be training or evaluation") }
            print("\(f.rawValue) · groups \(f.groups.map(\.rawValue).joined(separator: ", ")) · chance \(fmt(f.chance * 100, 1))%")
            for (i, q) in QuestionBank.questions(f, purpose: p, seed: seed, count: n).enumerated() {
                print("\n── question \(i + 1)")
                print(PictureFile.ascii(q.image))
                print(q.promptText)
                for (j, o) in q.optionTexts.enumerated() { print("  \(j == q.correct ? "*" : " ") \(j + 1). \(o)") }
                if let a = q.targetArea { print("  target covers \(fmt(a * 100, 1))% of the image") }
                if let dir = outDir {
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    try writePicture(q.image, to: "\(dir)/\(f.rawValue)-\(i + 1).png", scale: 16)
                }
            }
        }
    }

    struct TextQuestions: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "text-questions", abstract: "Print text-only evaluation questions (facts, arithmetic, continuation, reasoning probes).")
        @Option(help: "The kind (\(TextQuestionKind.allCases.map(\.rawValue).joined(separator: ", "))).") var kind: String
        @Option(help: "How many questions.") var n = 5
        @Option(help: "Seed.") var seed: UInt64 = 1

        func run() throws {
            try Checks.within(n, 1...Limits.maxWorldSamples, option: "--n")
            guard let k = TextQuestionKind(rawValue: kind) else {
                throw UserError("unknown kind '\(kind)'; kinds are " + TextQuestionKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            for q in LanguageEval.questions(k, seed: seed, count: n) {
                print(q.promptText + " …")
                for (j, o) in q.optionTexts.enumerated() { print("  \(j == q.correct ? "*" : " ") \(j + 1). \(o)") }
            }
        }
    }

    struct CaptionsCmd: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "captions", abstract: "Print captioned scenes of the alignment stage.")
        @Option(help: "How many captions.") var n = 3
        @Option(help: "Seed.") var seed: UInt64 = 1

        func run() throws {
            try Checks.within(n, 1...Limits.maxWorldSamples, option: "--n")
            for c in Captions.make(seed: seed, count: n) {
                print(PictureFile.ascii(Renderer.render(c.scene)))
                print(c.text + "\n")
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
                         drawn, seconds, out.tokens_per_second, out.reasoning_share * 100, mixture.reasoningShare! * 100,
                         out.visual_share * 100, mixture.visualShare! * 100))
        }
    }
}


func writePicture(_ image: Image, to path: String, scale: Int) throws {
    let url = URL(fileURLWithPath: path)
    switch url.pathExtension.lowercased() {
    case "png": try Data(PictureFile.png(image, scale: scale)).write(to: url)
    case "svg": try PictureFile.svg(image, scale: scale).write(to: url, atomically: true, encoding: .utf8)
    default: throw UserError("the picture file must end in .png or .svg")
    }
    note("wrote \(path)")
}
