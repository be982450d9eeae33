import Trainer

extension RunSettings {
    /// The adaptation and evaluation budgets a sweep spec's `profile` names. `precise` scores
    /// the reasoning families on four times the questions (160 each), for comparing mixtures
    /// on visual reasoning at the largest sizes, where the standard 40 leave a question-sample
    /// noise as large as the mixtures' effect. `tiny` exists so that tests of the sweep
    /// machinery finish in a debug build; its scores are real but noisy.
    public static func profile(_ name: String) throws -> RunSettings {
        var s = RunSettings()
        switch name {
        case "standard": break
        case "precise":
            s.evaluation.reasoningMultiplier = 4
        case "frozen-lm":
            // The LM's priors as pre-training left them: instruction tuning trains the projector
            // alone, as in alignment, for four times the steps (at 480 a frozen xl LM reads almost
            // nothing), with `precise`'s questions. Under the standard adaptation the LM is taught
            // to count whatever its text was, which covers the reasoning prior at xl
            // (docs/findings.md, "A frozen LM shows the prior").
            s.adaptation.lmLearningRateScale = 0
            s.adaptation.instructSteps = 1920
            s.evaluation.reasoningMultiplier = 4
        case "tiny":
            s.adaptation.alignSteps = 4
            s.adaptation.instructSteps = 8
            s.adaptation.instructBatch = 8
            s.adaptation.alignBatch = 8
            s.evaluation.perFamily = 4
            s.evaluation.textPerKind = 4
            s.evaluation.pplTokensPerSource = 256
        default: throw SweepError.bad("unknown profile '\(name)'")
        }
        return s
    }

    /// A checkpoint's adaptation and evaluation cost under `profile`, relative to `standard`,
    /// for ETAs: `precise` measured at xl, 76 s against 63 s (two `visionmix evaluate` side by
    /// side, `--reasoning-multiplier 4` and without); `frozen-lm` from the stored durations of
    /// a whole standard preset on two workers, 47.2 s (the mean of its 15 xl frozen-lm
    /// checkpoints, each its run's duration less its group's `precise` run's) against 23.4 s
    /// (its two xl checkpoints at 0 tokens): 1,920 steps of a frozen LM's forward and input
    /// gradients against 480 full steps.
    static func checkpointCostScale(profile: String) -> Double {
        switch profile {
        case "precise": 1.2
        case "frozen-lm": 2.0
        case "tiny": 0.05
        default: 1
        }
    }
}

/// The sweep runner's executor: the real pipeline, each run with its profile.
/// The embedded trainer; with `state`, a unit's progress is kept there and continued from.
public func pipelineExecutor(state: PipelineState? = nil) -> RunExecutor {
    { runs, threads, report in
        try executeRuns(runs.map { ($0, try RunSettings.profile($0.profile)) }, threads: threads, state: state) { e in report(e.phase, e.fraction) }
    }
}
