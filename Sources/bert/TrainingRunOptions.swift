import ArgumentParser
import BERT
import BERTCommandLine

/// The flags of `TrainingArguments` that `bert pretrain`, `bert distill` and `bert finetune` share: length,
/// optimiser, cadence, and what to do with an earlier run in the output folder. Each command fills what is not
/// given from its own `TrainingDefaults`.
struct TrainingRunOptions: ParsableArguments {
    @Option(help: "Passes over the training data (finetune; default 3). --steps wins when both are given.") var epochs: Int?
    @Option(name: [.long, .customLong("max-steps")], help: "Optimiser steps (pretrain/distill default 1000; finetune: from --epochs).") var steps: Int?
    @Option(help: "Examples per step, per rank under mpirun (default: finetune 32, pretrain/distill 16).") var batchSize: Int?
    @Option(help: "Peak learning rate (default: finetune 5e-5, pretrain/distill 1e-4).") var learningRate: Float?
    @Option(help: "Warm-up steps (default: pretrain/distill 100; finetune uses --warmup-ratio).") var warmupSteps: Int?
    @Option(help: "Warm-up as a share of all steps, when --warmup-steps is 0 (default: finetune 0.1).") var warmupRatio: Double?
    @Option var weightDecay: Float = 0.01
    @Option(help: "Batches whose gradients make one optimiser step.") var gradientAccumulation = 1
    @Option var maxGradNorm: Float = 1.0
    @Option var adamEpsilon: Float = 1e-8
    @Option var seed: UInt64 = 42
    @Option(help: "Log (and print) every N steps.") var logEvery = 10
    @Option(help: "pretrain/distill: a checkpoint every N steps (default 200; finetune saves after each epoch).") var saveEvery: Int?
    @Option(help: "pretrain/distill: evaluate every N steps when there is held-out data (default 200; finetune: after each epoch).") var evalEvery: Int?
    @Option(help: "pretrain/distill: checkpoints kept (default 2).") var keepCheckpoints: Int?
    @Flag(help: "Ignore existing checkpoints and start over (refused when the output folder holds an earlier run).") var noResume = false
    @Flag(help: "Start over after deleting the output folder's earlier run (checkpoints, best/, last/, logs, plots; nothing else).") var overwrite = false

    /// The arguments, with `defaults` for the flags not given; evaluation cadence only when there is held-out data.
    func arguments(_ defaults: TrainingDefaults, evaluates: Bool) -> TrainingArguments {
        var a = TrainingArguments()
        a.epochs = epochs ?? defaults.epochs
        a.maxSteps = steps ?? defaults.steps
        a.batchSize = batchSize ?? defaults.batchSize
        a.learningRate = learningRate ?? defaults.learningRate
        a.warmupSteps = warmupSteps ?? defaults.warmupSteps
        a.warmupRatio = warmupRatio ?? defaults.warmupRatio
        (a.weightDecay, a.gradientAccumulation, a.maxGradNorm, a.adamEpsilon) = (weightDecay, gradientAccumulation, maxGradNorm, adamEpsilon)
        (a.seed, a.logEvery, a.saveEvery, a.keepCheckpoints) = (seed, logEvery, saveEvery ?? 200, keepCheckpoints ?? 2)
        a.evalEvery = evaluates ? evalEvery ?? 200 : 0
        return a
    }

    /// Refuses the flags a step-counted run (`pretrain`, `distill`: streamed data) cannot honour.
    func validateForSteps(_ command: String) throws {
        if epochs != nil { throw ValidationError("--epochs is for finetune; \(command) counts optimiser steps: use --steps") }
    }

    /// Refuses the flags an epoch-based fine-tuning run cannot honour (it saves and evaluates after each epoch).
    func validateForEpochs() throws {
        for (value, flag) in [(saveEvery, "--save-every"), (evalEvery, "--eval-every"), (keepCheckpoints, "--keep-checkpoints")] where value != nil {
            throw ValidationError("\(flag) is for pretrain and distill; finetune saves a checkpoint and evaluates after each epoch")
        }
    }

    /// Resume (the default), start over, or overwrite.
    var start: RunStart { overwrite ? .overwrite : noResume ? .startOver : .resume }
}

/// A command's defaults for the shared training flags.
struct TrainingDefaults {
    var epochs = 3
    var steps: Int?
    var batchSize: Int
    var learningRate: Float
    var warmupSteps = 0
    var warmupRatio = 0.0

    /// `bert finetune`: 3 epochs of batches of 32, learning rate 5e-5, warm-up over a tenth of the steps.
    static let fineTuning = TrainingDefaults(epochs: 3, steps: nil, batchSize: 32, learningRate: 5e-5, warmupSteps: 0, warmupRatio: 0.1)
    /// `bert pretrain` and `bert distill`: 1000 steps of batches of 16, learning rate 1e-4, 100 warm-up steps.
    static let steps = TrainingDefaults(epochs: 1, steps: 1000, batchSize: 16, learningRate: 1e-4, warmupSteps: 100, warmupRatio: 0)
}
