/// The name every stored row of a sweep run carries: `size|mixture|tokens|seed N|encoder|checkpoints`,
/// then `|profile` unless the profile is `standard`. Sweeps write it, and resume by it (a run is
/// complete when all its rows exist under its name); the laws and the report read the encoder
/// and the profile back from it. Both sides sit above Store, so the format is defined here once.
public struct RunName: Equatable, Sendable {
    public var size: String
    /// The mixture as the spec wrote it.
    public var mix: String
    /// The pre-training budget, formatted (`1M`).
    public var tokens: String
    public var seed: Int
    public var encoder: String
    /// The checkpoint budgets, formatted and comma-separated (`250K,500K,1M`).
    public var checkpoints: String
    /// The adaptation and evaluation profile; `standard` when the name has no seventh field.
    public var profile: String

    public init(size: String, mix: String, tokens: String, seed: Int, encoder: String, checkpoints: String,
                profile: String = "standard") {
        self.size = size; self.mix = mix; self.tokens = tokens; self.seed = seed
        self.encoder = encoder; self.checkpoints = checkpoints; self.profile = profile
    }

    /// Reads a stored run's name; nil for a name no sweep wrote (an imported row, say).
    public init?(_ text: String?) {
        guard let text else { return nil }
        let f = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 6 || f.count == 7, f[3].hasPrefix("seed "), let seed = Int(f[3].dropFirst(5)) else { return nil }
        self.init(size: f[0], mix: f[1], tokens: f[2], seed: seed, encoder: f[4], checkpoints: f[5],
                  profile: f.count == 7 ? f[6] : "standard")
    }

    public var text: String {
        "\(size)|\(mix)|\(tokens)|seed \(seed)|\(encoder)|\(checkpoints)" + (profile == "standard" ? "" : "|\(profile)")
    }

    /// What pre-training reads: runs equal here and different in profile or encoder train the
    /// same LM.
    public var pretrainingKey: String { "\(size)|\(mix)|\(tokens)|seed \(seed)|\(checkpoints)" }

    /// What the run was scored with beyond its size, mixture, budget and seed: the encoder, and
    /// the profile unless standard. Runs of one mixture that differ here are different
    /// conditions, not seeds of one.
    public var scoring: String { encoder + (profile == "standard" ? "" : " · " + profile) }
}
