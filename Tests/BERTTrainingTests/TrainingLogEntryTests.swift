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
}
