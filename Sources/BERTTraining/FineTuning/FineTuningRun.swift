import BERTJSON
import BERTModels
import BERTNN
import BERTTensor
import Foundation
import SafeTensors

/// In-memory features served in shuffled batches; epoch `e` is shuffled by a generator seeded from (seed, e), so a
/// resumed run sees the same order.
package final class FeatureBatchSource<Feature>: TrainingBatchSource, ShardableBatchSource {
    /// Where the stream is.
    package struct Position: Codable, Equatable { public var epoch: Int; public var index: Int }
    package let features: [Feature]
    package let batchSize: Int
    package let seed: UInt64
    private var order: [Int] = []
    package private(set) var position = Position(epoch: 0, index: 0)
    /// Data parallelism: share `rank` of global batches of `ranks × batchSize` features; (0, 1) for one process.
    package private(set) var share = (rank: 0, ranks: 1)

    /// Batches of `batchSize` features; the last batch of an epoch may be smaller.
    package init(features: [Feature], batchSize: Int, seed: UInt64) {
        self.features = features
        self.batchSize = max(batchSize, 1)
        self.seed = seed
        startEpochOrder(0)
    }

    /// Optimiser steps per epoch (global batches under data parallelism).
    package var batchesPerEpoch: Int { (features.count + batchSize * share.ranks - 1) / (batchSize * share.ranks) }

    /// This rank's rows `[n·rank/ranks, n·(rank+1)/ranks)` of the next global batch of n features (possibly none
    /// at the end of an epoch), or nil when the epoch is over.
    package func nextBatch() throws -> [Feature]? {
        guard position.index < order.count else { return nil }
        let end = min(position.index + batchSize * share.ranks, order.count)
        let n = end - position.index
        let first = position.index + n * share.rank / share.ranks, last = position.index + n * (share.rank + 1) / share.ranks
        defer { position.index = end }
        return order[first..<last].map { features[$0] }
    }

    package func shard(rank: Int, of ranks: Int) throws {
        guard ranks >= 1, (0..<ranks).contains(rank) else { throw DataParallelError.sourceNotShardable(source: "rank \(rank) of \(ranks)") }
        share = (rank, ranks)
    }

    package func isEmptyBatch(_ batch: Any) -> Bool { (batch as? [Feature])?.isEmpty ?? false }

    package func startEpoch(_ epoch: Int) throws { startEpochOrder(epoch) }

    private func startEpochOrder(_ epoch: Int) {
        var g = SeededGenerator(seed: seed &* 6_364_136_223_846_793_005 &+ UInt64(epoch) &+ 1)
        order = Array(features.indices).shuffled(using: &g)
        position = Position(epoch: epoch, index: 0)
    }

    package func restore(_ p: Position) throws { startEpochOrder(p.epoch); position = p }
}

/// One evaluation: a loss and named metrics, one of which (`metricName`) picks the best checkpoint (higher is better).
public struct FineTuningEvaluation: Codable, Sendable {
    public var loss: Double?
    public var metricName: String
    public var metrics: [String: Double]
    /// The value of `metricName`.
    public var metric: Double { metrics[metricName] ?? .nan }

    /// An evaluation.
    public init(loss: Double?, metricName: String, metrics: [String: Double]) {
        self.loss = loss; self.metricName = metricName; self.metrics = metrics
    }
}

/// What a fine-tuning run did: per-epoch evaluations and times, and where the checkpoints are.
public struct FineTuningSummary: Codable, Sendable {
    public struct Epoch: Codable, Sendable {
        public var epoch: Int
        public var step: Int
        /// Wall time of the epoch's training steps (evaluation excluded).
        public var trainSeconds: Double
        public var evaluation: FineTuningEvaluation?
    }
    public var epochs: [Epoch] = []
    public var bestEpoch: Int?
    public var best: String
    public var last: String
}

