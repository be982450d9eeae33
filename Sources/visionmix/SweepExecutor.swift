import Sweeps
import Trainer

/// The run pipeline the sweep commands execute.
func sweepExecutor() -> RunExecutor { pipelineExecutor() }

let knownSizeNames = ModelSize.all.map(\.name)
