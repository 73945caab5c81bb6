import BERTHub
import Foundation
import XCTest

final class SentenceTransformerLayoutTests: XCTestCase {
    func testMiniLMLayout() throws {
        let dir = try HubFixtures.requireMiniLM()
        XCTAssertTrue(SentenceTransformerLayout.isSentenceTransformer(dir))
        let layout = try SentenceTransformerLayout(directory: dir)
        XCTAssertEqual(layout.modules.map(\.index), [0, 1, 2])
        XCTAssertEqual(layout.transformer, .init(maxSeqLength: 256, doLowerCase: false))
        XCTAssertEqual(layout.transformerDirectory?.path, dir.path)
        XCTAssertEqual(layout.pooling, PoolingConfig(wordEmbeddingDimension: 384, modes: [.mean], includePrompt: true))
        XCTAssertTrue(layout.denseLayers.isEmpty)
        XCTAssertTrue(layout.normalizes)
        XCTAssertEqual(layout.embeddingDimension, 384)
    }

    /// A model saved by sentence-transformers 6.2 (new module paths, `pooling_mode` list, no max_seq_length in
    /// sentence_bert_config.json).
    func testSentenceTransformers6Layout() throws {
        let layout = try SentenceTransformerLayout(directory: HubFixtures.st6)
        XCTAssertEqual(layout.modules.count, 4)
        XCTAssertEqual(layout.transformer?.maxSeqLength, 12, "from tokenizer_config.json model_max_length")
        XCTAssertEqual(layout.pooling?.modes, [.cls, .mean])
        XCTAssertEqual(layout.pooling?.outputDimension, 16)
        XCTAssertEqual(layout.denseLayers.map(\.config), [DenseConfig(inFeatures: 16, outFeatures: 4, bias: true, activation: .tanh)])
        XCTAssertEqual(layout.denseLayers.first?.directory.lastPathComponent, "2_Dense")
        XCTAssertTrue(layout.normalizes)
        XCTAssertEqual(layout.embeddingDimension, 4)
        XCTAssertEqual(try BertConfig(contentsOf: HubFixtures.st6.appendingPathComponent("config.json")).hiddenSize, 8)
    }

    private func model(_ modules: String, files: [String: String] = [:]) throws -> URL {
        let dir = try HubFixtures.temporaryDirectory(self)
        try HubFixtures.write(modules, to: "modules.json", in: dir)
        for (path, text) in files { try HubFixtures.write(text, to: path, in: dir) }
        return dir
    }

    private func modules(_ types: [(String, String)]) -> String {
        "[" + types.enumerated().map { i, t in
            #"{"idx": \#(i), "name": "\#(i)", "path": "\#(t.1)", "type": "\#(t.0)"}"#
        }.joined(separator: ",") + "]"
    }

    private func expectError(_ dir: URL, file: StaticString = #filePath, line: UInt = #line, _ check: (BERTHubError) -> Bool) {
        XCTAssertThrowsError(try SentenceTransformerLayout(directory: dir), file: file, line: line) { error in
            guard let e = error as? BERTHubError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(check(e), "unexpected case: \(e)", file: file, line: line)
        }
    }