/// The loop shared by the tasks: the `Trainer` with one evaluation per epoch, `best/` (by metric) and `last/`
/// folders in Hugging Face layout, `log.jsonl`, `loss.svg`, `metric.svg` and `summary.json` in `output`.
package struct FineTuningRun<Feature> {
    package var model: Module
    package var features: [Feature]
    /// Epochs (or `maxSteps`, which wins), batch size, learning rate, warm-up, ...; checkpoints are written and
    /// evaluations run after every epoch whatever `saveEvery` and `evalEvery` say.
    package var options: TrainingArguments
    package var output: URL
    /// The task's loss of one batch (dropout from the context).
    package var objective: any TrainingObjective<[Feature]>
    /// Evaluation on held-out data (inference mode), or nil to skip.
    package var evaluate: (() throws -> FineTuningEvaluation)?
    /// Writes a complete model folder (weights, config.json, tokenizer files) to the given URL.
    package var saveModel: (URL) throws -> Void
    /// `.resume` continues from the newest `checkpoint-N/` in `output` when there is one (a killed run resumes
    /// exactly: weights, optimizer moments, RNG and data position come back); `.startOver` refuses a folder holding
    /// an earlier run, `.overwrite` clears it first. `onEvent` receives progress.
    package var control: FineTuningControl
    /// Stop after this many optimiser steps (to simulate an interrupted run in tests); nil trains to the end.
    package var stopAfterSteps: Int?

    /// A run; see the properties.
    package init(model: Module, features: [Feature], options: TrainingArguments, output: URL,
                objective: any TrainingObjective<[Feature]>,
                evaluate: (() throws -> FineTuningEvaluation)?, saveModel: @escaping (URL) throws -> Void,
                control: FineTuningControl = .init()) {
        self.model = model; self.features = features; self.options = options; self.output = output
        self.objective = objective; self.evaluate = evaluate; self.saveModel = saveModel; self.control = control
    }

    /// A run whose objective is the closure `forward`.
    package init(model: Module, features: [Feature], options: TrainingArguments, output: URL,
                forward: @escaping ([Feature], ForwardContext) throws -> StepOutput,
                evaluate: (() throws -> FineTuningEvaluation)?, saveModel: @escaping (URL) throws -> Void,
                control: FineTuningControl = .init()) {
        self.init(model: model, features: features, options: options, output: output, objective: ClosureObjective(forward),
                  evaluate: evaluate, saveModel: saveModel, control: control)
    }

    /// Trains for `options.epochs` epochs (or `options.maxSteps` steps), holding the output folder's lock throughout.
    /// - Throws: `OutputFolderLockError.held` when another run uses `output`; `TrainingError` for bad options, an
    ///   earlier run in the way, a damaged checkpoint or a diverging loss.
    package func run() throws -> FineTuningSummary {
        guard !features.isEmpty else { throw FineTuningError.noFeatures(reason: "the training data produced no features") }
        try options.validate()
        let lock = try TrainingOutputFolder.open(output, start: control.start)
        defer { lock.release() }
        let onEvent = control.onEvent
        let source = FeatureBatchSource(features: features, batchSize: options.batchSize, seed: options.seed)
        // Under mpirun an epoch has fewer, global, steps; only rank 0 writes best/, last/, the plots and the summary.
        let group = try DataParallelGroup.joined()
        if let group { try source.shard(rank: group.rank, of: group.size) }
        let writer = group?.isWriter ?? true
        let perEpoch = source.batchesPerEpoch
        var t = options
        t.maxSteps = options.totalSteps(stepsPerEpoch: perEpoch)
        t.saveEvery = perEpoch
        t.evalEvery = perEpoch
        t.keepCheckpoints = 1
        let trainer = Trainer<FeatureBatchSource<Feature>>(model: model, options: t, outputDirectory: output, objective: objective)
        trainer.onLog = { onEvent(.logged($0, etaSeconds: $1)) }
        let bestURL = output.appendingPathComponent("best"), lastURL = output.appendingPathComponent("last")
        var summary = FineTuningSummary(best: bestURL.path, last: lastURL.path)
        var mark = Date()
        var bestMetric = -Double.infinity
        trainer.evaluate = { step in
            let seconds = Date().timeIntervalSince(mark)
            let epoch = (step + perEpoch - 1) / perEpoch
            var entry = TrainingLogEntry(step: step, epoch: epoch, loss: 0, learningRate: 0, gradNorm: 0, tokensPerSecond: 0)
            var record = FineTuningSummary.Epoch(epoch: epoch, step: step, trainSeconds: seconds, evaluation: nil)
            if let evaluate {
                let e = try evaluate()
                entry.loss = e.loss ?? 0
                entry.evalLoss = e.loss ?? 0
                entry.evalMetric = e.metric.isFinite ? e.metric : 0
                record.evaluation = e
                onEvent(.epochEvaluated(epoch: epoch, seconds: seconds, evaluation: e))
                if e.metric > bestMetric || summary.bestEpoch == nil {
                    bestMetric = e.metric
                    summary.bestEpoch = epoch
                    try AtomicFolder.write(bestURL, saveModel)
                }
            } else {
                entry.evalLoss = 0
            }
            summary.epochs.append(record)
            mark = Date()
            return entry
        }
        trainer.writeExtraFiles = { dir in try FineTuningHistory.write(summary.epochs, into: dir) }
        if control.start == .resume, let checkpoint = trainer.latestCheckpoint {
            try trainer.resume(from: checkpoint, source: source)
            summary.epochs = try FineTuningHistory.read(from: checkpoint).filter { $0.step <= trainer.step }
            // The best epoch so far is in the log; `best/` on disk already holds its weights.
            let previous = ((try? JSONLinesLog.read(output.appendingPathComponent("log.jsonl"))) ?? [])
                .filter { $0.evalMetric != nil && $0.step <= trainer.step }
            if evaluate != nil, let best = previous.max(by: { $0.evalMetric! < $1.evalMetric! }) {
                bestMetric = best.evalMetric!
                summary.bestEpoch = best.epoch
            }
            if writer { onEvent(.resumed(checkpoint: checkpoint, step: trainer.step)) }
        }
        try trainer.train(source: source, stopAfter: stopAfterSteps)
        if let stop = stopAfterSteps, trainer.step < trainer.totalSteps, trainer.step >= stop { return summary }
        guard writer else { return summary }
        try AtomicFolder.write(lastURL, saveModel)
        if evaluate == nil {
            summary.bestEpoch = (trainer.totalSteps + perEpoch - 1) / perEpoch
            try AtomicFolder.write(bestURL, saveModel)
        }
        let log = try JSONLinesLog.read(output.appendingPathComponent("log.jsonl"))
        try Self.writePlots(log: log, output: output)
        try JSONCoding.encode(summary, nonFiniteAsStrings: true).serializedData(options: [.prettyPrinted, .sortedKeys])
            .write(to: output.appendingPathComponent("summary.json"), options: .atomic)
        return summary
    }

    /// `loss.svg` (training and evaluation loss) and `metric.svg` (the selection metric per evaluation).
    static func writePlots(log: [TrainingLogEntry], output: URL) throws {
        let train = log.filter { $0.evalLoss == nil }.map { (Double($0.step), $0.loss) }
        // Runs without validation data log a placeholder per epoch (no metric): those are not evaluation points.
        let evalLoss = log.compactMap { e in e.evalMetric == nil ? nil : e.evalLoss.map { (Double(e.step), $0) } }
        let metric = log.compactMap { e in e.evalMetric.map { (Double(e.step), $0) } }
        var series = [LossPlot.Series(name: "training loss", color: "#1f77b4", points: train)]
        if evalLoss.contains(where: { $0.1.isFinite }) { series.append(.init(name: "evaluation loss", color: "#d62728", points: evalLoss)) }
        try LossPlot.svg(title: "fine-tuning loss", series: series).write(to: output.appendingPathComponent("loss.svg"), atomically: true, encoding: .utf8)
        if !metric.isEmpty {
            try LossPlot.svg(title: "evaluation metric", series: [.init(name: "metric", color: "#2ca02c", points: metric)])
                .write(to: output.appendingPathComponent("metric.svg"), atomically: true, encoding: .utf8)
        }
    }
}

