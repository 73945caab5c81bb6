import Foundation
import XCTest
import BERTJSON
import TestSupport

/// `bert tokenize` on slow SentencePiece folders (spiece.model / sentencepiece.bpe.model only) prints the ids
/// and offsets `tokenizers` gives with the converted tokenizer.json (Tests/Fixtures/tokenizers/sentencepiece).
final class SentencePieceTokenizeTests: XCTestCase {
    private let fixtures = "Tests/Fixtures/tokenizers/sentencepiece"

    private func golden(_ name: String, corpusIndex: Int) throws -> (text: String, row: JSONValue) {
        let goldens = try JSONValue.parse(try Data(contentsOf: repositoryRoot.appendingPathComponent("\(fixtures)/goldens.json")))
        let text = try XCTUnwrap(goldens["corpus"]?[corpusIndex]?.stringValue)
        return (text, try XCTUnwrap(goldens["tokenizers"]?[name]?["singles"]?[corpusIndex]))
    }

    func testTokenizeSlowAlbertAndXLMRobertaFolders() throws {
        for (folder, name) in [("albert", "albert"), ("xlmr", "xlmr")] {
            for index in [3, 12, 23] {  // accents + ligature, emoji with ZWJ, NFKC-sensitive characters
                let (text, row) = try golden(name, corpusIndex: index)
                let result = try CLI.run(["tokenize", "--model", "\(fixtures)/\(folder)", text])
                XCTAssertEqual(result.status, 0, result.stderr)
                let printed = try XCTUnwrap(try result.jsonLines().first)
                XCTAssertEqual(printed["input_ids"], row["ids"], "\(folder) #\(index)")
                XCTAssertEqual(printed["offset_mapping"], row["offsets"], "\(folder) #\(index)")
                XCTAssertEqual(printed["tokens"], row["tokens"], "\(folder) #\(index)")
            }
        }
    }

    func testCorruptModelFileIsReportedNotCrashed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-spm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try Data(contentsOf: repositoryRoot.appendingPathComponent("\(fixtures)/albert/spiece.model"))
        try good.prefix(good.count / 3).write(to: folder.appendingPathComponent("spiece.model"))
        let result = try CLI.run(["tokenize", "--model", folder.path, "hello"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("spiece.model") && result.stderr.contains("not a valid SentencePiece model"), result.stderr)
    }
}
