import BERTModels
import BERTNN
import BERTTensor
import BERTTraining
import Foundation
import TestSupport
import XCTest

/// An in-memory batch source over fixed pre-masked batches, shuffled per epoch from a seed.
final class ArrayBatchSource: TrainingBatchSource {
    struct Batch { let input: EncoderInput; let labels: [Int]; let nsp: [Int] }
    struct Position: Codable, Equatable { var epoch: Int; var index: Int }
    let batches: [Batch]
    var order: [Int]
    var position = Position(epoch: 0, index: 0)

    init(batches: [Batch]) { self.batches = batches; order = Array(batches.indices) }

    func nextBatch() throws -> Batch? {
        guard position.index < order.count else { return nil }
        defer { position.index += 1 }
        return batches[order[position.index]]
    }

    func startEpoch(_ epoch: Int) throws {
        var g = SeededGenerator(seed: UInt64(epoch) &* 7919)
        order = Array(batches.indices).shuffled(using: &g)
        position = Position(epoch: epoch, index: 0)
    }

    func restore(_ p: Position) throws { try startEpoch(p.epoch); position = p }
}

final class TrainerResumeTests: XCTestCase {
    func tinyConfig() -> BertConfig { TrainingTestFixtures.tinyConfig() }
    func batches() throws -> [ArrayBatchSource.Batch] { try TrainingTestFixtures.batches() }

    func makeTrainer(_ dir: URL, steps: Int) throws -> (Trainer<ArrayBatchSource>, BertForPreTraining) {
        let model = try BertForPreTraining(config: tinyConfig(), seed: 11)
        var options = TrainingArguments(maxSteps: steps)
        options.learningRate = 5e-3; options.warmupSteps = 2; options.saveEvery = 3; options.logEvery = 1
        options.gradientAccumulation = 2
        let trainer = Trainer<ArrayBatchSource>(model: model, options: options, outputDirectory: dir) { batch, context in
            let out = try model.loss(batch.input, labels: batch.labels, nextSentenceLabels: batch.nsp, context: context)
            return StepOutput(loss: out.total, tokens: 40, metrics: ["mlm_loss": Double(out.mlm.item)])
        }
        trainer.onLog = { _, _ in }
        return (trainer, model)
    }

    func testKilledRunResumesToTheSameWeights() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try batches()
        // Uninterrupted: 7 steps (accumulation 2 over 3 batches crosses epoch boundaries with reshuffles).
        let (full, fullModel) = try makeTrainer(root.appendingPathComponent("full"), steps: 7)
        try full.train(source: ArrayBatchSource(batches: data))
        // Interrupted: a run stopped after its step-3 checkpoint, then a fresh process resumes.
        let dir = root.appendingPathComponent("interrupted")
        do {
            // Same schedule as the full run (totalSteps 7 shapes the learning rate), stopped after step 3.
            let (short, _) = try makeTrainer(dir, steps: 7)
            try short.train(source: ArrayBatchSource(batches: data), stopAfter: 3)
        }
        let (resumed, resumedModel) = try makeTrainer(dir, steps: 7)
        let source = ArrayBatchSource(batches: data)
        let checkpoint = try XCTUnwrap(resumed.latestCheckpoint)
        XCTAssertEqual(checkpoint.lastPathComponent, "checkpoint-3")
        try resumed.resume(from: checkpoint, source: source)
        try resumed.train(source: source)
        for ((k, a), (_, b)) in zip(fullModel.namedParameters(), resumedModel.namedParameters()) {
            XCTAssertEqual(a.scalars, b.scalars, "\(k) differs after resume")
        }
        // The log has each step once, and the loss plot exists.
        let log = try JSONLinesLog.read(dir.appendingPathComponent("log.jsonl"))
        XCTAssertEqual(log.map(\.step), Array(1...7))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("loss.svg").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("checkpoint-7/model.safetensors").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("checkpoint-3").path), "old checkpoints pruned (keep 2: 6, 7)")
    }

    func testTrainingOverfitsOneBatch() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("overfit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try Array(batches().prefix(1))
        var c = tinyConfig(); c.hiddenDropoutProb = 0; c.attentionProbsDropoutProb = 0
        let model = try BertForPreTraining(config: c, seed: 3)
        var options = TrainingArguments(maxSteps: 60)
        options.learningRate = 1e-2; options.saveEvery = 1000; options.weightDecay = 0
        var losses: [Double] = []
        let trainer = Trainer<ArrayBatchSource>(model: model, options: options, outputDirectory: root) { b, ctx in
            let out = try model.loss(b.input, labels: b.labels, nextSentenceLabels: b.nsp, context: ctx)
            return StepOutput(loss: out.total, tokens: 40)
        }
        trainer.onLog = { e, _ in losses.append(e.loss) }
        try trainer.train(source: ArrayBatchSource(batches: data))
        XCTAssertGreaterThan(losses.first!, 3)
        XCTAssertLessThan(losses.last!, 0.1, "a single batch should be memorised: \(losses)")
    }
}
