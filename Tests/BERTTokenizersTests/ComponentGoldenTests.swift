import Foundation
import XCTest
import BERTTokenizers

/// Every generic normaliser, pre-tokeniser, decoder and post-processor option against `tokenizers` 0.23.3
/// (bpe/components.json from scripts/make_bpe_tokenizer_goldens.py): normalised strings and their offsets,
/// splits with offsets, decoded strings, post-processed encodings.
final class ComponentGoldenTests: XCTestCase {
    /// The RoBERTa-layout tokenizer.json with `section` replaced by `json` (or removed when nil).
    static func tokenizer(_ changes: [String: Any?]) throws -> Tokenizer {
        let url = BPEGoldenTests.folder.appendingPathComponent("tokenizer.json")
        var root = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as! [String: Any]
        for (key, value) in changes { root[key] = value ?? NSNull() }
        return try Tokenizer(tokenizerJSONData: try JSONSerialization.data(withJSONObject: root))
    }

    func testNormalizersMatchTokenizers() throws {
        let golden = try Fixtures.golden("bpe/components.json")
        let texts = golden["texts"] as! [String]
        for (name, entry) in golden["normalizers"] as! [String: [String: Any]] {
            let tokenizer = try Self.tokenizer(["normalizer": entry["json"], "post_processor": nil, "added_tokens": [Any](),
                                                "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false,
                                                                  "trim_offsets": true, "use_regex": true]])
            let normalizer = try XCTUnwrap(tokenizer.normalizer, name)
            for (i, (text, row)) in zip(texts, entry["rows"] as! [[String: Any]]).enumerated() {
                XCTAssertEqual(normalizer.normalize(text), row["normalized"] as! String, "\(name) #\(i) \(text.debugDescription)")
                XCTAssertEqual(try tokenizer.encode(text).offsets, offsets(row["offsets"]), "\(name) offsets #\(i) \(text.debugDescription)")
            }
        }
    }

    func testPreTokenizersMatchTokenizers() throws {
        let golden = try Fixtures.golden("bpe/components.json")
        let texts = golden["texts"] as! [String]
        for (name, entry) in golden["pre_tokenizers"] as! [String: [String: Any]] {
            let preTokenizer = try XCTUnwrap(try Self.tokenizer(["pre_tokenizer": entry["json"]]).preTokenizer, name)
            for (i, (text, row)) in zip(texts, entry["rows"] as! [[[Any]]]).enumerated() {
                var split = PreTokenizedString(NormalizedString(text))
                preTokenizer.preTokenize(&split)
                // Foundation's JSON reader drops a U+FEFF that starts a string, so compare without it.
                let mine = split.splitsWithOffsets.map {
                    "\($0.text.unicodeScalars.starts(with: ["\u{FEFF}"]) ? String($0.text.unicodeScalars.dropFirst()) : $0.text)"
                        + "|\($0.offsets.lowerBound)|\($0.offsets.upperBound)"
                }
                let theirs = row.map { "\($0[0] as! String)|\(($0[1] as! [Int])[0])|\(($0[1] as! [Int])[1])" }
                XCTAssertEqual(mine, theirs, "\(name) #\(i) \(text.debugDescription)")
            }
        }
    }

    func testDecodersMatchTokenizers() throws {
        let golden = try Fixtures.golden("bpe/components.json")
        let lists = golden["token_lists"] as! [[String]]
        for (name, entry) in golden["decoders"] as! [String: [String: Any]] {
            let decoder = try XCTUnwrap(try Self.tokenizer(["decoder": entry["json"]]).decoder, name)
            for (i, (tokens, expected)) in zip(lists, entry["rows"] as! [Any]).enumerated() {
                guard let expected = expected as? String else { continue }  // the crate panics on this list
                XCTAssertEqual(decoder.decode(tokens), expected, "\(name) #\(i) \(tokens)")
            }
        }
    }

    func testPostProcessorsMatchTokenizers() throws {
        let golden = try Fixtures.golden("bpe/components.json")
        let texts = Array((golden["texts"] as! [String]).prefix(8))
        let pairs = try Fixtures.golden("bpe/encodings.json")["pairs"] as! [[String]]
        for (name, entry) in golden["post_processors"] as! [String: [String: Any]] {
            let tokenizer = try Self.tokenizer(["post_processor": entry["json"],
                                                "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": true,
                                                                  "trim_offsets": true, "use_regex": true]])
            let rows = entry["rows"] as! [[String: Any]]
            for (i, text) in texts.enumerated() { assertEncoding(try tokenizer.encode(text), rows[i], "\(name) text #\(i)") }
            for (i, pair) in pairs.enumerated() {
                assertEncoding(try tokenizer.encode(pair[0], pair: pair[1]), rows[texts.count + i], "\(name) pair #\(i)")
            }
        }
    }
}
