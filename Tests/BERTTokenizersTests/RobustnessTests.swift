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

    func testRawCodePointsOutsideUnicodeNeverCrash() throws {
        let tokenizer = try Fixtures.plainTokenizer()
        let e = try tokenizer.encodeSequence(codePoints: [0x61, 0xD800, 0x20, 0x110000, 0xFFFF_FFFF, 0x20, 0x62])
        // "a" + U+D800 is one word with no WordPiece segmentation, as is the pair past U+10FFFF.
        XCTAssertEqual(e.tokens, ["[UNK]", "[UNK]", "b"])
        XCTAssertEqual(e.offsets, [0..<2, 3..<5, 6..<7])
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

    /// Edits `model.vocab` of the fixture and returns the loader's error.
    private func vocabError(_ edit: (inout [String: Any]) -> Void) throws -> TokenizerError? {
        let data = try tokenizerJSON { root in
            var m = root["model"] as! [String: Any]
            var vocab = m["vocab"] as! [String: Any]
            edit(&vocab)
            m["vocab"] = vocab
            root["model"] = m
        }
        do { _ = try Tokenizer(tokenizerJSONData: data); return nil } catch { return error as? TokenizerError }
    }

    func testVocabularyIdsOutsideTheVocabularyOrRepeatedAreNamed() throws {
        // 10^12 used to trap converting to Int32 after sizing a table by it.
        let huge = try vocabError { $0["hello"] = 1_000_000_000_000 }
        guard case .invalidTokenId("tokenizer.json", #"model.vocab["hello"]"#, 1_000_000_000_000, let reason)? = huge else {
            return XCTFail("\(String(describing: huge))")
        }
        XCTAssertTrue(reason.contains("beyond the vocabulary of 30522 tokens"), reason)
        XCTAssertTrue("\(huge!)".contains(#"tokenizer.json: model.vocab["hello"] is 1000000000000"#), "\(huge!)")
        XCTAssertEqual(try vocabError { $0["hello"] = -5 },
                       .invalidTokenId(path: "tokenizer.json", key: #"model.vocab["hello"]"#, id: -5, reason: "negative"))
        XCTAssertEqual(try vocabError { $0["hello"] = 30522 },
                       .invalidTokenId(path: "tokenizer.json", key: #"model.vocab["hello"]"#, id: 30522,
                                       reason: "beyond the vocabulary of 30522 tokens (ids 0..<30522)"))
        // Two tokens with one id: whichever comes second in the file is named.
        var worldId = 0
        let shared = try vocabError { vocab in worldId = vocab["world"] as! Int; vocab["hello"] = worldId }
        guard case let .invalidTokenId(_, key, id, reason)? = shared else { return XCTFail("\(String(describing: shared))") }
        XCTAssertTrue([#"model.vocab["hello"]"#, #"model.vocab["world"]"#].contains(key), key)
        XCTAssertEqual(id, worldId)
        XCTAssertTrue(reason.hasPrefix("the same id as"), reason)
        // The raw text with a repeated token.
        let repeated = Data(#"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1, "a": 2}}}"#.utf8)
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: repeated)) {
            XCTAssertEqual($0 as? TokenizerError, .malformedJSON(path: "tokenizer.json", reason: #"model.vocab names "a" twice"#))
        }
        XCTAssertThrowsError(try WordPieceTokenizer(vocab: ["[UNK]": 0, "a": 1 << 40])) {
            guard case .invalidTokenId(_, #"vocab["a"]"#, 1 << 40, _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
    }

    func testAddedAndSpecialTokenIdsOutsideTheVocabularyAreNamed() throws {
        func error(_ edit: (inout [String: Any]) -> Void) throws -> TokenizerError? {
            do { _ = try Tokenizer(tokenizerJSONData: try tokenizerJSON(edit)); return nil } catch { return error as? TokenizerError }
        }
        let added = try error { root in
            var tokens = root["added_tokens"] as! [[String: Any]]
            tokens[1]["id"] = 1_000_000_000_000
            root["added_tokens"] = tokens
        }
        XCTAssertEqual(added, .invalidTokenId(path: "tokenizer.json", key: "added_tokens[1].id", id: 1_000_000_000_000,
                                              reason: "beyond the 30522 vocabulary and 5 added tokens (ids 0..<30527)"))
        let negative = try error { root in
            var tokens = root["added_tokens"] as! [[String: Any]]
            tokens[0]["id"] = -1
            root["added_tokens"] = tokens
        }
        XCTAssertEqual(negative, .invalidTokenId(path: "tokenizer.json", key: "added_tokens[0].id", id: -1, reason: "negative"))
        let special = try error { root in
            var p = root["post_processor"] as! [String: Any]
            var specials = p["special_tokens"] as! [String: Any]
            var cls = specials["[CLS]"] as! [String: Any]
            cls["ids"] = [99_999_999]
            specials["[CLS]"] = cls
            p["special_tokens"] = specials
            root["post_processor"] = p
        }
        guard case .invalidTokenId(_, #"post_processor.special_tokens["[CLS]"].ids[0]"#, 99_999_999, _)? = special else {
            return XCTFail("\(String(describing: special))")
        }
        let pad = try error { root in
            var p = root["padding"] as! [String: Any]
            p["pad_id"] = 1 << 40
            root["padding"] = p
        }
        guard case .invalidTokenId(_, "padding.pad_id", 1 << 40, _)? = pad else { return XCTFail("\(String(describing: pad))") }
    }

    func testPaddingLengthsAreBoundedBeforeAllocating() throws {
        let fixed = try tokenizerJSON { root in
            var p = root["padding"] as! [String: Any]
            p["strategy"] = ["Fixed": 1_000_000_000_000]
            root["padding"] = p
        }
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: fixed)) {
            XCTAssertEqual($0 as? TokenizerError, .valueTooLarge(path: "tokenizer.json", key: "padding.strategy.Fixed",
                                                                 value: 1_000_000_000_000, limit: PaddingParameters.maximumLength))
        }
        let multiple = try tokenizerJSON { root in
            var p = root["padding"] as! [String: Any]
            p["pad_to_multiple_of"] = 1 << 40
            root["padding"] = p
        }
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: multiple)) {
            guard case .valueTooLarge(_, "padding.pad_to_multiple_of", 1 << 40, _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        // Set in code (the CLI's --max-length), the length is checked when padding.
        var tokenizer = try Tokenizer(tokenizerJSON: try Fixtures.requireModel().appendingPathComponent("tokenizer.json"))
        tokenizer.padding = PaddingParameters(strategy: .fixed(100_000_000))
        XCTAssertThrowsError(try tokenizer.encode("hello")) {
            XCTAssertEqual($0 as? TokenizerError, .paddingTooLong(length: 100_000_000, limit: PaddingParameters.maximumLength))
        }
        tokenizer.padding = PaddingParameters(strategy: .longest, padToMultipleOf: .max)
        XCTAssertThrowsError(try tokenizer.encodeBatch(["hello", "a b c"])) {
            guard case .paddingTooLong? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        tokenizer.padding = PaddingParameters(strategy: .fixed(16))
        XCTAssertEqual(try tokenizer.encode("hello").ids.count, 16)
    }

    func testPermissionDeniedIsNotReportedAsMissing() throws {
        let dir = try tempDir()
        let locked = dir.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try "[UNK]\n".write(to: locked.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        // Root ignores permissions: act as nobody for the calls (the effective id is restored after).
        let wasRoot = geteuid() == 0
        if wasRoot { XCTAssertEqual(seteuid(65534), 0) }
        defer { if wasRoot { _ = seteuid(0) } }
        for attempt in [{ try Tokenizer(directory: locked) }, { try Tokenizer(vocabFile: locked.appendingPathComponent("vocab.txt")) }] {
            XCTAssertThrowsError(try attempt()) { error in
                guard case let .unreadableFile(path, reason)? = error as? TokenizerError else { return XCTFail("\(error)") }
                XCTAssertTrue(path.hasPrefix(locked.path), path)
                XCTAssertTrue(reason.hasPrefix("permission denied"), reason)
            }
        }
    }

    func testUnknownModelType() throws {
        let data = try tokenizerJSON { root in
            var m = root["model"] as! [String: Any]
            m["type"] = "NoSuchModel"  // Unigram, the type this test used first, is implemented now
            root["model"] = m
        }
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: data)) { error in
            guard case let .unknownComponentType(_, key, type, kind, _)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual([key, type, kind], ["model.type", "NoSuchModel", "model"])
        }
    }

    func testUnknownNormalizerPreTokenizerProcessorAndDecoderTypes() throws {
        for (key, type, kind) in [("normalizer", "NFKX", "normalizer"), ("pre_tokenizer", "ByteLevels", "pre-tokenizer"),
                                  ("post_processor", "RobertaProcessor", "post-processor"), ("decoder", "Metaspaces", "decoder")] {
            let data = try tokenizerJSON { root in root[key] = ["type": type] }
            XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: data)) { error in
                guard case let .unknownComponentType(path, at, found, named, known)? = error as? TokenizerError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual([path, at, found, named], ["tokenizer.json", "\(key).type", type, kind])
                XCTAssertFalse(known.isEmpty)
                XCTAssertTrue((error as! TokenizerError).description.contains("\(key).type \"\(type)\" is not a known \(kind)"))
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
        XCTAssertThrowsError(try tokenizer.setTruncation(TruncationParameters(maxLength: 6, stride: 5))) { error in
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

/// The loader's own JSON parser must read escaped forms of the same file identically.
final class JSONLoadingTests: XCTestCase {
    /// Rewrites every non-ASCII scalar as `\uXXXX` (surrogate pairs above the BMP) and every `/` as `\/`.
    private func escapeAll(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "/" {
                out += "\\/"
            } else if scalar.value < 0x80 {
                out.unicodeScalars.append(scalar)
            } else {
                for unit in String(scalar).utf16 { out += String(format: "\\u%04X", unit) }
            }
        }
        return out
    }

    func testEscapedTokenizerJSONLoadsIdentically() throws {
        let url = try Fixtures.requireModel().appendingPathComponent("tokenizer.json")
        let original = try Tokenizer(tokenizerJSON: url)
        let escaped = escapeAll(try String(contentsOf: url, encoding: .utf8))
        XCTAssertTrue(escaped.utf8.allSatisfy { $0 < 0x80 })
        let reloaded = try Tokenizer(tokenizerJSONData: Data(escaped.utf8))
        XCTAssertEqual(reloaded.model.vocabularySize, original.model.vocabularySize)
        for text in ["Héllo wörld 我爱北京 😀 [MASK] naïve", "Ωmega ß ﬁ"] {
            XCTAssertEqual(try reloaded.encode(text), try original.encode(text))
        }
        for id in [0, 100, 1000, 5000, 29612, 30521] {
            XCTAssertEqual(reloaded.idToToken(id), original.idToToken(id))
        }
    }

    func testMalformedJSONNamesTheByteOffset() {
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: Data("{\"model\": {\"type\": \"WordPiece\",}}".utf8))) { error in
            guard case TokenizerError.malformedJSON(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("byte 31"), reason)
        }
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: Data("{\"a\": \"\\ud800x\"}".utf8)))
        XCTAssertThrowsError(try Tokenizer(tokenizerJSONData: Data("{\"a\": tru}".utf8)))
    }
}
