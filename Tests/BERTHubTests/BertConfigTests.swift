import BERTHub
import Foundation
import XCTest

final class BertConfigTests: XCTestCase {
    private func config(_ json: String) throws -> BertConfig {
        try BertConfig(jsonData: Data(json.utf8), file: "test/config.json")
    }

    private func expectError(_ json: String, file: StaticString = #filePath, line: UInt = #line,
                             _ check: (BERTHubError) -> Bool) {
        XCTAssertThrowsError(try config(json), file: file, line: line) { error in
            guard let e = error as? BERTHubError else { return XCTFail("not a BERTHubError: \(error)", file: file, line: line) }
            XCTAssertTrue(check(e), "unexpected case: \(e)", file: file, line: line)
            XCTAssertTrue(e.description.contains("test/config.json"), "message lacks the file: \(e)", file: file, line: line)
        }
    }

    /// `value` without null-valued keys, recursively (an absent key and `null` mean the same to transformers).
    private func dropNulls(_ value: JSONValue) -> JSONValue {
        guard case let .object(o) = value else { return value }
        return .object(JSONObject(members: o.members.filter { !$0.value.isNull }.map { JSONMember(key: $0.key, value: dropNulls($0.value)) }))
    }

    func testMiniLMConfig() throws {
        let c = try BertConfig(contentsOf: try HubFixtures.requireMiniLM().appendingPathComponent("config.json"))
        XCTAssertEqual(c.modelType, .bert)
        XCTAssertEqual([c.vocabSize, c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize],
                       [30522, 384, 6, 12, 1536])
        XCTAssertEqual(c.headSize, 32)
        XCTAssertEqual(c.hiddenAct, "gelu")
        XCTAssertEqual([c.maxPositionEmbeddings, c.typeVocabSize, c.padTokenId], [512, 2, 0])
        XCTAssertEqual(c.layerNormEps, 1e-12)
        XCTAssertEqual(c.hiddenDropoutProb, 0.1)
        XCTAssertEqual(c.attentionProbsDropoutProb, 0.1)
        XCTAssertEqual(c.initializerRange, 0.02)
        XCTAssertEqual(c.positionEmbeddingType, "absolute")
        XCTAssertEqual(c.architectures, ["BertModel"])
        XCTAssertEqual(c.extraFields["transformers_version"], .string("4.8.2"))
        XCTAssertEqual(c.extraFields["gradient_checkpointing"], .bool(false))
        XCTAssertNil(c.extraFields["hidden_size"], "modelled keys are not extra")
    }

    func testTransformersWrittenConfigsOfEveryType() throws {
        let bert = try BertConfig(contentsOf: HubFixtures.configs.appendingPathComponent("bert.json"))
        XCTAssertEqual(bert.modelType, .bert)
        XCTAssertEqual(bert.hiddenAct, "gelu_new")
        XCTAssertEqual(bert.id2label, [0: "NEGATIVE", 1: "POSITIVE", 2: "NEUTRAL"])
        XCTAssertEqual(bert.label2id, ["NEGATIVE": 0, "POSITIVE": 1, "NEUTRAL": 2])
        XCTAssertEqual(bert.numLabels, 3)
        XCTAssertEqual(bert.problemType, "single_label_classification")
        XCTAssertNil(bert.bosTokenId)

        let roberta = try BertConfig(contentsOf: HubFixtures.configs.appendingPathComponent("roberta.json"))
        XCTAssertEqual(roberta.modelType, .roberta)
        XCTAssertTrue(roberta.modelType.usesRobertaPositions)
        XCTAssertEqual([roberta.padTokenId, roberta.typeVocabSize, roberta.maxPositionEmbeddings], [1, 1, 514])
        XCTAssertEqual(roberta.bosTokenId, 0)
        XCTAssertEqual(roberta.eosTokenId, 2)
        XCTAssertEqual(roberta.layerNormEps, 1e-5)

        let xlmr = try BertConfig(contentsOf: HubFixtures.configs.appendingPathComponent("xlm-roberta.json"))
        XCTAssertEqual(xlmr.modelType, .xlmRoberta)
        XCTAssertEqual(xlmr.vocabSize, 250002)

        let distil = try BertConfig(contentsOf: HubFixtures.configs.appendingPathComponent("distilbert.json"))
        XCTAssertEqual(distil.modelType, .distilbert)
        XCTAssertEqual([distil.hiddenSize, distil.numHiddenLayers, distil.numAttentionHeads, distil.intermediateSize],
                       [256, 3, 8, 1024])
        XCTAssertEqual(distil.hiddenDropoutProb, 0.05)
        XCTAssertEqual(distil.attentionProbsDropoutProb, 0.02)
        XCTAssertTrue(distil.sinusoidalPositionEmbeddings)
        XCTAssertEqual(distil.typeVocabSize, 0)
        XCTAssertEqual(distil.layerNormEps, 1e-12)
        XCTAssertEqual(distil.classifierDropout, 0.2)
        XCTAssertEqual(distil.qaDropout, 0.1)

        let albert = try BertConfig(contentsOf: HubFixtures.configs.appendingPathComponent("albert.json"))
        XCTAssertEqual(albert.modelType, .albert)
        XCTAssertEqual(albert.embeddingSize, 128)
        XCTAssertEqual([albert.hiddenSize, albert.numHiddenGroups, albert.innerGroupNum], [768, 1, 1])
        XCTAssertEqual(albert.hiddenAct, "gelu_new")
        XCTAssertEqual(albert.hiddenDropoutProb, 0)
        XCTAssertEqual(albert.classifierDropout, 0.1)
    }

