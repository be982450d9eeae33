import Foundation
import Trainer
import VisionMixCore

/// One pre-training run of a sweep: a model size trained on a mixture to a token budget,
/// adapted and scored at each checkpoint budget along the way.
public struct RunSpec: Codable, Hashable, Sendable {
    public var size: String
    /// The mixture as written in the spec (a preset, `source=weight` list or `reasoning=..,visual=..`).
    public var mix: String
    public var tokens: Double
    public var checkpoints: [Double]
    public var seed: Int
    public var encoder: String
    /// Adaptation and evaluation budgets: `standard`, `precise`, `frozen-lm` or `tiny` (`RunSettings.profile`).
    public var profile: String

    public init(size: String, mix: String, tokens: Double, checkpoints: [Double], seed: Int, encoder: String,
                profile: String = "standard") {
        self.size = size; self.mix = mix; self.tokens = tokens; self.checkpoints = checkpoints.sorted()
        self.seed = seed; self.encoder = encoder; self.profile = profile
    }

    public var mixture: Mixture { get throws { try MixtureSpec.parse(mix).mixture } }

    /// A short line for progress output.
    public var summary: String {
        "\(size) · \(mix) · \(Quantity.format(tokens)) · seed \(seed)" + (profile == "standard" ? "" : " · \(profile)")
    }
}

/// A design of a sweep: sizes × mixtures over one set of checkpoint budgets.
public struct SweepDesign: Codable, Sendable {
    public var name: String
    public var sizes: [String]
    public var mixtures: [String]
    public var tokens: String
    public var checkpoints: [String]
    /// Seeds of this design when it needs other seeds than the spec's (more seeds where the
    /// noise matters most, such as the largest size).
    public var seeds: [Int]?
    /// This design's adaptation and evaluation budgets when they differ from the spec's
    /// (`precise` for the comparison that must separate mixtures at the largest size).
    public var profile: String?

    public init(name: String, sizes: [String], mixtures: [String], tokens: String, checkpoints: [String], seeds: [Int]? = nil,
                profile: String? = nil) {
        self.name = name; self.sizes = sizes; self.mixtures = mixtures; self.tokens = tokens; self.checkpoints = checkpoints
        self.seeds = seeds; self.profile = profile
    }
}

/// A sweep spec (JSON): designs × seeds, with the encoder and the label results are stored under.
public struct SweepSpec: Codable, Sendable {
    public var name: String
    /// Results are stored under this source label (default `calibration`).
    public var label: String
    public var encoder: String
    public var seeds: [Int]
    public var designs: [SweepDesign]
    /// Adaptation and evaluation budgets (`standard` when absent; a design may name its own).
    public var profile: String?
    /// A command that trains and scores runs instead of the embedded trainer (`ExternalTrainer`).
    public var trainer: ExternalTrainer?

    public init(name: String, label: String = "calibration", encoder: String, seeds: [Int], designs: [SweepDesign],
                profile: String? = nil) {
        self.name = name; self.label = label; self.encoder = encoder; self.seeds = seeds; self.designs = designs
        self.profile = profile
    }

    public static let profiles = ["standard", "precise", "frozen-lm", "tiny"]

    /// Reads a JSON spec, checking every size, mixture, budget and limit before anything runs.
    public static func load(path: String) throws -> SweepSpec {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if let size, size > Limits.maxSpecBytes {
            throw SweepError.bad("\(path) is \(size) bytes; a sweep spec is at most \(Limits.maxSpecBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw SweepError.bad("cannot read \(path)") }
        let spec: SweepSpec
        do { try JSONText.check(data) } catch { throw SweepError.bad("\(path) is not valid JSON: \(error)") }
        do { spec = try JSONDecoder().decode(SweepSpec.self, from: data) } catch {
            throw SweepError.bad("\(path) is not a sweep spec: \(error)")
        }
        try spec.validate(knownSizes: nil)
        try spec.trainer?.check()
        _ = try spec.runs(knownSizes: spec.sizeNames)
        return spec
    }

    /// The sizes runs may name: the embedded trainer's, or for an external trainer those and
    /// parameter counts (`20M`), which it is given as {params}.
    public var sizeNames: [String]? { trainer == nil ? Self.knownSizes : nil }

    /// What trains this spec's runs; an external trainer works in `scratch`, and with
    /// `keepState` the embedded one keeps what it finishes there to continue from.
    public func executor(scratch: URL, keepState: Bool = false) -> RunExecutor {
        trainer.map { $0.executor(scratch: scratch) } ?? pipelineExecutor(state: keepState ? PipelineState(directory: scratch) : nil)
    }

    /// The distinct runs of the spec in a stable order: a run shared by two designs runs once.
    /// A spec from a user is validated (`validate`) before this, so nothing past a limit is
    /// enumerated; a stored spec (registered under the rules of its day) is read as it is.
    public func runs(knownSizes: [String]?) throws -> [RunSpec] {
        guard !seeds.isEmpty else { throw SweepError.bad("the spec has no seeds") }
        var out: [RunSpec] = []
        // Equal mixtures written differently (`web_crawl` and `web_crawl=100`, `mix6` and
        // `balanced`) are one run: the first one written keeps its name, and a later one whose
        // budgets it already scores adds nothing. The report reads mixtures by their weights.
        var byMixture: [String: Int] = [:]
        for d in designs {
            let (total, budgets) = try d.budgets(at: "")
            let designSeeds = d.seeds ?? seeds
            guard !designSeeds.isEmpty else { throw SweepError.bad("design \(d.name): seeds is empty") }
            let designProfile = d.profile ?? profile ?? "standard"
            try Self.checkProfile(designProfile, at: "design \(d.name) profile")
            for size in d.sizes {
                if trainer != nil, ModelSize.named(size) == nil, Quantity.parse(size) == nil {
                    throw SweepError.bad("design \(d.name): size '\(size)' is neither a model size nor a parameter count like 20M")
                }
                if let known = knownSizes, !known.contains(size) {
                    throw SweepError.bad("design \(d.name): unknown size '\(size)' (sizes: \(known.joined(separator: ", ")))")
                }
                for mix in d.mixtures {
                    let mixture = try MixtureSpec.parse(mix).mixture
                    for seed in designSeeds {
                        let r = RunSpec(size: size, mix: mix, tokens: total, checkpoints: budgets, seed: seed,
                                        encoder: encoder, profile: designProfile)
                        // A run under another profile is scored differently, so it is a run of its own.
                        let key = "\(size)|\(mixture.canonicalKey)|\(total)|\(seed)|\(designProfile)"
                        if let i = byMixture[key] {
                            let merged = Set(out[i].checkpoints).union(r.checkpoints)
                            if merged.count == out[i].checkpoints.count { continue }
                            if merged.count == r.checkpoints.count { out[i] = r; continue }
                        }
                        byMixture[key] = out.count
                        out.append(r)
                    }
                }
            }
        }
        return out
    }
}

public enum SweepError: Error, CustomStringConvertible {
    case bad(String)
    /// A spec refused by `SweepSpec.validate`: `field` is the path from the spec's root
    /// (`designs[1].tokens`, empty for the spec as a whole) and the message names it.
    case invalid(field: String, message: String)
    public var description: String {
        switch self {
        case let .bad(m): m
        case let .invalid(_, m): m
        }
    }
}
