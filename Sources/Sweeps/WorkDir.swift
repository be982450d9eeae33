import Foundation
import Store
import Trainer
import VisionMixCore
import World

/// One unit of work as a line of `manifest.jsonl`: the runs that share a pre-training, with
/// everything a trainer needs to make them, so a process that reads only this line (and never
/// the store) can run the unit.
public struct ManifestUnit: Codable, Sendable, Equatable {
    public struct Run: Codable, Sendable, Equatable {
        /// The name every stored row of the run carries (`RunName`).
        public var name: String
        public var profile: String
        public var encoder: String
        public var checkpoints: [Double]
    }

    public var unit: Int
    public var size: String
    /// Trainable parameters of the embedded trainer's model of `size`.
    public var params: Double
    /// The mixture as the spec writes it, its weights (fractions by source) and its shares.
    public var mix: String
    public var weights: [String: Double]
    public var reasoningShare: Double
    public var visualShare: Double
    /// The pre-training budget and the budgets at which the runs are scored.
    public var tokens: Double
    public var checkpoints: [Double]
    public var seed: Int
    public var runs: [Run]

    enum CodingKeys: String, CodingKey {
        case unit, size, params, mix, weights, tokens, checkpoints, seed, runs
        case reasoningShare = "reasoning_share", visualShare = "visual_share"
    }

    init(unit: Int, runs group: [RunSpec]) throws {
        let first = group[0], mixture = try first.mixture
        self.unit = unit
        size = first.size
        params = first.parameterCount
        mix = first.mix
        weights = Dictionary(uniqueKeysWithValues: TextSource.allCases.map { ($0.name, mixture.weight($0)) })
        // Sweeps run the embedded world's mixtures: built-in sources (with tags) or shares.
        reasoningShare = mixture.reasoningShare!
        visualShare = mixture.visualShare!
        tokens = first.tokens
        checkpoints = Array(Set(group.flatMap(\.checkpoints))).sorted()
        seed = first.seed
        runs = group.map { Run(name: $0.identifier, profile: $0.profile, encoder: $0.encoder, checkpoints: $0.checkpoints) }
    }

    /// The runs as the sweep names them.
    public var runSpecs: [RunSpec] {
        runs.map { RunSpec(size: size, mix: mix, tokens: tokens, checkpoints: $0.checkpoints, seed: seed, encoder: $0.encoder, profile: $0.profile) }
    }

    /// How many rows a finished unit has: one per run and checkpoint.
    public var expectedRows: Int { runs.reduce(0) { $0 + $1.checkpoints.count } }
}

/// A sweep's working directory, the contract between whoever plans a sweep, whoever runs its
/// units (a Slurm array task, a shell loop, another machine) and the one process that writes
/// the store:
///
///     DIR/spec.json             the sweep spec
///     DIR/manifest.jsonl        one `ManifestUnit` per line, line i is unit i
///     DIR/results/<unit>.json   a finished unit's rows as JSON results (`runs import` reads them)
///     DIR/logs/<unit>.log       what the unit's process printed
///
/// Workers never open SQLite: its locking is unreliable on network filesystems, where a
/// cluster's shared directories live. Result files appear whole or not at all (written to a
/// temporary name, fsynced, renamed), so a reader never sees half a unit.
public struct WorkDir: Sendable {
    public let url: URL

    public init(path: String) { url = URL(fileURLWithPath: path).standardizedFileURL }

    public var specURL: URL { url.appendingPathComponent("spec.json") }
    public var manifestURL: URL { url.appendingPathComponent("manifest.jsonl") }
    public var resultsURL: URL { url.appendingPathComponent("results") }
    public var logsURL: URL { url.appendingPathComponent("logs") }
    public func resultURL(_ unit: Int) -> URL { resultsURL.appendingPathComponent("\(unit).json") }
    public func logURL(_ unit: Int) -> URL { logsURL.appendingPathComponent("\(unit).log") }
    /// What a unit keeps while it runs (an external trainer's files, finished checkpoints).
    public func stateURL(_ unit: Int) -> URL { url.appendingPathComponent("state/\(unit)") }