    /// Encoding gives back the transformers-written file (up to nulls) and decodes to the same config.
    func testRoundTrip() throws {
        var urls = try FileManager.default.contentsOfDirectory(at: HubFixtures.configs, includingPropertiesForKeys: nil)
        urls.append(try HubFixtures.requireMiniLM().appendingPathComponent("config.json"))
        let export = ProcessInfo.processInfo.environment["BERTHUB_EXPORT_DIR"].map(URL.init(fileURLWithPath:))
        for url in urls {
            let c = try BertConfig(contentsOf: url)
            let data = try c.jsonData()
            XCTAssertEqual(try BertConfig(jsonData: data), c, url.lastPathComponent)
            let original = try JSONValue.parse(Data(contentsOf: url))
            XCTAssertEqual(dropNulls(try JSONValue.parse(data)), dropNulls(original),
                           url.lastPathComponent)
            // For checking by hand that transformers loads Swift's output (see Tests/Fixtures/MANIFEST.md).
            if let export { try c.write(to: export.appendingPathComponent(url.lastPathComponent)) }
        }
        // Through Codable too, and from scratch.
        var fresh = BertConfig(modelType: .distilbert)
        fresh.hiddenSize = 96
        fresh.numAttentionHeads = 3
        let decoded = try JSONDecoder().decode(BertConfig.self, from: try JSONEncoder().encode(fresh))
        XCTAssertEqual(decoded, fresh)
    }

