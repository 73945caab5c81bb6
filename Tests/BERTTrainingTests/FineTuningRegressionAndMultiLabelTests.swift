import BERTModels
import BERTTraining
import Foundation
import TestSupport
import XCTest

/// Regression and multi-label text classification trained end to end: the loss falls, the saved folder records
/// the problem type transformers needs, and the metrics of the task are reported.
extension FineTuningEndToEndTests {
    func testRegression() throws {
        let train = root.appendingPathComponent("reg.csv")
        var rows = "text,label\n"
        for i in 0..<32 { rows += i % 2 == 0 ? "wonderful lovely film \(i),\(0.9 - Double(i % 4) * 0.05)\n" : "terrible awful film \(i),\(0.1 + Double(i % 4) * 0.05)\n" }
        try rows.write(to: train, atomically: true, encoding: .utf8)
        let out = root.appendingPathComponent("regression")
        let summary = try TextClassificationFineTuning.train(modelDirectory: tinyModel(), train: train, validation: train, task: .regression,
                                                             options: options(epochs: 20, lr: 3e-4), output: out)
        assertFolders(out)
        let (first, last) = try firstAndLastEpochLoss(out)
        XCTAssertLessThan(last, first, "MSE should fall: \(first) → \(last)")
        let metrics = try XCTUnwrap(summary.epochs.last?.evaluation?.metrics)
        XCTAssertNotNil(metrics["mse"]); XCTAssertNotNil(metrics["spearman"])
        XCTAssertGreaterThan(metrics["spearman"]!, 0.5, "predictions should order the two kinds of text: \(metrics)")
        let (model, config) = try TextClassificationFineTuning.load(out.appendingPathComponent("best"))
        XCTAssertEqual(config.problemType, "regression")
        XCTAssertEqual(model.numLabels, 1)
    }

    func testMultiLabel() throws {
        let train = root.appendingPathComponent("multi.csv")
        var rows = "text,label\n"
        let kinds = [("goal match team", "sports"), ("election vote party", "politics"), ("team vote stadium election", "sports;politics")]
        for i in 0..<36 { let (t, l) = kinds[i % 3]; rows += "\(t) \(i),\(l)\n" }
        try rows.write(to: train, atomically: true, encoding: .utf8)
        let out = root.appendingPathComponent("multilabel")
        let summary = try TextClassificationFineTuning.train(modelDirectory: tinyModel(), train: train, validation: train, task: .multiLabel,
                                                             options: options(epochs: 6), output: out)
        assertFolders(out)
        let (first, last) = try firstAndLastEpochLoss(out)
        XCTAssertLessThan(last, first, "BCE should fall: \(first) → \(last)")
        let metrics = try XCTUnwrap(summary.epochs.last?.evaluation?.metrics)
        XCTAssertGreaterThan(metrics["f1_micro"]!, 0.5, "\(metrics)")
        let (model, config) = try TextClassificationFineTuning.load(out.appendingPathComponent("best"))
        XCTAssertEqual(config.problemType, "multi_label_classification")
        XCTAssertEqual(Set(config.id2label.values), ["politics", "sports"])
        XCTAssertEqual(model.numLabels, 2)
    }
}
