import BERTJSON
import Foundation

/// The hyper-parameters of a training run, shared by pre-training, fine-tuning and distillation (the names of
/// `transformers`' `TrainingArguments`).
///
/// A run lasts `epochs` passes over the data unless `maxSteps` is set, which wins (as in `transformers`);
/// pre-training and distillation stream their data and need `maxSteps`. Warm-up is `warmupSteps` optimiser
/// steps, or — when that is 0 — `warmupRatio` of all steps (rounded up, as `get_warmup_steps`).
/// `TrainingArguments()` has fine-tuning's defaults; `TrainingArguments(maxSteps:)` pre-training's.
public struct TrainingArguments: Codable, Sendable, Equatable {
    /// Passes over the training data (ignored when `maxSteps` is set).
    public var epochs = 3
    /// Optimiser steps of the run; wins over `epochs`.
    public var maxSteps: Int?
    /// Examples per step (per rank under `mpirun`), before gradient accumulation.
    public var batchSize = 32
    /// The peak learning rate of the linear warm-up and decay schedule.
    public var learningRate: Float = 5e-5
    /// Warm-up steps; 0 uses `warmupRatio`.
    public var warmupSteps = 0
    /// Fraction of all optimiser steps spent warming up when `warmupSteps` is 0.
    public var warmupRatio = 0.1
    /// AdamW's decoupled weight decay.
    public var weightDecay: Float = 0.01
    /// Batches whose gradients are summed into one optimiser step.
    public var gradientAccumulation = 1
    /// The global gradient norm is clipped to this.
    public var maxGradNorm: Float = 1.0
    /// AdamW's ε.
    public var adamEpsilon: Float = 1e-8
    /// Seeds initialisation, shuffling and dropout.
    public var seed: UInt64 = 42
    /// Log (and report) every N optimiser steps.
    public var logEvery = 10
    /// Write a checkpoint every N optimiser steps (fine-tuning: after every epoch).
    public var saveEvery = 100
    /// Evaluate every N optimiser steps, 0 for never (fine-tuning: after every epoch).
    public var evalEvery = 0
    /// Checkpoints kept in the output folder (fine-tuning keeps 1 beside `best/` and `last/`).
    public var keepCheckpoints = 2
    /// Longest tokenised input, special tokens included.
    public var maxSeqLength = 128
    /// Tokens shared by consecutive question-answering windows (`run_qa.py` `--doc_stride`).
    public var docStride = 128

    /// Fine-tuning's defaults: 3 epochs, batch 32, learning rate 5e-5, warm-up ratio 0.1.
    public init() {}

    /// Pre-training's defaults: `maxSteps` steps, learning rate 1e-4, no warm-up, a checkpoint every 100 steps.
    public init(maxSteps: Int) {
        self.maxSteps = maxSteps
        learningRate = 1e-4
        warmupRatio = 0
    }

    /// The optimiser steps of a run whose epoch has `stepsPerEpoch` steps: `maxSteps` when set, else
    /// `epochs × stepsPerEpoch`.
    package func totalSteps(stepsPerEpoch: Int) -> Int {
        maxSteps ?? epochs * stepsPerEpoch
    }

    /// The warm-up of a run of `totalSteps`: `warmupSteps`, or `warmupRatio` of the steps when that is 0.
    package func resolvedWarmupSteps(totalSteps: Int) -> Int {
        warmupSteps > 0 ? warmupSteps : Int((warmupRatio * Double(totalSteps)).rounded(.up))
    }

    /// Checks the arguments a run cannot work with (checked by the trainer before the first step).
    /// - Throws: `TrainingError.invalidOption` naming the first bad argument.
    public func validate() throws {
        if let maxSteps { try requireOption(maxSteps >= 1, "the number of steps", maxSteps, "at least 1") }
        try requireOption(epochs >= 1, "the number of epochs", epochs, "at least 1")
        try requireOption(batchSize >= 1, "the batch size", batchSize, "at least 1")
        try requireOption(gradientAccumulation >= 1, "gradient accumulation", gradientAccumulation, "at least 1 (batches per optimizer step)")
        try requireOption(learningRate.isFinite && learningRate >= 0, "the learning rate", learningRate, "a finite number ≥ 0")
        try requireOption(warmupSteps >= 0, "warm-up steps", warmupSteps, "at least 0")
        try requireOption(warmupRatio.isFinite && warmupRatio >= 0 && warmupRatio <= 1, "the warm-up ratio", warmupRatio, "between 0 and 1")
        try requireOption(maxGradNorm.isFinite && maxGradNorm > 0, "the maximum gradient norm", maxGradNorm, "a finite number > 0")
        try requireOption(weightDecay.isFinite && weightDecay >= 0, "weight decay", weightDecay, "a finite number ≥ 0")
    }

    enum CodingKeys: String, CodingKey {
        case epochs, maxSteps, batchSize, learningRate, warmupSteps, warmupRatio, weightDecay, gradientAccumulation
        case maxGradNorm, adamEpsilon, seed, logEvery, saveEvery, evalEvery, keepCheckpoints, maxSeqLength, docStride
    }

    /// Keys of the shapes written before `TrainingArguments`: `TrainingOptions` (trainer_state.json of
    /// pre-training and distillation checkpoints) called the step count `totalSteps`.
    enum LegacyKeys: String, CodingKey { case totalSteps }

    /// Reads the arguments, or the older `TrainingOptions` / `FineTuningOptions` shapes (absent keys keep their
    /// defaults), so that checkpoints written before the change still resume.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        // `TrainingOptions` meant pre-training's defaults (no warm-up ratio) for the keys it did not have.
        if let total = try legacy.decodeIfPresent(Int.self, forKey: .totalSteps) { self.init(maxSteps: total) } else { self.init() }
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.epochs, &epochs)
        maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps) ?? maxSteps
        try read(.batchSize, &batchSize); try read(.learningRate, &learningRate); try read(.warmupSteps, &warmupSteps)
        try read(.warmupRatio, &warmupRatio); try read(.weightDecay, &weightDecay)
        try read(.gradientAccumulation, &gradientAccumulation); try read(.maxGradNorm, &maxGradNorm)
        try read(.adamEpsilon, &adamEpsilon); try read(.seed, &seed); try read(.logEvery, &logEvery)
        try read(.saveEvery, &saveEvery); try read(.evalEvery, &evalEvery); try read(.keepCheckpoints, &keepCheckpoints)
        try read(.maxSeqLength, &maxSeqLength); try read(.docStride, &docStride)
    }
}

/// Fails with `TrainingError.invalidOption` naming the option, its value and what it must be, unless `ok`.
func requireOption(_ ok: Bool, _ name: String, _ value: CustomStringConvertible, _ requirement: String) throws {
    if !ok { throw TrainingError.invalidOption(name: name, value: "\(value)", requirement: requirement) }
}

/// A short reason from a JSON decoding error: the missing or mistyped key's path, or the parser's complaint.
func decodingSummary(_ error: Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case let DecodingError.keyNotFound(key, context):
        let at = path(context)
        return "no \"\(key.stringValue)\"" + (at.isEmpty ? "" : " in \(at)")
    case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
        return "\(path(context)) has the wrong type"
    case let DecodingError.dataCorrupted(context):
        return context.codingPath.isEmpty ? "invalid JSON" : "\(path(context)) is invalid"
    case is JSONError:
        return "invalid JSON"
    default:
        return "\(error)"
    }
}
