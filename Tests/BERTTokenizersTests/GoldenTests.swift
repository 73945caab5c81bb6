import Foundation
import XCTest
import BERTTokenizers

/// Every case of Tests/Fixtures/tokenizers (made by scripts/make_tokenizer_goldens.py) must match exactly.
final class GoldenTests: XCTestCase {
    private func corpus() throws -> [String] { try Fixtures.golden("corpus.json")["texts"] as! [String] }

    func testEveryNormalizerSettingMatchesTokenizers() throws {
        let texts = try corpus()
        let golden = try Fixtures.golden("encodings.json")
        XCTAssertEqual(golden.count, 8)
        for (name, value) in golden {
            let entry = value as! [String: Any]
            let norm = entry["normalizer"] as! [String: Any]
            var tokenizer = try Fixtures.plainTokenizer()
            tokenizer.setNormalizer(BertNormalizer(
                cleanText: norm["clean_text"] as? Bool ?? true,
                handleChineseChars: norm["handle_chinese_chars"] as? Bool ?? true,
                stripAccents: norm["strip_accents"] as? Bool, lowercase: norm["lowercase"] as! Bool))
            let rows = entry["encodings"] as! [[String: Any]]
            XCTAssertEqual(rows.count, texts.count)
            for (i, (text, row)) in zip(texts, rows).enumerated() {
                assertEncoding(try tokenizer.encode(text), row, "\(name) #\(i) \(text.debugDescription)")
            }
            if let noSpecial = entry["no_special"] as? [Any] {
                for (i, (text, ids)) in zip(texts, noSpecial).enumerated() {
                    XCTAssertEqual(try tokenizer.encode(text, addSpecialTokens: false).ids, ints(ids), "\(name) no-special #\(i)")
                }
            }
        }
    }

    func testTokenizerJSONDefaultsTruncateAndPadTo128() throws {
        let golden = try Fixtures.golden("file_defaults.json")
        let tokenizer = try Tokenizer(directory: try Fixtures.requireModel())
        XCTAssertEqual(tokenizer.truncation, TruncationParameters(maxLength: 128))
        XCTAssertEqual(tokenizer.padding?.strategy, .fixed(128))
        for (i, (text, row)) in zip(golden["texts"] as! [String], golden["encodings"] as! [[String: Any]]).enumerated() {
            assertEncoding(try tokenizer.encode(text), row, "file defaults #\(i)")
        }
    }

