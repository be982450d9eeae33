import Foundation
import Store
import VisionMixCore

/// A trainer outside VisionMix, named by a spec as a command template:
/// `"trainer": {"command": ["python3", "train.py", "--params", "{params}", ..., "--out", "{result}"]}`.
/// The worker fills the placeholders, runs the command once per run, and reads the result file
/// it wrote against `ExternalResult`'s schema (docs/cluster.md, "External trainers").
public struct ExternalTrainer: Codable, Sendable, Equatable {
    public var command: [String]

    public init(command: [String]) { self.command = command }

    /// What a placeholder stands for.
    public static let placeholders: [String: String] = [
        "params": "the model's parameter count", "size": "the size as the spec writes it",
        "tokens": "the pre-training budget in tokens", "checkpoints": "the budgets to score, comma-separated",
        "weights_file": "a JSON file of the mixture's source fractions", "mix": "the mixture as the spec writes it",
        "seed": "the seed", "profile": "the run's profile", "encoder": "the run's encoder",
        "result": "where the trainer writes its result file", "run": "the run's name",
    ]

    /// Refuses an empty command or an unknown placeholder, naming it.
    public func check() throws {
        guard let first = command.first, !first.isEmpty else { throw SweepError.bad("trainer.command is empty") }
        for (i, arg) in command.enumerated() {
            for name in Self.names(in: arg) where Self.placeholders[name] == nil {
                throw SweepError.bad("trainer.command[\(i)]: unknown placeholder {\(name)}; placeholders: "
                                     + Self.placeholders.keys.sorted().map { "{\($0)}" }.joined(separator: ", "))
            }
        }
    }

    /// The `{name}` placeholders of an argument: lower-case letters and underscores between
    /// braces. Other braces (a Python dict in `python3 -c`) are left as they are.
    static func names(in arg: String) -> [String] {
        var out: [String] = [], rest = Substring(arg)
        while let open = rest.firstIndex(of: "{") {
            rest = rest[rest.index(after: open)...]
            let name = rest.prefix { $0 == "_" || ("a"..."z").contains($0) }
            if !name.isEmpty, rest.dropFirst(name.count).first == "}" { out.append(String(name)) }
        }
        return out
    }

    /// Runs the command for each run of a unit in `scratch` (the unit's state directory),
    /// which holds the weights file and the result files.
    public func executor(scratch: URL) -> RunExecutor {
        { runs, _, progress in
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            return try runs.enumerated().map { i, run in
                progress("external \(i + 1)/\(runs.count)", Double(i) / Double(runs.count))
                return try self.train(run, scratch: scratch, index: i)
            }
        }
    }

