import BERTJSON
import BERTTraining
import XCTest

/// log.jsonl lines are written and read by BERTJSON, keys as before (snake_case, absent figures left out).
final class TrainingLogEntryTests: XCTestCase {
    func testEntriesRoundTripThroughTheirJSON() throws {
        var entry = TrainingLogEntry(step: 7, epoch: 1, loss: 2.5, learningRate: 1e-4, gradNorm: 0.75, tokensPerSecond: 1234.5)
        entry.mlmAccuracy = 0.125
        entry.evalPerplexity = 9.5
        let text = try entry.jsonValue.serializedString(options: [.sortedKeys])
        XCTAssertEqual(text, #"{"epoch":1,"eval_perplexity":9.5,"grad_norm":0.75,"learning_rate":0.0001,"loss":2.5,"mlm_accuracy":0.125,"step":7,"tokens_per_second":1234.5}"#)
        let back = try TrainingLogEntry(json: JSONValue.parse(text), file: "log.jsonl")
        XCTAssertEqual(back.jsonValue, entry.jsonValue)
        XCTAssertNil(back.nspLoss)
        XCTAssertThrowsError(try TrainingLogEntry(json: JSONValue.parse(#"{"step": 1, "epoch": 0, "loss": 1}"#), file: "log.jsonl")) { error in
            XCTAssertEqual((error as? JSONFieldError)?.key, "learning_rate")
        }
    }

    func testNamedMetricsAreWrittenAsTheirOwnKeysAndReadBack() throws {
        var entry = TrainingLogEntry(step: 3, epoch: 0, loss: 9.5, learningRate: 1e-4, gradNorm: 2, tokensPerSecond: 100)
        entry.metrics = ["distill_ce": 1.25, "distill_cos": 0.5, "loss": 123]
        entry.mlmLoss = 4   // a convenience accessor over metrics["mlm_loss"]
        let text = try entry.jsonValue.serializedString(options: [.sortedKeys])
        XCTAssertEqual(text, #"{"distill_ce":1.25,"distill_cos":0.5,"epoch":0,"grad_norm":2.0,"learning_rate":0.0001,"loss":9.5,"mlm_loss":4.0,"step":3,"tokens_per_second":100.0}"#,
                       "a metric named like a fixed key never replaces it")
        let back = try TrainingLogEntry(json: JSONValue.parse(text), file: "log.jsonl")
        XCTAssertEqual(back.metrics, ["distill_ce": 1.25, "distill_cos": 0.5, "mlm_loss": 4])
        XCTAssertEqual(back.mlmLoss, 4)
        XCTAssertEqual(back.jsonValue, try JSONValue.parse(text))
        XCTAssertTrue(back.progressLine(eta: 5).contains("distill_ce 1.2500  distill_cos 0.5000"), back.progressLine(eta: 5))
        // A line of an older log (fixed keys only) reads with no metrics; a non-number extra key is skipped.
        let old = try TrainingLogEntry(json: JSONValue.parse(#"{"epoch":0,"grad_norm":1,"learning_rate":0.1,"loss":2,"step":1,"tokens_per_second":5,"note":"x"}"#), file: "log.jsonl")
        XCTAssertEqual(old.metrics, [:])
    }
}
