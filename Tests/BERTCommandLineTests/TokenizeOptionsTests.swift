import Foundation
import XCTest

/// `bert tokenize` options where scripts/fuzz_tokenizers.py found differences from transformers, against
/// Fixtures/tokenizers/cli_options.json (scripts/make_cli_tokenize_goldens.py): padding uses the folder's pad token
/// (RoBERTa/ALBERT/XLM-R "<pad>", not BERT's "[PAD]" = 0), and --max-length 0-3 (at or below the special tokens)
/// encodes as transformers does, overflow windows included.
final class TokenizeOptionsTests: XCTestCase {
    func testPaddingAndShortMaxLengthsMatchTransformers() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tokenizers")
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("cli_options.json"))) as! [String: Any]
        let texts = golden["texts"] as! [String], pairs = golden["pairs"] as! [String]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-cli-options-\(UUID().uuidString)")
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
        var windows = 0, padded = 0, overflow = 0
        for c in golden["cases"] as! [[String: Any]] {
            let name = c["folder"] as! String
            let folder = name == "minilm" ? try CLIModels.minilm().path : fixtures.appendingPathComponent(name).path
            let args = c["args"] as! [String], withPairs = c["pairs"] as! Bool
            let label = "\(name) \(args) pairs=\(withPairs)"
            let result = try CLI.run(["tokenize", "--model", folder, "--input", inputs[withPairs]!, "--input-format", "jsonl"] + args)
            XCTAssertEqual(result.status, 0, "\(label): \(result.stderr)")
            let lines = try result.jsonLines()
            let rows = c["rows"] as! [[[String: Any]]]
            XCTAssertEqual(lines.count, rows.count, label)
            for (i, (line, expected)) in zip(lines, rows).enumerated() {
                let ours = [line] + (line["overflowing"]?.arrayValue ?? [])
                XCTAssertEqual(ours.count, expected.count, "\(label) #\(i) windows")
                for (w, (window, row)) in zip(ours, expected).enumerated() {
                    for key in ["input_ids", "attention_mask", "special_tokens_mask"] {
                        XCTAssertEqual(window[key]!.arrayValue!.map { $0.intValue! }, row[key] as! [Int], "\(label) #\(i).\(w) \(key)")
                    }
                    XCTAssertEqual(window["tokens"]!.arrayValue!.map { $0.stringValue! }, row["tokens"] as! [String], "\(label) #\(i).\(w) tokens")
                    windows += 1
                    if (row["attention_mask"] as! [Int]).contains(0) { padded += 1 }
                    if w > 0 { overflow += 1 }
                }
            }
        }
        XCTAssertGreaterThan(windows, 400)
        XCTAssertGreaterThan(padded, 50)
        XCTAssertGreaterThan(overflow, 50)
    }

    /// A folder without a pad token (tokenizer.json whose vocabulary has no "[PAD]", no pad_token in any config):
    /// transformers refuses to pad, and so does the CLI, instead of padding with id 0.
    func testPaddingWithoutAPadTokenIsAClearError() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tokenizers")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-cli-nopad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("sentencepiece/bytefallback.json"),
                                         to: dir.appendingPathComponent("tokenizer.json"))
        let plain = try CLI.run(["tokenize", "--model", dir.path, "hello"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let padded = try CLI.run(["tokenize", "--model", dir.path, "--padding", "max_length", "--max-length", "8", "hello"])
        XCTAssertEqual(padded.status, 1, padded.stdout)
        XCTAssertTrue(padded.stderr.contains("no padding token"), padded.stderr)
    }
}
