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

    /// Converts `folder/file` as `layout` and compares every section with transformers' `reference`.
    private func assertConverts(_ folder: String, _ file: String, _ layout: SentencePieceConversion.Layout,
                                like reference: String) throws {
        let model = try SentencePieceModelFile(contentsOf: SentencePieceFixtures.folder.appendingPathComponent("\(folder)/\(file)"))
        let converted = try SentencePieceConversion.tokenizerJSON(model, layout: layout, config: try config(folder))
        let expected = try json(reference)
        for key in ["added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model", "truncation", "padding"] {
            XCTAssertEqual(converted[key], expected[key], "\(reference): \(key)")
        }
    }

    func testAlbertFolderConvertsToTransformersTokenizerJSON() throws {
        try assertConverts("albert", "spiece.model", .albert, like: "albert.json")
    }

    func testXLMRobertaFolderConvertsWithTheFairseqOffset() throws {
        try assertConverts("xlmr", "sentencepiece.bpe.model", .xlmRoberta, like: "xlmr.json")
    }
}
