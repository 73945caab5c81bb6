import Foundation
import XCTest
import BERTTokenizers

/// Random input never crashes, the random sweep matches HF, bad bytes and bad files give their own errors.
final class RobustnessTests: XCTestCase {
    func testRandomSweepMatchesTokenizers() throws {
        let golden = try Fixtures.golden("random_sweep.json")
        let texts = golden["texts"] as! [String]
        let settings: [String: BertNormalizer] = [
            "uncased": BertNormalizer(),
            "cased_strip_true": BertNormalizer(stripAccents: true, lowercase: false),
            "uncased_strip_false": BertNormalizer(stripAccents: false, lowercase: true),
        ]
        for (name, normalizer) in settings {
            var tokenizer = try Fixtures.plainTokenizer()
            tokenizer.setNormalizer(normalizer)
            for (i, (text, row)) in zip(texts, golden[name] as! [[String: Any]]).enumerated() {
                assertEncoding(try tokenizer.encode(text), row, "sweep \(name) #\(i)")
            }
        }
    }

    /// A seeded generator (SplitMix64), so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
    }

    func testRandomUnicodeNeverCrashesAndOffsetsStayInBounds() throws {
        var rng = SplitMix(state: 42)
        var tokenizer = try Fixtures.plainTokenizer()
        try tokenizer.setTruncation(TruncationParameters(maxLength: 16, stride: 4, strategy: .longestFirst))
        tokenizer.padding = PaddingParameters(strategy: .longest, padToMultipleOf: 8)
        for _ in 0..<2000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...60, using: &rng) {
                let cp = UInt32.random(in: 0...0x10FFFF, using: &rng)
                scalars.append(Unicode.Scalar(cp) ?? "\u{301}")
            }
            let text = String(scalars)
            let count = text.unicodeScalars.count
            let e = try tokenizer.encode(text, pair: Bool.random(using: &rng) ? text : nil)
            for w in [e] + e.overflowing {
                XCTAssertEqual(w.count % 8, 0)
                for r in w.offsets { XCTAssertTrue(r.lowerBound >= 0 && r.upperBound <= count, "\(r) in \(count)") }
            }
            _ = tokenizer.decode(e.ids, skipSpecialTokens: true, cleanUpTokenizationSpaces: true)
        }
    }

    func testInvalidUTF8IsATypedErrorNamingTheByte() throws {
        let tokenizer = try Fixtures.plainTokenizer()
        let cases: [([UInt8], Int)] = [([0x61, 0x62, 0xFF], 2), ([0xC3], 0), ([0x61, 0xED, 0xA0, 0x80], 1),
                                       ([0xC0, 0xAF], 0), ([0x68, 0x69, 0xE2, 0x82], 2)]
        for (bytes, offset) in cases {
            XCTAssertThrowsError(try tokenizer.encode(data: Data(bytes))) { error in
                XCTAssertEqual(error as? TokenizerError, .invalidUTF8(offset: offset), "\(bytes)")
            }
        }
        let ok = try tokenizer.encode(data: Data("Héllo wörld".utf8))
        XCTAssertEqual(ok, try tokenizer.encode("Héllo wörld"))
        XCTAssertThrowsError(try tokenizer.encode(data: Data("q".utf8), pair: Data([0x80])))
    }

    // MARK: Bad files, each with its own error

    private func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    private func tokenizerJSON(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        let url = try Fixtures.requireModel().appendingPathComponent("tokenizer.json")
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&root)
        return try JSONSerialization.data(withJSONObject: root)
    }

    func testMissingVocabFile() throws {
        let dir = try tempDir()
        let vocab = dir.appendingPathComponent("vocab.txt")
        XCTAssertThrowsError(try Tokenizer(vocabFile: vocab)) { error in
            XCTAssertEqual(error as? TokenizerError, .missingFile(path: vocab.path))
        }
    }

    func testFolderWithoutTokenizerFiles() throws {
        let dir = try tempDir()
        XCTAssertThrowsError(try Tokenizer(directory: dir)) { error in
            XCTAssertEqual(error as? TokenizerError, .noTokenizerFiles(directory: dir.path))
        }
    }

    func testMalformedTokenizerJSON() throws {
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: Data("{\"model\": ".utf8), path: "bad.json")) { error in
            guard case TokenizerError.malformedJSON(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "bad.json")
        }
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: Data("[1, 2]".utf8))) { error in
            guard case TokenizerError.malformedJSON = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: Data("{}".utf8))) { error in
            XCTAssertEqual(error as? TokenizerError, .missingKey(path: "tokenizer.json", key: "model"))
        }
        let badLowercase = try tokenizerJSON { root in
            var n = root["normalizer"] as! [String: Any]
            n["lowercase"] = "yes"
            root["normalizer"] = n
        }
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: badLowercase)) { error in
            guard case TokenizerError.malformedJSON(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("lowercase"), reason)
        }
    }

    func testUnknownModelType() throws {
        let data = try tokenizerJSON { root in
            var m = root["model"] as! [String: Any]
            m["type"] = "Unigram"
            root["model"] = m
        }
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: data)) { error in
            XCTAssertEqual(error as? TokenizerError, .unsupportedComponent(component: "model", type: "Unigram"))
        }
    }

    func testUnknownNormalizerPreTokenizerProcessorAndDecoderTypes() throws {
        for (key, type) in [("normalizer", "NFKC"), ("pre_tokenizer", "ByteLevel"), ("post_processor", "RobertaProcessing"),
                            ("decoder", "Metaspace")] {
            let data = try tokenizerJSON { root in root[key] = ["type": type] }
            XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: data)) { error in
                XCTAssertEqual(error as? TokenizerError, .unsupportedComponent(component: key, type: type))
            }
        }
    }

    func testUnknownTokenMissingFromVocabulary() throws {
        let dir = try tempDir()
        try "hello\nworld\n".write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Tokenizer(directory: dir)) { error in
            XCTAssertEqual(error as? TokenizerError, .tokenNotInVocabulary(token: "[UNK]", role: "unknown"))
        }
    }

    func testTruncationErrors() throws {
        var tokenizer = try Fixtures.plainTokenizer()
        XCTAssertThrowsError(try tokenizer.setTruncation(TruncationParameters(maxLength: 6, stride: 4))) { error in
            guard case TokenizerError.invalidTruncation = error else { return XCTFail("\(error)") }
        }
        try tokenizer.setTruncation(TruncationParameters(maxLength: 6, strategy: .onlySecond))
        XCTAssertThrowsError(try tokenizer.encode("one two three four five six")) { error in
            XCTAssertEqual(error as? TokenizerError, .secondSequenceNotProvided)
        }
        XCTAssertThrowsError(try tokenizer.encode("one two three four five six", pair: "x")) { error in
            XCTAssertEqual(error as? TokenizerError, .sequenceTooShort(length: 1, toRemove: 4))
        }
    }
}
