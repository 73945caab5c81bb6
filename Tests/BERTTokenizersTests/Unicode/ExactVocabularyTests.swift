import BERTJSON
import BERTTokenizers
import Foundation
import XCTest

/// Vocabularies holding canonically equivalent tokens ("é" / "e" U+0301, U+0341 / U+0301, U+00C5 / U+212B, Ω
/// U+03A9 / U+2126) load and encode as `tokenizers` 0.23.3 does (exact_vocab/ from
/// scripts/make_exact_vocab_goldens.py): WordPiece, BPE (merges naming both forms) and Unigram, with added tokens
/// in both forms. Strings are compared scalar for scalar, since Swift's `==` would call the forms equal.
final class ExactVocabularyTests: XCTestCase {
    static let folder = Fixtures.goldens.appendingPathComponent("exact_vocab")

    static func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    func testCanonicallyEquivalentTokensKeepTheirIds() throws {
        let golden = try JSONValue.parse(try Data(contentsOf: Self.folder.appendingPathComponent("goldens.json")))
        let all = try XCTUnwrap(golden["tokenizers"]?.objectValue)
        XCTAssertEqual(all.keys, ["wordpiece", "bpe", "unigram"])
        for member in all {
            let tokenizer = try Tokenizer(tokenizerJSON: Self.folder.appendingPathComponent("\(member.key).json"))
            for pair in try XCTUnwrap(member.value["token_to_id"]?.arrayValue) {
                let token = try XCTUnwrap(pair[0]?.stringValue)
                XCTAssertEqual(tokenizer.tokenToId(token), pair[1]?.intValue, "\(member.key) \(Self.scalars(token))")
            }
            for row in try XCTUnwrap(member.value["encodings"]?.arrayValue) {
                let text = try XCTUnwrap(row["text"]?.stringValue)
                let label = "\(member.key) \(Self.scalars(text))"
                let encoding = try tokenizer.encode(text)
                XCTAssertEqual(encoding.ids, row["ids"]?.arrayValue?.compactMap(\.intValue), label)
                XCTAssertEqual(encoding.tokens.map(Self.scalars), row["tokens"]?.arrayValue?.compactMap { $0.stringValue.map(Self.scalars) }, label)
                XCTAssertEqual(encoding.offsets.map { [$0.lowerBound, $0.upperBound] },
                               row["offsets"]?.arrayValue?.compactMap { $0.arrayValue?.compactMap(\.intValue) }, label)
                XCTAssertEqual(Self.scalars(tokenizer.decode(encoding.ids, skipSpecialTokens: true)),
                               Self.scalars(try XCTUnwrap(row["decoded"]?.stringValue)), label)
            }
        }
    }

    /// The same token twice (same scalars) is still refused; the two forms of "é" are not the same token.
    func testOnlyExactRepeatsAreRefused() throws {
        let distinct = Data(#"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "\u00e9": 1, "e\u0301": 2}}}"#.utf8)
        let tokenizer = try Tokenizer(tokenizerJSONData: distinct)
        XCTAssertEqual(tokenizer.tokenToId("\u{E9}"), 1)
        XCTAssertEqual(tokenizer.tokenToId("e\u{301}"), 2)
        let repeated = Data(#"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "e\u0301": 1, "e\u0301": 2}}}"#.utf8)
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: repeated)) {
            XCTAssertEqual($0 as? TokenizerError, .malformedJSON(path: "tokenizer.json", reason: "model.vocab names \"e\u{301}\" twice"))
        }
    }
}
