import Foundation
import XCTest
import BERTTokenizers

/// ALBERT-style, XLM-R-style and byte-fallback Unigram tokenizers against `tokenizers` 0.23.3
/// (scripts/make_sentencepiece_goldens.py), loaded from tokenizer.json and, for the first two, from the slow
/// SentencePiece folders.
final class SentencePieceGoldenTests: XCTestCase {
    private func tokenizer(json name: String) throws -> Tokenizer {
        try Tokenizer(tokenizerJSON: SentencePieceFixtures.folder.appendingPathComponent("\(name).json"))
    }

    private func slowTokenizer(_ name: String) throws -> Tokenizer {
        let file = name == "albert" ? "albert/spiece.model" : "xlmr/sentencepiece.bpe.model"
        return try Tokenizer(sentencePieceModel: SentencePieceFixtures.folder.appendingPathComponent(file))
    }

    static func check(_ tokenizer: Tokenizer, _ name: String, label: String) throws {
        let goldens = try SentencePieceFixtures.goldens()
        let corpus = goldens["corpus"] as! [String]
        let pairs = (goldens["pairs"] as! [[String]]).map { ($0[0], $0[1]) }
        let golden = (goldens["tokenizers"] as! [String: Any])[name] as! [String: Any]
        var tokenizer = tokenizer
        try tokenizer.setTruncation(nil)
        tokenizer.padding = nil

        let singles = golden["singles"] as! [[String: Any]]
        let decoded = golden["decoded"] as! [String], decodedSkip = golden["decoded_skip_special"] as! [String]
        let noSpecial = golden["no_special"] as! [Any]
        for (index, text) in corpus.enumerated() {
            let where_ = "\(label) #\(index) \(text.debugDescription)"
            let encoding = try tokenizer.encode(text)
            assertEncoding(encoding, singles[index], where_)
            XCTAssertEqual(tokenizer.decode(encoding.ids, skipSpecialTokens: false), decoded[index], "\(where_) decode")
            XCTAssertEqual(tokenizer.decode(encoding.ids, skipSpecialTokens: true), decodedSkip[index], "\(where_) decode skip")
            XCTAssertEqual(try tokenizer.encode(text, addSpecialTokens: false).ids, ints(noSpecial[index]), "\(where_) no special")
        }
        for (index, ((a, b), row)) in zip(pairs, golden["pairs"] as! [[String: Any]]).enumerated() {
            assertEncoding(try tokenizer.encode(a, pair: b), row, "\(label) pair #\(index)")
        }
        for setting in golden["truncated"] as! [[String: Any]] {
            let params = TruncationParameters(maxLength: (setting["max_length"] as! NSNumber).intValue,
                                              stride: (setting["stride"] as! NSNumber).intValue,
                                              strategy: TruncationStrategy(rawValue: setting["strategy"] as! String)!)
            var truncating = tokenizer
            try truncating.setTruncation(params)
            let inputs: [(String, String?)] = pairs.map { ($0.0, $0.1) } + [(corpus[3], nil), (corpus[16], nil)]
            for (index, ((a, b), row)) in zip(inputs, setting["rows"] as! [[String: Any]]).enumerated() {
                let where_ = "\(label) \(params) row \(index)"
                if let message = row["error"] as? String {
                    XCTAssertThrowsError(try truncating.encode(a, pair: b), "\(where_): tokenizers said \(message)")
                } else {
                    do { assertEncoding(try truncating.encode(a, pair: b), row, where_) } catch { XCTFail("\(where_): \(error)") }
                }
            }
        }
        let randoms = goldens["random"] as! [String]
        let canonical = try randoms.map { text -> String in
            let e = try tokenizer.encode(text)
            return Self.canonical(e, tokenizer.decode(e.ids, skipSpecialTokens: false))
        }
        compareDigests(SentencePieceFixtures.blockDigests(canonical), golden["random_digests"] as! [String],
                       randoms, "\(label) random")
        let randomPairs = Array(zip(stride(from: 0, to: randoms.count - 1, by: 2).map { randoms[$0] },
                                    stride(from: 1, to: randoms.count, by: 2).map { randoms[$0] }))
        let pairCanonical = try randomPairs.map { Self.canonical(try tokenizer.encode($0.0, pair: $0.1), "") }
        compareDigests(SentencePieceFixtures.blockDigests(pairCanonical), golden["random_pair_digests"] as! [String],
                       randomPairs.map { "\($0.0) | \($0.1)" }, "\(label) random pairs")
    }