    func testVocabTxtLoadingMatchesTransformers() throws {
        let texts = try corpus()
        let golden = try Fixtures.golden("vocab_txt.json")
        // Only vocab.txt + tokenizer_config.json + special_tokens_map.json, as the golden script did.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-vocab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: try Fixtures.requireModel().appendingPathComponent(name),
                                             to: folder.appendingPathComponent(name))
        }
        XCTAssertEqual(golden.count, 5)  // transformers 5: BertTokenizerFast is BertTokenizer, so 5 keys
        for (key, value) in golden {
            let entry = value as! [String: Any]
            let kwargs = entry["kwargs"] as! [String: Any]
            let tokenizer = try Tokenizer(vocabFile: folder.appendingPathComponent("vocab.txt"),
                                          doLowerCase: kwargs["do_lower_case"] as? Bool,
                                          stripAccents: kwargs["strip_accents"].map { $0 as? Bool },
                                          tokenizeChineseChars: kwargs["tokenize_chinese_chars"] as? Bool)
            XCTAssertEqual(tokenizer.modelMaxLength, (entry["model_max_length"] as! NSNumber).intValue, key)
            for (i, (text, row)) in zip(texts, entry["encodings"] as! [[String: Any]]).enumerated() {
                assertEncoding(try tokenizer.encode(text), row, "\(key) #\(i)")
            }
        }
    }

    func testPairsUnderEveryTruncationStrategyWithOverflow() throws {
        let corpusFile = try Fixtures.golden("corpus.json")
        let pairs = (corpusFile["pairs"] as! [[String]]).map { ($0[0], $0[1]) }
        let singles = Array((corpusFile["texts"] as! [String])[1..<7])
        let golden = try Fixtures.golden("pairs.json")
        var checked = 0
        for c in golden["cases"] as! [[String: Any]] {
            let strategy = TruncationStrategy(rawValue: c["strategy"] as! String)!
            let params = TruncationParameters(maxLength: (c["max_length"] as! NSNumber).intValue,
                                              stride: (c["stride"] as! NSNumber).intValue, strategy: strategy,
                                              direction: TruncationDirection(rawValue: c["direction"] as! String)!)
            let label = "\(params)"
            var tokenizer = try Fixtures.plainTokenizer()
            if c["config_error"] != nil {
                XCTAssertThrowsError(try tokenizer.setTruncation(params), label) { error in
                    guard case TokenizerError.invalidTruncation = error else { return XCTFail("\(label): \(error)") }
                }
                continue
            }
            try tokenizer.setTruncation(params)
            for (i, ((a, b), row)) in zip(pairs, c["pairs"] as! [[String: Any]]).enumerated() {
                expect(try tokenizer.encode(a, pair: b), row, "\(label) pair #\(i)")
                checked += 1
            }
            for (i, (text, row)) in zip(singles, c["singles"] as! [[String: Any]]).enumerated() {
                expect(try tokenizer.encode(text), row, "\(label) single #\(i)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 500)
    }

    /// A golden either holds an encoding or records that HF refused (panic or SequenceTooShort).
    private func expect(_ body: @autoclosure () throws -> Encoding, _ row: [String: Any], _ label: String) {
        if let message = row["error"] as? String {
            XCTAssertThrowsError(try body(), "\(label): HF said \(message)") { error in
                switch error {
                case TokenizerError.invalidTruncation, TokenizerError.sequenceTooShort, TokenizerError.secondSequenceNotProvided: break
                default: XCTFail("\(label): unexpected \(error)")
                }
            }
        } else {
            do { assertEncoding(try body(), row, label) } catch { XCTFail("\(label): threw \(error)") }
        }
    }

    func testTransformersQuestionAnsweringWindows() throws {
        let corpusFile = try Fixtures.golden("corpus.json")
        let pairs = (corpusFile["pairs"] as! [[String]]).prefix(2)
        for c in try Fixtures.golden("pairs.json")["transformers_qa"] as! [[String: Any]] {
            let maxLength = (c["max_length"] as! NSNumber).intValue, stride = (c["stride"] as! NSNumber).intValue
            var tokenizer = try Fixtures.plainTokenizer()
            try tokenizer.setTruncation(TruncationParameters(maxLength: maxLength, stride: stride, strategy: .onlySecond))
            tokenizer.padding = PaddingParameters(strategy: .fixed(maxLength))
            let encodings = try tokenizer.encodeBatch(pairs.map { $0[0] }, pairs: pairs.map { $0[1] })
            // transformers flattens each encoding followed by its overflow windows.
            var rows: [Encoding] = [], mapping: [Int] = []
            for (i, e) in encodings.enumerated() {
                for w in [e] + e.overflowing { rows.append(w); mapping.append(i) }
            }
            let label = "qa max_length \(maxLength) stride \(stride)"
            XCTAssertEqual(mapping, ints(c["overflow_to_sample_mapping"]), label)
            XCTAssertEqual(rows.map(\.ids), (c["input_ids"] as! [Any]).map(ints), label)
            XCTAssertEqual(rows.map(\.typeIds), (c["token_type_ids"] as! [Any]).map(ints), label)
            XCTAssertEqual(rows.map(\.attentionMask), (c["attention_mask"] as! [Any]).map(ints), label)
            XCTAssertEqual(rows.map(\.specialTokensMask), (c["special_tokens_mask"] as! [Any]).map(ints), label)
            XCTAssertEqual(rows.map(\.offsets), (c["offset_mapping"] as! [Any]).map(offsets), label)
        }
    }

    func testPaddingModes() throws {
        let golden = try Fixtures.golden("padding.json")
        let batch = golden["batch"] as! [String]
        for c in golden["cases"] as! [[String: Any]] {
            var tokenizer = try Fixtures.plainTokenizer()
            let length = (c["length"] as? NSNumber)?.intValue
            tokenizer.padding = PaddingParameters(strategy: length.map { .fixed($0) } ?? .longest,
                                                  direction: PaddingDirection(rawValue: c["direction"] as! String)!,
                                                  padToMultipleOf: (c["multiple"] as? NSNumber)?.intValue)
            let label = "\(tokenizer.padding!)"
            for (i, (e, row)) in zip(try tokenizer.encodeBatch(batch), c["singles"] as! [[String: Any]]).enumerated() {
                assertEncoding(e, row, "\(label) single #\(i)")
            }
            let pairs = try tokenizer.encodeBatch(["q one", "q"], pairs: ["context", "a much longer context sentence"])
            for (i, (e, row)) in zip(pairs, c["pairs"] as! [[String: Any]]).enumerated() {
                assertEncoding(e, row, "\(label) pair #\(i)")
            }
        }
        var tokenizer = try Fixtures.plainTokenizer()
        try tokenizer.setTruncation(TruncationParameters(maxLength: 10, stride: 3))
        tokenizer.padding = PaddingParameters()
        let encodings = try tokenizer.encodeBatch(["one two three four five six seven eight nine ten eleven twelve", "hi"])
        for (i, (e, row)) in zip(encodings, golden["overflow_batch"] as! [[String: Any]]).enumerated() {
            assertEncoding(e, row, "padded overflow #\(i)")
        }
    }

    func testDecodingMatchesTokenizersAndTransformers() throws {
        let tokenizer = try Fixtures.plainTokenizer()
        for (i, c) in (try Fixtures.golden("decode.json")["cases"] as! [[String: Any]]).enumerated() {
            let ids = ints(c["ids"])
            let hf = c["tokenizers"] as! [String]
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), hf[0], "decode #\(i)")
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), hf[1], "decode skip #\(i)")
            for (key, expected) in c["transformers"] as! [String: String] {
                let parts = key.split(separator: "/").map { $0 == "True" }
                XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: parts[0], cleanUpTokenizationSpaces: parts[1]),
                               expected, "transformers decode \(key) #\(i)")
            }
        }
    }

    func testAddedTokensWithFlags() throws {
        let golden = try Fixtures.golden("added_tokens.json")
        var tokenizer = try Fixtures.plainTokenizer()
        let specs = golden["added"] as! [[String: Any]]
        tokenizer.addTokens(specs.map {
            AddedToken(content: $0["content"] as! String, id: -1, special: $0["special"] as! Bool,
                       singleWord: $0["single_word"] as! Bool, lstrip: $0["lstrip"] as! Bool,
                       rstrip: $0["rstrip"] as! Bool, normalized: $0["normalized"] as! Bool)
        })
        XCTAssertEqual(specs.map { tokenizer.tokenToId($0["content"] as! String)! }, ints(golden["ids"]))
        for c in golden["cases"] as! [[String: Any]] {
            let text = c["text"] as! String
            let e = try tokenizer.encode(text)
            assertEncoding(e, c, "added tokens \(text.debugDescription)")
            let decoded = c["decoded"] as! [String]
            XCTAssertEqual(tokenizer.decode(e.ids), decoded[0], text)
            XCTAssertEqual(tokenizer.decode(e.ids, skipSpecialTokens: true), decoded[1], text)
        }
    }
}
