import Foundation
import XCTest
import BERTJSON
import BERTTokenizers

/// The slow-folder conversion writes the same tokenizer.json as transformers 5.24.
final class SentencePieceConversionTests: XCTestCase {
    private func json(_ name: String) throws -> JSONValue {
        try JSONValue.parse(try Data(contentsOf: SentencePieceFixtures.folder.appendingPathComponent(name)))
    }

    private func config(_ folder: String) throws -> [String: JSONValue] {
        var merged: [String: JSONValue] = [:]
        for name in ["special_tokens_map.json", "tokenizer_config.json"] {
            guard case .object(let object) = try json("\(folder)/\(name)") else { continue }
            for member in object { merged[member.key] = member.value }
        }
        return merged
    }

    func testAlbertFolderConvertsToTransformersTokenizerJSON() throws {
        let model = try SentencePieceModelFile(contentsOf: SentencePieceFixtures.folder.appendingPathComponent("albert/spiece.model"))
        let converted = try SentencePieceConversion.tokenizerJSON(model, layout: .albert, config: try config("albert"))
        let reference = try json("albert.json")
        for key in ["added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model", "truncation", "padding"] {
            XCTAssertEqual(converted[key], reference[key], key)
        }
    }

    func testXLMRobertaFolderConvertsWithTheFairseqOffset() throws {
        let model = try SentencePieceModelFile(contentsOf: SentencePieceFixtures.folder.appendingPathComponent("xlmr/sentencepiece.bpe.model"))
        let converted = try SentencePieceConversion.tokenizerJSON(model, layout: .xlmRoberta, config: try config("xlmr"))
        let reference = try json("xlmr.json")
        for key in ["added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model", "truncation", "padding"] {
            XCTAssertEqual(converted[key], reference[key], key)
        }
    }
}
