import Foundation
import XCTest
import BERTTokenizers

/// Truncation limits at and below the special tokens against HF `tokenizers`
/// (Tests/Fixtures/tokenizers/truncation_edges.json, from scripts/make_truncation_edge_goldens.py).
final class TruncationEdgeTests: XCTestCase {
    /// Every strategy x max_length 0-4 x stride 0-2 x direction: HF accepts a max_length below the special tokens
    /// (and then truncates nothing) and a stride equal to the window (refused only when an input is cut).
    func testMaxLengthAtAndBelowTheSpecialTokens() throws {
        let golden = try Fixtures.golden("truncation_edges.json")
        let bases: [String: Tokenizer] = [
            "bert": try Fixtures.plainTokenizer(),
            "roberta": try Tokenizer(tokenizerJSON: Fixtures.goldens.appendingPathComponent("bpe/roberta/tokenizer.json")),
        ]
        var encoded = 0, refusedConfigs = 0, refusedInputs = 0
        for c in golden["cases"] as! [[String: Any]] {
            var tokenizer = bases[c["tokenizer"] as! String]!
            tokenizer.padding = nil
            let params = TruncationParameters(maxLength: (c["max_length"] as! NSNumber).intValue,
                                              stride: (c["stride"] as! NSNumber).intValue,
                                              strategy: TruncationStrategy(rawValue: c["strategy"] as! String)!,
                                              direction: TruncationDirection(rawValue: c["direction"] as! String)!)
            let label = "\(c["tokenizer"]!) \(params)"
            if c["config_error"] != nil {
                XCTAssertThrowsError(try tokenizer.setTruncation(params), label) { error in
                    guard case TokenizerError.invalidTruncation = error else { return XCTFail("\(label): \(error)") }
                }
                refusedConfigs += 1
                continue
            }
            XCTAssertNoThrow(try tokenizer.setTruncation(params), label)
            for row in c["rows"] as! [[String: Any]] {
                let text = row["text"] as! String, pair = row["pair"] as? String, special = row["special"] as! Bool
                let rowLabel = "\(label) \(text.debugDescription) / \(pair.debugDescription) special=\(special)"
                let expected = row["encoding"] as! [String: Any]
                if expected["error"] != nil {
                    XCTAssertThrowsError(try tokenizer.encode(text, pair: pair, addSpecialTokens: special), rowLabel) { error in
                        switch error {
                        case TokenizerError.invalidTruncation, TokenizerError.sequenceTooShort,
                             TokenizerError.secondSequenceNotProvided: break
                        default: XCTFail("\(rowLabel): unexpected \(error)")
                        }
                    }
                    refusedInputs += 1
                } else {
                    do {
                        assertEncoding(try tokenizer.encode(text, pair: pair, addSpecialTokens: special), expected, rowLabel)
                        encoded += 1
                    } catch { XCTFail("\(rowLabel): threw \(error)") }
                }
            }
        }
        XCTAssertGreaterThan(encoded, 1000)
        XCTAssertGreaterThan(refusedConfigs, 10)
        XCTAssertGreaterThan(refusedInputs, 50)
    }

    /// The minimised fuzz finding: a BERT pair with max_length 2 (below its three special tokens) is not truncated,
    /// and a single with max_length 3 and stride 1 (equal to its one-token window) is refused only when cut.
    func testFuzzFindingsMinimised() throws {
        var tokenizer = try Fixtures.plainTokenizer()
        try tokenizer.setTruncation(TruncationParameters(maxLength: 2, stride: 0))
        XCTAssertEqual(try tokenizer.encode("hello world", pair: "foo").ids, [101, 7592, 2088, 102, 29379, 102])
        try tokenizer.setTruncation(TruncationParameters(maxLength: 3, stride: 1))
        XCTAssertEqual(try tokenizer.encode("hello").ids, [101, 7592, 102])
        XCTAssertThrowsError(try tokenizer.encode("hello world"))
        XCTAssertThrowsError(try tokenizer.setTruncation(TruncationParameters(maxLength: 3, stride: 2)))
        XCTAssertThrowsError(try tokenizer.setTruncation(TruncationParameters(maxLength: -1)))
    }
}
