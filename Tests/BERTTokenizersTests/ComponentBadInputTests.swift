import Foundation
import XCTest
import BERTTokenizers

/// Bad component sections in tokenizer.json, each a typed error of its own naming where it stands.
final class ComponentBadInputTests: XCTestCase {
    /// A small BPE tokenizer.json with `edit` applied.
    private func load(_ edit: (inout [String: Any]) -> Void) throws -> Tokenizer {
        var root: [String: Any] = [
            "model": ["type": "BPE", "vocab": ["a": 0, "b": 1, "ab": 2, "<unk>": 3], "merges": ["a b"]] as [String: Any],
            "pre_tokenizer": ["type": "Whitespace"],
        ]
        edit(&root)
        return try Tokenizer(tokenizerJSONData: try JSONSerialization.data(withJSONObject: root))
    }

    private func model(_ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { root in
            var m = root["model"] as! [String: Any]
            edit(&m)
            root["model"] = m
        }
    }

    private func expect(_ edit: @escaping (inout [String: Any]) -> Void, _ check: (TokenizerError) -> Void,
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(edit), file: file, line: line) { error in
            guard let error = error as? TokenizerError else { return XCTFail("\(error)", file: file, line: line) }
            check(error)
        }
    }

    func testTheSmallTokenizerLoads() throws {
        XCTAssertEqual(try load { _ in }.encode("ab a b").ids, [2, 0, 1])
    }

    func testUnknownTypeNestedInASequenceNamesItsPlace() {
        expect({ $0["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [["type": "Whitespace"], ["type": "Foo"]]] }) { error in
            XCTAssertTrue(error.description.contains(#"pre_tokenizer.pretokenizers[1].type "Foo" is not a known pre-tokenizer"#),
                          error.description)
        }
        expect({ $0["decoder"] = ["type": "Sequence", "decoders": [["type": "Bar"]]] }) { error in
            guard case let .unknownComponentType(_, key, type, kind, known) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([key, type, kind], ["decoder.decoders[0].type", "Bar", "decoder"])
            XCTAssertTrue(known.contains("ByteLevel"))
        }
    }

    func testMergesNamingUnknownTokens() {
        expect(model { $0["merges"] = ["a b", "a zz"] }) { error in
            XCTAssertEqual(error, .unknownMergeToken(path: "tokenizer.json", key: "model.merges[1]", token: "zz"))
        }
        expect(model { $0["merges"] = [["b", "a"]] }) { error in  // "ba" is not in the vocabulary
            XCTAssertEqual(error, .unknownMergeToken(path: "tokenizer.json", key: "model.merges[0]", token: "ba"))
        }
    }

    func testInvalidSplitRegex() {
        expect({ $0["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "(unclosed"], "behavior": "Isolated"] }) { error in
            guard case let .invalidRegex(_, key, pattern, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([key, pattern], ["pre_tokenizer.pattern.Regex", "(unclosed"])
        }
        XCTAssertThrowsError(try Split(regex: "[z-a]", behavior: .removed))
    }

    func testMalformedFields() {
        expect(model { $0["merges"] = ["a b", 42] }) { error in
            guard case let .malformedJSON(_, reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("model.merges[1]"), reason)
        }
        expect(model { $0["merges"] = ["a  b"] }) { error in
            guard case .malformedJSON = error else { return XCTFail("\(error)") }
        }
        expect(model { $0["dropout"] = 0.1 }) { error in
            guard case let .invalidComponent(_, key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "model.dropout")
        }
        expect(model { $0["unk_token"] = "<missing>" }) { error in
            XCTAssertEqual(error, .tokenNotInVocabulary(token: "<missing>", role: "unknown"))
        }
        expect({ $0["pre_tokenizer"] = ["type": "Punctuation", "behavior": "Sideways"] }) { error in
            guard case let .invalidComponent(_, key, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "pre_tokenizer.behavior")
            XCTAssertTrue(reason.contains("Isolated"), reason)
        }
        expect({ $0["pre_tokenizer"] = ["type": "Split", "pattern": ["Glob": "*"], "behavior": "Isolated"] }) { error in
            guard case .malformedJSON = error else { return XCTFail("\(error)") }
        }
        expect({ $0["post_processor"] = ["type": "TemplateProcessing", "single": [["SpecialToken": ["id": "<s>", "type_id": 0]]],
                                         "pair": [[String: Any]](), "special_tokens": [String: Any]()] }) { error in
            guard case let .invalidComponent(_, _, reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("<s>"), reason)
        }
        expect({ $0["post_processor"] = ["type": "RobertaProcessing", "sep": ["</s>"], "cls": ["<s>", 0]] }) { error in
            guard case .malformedJSON = error else { return XCTFail("\(error)") }
        }
        expect({ $0["decoder"] = ["type": "Strip", "content": "ab", "start": 1, "stop": 0] }) { error in
            guard case let .invalidComponent(_, key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "decoder.content")
        }
    }

    func testMalformedMergesFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-bad-merges-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"a": 0, "b": 1, "ab": 2, "<s>": 3, "</s>": 4}"#.write(to: dir.appendingPathComponent("vocab.json"), atomically: true, encoding: .utf8)
        try "#version: 0.2\na b\nab\n".write(to: dir.appendingPathComponent("merges.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Tokenizer(directory: dir)) { error in
            guard case let .malformedVocabulary(_, reason)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("line 3"), reason)
        }
        try "#version: 0.2\na b\r\n".write(to: dir.appendingPathComponent("merges.txt"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try Tokenizer(directory: dir).encode("ab", addSpecialTokens: false).ids, [2])
    }
}
