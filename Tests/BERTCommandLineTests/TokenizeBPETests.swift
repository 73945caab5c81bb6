import Foundation
import XCTest

/// `bert tokenize` on a byte-level BPE folder (tokenizer.json, and the slow vocab.json + merges.txt alone) gives
/// tokenizers' ids and offsets (bpe/encodings.json from scripts/make_bpe_tokenizer_goldens.py).
final class TokenizeBPETests: XCTestCase {
    func testTokenizeByteLevelBPEFolders() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tokenizers/bpe")
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("encodings.json"))) as! [String: Any]
        let texts = golden["texts"] as! [String]
        let row = (golden["single"] as! [[String: Any]])[1]
        let slow = FileManager.default.temporaryDirectory.appendingPathComponent("bert-cli-slow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: slow, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: slow) }
        for file in ["vocab.json", "merges.txt", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("roberta/\(file)"), to: slow.appendingPathComponent(file))
        }
        for folder in [fixtures.appendingPathComponent("roberta").path, slow.path] {
            let result = try CLI.run(["tokenize", "--model", folder, texts[1]])
            XCTAssertEqual(result.status, 0, result.stderr)
            let line = try result.jsonLines()[0]
            XCTAssertEqual(line["input_ids"]!.arrayValue!.map { $0.intValue! }, row["ids"] as! [Int], folder)
            XCTAssertEqual(line["offset_mapping"]!.arrayValue!.map { $0.arrayValue!.map { $0.intValue! } }, row["offsets"] as! [[Int]], folder)
            XCTAssertEqual(line["tokens"]!.arrayValue!.map { $0.stringValue! }, row["tokens"] as! [String], folder)
        }
    }
}