    func testLegacyPoolingFlagsAndDenseVariants() throws {
        let dir = try model(modules([("sentence_transformers.models.Transformer", ""),
                                     ("sentence_transformers.models.Pooling", "1_Pooling"),
                                     ("sentence_transformers.models.Dense", "2_Dense")]),
                            files: ["sentence_bert_config.json": #"{"max_seq_length": 128, "do_lower_case": true}"#,
                                    "1_Pooling/config.json": #"""
                                        {"word_embedding_dimension": 32, "pooling_mode_cls_token": false,
                                         "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": true,
                                         "pooling_mode_mean_sqrt_len_tokens": false, "pooling_mode_weightedmean_tokens": true,
                                         "pooling_mode_lasttoken": false, "include_prompt": false}
                                        """#,
                                    "2_Dense/config.json": #"{"in_features": 96, "out_features": 8, "bias": false, "activation_function": "torch.nn.modules.linear.Identity"}"#])
        let layout = try SentenceTransformerLayout(directory: dir)
        XCTAssertEqual(layout.transformer, .init(maxSeqLength: 128, doLowerCase: true))
        XCTAssertEqual(layout.pooling, PoolingConfig(wordEmbeddingDimension: 32, modes: [.max, .mean, .weightedMean],
                                                     includePrompt: false))
        XCTAssertEqual(layout.denseLayers.first?.config, DenseConfig(inFeatures: 96, outFeatures: 8, bias: false, activation: .identity))
        XCTAssertFalse(layout.normalizes)
        XCTAssertEqual(layout.embeddingDimension, 8)
    }

    func testAllFlagsFalseIsAnErrorAndNoFlagsMeansMean() throws {
        let allFalse = try model(modules([("sentence_transformers.models.Pooling", "p")]),
                                 files: ["p/config.json": #"{"word_embedding_dimension": 4, "pooling_mode_mean_tokens": false, "pooling_mode_cls_token": false}"#])
        expectError(allFalse) { e in
            guard case let .invalidPoolingConfig(file, reason) = e else { return false }
            return file.hasSuffix("p/config.json") && reason.contains("pooling_mode_cls_token, pooling_mode_mean_tokens")
                && e.description.contains("set one pooling_mode_* flag to true")
        }
        let emptyList = try model(modules([("sentence_transformers.models.Pooling", "p")]),
                                  files: ["p/config.json": #"{"embedding_dimension": 4, "pooling_mode": []}"#])
        expectError(emptyList) { if case .invalidPoolingConfig(_, "pooling_mode is an empty list") = $0 { return true }; return false }
        let noFlags = try model(modules([("sentence_transformers.models.Pooling", "p")]),
                                files: ["p/config.json": #"{"word_embedding_dimension": 4}"#])
        XCTAssertEqual(try SentenceTransformerLayout(directory: noFlags).pooling?.modes, [.mean])
    }

    func testBadLayouts() throws {
        expectError(try model(modules([("sentence_transformers.models.LSTM", "")]))) { e in
            if case .unknownModuleType(_, "sentence_transformers.models.LSTM", _) = e { return e.description.contains("modules.json") }
            return false
        }
        expectError(try model(modules([("my_package.CustomPooling", "")]))) {
            if case .unknownModuleType = $0 { return true }; return false
        }
        expectError(try model(modules([("sentence_transformers.models.Pooling", "1_Pooling")]))) { e in
            if case let .fileMissing(path) = e { return path.hasSuffix("1_Pooling/config.json") }
            return false
        }
        expectError(try model(modules([("sentence_transformers.models.Pooling", "p")]),
                              files: ["p/config.json": #"{"embedding_dimension": 4, "pooling_mode": "median"}"#])) {
            if case .invalidPoolingConfig = $0 { return true }; return false
        }
        expectError(try model(modules([("sentence_transformers.models.Pooling", "p")]),
                              files: ["p/config.json": #"{"pooling_mode": "mean"}"#])) {
            if case .missingField(_, "word_embedding_dimension") = $0 { return true }; return false
        }
        expectError(try model(modules([("sentence_transformers.models.Dense", "d")]),
                              files: ["d/config.json": #"{"in_features": 4, "out_features": 2, "activation_function": "torch.nn.modules.activation.Softmax"}"#])) {
            if case .unsupportedDenseActivation(_, "torch.nn.modules.activation.Softmax", _) = $0 { return true }; return false
        }
        expectError(try model(modules([("sentence_transformers.models.Dense", "d")]),
                              files: ["d/config.json": #"{"in_features": 0, "out_features": 2}"#])) {
            if case .nonPositive(_, "in_features", 0) = $0 { return true }; return false
        }
        expectError(try model(#"{"not": "a list"}"#)) { if case .invalidField = $0 { return true }; return false }
        expectError(try model(#"[{"idx": 0}]"#)) { if case .missingField(_, "type") = $0 { return true }; return false }
        let empty = try HubFixtures.temporaryDirectory(self)
        XCTAssertFalse(SentenceTransformerLayout.isSentenceTransformer(empty))
        expectError(empty) { if case .fileMissing = $0 { return true }; return false }
    }
}
