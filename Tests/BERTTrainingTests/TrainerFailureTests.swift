import BERTModels
import BERTNN
import BERTTensor
import BERTTraining
import Foundation
import SafeTensors
import XCTest

/// A run that cannot go on stops with a typed error naming what is wrong, and leaves its folder resumable.
final class TrainerFailureTests: XCTestCase {
    var root: URL!
    override func setUp() { root = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-fail-\(UUID().uuidString)") }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    /// A tiny trainer (see TrainerResumeTests) whose loss becomes NaN from optimiser step `nanFrom` on.
    func makeTrainer(steps: Int, nanFrom: Int = .max, configure: (inout TrainingArguments) -> Void = { _ in })
        throws -> (Trainer<ArrayBatchSource>, BertForPreTraining) {
        let model = try BertForPreTraining(config: TrainingTestFixtures.tinyConfig(), seed: 11)
        var options = TrainingArguments(maxSteps: steps)
        options.learningRate = 1e-3; options.saveEvery = 2; options.logEvery = 1; options.keepCheckpoints = 10
        configure(&options)
        var calls = 0
        let accumulation = max(options.gradientAccumulation, 1)
        let trainer = Trainer<ArrayBatchSource>(model: model, options: options, outputDirectory: root) { batch, context in
            calls += 1
            let out = try model.loss(batch.input, labels: batch.labels, nextSentenceLabels: batch.nsp, context: context)
            let step = (calls - 1) / accumulation + 1
            return StepOutput(loss: step >= nanFrom ? out.total.scaled(by: .nan) : out.total, tokens: 40)
        }
        return (trainer, model)
    }

    func source() throws -> ArrayBatchSource { try TrainingTestFixtures.source() }

    func testNonFiniteLossStopsWithTheStepAndTheLastGoodCheckpoint() throws {
        let (trainer, _) = try makeTrainer(steps: 10, nanFrom: 5)
        XCTAssertThrowsError(try trainer.train(source: source())) { error in
            guard case let .nonFiniteLoss(step, loss, _, last)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(step, 5)
            XCTAssertTrue(loss.isNaN)
            XCTAssertEqual(last, root.appendingPathComponent("checkpoint-4").path)
            XCTAssertTrue("\(error)".hasPrefix("training diverged at step 5: loss nan"), "\(error)")
        }
        // Nothing of step 5 was written: the newest checkpoint is step 4 with finite weights, and the log ends at 4.
        XCTAssertEqual(trainer.latestCheckpoint?.lastPathComponent, "checkpoint-4")
        let weights = try SafeTensorsFile(url: root.appendingPathComponent("checkpoint-4/model.safetensors"))
        for name in weights.tensorNames { XCTAssertTrue(try weights.floats(name).allSatisfy(\.isFinite), name) }
        XCTAssertEqual(try JSONLinesLog.read(root.appendingPathComponent("log.jsonl")).map(\.step), [1, 2, 3, 4])
    }

    func testNonFiniteLossBeforeAnyCheckpointSaysSo() throws {
        let (trainer, _) = try makeTrainer(steps: 4, nanFrom: 1)
        XCTAssertThrowsError(try trainer.train(source: source())) { error in
            guard case let .nonFiniteLoss(1, _, _, last)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertNil(last)
            XCTAssertTrue("\(error)".contains("no checkpoint was written yet"), "\(error)")
        }
        XCTAssertNil(trainer.latestCheckpoint)
    }

    func testZeroGradientAccumulationIsRejectedBeforeTraining() throws {
        let (trainer, _) = try makeTrainer(steps: 3) { $0.gradientAccumulation = 0 }
        XCTAssertThrowsError(try trainer.train(source: source())) { error in
            XCTAssertEqual(error as? TrainingError,
                           .invalidOption(name: "gradient accumulation", value: "0", requirement: "at least 1 (batches per optimizer step)"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("log.jsonl").path), "no step was run")
    }

    func testMissingTrainerStateNamesTheFile() throws {
        let (first, _) = try makeTrainer(steps: 2)
        try first.train(source: source())
        let state = root.appendingPathComponent("checkpoint-2/trainer_state.json")
        try FileManager.default.removeItem(at: state)
        let (second, _) = try makeTrainer(steps: 4)
        XCTAssertThrowsError(try second.resume(from: root.appendingPathComponent("checkpoint-2"), source: source())) { error in
            XCTAssertEqual(error as? TrainingError, .unreadableCheckpoint(file: state.path, reason: "missing"))
            XCTAssertTrue("\(error)".hasPrefix("\(state.path): missing; the checkpoint is damaged"), "\(error)")
        }
    }

    func testCorruptTrainerStateNamesTheFile() throws {
        let (first, _) = try makeTrainer(steps: 2)
        try first.train(source: source())
        let state = root.appendingPathComponent("checkpoint-2/trainer_state.json")
        for (text, reason) in [("{\"step\": 2", "invalid JSON"), ("{\"step\": 2}", "no \"epoch\"")] {
            try Data(text.utf8).write(to: state)
            let (second, _) = try makeTrainer(steps: 4)
            XCTAssertThrowsError(try second.resume(from: root.appendingPathComponent("checkpoint-2"), source: source())) { error in
                XCTAssertEqual(error as? TrainingError, .unreadableCheckpoint(file: state.path, reason: "not a trainer state (\(reason))"))
            }
        }
    }

    func testProgressLineKeepsTheCommandLineText() {
        var entry = TrainingLogEntry(step: 12, epoch: 0, loss: 2.5, learningRate: 1e-4, gradNorm: 1, tokensPerSecond: 1234)
        entry.mlmAccuracy = 0.25
        XCTAssertEqual(entry.progressLine(eta: 3725), "step 12  loss 2.5000  mlm_acc 0.250  lr 1.00e-04  1234 tok/s  ETA 1h02m")
        entry.evalLoss = 1.5; entry.evalPerplexity = 4.48
        XCTAssertEqual(entry.progressLine(eta: 0), "eval  step 12: loss 1.5000, perplexity 4.48")
    }
}
