import Foundation
import XCTest
import BERTTokenizers

/// Locates the repository's fixtures and models from this file's path, so tests run from any directory.
enum Fixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let goldens = repoRoot.appendingPathComponent("Tests/Fixtures/tokenizers")
    static let modelDir = repoRoot.appendingPathComponent("models/all-MiniLM-L6-v2")

    /// Parses a golden JSON file; fails the test with a clear message when absent.
    static func golden(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let url = goldens.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            XCTFail("missing golden \(url.path); run scripts/make_tokenizer_goldens.py", file: file, line: line)
            throw TokenizerError.missingFile(path: url.path)
        }
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The model folder; fails (never skips) when scripts/fetch-models.sh has not been run.
    static func requireModel(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let json = modelDir.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: json.path) else {
            XCTFail("missing \(json.path): run scripts/fetch-models.sh before the tokenizer tests", file: file, line: line)
            throw TokenizerError.missingFile(path: json.path)
        }
        return modelDir
    }

    nonisolated(unsafe) private static var cached: Tokenizer?

    /// tokenizer.json with its truncation and padding sections removed (as the goldens use it).
    static func plainTokenizer() throws -> Tokenizer {
        if let cached { return cached }
        var t = try Tokenizer(tokenizerJSON: try requireModel().appendingPathComponent("tokenizer.json"))
        try t.setTruncation(nil)
        t.padding = nil
        cached = t
        return t
    }
}

/// Integer lists from JSON.
func ints(_ v: Any?) -> [Int] { (v as? [Any])?.map { ($0 as! NSNumber).intValue } ?? [] }

/// Offsets from JSON `[[s, e], ...]`.
func offsets(_ v: Any?) -> [Range<Int>] {
    (v as? [[Any]])?.map { ($0[0] as! NSNumber).intValue ..< ($0[1] as! NSNumber).intValue } ?? []
}

/// Compares an encoding with a golden dictionary field by field, naming the case on failure.
func assertEncoding(_ e: Encoding, _ g: [String: Any], _ label: String, checkOverflow: Bool = true,
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(e.ids, ints(g["ids"]), "\(label): ids", file: file, line: line)
    if g["offsets"] != nil { XCTAssertEqual(e.offsets, offsets(g["offsets"]), "\(label): offsets", file: file, line: line) }
    if let tokens = g["tokens"] as? [String] { XCTAssertEqual(e.tokens, tokens, "\(label): tokens", file: file, line: line) }
    if g["type_ids"] != nil { XCTAssertEqual(e.typeIds, ints(g["type_ids"]), "\(label): type_ids", file: file, line: line) }
    if g["attention_mask"] != nil {
        XCTAssertEqual(e.attentionMask, ints(g["attention_mask"]), "\(label): attention_mask", file: file, line: line)
    }
    if g["special_tokens_mask"] != nil {
        XCTAssertEqual(e.specialTokensMask, ints(g["special_tokens_mask"]), "\(label): special_tokens_mask", file: file, line: line)
    }
    if g["word_ids"] != nil {
        XCTAssertEqual(e.wordIds.map { $0 ?? -1 }, ints(g["word_ids"]), "\(label): word_ids", file: file, line: line)
    }
    if checkOverflow, let overflow = g["overflowing"] as? [[String: Any]] {
        XCTAssertEqual(e.overflowing.count, overflow.count, "\(label): overflow window count", file: file, line: line)
        for (i, (o, go)) in zip(e.overflowing, overflow).enumerated() {
            assertEncoding(o, go, "\(label) overflow \(i)", checkOverflow: false, file: file, line: line)
        }
    }
}