    private static func canonical(_ e: Encoding, _ decoded: String) -> String {
        let ids: String = e.ids.map { String($0) }.joined(separator: " ")
        let offsets: String = e.offsets.map { (range: Range<Int>) -> String in "\(range.lowerBound),\(range.upperBound)" }
            .joined(separator: " ")
        return ids + ";" + offsets + ";" + decoded
    }

    private static func compareDigests(_ got: [String], _ want: [String], _ inputs: [String], _ label: String) {
        XCTAssertEqual(got.count, want.count, label)
        for (block, (g, w)) in zip(got, want).enumerated() where g != w {
            XCTFail("\(label) block \(block) differs: \(inputs[block * 10 ..< min(block * 10 + 10, inputs.count)].map(\.debugDescription))")
        }
    }

    func testAlbertTokenizerJSONMatchesTokenizers() throws {
        try Self.check(try tokenizer(json: "albert"), "albert", label: "albert.json")
    }

    func testXLMRobertaTokenizerJSONMatchesTokenizers() throws {
        try Self.check(try tokenizer(json: "xlmr"), "xlmr", label: "xlmr.json")
    }

    func testByteFallbackTokenizerJSONMatchesTokenizers() throws {
        try Self.check(try tokenizer(json: "bytefallback"), "bytefallback", label: "bytefallback.json")
    }

    func testSlowAlbertFolderEncodesAsTheConvertedJSON() throws {
        try Self.check(try slowTokenizer("albert"), "albert", label: "albert/spiece.model")
        let loaded = try Tokenizer(directory: SentencePieceFixtures.folder.appendingPathComponent("albert"))
        XCTAssertEqual(loaded.modelMaxLength, 512)
        XCTAssertEqual(try loaded.encode("Hello [MASK] world").ids, try tokenizer(json: "albert").encode("Hello [MASK] world").ids)
    }

    func testSlowXLMRobertaFolderEncodesAsTheConvertedJSON() throws {
        try Self.check(try slowTokenizer("xlmr"), "xlmr", label: "xlmr/sentencepiece.bpe.model")
        let loaded = try Tokenizer(directory: SentencePieceFixtures.folder.appendingPathComponent("xlmr"))
        XCTAssertEqual(try loaded.encode("Hello <mask> world").ids, try tokenizer(json: "xlmr").encode("Hello <mask> world").ids)
    }

    func testUnigramWithoutUnknownIsATypedErrorOnlyWhenNeeded() throws {
        let json = #"""
            {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null,
             "post_processor": null, "decoder": null,
             "model": {"type": "Unigram", "unk_id": null, "vocab": [["a", -1.0], ["b", -2.0]], "byte_fallback": false}}
            """#
        let tokenizer = try Tokenizer(tokenizerJSONData: Data(json.utf8))
        XCTAssertEqual(try tokenizer.encode("ab").ids, [0, 1])
        XCTAssertThrowsError(try tokenizer.encode("abc")) { error in
            XCTAssertEqual(error as? TokenizerError, .unigramWithoutUnknown)
        }
        let badUnk = json.replacingOccurrences(of: #""unk_id": null"#, with: #""unk_id": 7"#)
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: Data(badUnk.utf8))) { error in
            guard case .invalidTokenId(_, let key, 7, _)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertTrue(key.hasSuffix("unk_id"), key)
        }
    }

    func testCorruptCharsmapInTokenizerJSONIsATypedError() throws {
        let json = #"""
            {"version": "1.0", "added_tokens": [], "pre_tokenizer": null, "post_processor": null, "decoder": null,
             "normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAEC"},
             "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]], "byte_fallback": false}}
            """#
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: Data(json.utf8))) { error in
            guard case .corruptPrecompiledCharsmap? = error as? TokenizerError else { return XCTFail("\(error)") }
        }
    }
}
