import Foundation
import XCTest

/// `bert tokenize --padding` pads with the folder's pad token as transformers does (RoBERTa/ALBERT/XLM-R "<pad>"),
/// not BERT's "[PAD]" = 0 (Fixtures/tokenizers/cli_padding.json from scripts/make_cli_padding_goldens.py).
final class TokenizePaddingTests: XCTestCase {
    func testPaddingUsesTheFolderPadToken() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tokenizers")
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("cli_padding.json"))) as! [String: Any]
        let texts = golden["texts"] as! [String], pairs = golden["pairs"] as! [String]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-cli-padding-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ withPairs: Bool) throws -> String {
            let url = dir.appendingPathComponent(withPairs ? "pairs.jsonl" : "singles.jsonl")
            let lines = try zip(texts, pairs).map { text, pair in
                var record: [String: String] = ["text": text]
                if withPairs { record["pair"] = pair }
                return String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
            }
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let inputs = [false: try write(false), true: try write(true)]
        var checked = 0
        for c in golden["cases"] as! [[String: Any]] {
            let folder = fixtures.appendingPathComponent(c["folder"] as! String).path
            let args = c["args"] as! [String], withPairs = c["pairs"] as! Bool
            let label = "\(c["folder"]!) \(args) pairs=\(withPairs)"
            let result = try CLI.run(["tokenize", "--model", folder, "--input", inputs[withPairs]!, "--input-format", "jsonl"] + args)
            XCTAssertEqual(result.status, 0, "\(label): \(result.stderr)")
            let lines = try result.jsonLines()
            let rows = c["rows"] as! [[String: Any]]
            XCTAssertEqual(lines.count, rows.count, label)
            for (i, (line, row)) in zip(lines, rows).enumerated() {
                for key in ["input_ids", "attention_mask", "special_tokens_mask"] {
                    XCTAssertEqual(line[key]!.arrayValue!.map { $0.intValue! }, row[key] as! [Int], "\(label) #\(i) \(key)")
                }
                XCTAssertEqual(line["tokens"]!.arrayValue!.map { $0.stringValue! }, row["tokens"] as! [String], "\(label) #\(i) tokens")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 96)
    }
}
