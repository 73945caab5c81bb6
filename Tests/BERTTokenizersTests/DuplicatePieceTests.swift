import Foundation
import XCTest
import BERTTokenizers

/// A tokenizer.json whose Unigram vocabulary lists "<s>" and "</s>" twice (as a trained Unigram folder can) encodes
/// as `tokenizers` does: added tokens take the model's id, the last of a repeated piece
/// (Tests/Fixtures/tokenizers/duplicate_piece.json from scripts/make_duplicate_piece_goldens.py).
final class DuplicatePieceTests: XCTestCase {
    func testAddedTokensTakeTheModelsIdForARepeatedPiece() throws {
        let golden = try Fixtures.golden("duplicate_piece.json")
        let data = try JSONSerialization.data(withJSONObject: golden["tokenizer"]!)
        let tokenizer = try Tokenizer(tokenizerJSONData: data)
        XCTAssertEqual(tokenizer.tokenToId("<s>"), 6)
        let rows = golden["encodings"] as! [[String: Any]]
        for row in rows {
            let text = row["text"] as! String
            assertEncoding(try tokenizer.encode(text), row, text.debugDescription)
        }
        XCTAssertEqual(rows.count, 5)
    }
}