    func testDefaultsAndInference() throws {
        let c = try config(#"{"architectures": ["RobertaForMaskedLM"]}"#)
        XCTAssertEqual(c.modelType, .roberta, "model_type inferred from architectures")
        XCTAssertEqual(c, { var d = BertConfig(modelType: .roberta); d.architectures = ["RobertaForMaskedLM"]; return d }())
        XCTAssertEqual(try config(#"{"model_type": "bert", "pad_token_id": null}"#).padTokenId, 0)
        XCTAssertEqual(try config(#"{"model_type": "bert", "hidden_dropout_prob": 0}"#).hiddenDropoutProb, 0)
        XCTAssertEqual(BertConfig(), BertConfig(modelType: .bert))
    }

    func testAbsurdSizesAreRefusedBeforeAnyAllocation() {
        // Each of these used to pass validation and then die in the model constructor (out of memory).
        let huge = 1_000_000_000_000
        for (key, limit) in [("vocab_size", BertConfig.Limits.vocabSize), ("hidden_size", BertConfig.Limits.hiddenSize),
                             ("intermediate_size", BertConfig.Limits.intermediateSize),
                             ("max_position_embeddings", BertConfig.Limits.positions),
                             ("type_vocab_size", BertConfig.Limits.typeVocabSize)] {
            expectError(#"{"model_type": "bert", "num_attention_heads": 1, "\#(key)": \#(huge)}"#) { e in
                guard case .valueTooLarge(_, key, huge, limit) = e else { return false }
                return e.description.contains("`\(key)` is \(huge), above the limit of \(limit)")
            }
        }
        expectError(#"{"model_type": "bert", "num_hidden_layers": 1000000}"#) {
            if case .valueTooLarge(_, "num_hidden_layers", 1_000_000, BertConfig.Limits.layers) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "distilbert", "n_layers": 1000000}"#) {
            if case .valueTooLarge(_, "n_layers", 1_000_000, _) = $0 { return true }; return false
        }
        // Every size within its bound, but together 1,024 layers of 65,536 × 262,144 feed-forward matrices.
        expectError(#"{"model_type": "bert", "hidden_size": 65536, "intermediate_size": 262144, "num_hidden_layers": 1024}"#) { e in
            guard case let .modelTooLarge(_, parameters?, limit) = e else { return false }
            return parameters > limit && e.description.contains("GiB")
        }
        // The count itself is overflow-safe.
        var config = BertConfig()
        config.vocabSize = .max
        XCTAssertNil(config.parameterCount)
        XCTAssertEqual(BertConfig().parameterCount, 109_482_240, "BERT-base, as transformers counts BertModel")
    }

    func testInvalidConfigs() {
        expectError(#"{"model_type": "bert", "hidden_size": 100, "num_attention_heads": 12}"#) {
            if case .hiddenSizeNotDivisible(_, 100, 12) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "num_hidden_layers": 0}"#) {
            if case .nonPositive(_, "num_hidden_layers", 0) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "distilbert", "n_heads": -1}"#) {
            if case .nonPositive(_, "n_heads", -1) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "hidden_act": "swishy"}"#) { e in
            if case .unsupportedActivation(_, "hidden_act", "swishy", _) = e { return e.description.contains("gelu_pytorch_tanh") }
            return false
        }
        expectError(#"{"model_type": "distilbert", "activation": "mish"}"#) {
            if case .unsupportedActivation(_, "activation", "mish", _) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "position_embedding_type": "relative_key"}"#) {
            if case .unsupportedPositionEmbeddingType(_, "relative_key") = $0 { return true }; return false
        }
        expectError(#"{"model_type": "gpt2"}"#) { e in
            if case .unknownModelType(_, "gpt2", _) = e { return e.description.contains("distilbert") }
            return false
        }
        expectError(#"{"hidden_size": 768}"#) { if case .missingField(_, "model_type") = $0 { return true }; return false }
        expectError(#"{"model_type": "bert", "hidden_size": "768"}"#) {
            if case .invalidField(_, "hidden_size", _, _) = $0 { return true }; return false
        }
        // Found by Fuzz (config target): 1e999 parses as infinity; the config loaded, then failed when saved.
        expectError(#"{"model_type": "bert", "my_field": {"scale": [1, 1e999]}}"#) { e in
            if case .invalidField(_, "my_field.scale[1]", "a finite number", "inf") = e { return true }; return false
        }
        expectError(#"{"model_type": "bert", "initializer_range": -1e400}"#) {
            if case .invalidField(_, "initializer_range", _, "-inf") = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "layer_norm_eps": 0}"#) {
            if case .invalidField(_, "layer_norm_eps", _, _) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "hidden_dropout_prob": 1.5}"#) {
            if case .invalidField(_, "hidden_dropout_prob", _, _) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "pad_token_id": 40000}"#) {
            if case .invalidField(_, "pad_token_id", _, _) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "id2label": {"zero": "A"}}"#) {
            if case .invalidLabelMap(_, "id2label", _) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "label2id": {"A": "0"}}"#) {
            if case .invalidLabelMap(_, "label2id", _) = $0 { return true }; return false
        }
        expectError(#"{"model_type": "bert", "problem_type": "ranking"}"#) {
            if case .invalidField(_, "problem_type", _, _) = $0 { return true }; return false
        }
        expectError(#"{"model_type": bert}"#) { if case .invalidJSON = $0 { return true }; return false }
        expectError(#"[1]"#) { if case .invalidField = $0 { return true }; return false }
        XCTAssertThrowsError(try BertConfig(contentsOf: URL(fileURLWithPath: "/nonexistent/config.json"))) { error in
            guard case .fileMissing("/nonexistent/config.json") = error as? BERTHubError else { return XCTFail("\(error)") }
        }
    }
}