/// Errors of fine-tuning set-up and evaluation that the dataset readers cannot see.
public enum FineTuningError: Error, CustomStringConvertible, Equatable {
    /// Nothing to train on.
    case noFeatures(reason: String)
    /// A model folder that does not fit the task.
    case incompatibleModel(directory: String, reason: String)
    /// A SQuAD answer whose character span maps to no tokens of its context (file, question id).
    case answerNotInTokens(file: String, questionID: String, answer: String)
    /// Training data with fewer distinct classes (or tags) than the task can learn from (`needed`).
    case tooFewClasses(file: String, found: [String], needed: Int)
    /// A single-label example whose label is empty text.
    case emptyLabel(file: String, line: Int)

    /// The message.
    public var description: String {
        switch self {
        case let .noFeatures(reason): return "no training features: \(reason)"
        case let .incompatibleModel(dir, reason): return "\(dir): \(reason)"
        case let .answerNotInTokens(file, id, answer):
            return "\(file): question \(id): the answer \"\(answer)\" covers no token of its context; check answer_start and the text"
        case let .tooFewClasses(file, found, needed):
            let list = found.isEmpty ? "none" : found.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(file): the training data has \(found.count) distinct label(s) (\(list)); fine-tuning needs at least \(needed); "
                + "check the label column, or use regression for scores"
        case let .emptyLabel(file, line):
            return "\(file):\(line): the label is empty; give every example a label"
        }
    }
}
