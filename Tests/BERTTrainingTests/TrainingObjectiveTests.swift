import BERTJSON
import BERTModels
import BERTNN
import BERTTensor
import BERTTraining
import Foundation
import XCTest

/// The trainer knows no objective: a toy objective defined here trains through it, and its own figure reaches
/// log.jsonl under its own key.
final class TrainingObjectiveTests: XCTestCase {
    /// Masked-LM cross-entropy of the tiny pre-training model, logging `toy_masked` (the batch's labelled tokens)
    /// and `toy_ratio` (their share of the real tokens) — names the trainer has never heard of.
    struct ToyObjective: TrainingObjective {
        let model: BertForMaskedLM

        func step(_ batch: ArrayBatchSource.Batch, context: ForwardContext) throws -> StepOutput {
            let out = try model.loss(batch.input, labels: batch.labels, context: context)
            let masked = batch.labels.filter { $0 != -100 }.count
            let real = batch.input.attentionMask.reduce(0, +)
            return StepOutput(loss: out.loss, tokens: real, metrics: ["toy_masked": Double(masked), "toy_ratio": Double(masked) / Double(real)])
        }
    }

    func testACustomObjectiveTrainsAndItsMetricIsLoggedUnderItsOwnKey() throws {
        let root = TrainingTestFixtures.temporaryFolder("toy-objective")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try TrainingTestFixtures.batches()
        var c = TrainingTestFixtures.tinyConfig(); c.hiddenDropoutProb = 0; c.attentionProbsDropoutProb = 0
        let model = try BertForMaskedLM(config: c, seed: 3)
        var arguments = TrainingArguments(maxSteps: 30)
        arguments.learningRate = 1e-2; arguments.logEvery = 1; arguments.saveEvery = 1000; arguments.weightDecay = 0
        let trainer = Trainer<ArrayBatchSource>(model: model, options: arguments, outputDirectory: root, objective: ToyObjective(model: model))
        var lines: [String] = []
        trainer.onLog = { entry, eta in lines.append(entry.progressLine(eta: eta)) }
        try trainer.train(source: ArrayBatchSource(batches: Array(data.prefix(1))))

        // Every step's line carries the objective's figures, computed from the batch the step read.
        let expectedMasked = Double(data[0].labels.filter { $0 != -100 }.count)
        let expectedRatio = expectedMasked / Double(data[0].input.attentionMask.reduce(0, +))
        let text = try String(contentsOf: root.appendingPathComponent("log.jsonl"), encoding: .utf8)
        let objects = text.split(separator: "\n").map { try? JSONValue.parse(String($0)) }
        XCTAssertEqual(objects.count, 30)
        for case let .object(object)? in objects {
            XCTAssertEqual(number(object["toy_masked"]), expectedMasked, "\(object)")
            XCTAssertEqual(number(object["toy_ratio"]) ?? .nan, expectedRatio, accuracy: 1e-12)
            XCTAssertNil(object["mlm_loss"], "the trainer adds no figure of its own objective")
            XCTAssertNotNil(object["loss"]); XCTAssertNotNil(object["grad_norm"]); XCTAssertNotNil(object["learning_rate"])
        }
        let log = try JSONLinesLog.read(root.appendingPathComponent("log.jsonl"))
        XCTAssertEqual(log.last?.metrics["toy_masked"], expectedMasked)
        XCTAssertLessThan(log.last!.loss, log.first!.loss / 2, "the objective's loss is what the trainer minimises")
        XCTAssertTrue(lines.last!.contains(String(format: "toy_masked %.4f  toy_ratio %.4f", expectedMasked, expectedRatio)), lines.last!)
    }

    func number(_ value: JSONValue?) -> Double? {
        switch value {
        case let .number(v)?: return v
        case let .integer(v)?: return Double(v)
        default: return nil
        }
    }

    /// An objective's `<task>_accuracy` is shown as `<task>_acc` and hides its `<task>_loss`; other figures are shown by name.
    func testProgressLineShowsAccuraciesShortAndOtherFiguresByName() {
        var entry = TrainingLogEntry(step: 4, epoch: 0, loss: 3, learningRate: 1e-4, gradNorm: 1, tokensPerSecond: 100)
        entry.metrics = ["mlm_loss": 2, "mlm_accuracy": 0.5, "sop_loss": 1, "sop_accuracy": 0.75, "distill_ce": 0.25]
        XCTAssertEqual(entry.progressLine(eta: 61), "step 4  loss 3.0000  mlm_acc 0.500  sop_acc 0.750  distill_ce 0.2500  lr 1.00e-04  100 tok/s  ETA 1m01s")
    }
}
