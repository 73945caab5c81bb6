import ArgumentParser
import BERT

/// The options of a resumable training run that `bert pretrain` and `bert distill` share: length and optimiser
/// settings, log/checkpoint/evaluation cadence, threads, and what to do with an earlier run in the output folder.
struct TrainingRunOptions: ParsableArguments {
    @Option var steps = 1000
    @Option var batchSize = 16
    @Option var learningRate: Float = 1e-4
    @Option var warmupSteps = 100
    @Option var weightDecay: Float = 0.01
    @Option var gradientAccumulation = 1
    @Option var maxGradNorm: Float = 1.0
    @Option var seed: UInt64 = 42
    @Option var logEvery = 10
    @Option var saveEvery = 200
    @Option var evalEvery = 200
    @Option var threads: Int?
    @Flag(help: "Ignore existing checkpoints and start over (refused when the output folder holds an earlier run).") var noResume = false
    @Flag(help: "Start over after deleting the output folder's earlier run (checkpoints, logs, plots; nothing else).") var overwrite = false

    /// The trainer's options; evaluation only when there is held-out data.
    func trainingOptions(evaluates: Bool) -> TrainingOptions {
        var options = TrainingOptions(totalSteps: steps)
        (options.learningRate, options.warmupSteps, options.weightDecay) = (learningRate, warmupSteps, weightDecay)
        (options.gradientAccumulation, options.maxGradNorm, options.seed) = (gradientAccumulation, maxGradNorm, seed)
        (options.logEvery, options.saveEvery, options.evalEvery) = (logEvery, saveEvery, evaluates ? evalEvery : 0)
        return options
    }

    /// Resume (the default), start over, or overwrite.
    var start: RunStart { overwrite ? .overwrite : noResume ? .startOver : .resume }
}