    /// Writes the spec and the manifest of all its units (unit numbers follow the spec's order,
    /// so they stay the same when the same spec is written again). A directory that holds
    /// another spec is refused: its results would be collected under the wrong runs.
    @discardableResult
    public func prepare(_ spec: SweepSpec) throws -> [ManifestUnit] {
        let fm = FileManager.default
        for dir in [url, resultsURL, logsURL] { try fm.createDirectory(at: dir, withIntermediateDirectories: true) }
        let specData = try Self.specJSON(spec)
        if let existing = fm.contents(atPath: specURL.path), existing != specData {
            throw SweepError.bad("\(url.path) holds another sweep spec (spec.json differs); use a new --workdir")
        }
        let units = try spec.runs(knownSizes: spec.sizeNames).groupedByPretraining.enumerated().map {
            try ManifestUnit(unit: $0.offset, runs: $0.element)
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for u in units { lines += try e.encode(u) + Data("\n".utf8) }
        try Self.writeAtomically(specData, to: specURL)
        try Self.writeAtomically(lines, to: manifestURL)
        return units
    }

    static func specJSON(_ spec: SweepSpec) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(spec) + Data("\n".utf8)
    }

    public func spec() throws -> SweepSpec {
        guard let data = FileManager.default.contents(atPath: specURL.path) else {
            throw SweepError.bad("\(url.path) is not a sweep working directory (no spec.json; `sweep run --workdir` writes one)")
        }
        do { return try JSONDecoder().decode(SweepSpec.self, from: data) } catch {
            throw SweepError.bad("\(specURL.path) is not a sweep spec: \(error)")
        }
    }

    public func units() throws -> [ManifestUnit] {
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else {
            throw SweepError.bad("\(url.path) has no manifest.jsonl; `sweep run --workdir` writes one")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return try lines.enumerated().map { i, line in
            let u: ManifestUnit
            do { u = try JSONDecoder().decode(ManifestUnit.self, from: Data(line.utf8)) } catch {
                throw SweepError.bad("\(manifestURL.path) line \(i + 1) is not a unit: \(error)")
            }
            guard u.unit == i else { throw SweepError.bad("\(manifestURL.path) line \(i + 1) holds unit \(u.unit), expected \(i)") }
            return u
        }
    }

    public func unit(_ i: Int) throws -> ManifestUnit {
        let all = try units()
        guard all.indices.contains(i) else { throw SweepError.bad("no unit \(i): the manifest has units 0–\(all.count - 1)") }
        return all[i]
    }

    public func hasResult(_ unit: Int) -> Bool { FileManager.default.fileExists(atPath: resultURL(unit).path) }

    /// Writes `data` under a temporary name beside `target`, fsyncs it, renames it into place and
    /// fsyncs the directory, so `target` is either absent or whole, even after a crash.
    public static func writeAtomically(_ data: Data, to target: URL) throws {
        let dir = target.deletingLastPathComponent()
        // Host and pid: two tasks of one unit on two nodes of a shared filesystem never share it.
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let temp = dir.appendingPathComponent(".\(target.lastPathComponent).\(String(cString: host)).\(getpid()).tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SweepError.bad("cannot write \(temp.path): \(String(cString: strerror(errno)))") }
        let ok = data.withUnsafeBytes { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { return false }
                off += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temp.path, target.path) == 0 else {
            unlink(temp.path)
            throw SweepError.bad("cannot write \(target.path): \(String(cString: strerror(errno)))")
        }
        let dfd = open(dir.path, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}

extension RunSpec {
    var parameterCount: Double {
        ModelSize.named(size).map { Double($0.config(vocabularySize: Tokenizer.shared.vocabularySize).parameterCount) } ?? Quantity.parse(size) ?? 1e5
    }
}
