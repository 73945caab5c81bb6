import Foundation
import XCTest
import BERTTokenizers

/// Byte-level BPE in RoBERTa's layout against `tokenizers` 0.23.3 and transformers 5.24
/// (goldens from scripts/make_bpe_tokenizer_goldens.py).
final class BPEGoldenTests: XCTestCase {
    static let folder = Fixtures.goldens.appendingPathComponent("bpe/roberta")

    static func roberta() throws -> Tokenizer { try Tokenizer(tokenizerJSON: folder.appendingPathComponent("tokenizer.json")) }

    func testSingleTextsMatchTokenizers() throws {
        let golden = try Fixtures.golden("bpe/encodings.json")
        let tokenizer = try Self.roberta()
        let texts = golden["texts"] as! [String]
        for (i, (text, row)) in zip(texts, golden["single"] as! [[String: Any]]).enumerated() {
            let e = try tokenizer.encode(text)
            assertEncoding(e, row, "text \(i) \(text.debugDescription)")
            let decoded = row["decoded"] as! [String]
            XCTAssertEqual(tokenizer.decode(e.ids, skipSpecialTokens: false), decoded[0], "decode \(i)")
            XCTAssertEqual(tokenizer.decode(e.ids, skipSpecialTokens: true), decoded[1], "decode skipping specials \(i)")
        }
    }

    func testPairsMatchTokenizers() throws {
        let golden = try Fixtures.golden("bpe/encodings.json")
        let tokenizer = try Self.roberta()
        for (i, (pair, row)) in zip(golden["pairs"] as! [[String]], golden["pair"] as! [[String: Any]]).enumerated() {
            assertEncoding(try tokenizer.encode(pair[0], pair: pair[1]), row, "pair \(i)")
        }
    }

    /// vocab.json + merges.txt (+ tokenizer_config.json) load as transformers' RobertaTokenizer builds them.
    func testSlowFilesMatchTransformers() throws {
        let golden = try Fixtures.golden("bpe/encodings.json")
        let texts = golden["texts"] as! [String]
        for (name, key) in [("roberta", "transformers_slow"), ("roberta_lstrip", "transformers_slow_lstrip")] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-slow-bpe-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            for file in ["vocab.json", "merges.txt", "tokenizer_config.json"] {
                try FileManager.default.copyItem(at: Fixtures.goldens.appendingPathComponent("bpe/\(name)/\(file)"),
                                                 to: dir.appendingPathComponent(file))
            }
            let tokenizer = try Tokenizer(directory: dir)
            for (i, (text, row)) in zip(texts, golden[key] as! [[String: Any]]).enumerated() {
                assertEncoding(try tokenizer.encode(text), row, "\(name) slow text \(i) \(text.debugDescription)")
            }
        }
    }

    /// The slow files give the same encodings as the converted tokenizer.json.
    func testSlowFilesEqualTokenizerJSON() throws {
        let golden = try Fixtures.golden("bpe/encodings.json")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-slow-bpe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in ["vocab.json", "merges.txt", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: Self.folder.appendingPathComponent(file), to: dir.appendingPathComponent(file))
        }
        let slow = try Tokenizer(directory: dir), fast = try Self.roberta()
        for text in golden["texts"] as! [String] {
            XCTAssertEqual(try slow.encode(text), try fast.encode(text), text.debugDescription)
        }
        for pair in golden["pairs"] as! [[String]] {
            XCTAssertEqual(try slow.encode(pair[0], pair: pair[1]), try fast.encode(pair[0], pair: pair[1]))
        }
        XCTAssertEqual(slow.modelMaxLength, 512)
    }

    func testTruncationWithStrideMatchesTokenizers() throws {
        let golden = try Fixtures.golden("bpe/truncation.json")
        for (i, row) in (golden["cases"] as! [[String: Any]]).enumerated() {
            var tokenizer = try Self.roberta()
            let strategy = TruncationStrategy(rawValue: row["strategy"] as! String)!
            let label = "case \(i) \(strategy) max \(row["max_length"]!) stride \(row["stride"]!)"
            do {
                try tokenizer.setTruncation(TruncationParameters(maxLength: row["max_length"] as! Int, stride: row["stride"] as! Int,
                                                                 strategy: strategy))
                let e = try tokenizer.encode(row["a"] as! String, pair: row["b"] as? String)
                if row["error"] != nil { XCTFail("\(label): tokenizers refuses (\(row["error"]!)), we encoded"); continue }
                assertEncoding(e, row, label)
            } catch {
                XCTAssertNotNil(row["error"], "\(label): \(error)")
            }
        }
    }

    /// 2,000 seeded random strings over every plane: token count and FNV-1a digests of ids, offsets and the
    /// decoded string all equal tokenizers'.
    func testRandomSweepDigestsMatchTokenizers() throws {
        let golden = try Fixtures.golden("bpe/sweep.json")
        let tokenizer = try Self.roberta()
        let texts = golden["texts"] as! [String]
        let digests = golden["digests"] as! [[Any]]
        XCTAssertEqual(texts.count, 2000)
        var failures = 0
        for (i, (text, digest)) in zip(texts, digests).enumerated() {
            let e = try tokenizer.encode(text)
            let decoded = Array(tokenizer.decode(e.ids, skipSpecialTokens: true).utf8).map(Int.init)
            let mine: [String] = [String(e.count), Self.fnv(e.ids), Self.fnv(e.offsets.flatMap { [$0.lowerBound, $0.upperBound] }),
                                  Self.fnv(decoded)]
            let theirs = [String((digest[0] as! NSNumber).intValue), digest[1] as! String, digest[2] as! String, digest[3] as! String]
            if mine != theirs {
                failures += 1
                if failures <= 5 { XCTFail("sweep \(i) \(text.debugDescription): \(mine) != \(theirs) (count, ids, offsets, decoded)") }
            }
        }
        XCTAssertEqual(failures, 0, "random strings whose encoding differs from tokenizers'")
    }

    /// FNV-1a over 64-bit values, as the golden script computes it.
    static func fnv(_ values: [Int]) -> String {
        var h: UInt64 = 0xCBF29CE484222325
        for v in values { h = (h ^ UInt64(bitPattern: Int64(v))) &* 0x100000001B3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
