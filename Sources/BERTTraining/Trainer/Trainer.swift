import BERTJSON
import BERTModels
import BERTNN
import BERTTensor
import Foundation
import SafeTensors

/// A stream of training batches whose position can be saved and restored (so a resumed run sees the same data).
package protocol TrainingBatchSource: AnyObject {
    associatedtype Batch
    associatedtype Position: Codable
    /// The next batch of the current epoch, or nil when the epoch is over.
    func nextBatch() throws -> Batch?
    /// Starts epoch `epoch` (reshuffling or re-masking as the source does).
    func startEpoch(_ epoch: Int) throws
    /// Where the source is now.
    var position: Position { get }
    /// Returns to a saved position.
    func restore(_ position: Position) throws
}

/// Everything besides the weights that a resumed run needs to continue exactly.
struct TrainerState<Position: Codable>: Codable {
    var step: Int
    var epoch: Int
    var optimizerStep: Int
    var generator: SeededGenerator
    var dataPosition: Position
    /// The run's arguments (read back as well from checkpoints written with the old `TrainingOptions` shape).
    var options: TrainingArguments
}

/// Runs AdamW training steps of an objective (`TrainingObjective`) over a batch source with warm-up/decay, clipping, gradient accumulation and
/// dropout; logs every step to `log.jsonl`, draws `loss.svg`, and writes checkpoints atomically
/// (`checkpoint-N/` appears only when complete) so that `resume` after a kill continues exactly. It does not lock
/// its folder: callers hold `TrainingOutputFolder.open` for the run's lifetime.
///
/// Under `mpirun` it trains data-parallel with no other change (`DataParallelStep`): each rank reads its share of
/// every global batch (batch size × ranks), gradients are summed over ranks while the backward pass runs, and
/// rank 0 alone writes checkpoints, the log and the plot and calls `onLog` and `evaluate`.
package final class Trainer<Source: TrainingBatchSource> {
    package let model: Module
    /// The run's arguments; `arguments.maxSteps` (required) is the number of optimiser steps.
    package let options: TrainingArguments
    /// The optimiser steps of the whole run.
    package let totalSteps: Int
    package let outputDirectory: URL
    package let optimizer: AdamW
    package let schedule: LinearWarmupSchedule
    package let context: ForwardContext
    package private(set) var step = 0
    package private(set) var epoch = 0
    /// Writes config.json and any tokenizer files into a checkpoint folder.
    package var writeExtraFiles: (URL) throws -> Void = { _ in }
    /// Evaluation: returns entries (eval fields set) to log.
    package var evaluate: ((Int) throws -> TrainingLogEntry)?
    /// Called with each logged entry and the estimated seconds left; the library never prints, so a command line
    /// shows `entry.progressLine(eta:)` here.
    package var onLog: (TrainingLogEntry, _ etaSeconds: Double) -> Void = { _, _ in }
    private let objective: any TrainingObjective<Source.Batch>
    private var parallelStep: DataParallelStep?
    /// Under `mpirun`, the communication time of the last `train` call that the computation did not hide.
    package var dataParallelTiming: DataParallelTiming? { parallelStep?.timing }

    /// A trainer of `model` for `objective`. `options.maxSteps` must be set (`FineTuningRun` sets it from the
    /// epochs); warm-up is `warmupSteps`, or `warmupRatio` of the steps when `warmupSteps` is 0.
    package init(model: Module, options: TrainingArguments, outputDirectory: URL, objective: any TrainingObjective<Source.Batch>) {
        self.model = model
        self.options = options
        self.outputDirectory = outputDirectory
        self.objective = objective
        totalSteps = options.maxSteps ?? 0
        optimizer = AdamW(parameters: model.namedParameters(), learningRate: 0, eps: options.adamEpsilon, weightDecay: options.weightDecay)
        schedule = LinearWarmupSchedule(peak: options.learningRate, warmupSteps: options.resolvedWarmupSteps(totalSteps: totalSteps),
                                        totalSteps: totalSteps)
        context = ForwardContext(training: true, seed: options.seed)
    }

    /// A trainer whose objective is the closure `forward` (one batch's loss).
    package convenience init(model: Module, options: TrainingArguments, outputDirectory: URL,
                             forward: @escaping (Source.Batch, ForwardContext) throws -> StepOutput) {
        self.init(model: model, options: options, outputDirectory: outputDirectory, objective: ClosureObjective(forward))
    }

    /// The newest complete checkpoint in the output folder, if any.
    package var latestCheckpoint: URL? {
        let items = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory.path)) ?? []
        let steps = items.compactMap { $0.hasPrefix("checkpoint-") ? Int($0.dropFirst("checkpoint-".count)) : nil }
        return steps.max().map { outputDirectory.appendingPathComponent("checkpoint-\($0)") }
    }

    /// Restores weights, optimizer, schedule position, RNG and data position from `checkpoint`.
    package func resume(from checkpoint: URL, source: Source) throws {
        try shardIfParallel(source)
        let state = try Self.readState(checkpoint.appendingPathComponent("trainer_state.json"))
        let weights = try SafeTensorsFile(url: checkpoint.appendingPathComponent("model.safetensors"))
        try model.load(from: weights, prefixes: [""])
        let moments = try SafeTensorsFile(url: checkpoint.appendingPathComponent("optimizer.safetensors"))
        var saved: [String: (m: [Float], v: [Float])] = [:]
        for slot in optimizer.slots { saved[slot.key] = (try moments.floats("m." + slot.key), try moments.floats("v." + slot.key)) }
        optimizer.restore(step: state.optimizerStep, moments: saved)
        step = state.step
        epoch = state.epoch
        context.generator = state.generator
        try source.restore(state.dataPosition)
    }

    /// A checkpoint's trainer_state.json, or `TrainingError.unreadableCheckpoint` naming it.
    static func readState(_ url: URL) throws -> TrainerState<Source.Position> {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError.unreadableCheckpoint(file: url.path, reason: "missing")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError.unreadableCheckpoint(file: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        do { return try JSONCoding.decode(TrainerState<Source.Position>.self, from: try JSONValue.parse(data)) } catch {
            throw TrainingError.unreadableCheckpoint(file: url.path, reason: "not a trainer state (\(decodingSummary(error)))")
        }
    }

    /// Trains until `totalSteps` (or `stopAfter` steps, to simulate an interrupted run), from the current step.
    /// - Throws: `TrainingError.invalidOption` before any step for options out of range;
    ///   `TrainingError.nonFiniteLoss` when a step's loss or gradient norm is not finite (before that step changes
    ///   the weights, so the newest checkpoint is the last good one).
    package func train(source: Source, stopAfter: Int? = nil) throws {
        // Gradients need fp32 weights: an int8 model (a quantised checkpoint, or prepared for int8) is refused.
        if model.containsQuantizedEncoder { throw ModelError.quantizedModel(operation: "training") }
        try options.validate()
        try requireOption(options.maxSteps != nil, "the number of steps", "none", "set (max steps) for the trainer")
        let group = try DataParallelGroup.joined()
        let parallel = try group.flatMap { $0.size > 1 ? try DataParallelStep(model: model, group: $0) : nil }
        parallelStep = parallel
        if let group {
            try shardIfParallel(source)
            try group.checkSame(Double(step), what: "the step to start from")
        }
        let writer = group?.isWriter ?? true
        if writer { try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true) }
        let log = writer ? try JSONLinesLog(url: outputDirectory.appendingPathComponent("log.jsonl"), truncateAfterStep: step) : nil
        let start = Date()
        let startStep = step
        var windowTokens = 0, windowStart = Date()
        let lastStep = min(totalSteps, stopAfter ?? .max)
        while step < lastStep {
            model.zeroGradients()
            var totalLoss = 0.0, tokens = 0
            var metrics: [String: Double] = [:]
            var micro = 0
            while micro < options.gradientAccumulation {
                guard let batch = try source.nextBatch() else {
                    epoch += 1
                    try source.startEpoch(epoch)
                    continue
                }
                let scale = 1 / Float(options.gradientAccumulation)
                let out: (loss: Double, tokens: Int, metrics: [String: Double])
                if let parallel {
                    let empty = (source as? ShardableBatchSource)?.isEmptyBatch(batch) ?? false
                    out = try parallel.microStep(batch, isEmpty: empty, last: micro == options.gradientAccumulation - 1, scale: scale,
                                                 forward: { [objective] in try objective.step($0, context: $1) }, context: context)
                } else {
                    let tape = GradientTape()
                    let result = try tape.record { try objective.step(batch, context: context) }
                    try tape.backward(result.loss, seed: Tensor.full(result.loss.shape, scale))
                    out = (Double(result.loss.item) / Double(options.gradientAccumulation), result.tokens, result.metrics)
                }
                totalLoss += out.loss
                tokens += out.tokens
                for (k, v) in out.metrics { metrics[k, default: 0] += v / Double(options.gradientAccumulation) }
                micro += 1
            }
            if let parallel {
                let global = try parallel.finish(loss: totalLoss, tokens: tokens)
                totalLoss = global.loss; tokens = global.tokens
            }
            let norm = try clipGradientNorm(model.parameters, maxNorm: options.maxGradNorm)
            guard totalLoss.isFinite, norm.isFinite else {
                throw TrainingError.nonFiniteLoss(step: step + 1, loss: totalLoss, gradientNorm: Double(norm), lastCheckpoint: latestCheckpoint?.path)
            }
            optimizer.learningRate = schedule.learningRate(at: step)
            let lr = optimizer.learningRate
            optimizer.update()
            step += 1
            windowTokens += tokens
            if step % max(options.logEvery, 1) == 0 || step == totalSteps || step == startStep + 1 {
                let elapsed = Date().timeIntervalSince(windowStart)
                var entry = TrainingLogEntry(step: step, epoch: epoch, loss: totalLoss, learningRate: Double(lr), gradNorm: Double(norm),
                                             tokensPerSecond: Double(windowTokens) / max(elapsed, 1e-9))
                entry.metrics = metrics.filter { !TrainingLogEntry.fixedKeys.contains($0.key) }
                try log?.append(entry)
                let rate = Date().timeIntervalSince(start) / Double(step - startStep)
                if writer { onLog(entry, rate * Double(totalSteps - step)) }
                windowTokens = 0; windowStart = Date()
            }
            if options.evalEvery > 0, step % options.evalEvery == 0 || step == totalSteps, let evaluate, let log {
                let e = try GradientTape.withoutRecording { try evaluate(step) }
                try log.append(e)
                onLog(e, 0)
            }
            if step % max(options.saveEvery, 1) == 0 || step == totalSteps || step == lastStep, let log {
                try saveCheckpoint(source: source)
                try LossPlot.write(log: JSONLinesLog.read(log.url), title: "training loss", to: outputDirectory.appendingPathComponent("loss.svg"))
            }
        }
    }

    /// Under `mpirun`, makes `source` hand out this rank's share of each global batch.
    /// - Throws: `DataParallelError.sourceNotShardable` for a source that cannot be split.
    private func shardIfParallel(_ source: Source) throws {
        guard let group = try DataParallelGroup.joined(), group.size > 1 else { return }
        guard let shardable = source as? ShardableBatchSource else {
            throw DataParallelError.sourceNotShardable(source: String(describing: Source.self))
        }
        try shardable.shard(rank: group.rank, of: group.size)
    }

    /// Writes `checkpoint-<step>/` atomically: everything goes to a hidden temporary folder first, which is renamed
    /// only when complete. Older checkpoints beyond `keepCheckpoints` are removed afterwards.
    package func saveCheckpoint(source: Source) throws {
        let fm = FileManager.default
        try AtomicFolder.write(outputDirectory.appendingPathComponent("checkpoint-\(step)")) { temp in
            try model.saveSafeTensors(to: temp.appendingPathComponent("model.safetensors"))
            // The moments go to the file straight from the optimizer's arrays (no copy of twice the model).
            let slots = Dictionary(uniqueKeysWithValues: optimizer.slots.map { ($0.key, $0) })
            let layout = optimizer.slots.flatMap { slot in
                ["m.", "v."].map { SafeTensorsLayout(name: $0 + slot.key, shape: slot.parameter.shape) }
            }
            try SafeTensorsWriter.stream(to: temp.appendingPathComponent("optimizer.safetensors"), tensors: layout) { name, write in
                let slot = slots[String(name.dropFirst(2))]!
                try (name.hasPrefix("m.") ? slot.m : slot.v).withUnsafeBytes { try write($0) }
            }
            let state = TrainerState<Source.Position>(step: step, epoch: epoch, optimizerStep: optimizer.step, generator: context.generator,
                                     dataPosition: source.position, options: options)
            try JSONCoding.encode(state).serializedData(options: [.prettyPrinted, .sortedKeys])
                .write(to: temp.appendingPathComponent("trainer_state.json"), options: .atomic)
            try writeExtraFiles(temp)
        }
        let items = (try? fm.contentsOfDirectory(atPath: outputDirectory.path)) ?? []
        let old = items.compactMap { $0.hasPrefix("checkpoint-") ? Int($0.dropFirst("checkpoint-".count)) : nil }.sorted().dropLast(max(options.keepCheckpoints, 1))
        for s in old { try? fm.removeItem(at: outputDirectory.appendingPathComponent("checkpoint-\(s)")) }
    }
}
