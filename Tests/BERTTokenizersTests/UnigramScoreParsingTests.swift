import Foundation
import XCTest
import BERTTokenizers

/// Unigram scores are read as `tokenizers` reads them (serde_json, an ulp off for some 16-17 digit scores), so
/// Viterbi ties between equal-score segmentations break the same way
/// (Tests/Fixtures/tokenizers/unigram_scores.json from scripts/make_unigram_score_goldens.py).
final class UnigramScoreParsingTests: XCTestCase {
    func testViterbiTiesBreakAsInTokenizers() throws {
        let golden = try Fixtures.golden("unigram_scores.json")
        let tokenizer = try Tokenizer(tokenizerJSONData: try JSONSerialization.data(withJSONObject: golden["tokenizer"]!))
        let rows = golden["encodings"] as! [[String: Any]]
        for row in rows {
            let text = row["text"] as! String
            XCTAssertEqual(try tokenizer.encode(text, addSpecialTokens: false).ids, ints(row["ids"]), text)
        }
        XCTAssertEqual(rows.count, 81)
    }
}