    func train(_ run: RunSpec, scratch: URL, index: Int) throws -> [NewRun] {
        let mixture = try run.mixture
        let weightsFile = scratch.appendingPathComponent("weights.json"), result = scratch.appendingPathComponent("result-\(index).json")
        let weights = JSONValue.object(Dictionary(uniqueKeysWithValues: TextSource.allCases.map { ($0.name, .number(mixture.weight($0))) }))
        try WorkDir.writeAtomically(Data(weights.compactString.utf8), to: weightsFile)
        try? FileManager.default.removeItem(at: result)
        let values: [String: String] = [
            "params": Quantity.plain(run.parameterCount), "size": run.size, "tokens": Quantity.plain(run.tokens),
            "checkpoints": run.checkpoints.map(Quantity.plain).joined(separator: ","), "weights_file": weightsFile.path,
            "mix": run.mix, "seed": "\(run.seed)", "profile": run.profile, "encoder": run.encoder, "result": result.path,
            "run": run.identifier,
        ]
        let args = command.map { arg in values.reduce(arg) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) } }
        let (status, tail) = try Self.launch(args, in: scratch)
        guard status == 0 else {
            throw SweepError.bad("the trainer exited with status \(status): \(args.joined(separator: " "))\n--- the end of its output ---\n\(tail)")
        }
        let parsed: ExternalResult
        do { parsed = try ExternalResult.read(result, checkpoints: run.checkpoints) } catch let e as SweepError {
            throw SweepError.bad("\(e.description)\n--- the end of the trainer's output ---\n\(tail)")
        }
        return parsed.checkpoints.map { c in
            NewRun(params: parsed.params ?? run.parameterCount, tokens: c.tokens, seed: run.seed, mixture: mixture, scores: c.scores,
                   chance: c.chance, attributes: ["size": run.size, "encoder": run.encoder],
                   provenance: ["trainer": .array(command.map { .string($0) }), "pipeline": .string("external")])
        }
    }

    /// Runs the trainer with its output passed through to ours (a Slurm task's log) and keeps
    /// the last lines for an error message.
    static func launch(_ args: [String], in dir: URL) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = dir
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { throw SweepError.bad("cannot start the trainer \(args[0]): \(error)") }
        var kept = Data()
        let handle = pipe.fileHandleForReading
        while case let chunk = handle.availableData, !chunk.isEmpty {
            FileHandle.standardOutput.write(chunk)
            kept = (kept + chunk).suffix(16 * 1024)
        }
        p.waitUntilExit()
        let lines = String(decoding: kept, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return (p.terminationStatus, lines.suffix(15).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// An external trainer's result file: `{"params": N?, "checkpoints": [{"tokens": T, "scores":
/// {metric: number}, "chance": {metric: number}?}]}`, one checkpoint per budget asked for.
struct ExternalResult {
    struct Checkpoint { var tokens: Double; var scores: [String: Double]; var chance: [String: Double] }
    var params: Double?
    var checkpoints: [Checkpoint]

    static func read(_ url: URL, checkpoints budgets: [Double]) throws -> ExternalResult {
        let name = "the trainer's result \(url.lastPathComponent)"
        guard let data = FileManager.default.contents(atPath: url.path) else { throw SweepError.bad("\(name) was not written") }
        guard case let .object(root)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw SweepError.bad("\(name) is not a JSON object")
        }
        func bad(_ field: String, _ why: String) -> SweepError { SweepError.bad("\(name): \(field) \(why)") }
        if let bad = root.keys.sorted().first(where: { !["params", "checkpoints"].contains($0) }) {
            throw SweepError.bad("\(name): unknown field '\(bad)' (expected params, checkpoints)")
        }
        var out = ExternalResult(params: nil, checkpoints: [])
        if let p = root["params"], p != .null {
            guard let v = p.numberValue, v.isFinite, v > 0 else { throw bad("params", "is not a positive number") }
            out.params = v
        }
        guard case let .array(items)? = root["checkpoints"] else { throw bad("checkpoints", "is missing or not an array") }
        var wanted = Set(budgets)
        for (i, item) in items.enumerated() {
            let at = "checkpoints[\(i)]"
            guard case let .object(o) = item else { throw bad(at, "is not an object") }
            guard let t = o["tokens"]?.numberValue, wanted.remove(t) != nil else {
                throw bad("\(at).tokens", "is not one of the budgets asked for, or repeats one (\(budgets.map(Quantity.plain).joined(separator: ",")))")
            }
            let scores = try numbers(o["scores"], field: "\(at).scores", bad: bad)
            guard !scores.isEmpty else { throw bad("\(at).scores", "is empty") }
            let chance = o["chance"] == nil ? [:] : try numbers(o["chance"], field: "\(at).chance", bad: bad)
            if let k = chance.keys.first(where: { scores[$0] == nil }) { throw bad("\(at).chance.\(k)", "has no score beside it") }
            out.checkpoints.append(Checkpoint(tokens: t, scores: scores, chance: chance))
        }
        if let missing = wanted.min() { throw bad("checkpoints", "lacks the budget \(Quantity.plain(missing))") }
        out.checkpoints.sort { $0.tokens < $1.tokens }
        return out
    }

    static func numbers(_ raw: JSONValue?, field: String, bad: (String, String) -> SweepError) throws -> [String: Double] {
        guard case let .object(o)? = raw else { throw bad(field, "is missing or not an object") }
        var out: [String: Double] = [:]
        for (k, v) in o {
            guard MetricCatalogue.isValidName(k) else { throw bad("\(field).\(k)", "is not a metric name (letters, digits, _)") }
            guard let x = v.numberValue, x.isFinite else { throw bad("\(field).\(k)", "is not a finite number") }
            out[k] = x
        }
        return out
    }
}

extension Quantity {
    /// A count as a plain integer when it is one (`8000`), for command lines.
    static func plain(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}
