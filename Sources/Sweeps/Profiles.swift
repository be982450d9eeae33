import Trainer

extension RunSettings {
    /// The adaptation and evaluation budgets a sweep spec's `profile` names. `precise` scores
    /// the reasoning families on four times the questions (160 each), for comparing mixtures
    /// on visual reasoning at the largest sizes, where the standard 40 leave a question-sample
    /// noise as large as the mixtures' effect; an xl checkpoint costs a fifth more (63 s → 76 s). `tiny`
    /// exists so that tests of the sweep machinery finish in a debug build; its scores are real
    /// but noisy.
    public static func profile(_ name: String) throws -> RunSettings {
        var s = RunSettings()
        switch name {
        case "standard": break
        case "precise":
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
}

/// The sweep runner's executor: the real pipeline, with the run's profile.
public func pipelineExecutor() -> RunExecutor {
    { spec, threads, report in
        try executeRun(spec, threads: threads, settings: try RunSettings.profile(spec.profile)) { e in report(e.phase, e.fraction) }
    }
}
