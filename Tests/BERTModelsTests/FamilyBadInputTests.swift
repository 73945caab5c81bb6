import BERTModels
import BERTNN
import Foundation
import TestSupport
import XCTest

/// The family's own bad inputs, each its own typed error: ALBERT groups that do not divide the layers, a RoBERTa
/// checkpoint whose positions cannot hold its padding offset, token types given to DistilBERT; and strict loading by
/// Hugging Face keys with or without the member's prefix.
final class FamilyBadInputTests: XCTestCase {
    func small(_ type: BertConfig.ModelType) -> BertConfig {
        var c = BertConfig(modelType: type)
        (c.vocabSize, c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize) = (30, 16, 2, 2, 24)
        c.maxPositionEmbeddings = 12
        if type == .albert { c.embeddingSize = 8 }
        return c
    }

    func folder(_ config: BertConfig, _ model: Module) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("family-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try config.write(to: dir.appendingPathComponent("config.json"))
        try model.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    /// transformers runs groups that do not divide the depth (group int(i / (layers / groups)) at depth i), so
    /// they are built, not refused (parity: ModelFuzzRegressionTests).
    func testAlbertGroupsThatDoNotDivideTheLayersAreBuilt() throws {
        let json = #"{"model_type": "albert", "vocab_size": 30, "embedding_size": 8, "hidden_size": 16, "num_hidden_layers": 3, "#
            + #""num_hidden_groups": 2, "num_attention_heads": 2, "intermediate_size": 24}"#
        let config = try BertConfig(jsonData: Data(json.utf8))
        let model = try BertModel(config: config)
        XCTAssertEqual(model.layers.count, 2)
        XCTAssertEqual(model.schedule, [0, 0, 1])
    }

    func testRobertaPositionsTooFewForThePaddingOffsetAreRefused() throws {
        var config = small(.roberta)
        let model = try BertModel(config: config)
        let dir = try folder(config, model)
        config.maxPositionEmbeddings = 2  // pad_token_id 1: positions start at 2, so none is left
        XCTAssertThrowsError(try BertModel(config: config)) {
            guard case .unsupportedConfig(key: "max_position_embeddings", value: "2", _)? = $0 as? ModelError else {
                return XCTFail("expected unsupportedConfig(max_position_embeddings), got \($0)")
            }
        }
        // A loaded checkpoint with 12 positions takes at most 12 − 2 = 10 tokens; 11 is a typed error, not a trap.
        let loaded = try BertModel.fromPretrained(dir)
        XCTAssertNoThrow(try loaded(EncoderInput(rows: [[0] + [Int](repeating: 5, count: 8) + [2]])))
        for skipping in [false, true] {
            XCTAssertThrowsError(try loaded(EncoderInput(rows: [[0] + [Int](repeating: 5, count: 9) + [2]]), skippingPadding: skipping)) {
                guard case .invalidInput(let message)? = $0 as? ModelError else { return XCTFail("got \($0)") }
                XCTAssertTrue(message.contains("truncate the input to 10 tokens"), message)
            }
        }
    }

    func testDistilBertRefusesTokenTypes() throws {
        let model = try BertForSequenceClassification(config: small(.distilbert))
        for skipping in [false, true] {
            XCTAssertThrowsError(try model(EncoderInput(rows: [[3, 4, 5]], typeRows: [[0, 1, 1]]), skippingPadding: skipping)) {
                XCTAssertEqual($0 as? ModelError, .tokenTypesUnsupported(modelType: "distilbert", found: 1))
            }
        }
        XCTAssertNoThrow(try model(EncoderInput(rows: [[3, 4, 5]])))
    }

    /// A head checkpoint (`roberta.*`, `albert.*`, `distilbert.*` plus head tensors) and a bare base checkpoint both
    /// load into the base model; a key it lacks is named.
    func testBaseModelsLoadWithOrWithoutTheMembersPrefix() throws {
        for type in [BertConfig.ModelType.roberta, .xlmRoberta, .distilbert, .albert] {
            let config = small(type)
            let head = try BertForMaskedLM(config: config, seed: 4)
            let base = try BertModel.fromPretrained(folder(config, head))
            let prefix = config.family.baseKey + "."
            XCTAssertEqual(base.uniqueNamedParameters().map(\.tensor.scalars),
                           base.uniqueNamedParameters().map { k in head.uniqueNamedParameters().first { $0.key == prefix + k.key }!.tensor.scalars },
                           "\(type) weights from the prefixed checkpoint")
            let again = try BertModel.fromPretrained(folder(config, base))
            XCTAssertEqual(again.namedParameters().map(\.key), base.namedParameters().map(\.key))
            XCTAssertThrowsError(try BertModel(config: config).load(from: SyntheticCheckpoint(shapes: [:]))) {
                guard case .missingKeys? = $0 as? ModelError else { return XCTFail("got \($0)") }
            }
        }
    }
}
