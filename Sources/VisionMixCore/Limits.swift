/// Every bound on what a user may ask for, in one place, so the command line, the HTTP API
/// and the docs (docs/limits.md) agree. Each is checked before anything is stored or started:
/// a request past a limit is refused with the limit named, and nothing is written.
public enum Limits {
    /// Pre-training tokens of one run (`train --tokens`, a sweep design's `tokens`). An xl run
    /// of 1M tokens costs about eight core-minutes, so this is days of CPU; past it the
    /// trainer's buffers sized by the budget no longer fit in memory.
    public static let maxRunTokens: Double = 1e9
    /// Seeds a sweep spec or one of its designs may list.
    public static let maxSeeds = 64
    /// Runs one sweep may ask for (sizes × mixtures × seeds summed over the designs, before
    /// equal runs are merged); the standard preset asks for a few hundred.
    public static let maxSweepRuns = 2_000
    /// Bytes of a sweep spec file or body.
    public static let maxSpecBytes = 1 << 20
    /// Worker processes of a local sweep (`sweep run --jobs`).
    public static let maxJobs = 64
    /// BLAS threads of one run or training (`--threads`).
    public static let maxThreads = 64
    /// Sequences per training step (`train --batch`): activations grow with it.
    public static let maxBatch = 512
    /// Mixtures a recommendation samples (`recommend --candidates`); the server's own, lower
    /// default is `ServerConfiguration.maxCandidates`.
    public static let maxCandidates = 1_000_000
    /// Runs one `design next` chooses: each is valued against every candidate mixture and
    /// scale, so the time grows with it; a round of a sweep is a handful.
    public static let maxDesignRuns = 200
    /// Rounds of an adaptive sweep (`sweep run --adaptive --rounds`): each refits and designs.
    public static let maxAdaptiveRounds = 50
    /// Cross-validation folds of a fit (`fit --folds`): at least two, or nothing is held out.
    public static let folds = 2...20
    /// Bootstrap replicates (`fit --bootstrap`) and random starts (`fit --starts`) of a fit:
    /// each is a full refit, so these bound a fit's CPU time.
    public static let maxBootstrap = 5_000
    public static let maxRandomStarts = 1_000
    /// Documents, questions or captions `world` prints at once.
    public static let maxWorldSamples = 10_000
    /// Pixels per image pixel of a picture file (`world scene --scale`): the file grows with
    /// its square.
    public static let maxPictureScale = 64
    /// Vocabulary of `train --list-sizes` and `--benchmark`, and timed steps of `--benchmark`:
    /// the benchmark allocates an embedding of this many rows.
    public static let maxVocabulary = 1 << 20
    public static let maxBenchmarkSteps = 1_000
    /// Repeats of the benchmark commands (`bench-plan`, `bench-fit`) and predictions timed by
    /// `bench-plan`: a benchmark is minutes, not days.
    public static let maxBenchmarkRepeats = 1_000
    public static let maxBenchmarkPredictions = 1_000_000
    /// Characters of a free-text field stored with a run (its name).
    public static let maxTextLength = 1_024
}
