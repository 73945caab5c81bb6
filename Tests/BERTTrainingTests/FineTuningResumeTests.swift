import BERTModels
import BERTNN
import BERTTensor
import BERTTraining
import Foundation
import SafeTensors
import XCTest

/// A fine-tuning run stopped mid-way and resumed in a new process-like setting (fresh model object) ends with the
/// same weights as an uninterrupted run.
final class FineTuningResumeTests: XCTestCase {
    typealias Example = TrainingTestFixtures.Example

    func makeRun(_ output: URL, stopAfter: Int?) throws -> (FineTuningRun<Example>, BertForSequenceClassification) {
        let (model, features, options) = try TrainingTestFixtures.tinyClassifier()
        var run = FineTuningRun<Example>(model: model, features: features, options: options, output: output,
            forward: { batch, context in
                let input = try EncoderInput(rows: batch.map(\.ids))
                let out = try model.loss(input, labels: .classes(batch.map(\.label)), context: context)
                return StepOutput(loss: out.loss, tokens: batch.count * 8)
            },
            evaluate: nil,
            saveModel: { dir in
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try model.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
            })
        run.stopAfterSteps = stopAfter
        return (run, model)
    }

    func testStoppedRunResumesToTheSameWeights() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ft-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let (full, _) = try makeRun(root.appendingPathComponent("full"), stopAfter: nil)
        _ = try full.run()
        let (first, _) = try makeRun(root.appendingPathComponent("cut"), stopAfter: 7)   // mid-epoch 2 (5 steps per epoch)
        _ = try first.run()
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("cut/last").path), "an interrupted run has no last/")
        let (second, _) = try makeRun(root.appendingPathComponent("cut"), stopAfter: nil)
        _ = try second.run()
        let a = try Data(contentsOf: root.appendingPathComponent("full/last/model.safetensors"))
        let b = try Data(contentsOf: root.appendingPathComponent("cut/last/model.safetensors"))
        XCTAssertEqual(a, b, "resumed fine-tuning must end with the uninterrupted run's weights")
        let steps = try JSONLinesLog.read(root.appendingPathComponent("cut/log.jsonl")).filter { $0.evalLoss == nil }.map(\.step)
        XCTAssertEqual(steps, Array(1...15), "each step logged once")
    }
}
