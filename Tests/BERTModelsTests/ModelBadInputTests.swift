import BERTModels
import BERTNN
import BERTTensor
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// Bad checkpoints and inputs: each gets its own typed error naming the key, file or size.
final class ModelBadInputTests: XCTestCase {
    func tiny() -> BertConfig {
        var c = BertConfig()
        c.vocabSize = 20; c.hiddenSize = 8; c.numHiddenLayers = 1; c.numAttentionHeads = 2; c.intermediateSize = 16
        c.maxPositionEmbeddings = 10
        return c
    }

    func source(for model: Module, drop: String? = nil, reshape: String? = nil, extra: String? = nil) -> DictionaryTensorSource {
        var t: [String: (shape: [Int], values: [Float])] = [:]
        for (k, p) in model.namedParameters() where k != drop {
            let shape = k == reshape ? [p.count] : p.shape
            t[k] = (shape, [Float](repeating: 0.5, count: p.count))
        }
        if let extra { t[extra] = ([1], [0]) }
        return DictionaryTensorSource(t, description: "test.safetensors")
    }

    func testMissingKeyIsNamed() throws {
        let m = try BertModel(config: tiny())
        XCTAssertThrowsError(try m.load(from: source(for: m, drop: "encoder.layer.0.attention.self.query.weight"))) {
            XCTAssertEqual($0 as? ModelError, .missingKeys(["encoder.layer.0.attention.self.query.weight"], file: "test.safetensors"))
        }
    }

    func testShapeMismatchNamesKeyAndBothShapes() throws {
        let m = try BertModel(config: tiny())
        XCTAssertThrowsError(try m.load(from: source(for: m, reshape: "pooler.dense.weight"))) {
            XCTAssertEqual($0 as? ModelError, .shapeMismatch(key: "pooler.dense.weight", expected: [8, 8], found: [64], file: "test.safetensors"))
            XCTAssertTrue("\($0)".contains("[8, 8]") && "\($0)".contains("[64]"))
        }
    }

    func testUnexpectedKeysUnlessIgnored() throws {
        let m = try BertModel(config: tiny())
        XCTAssertThrowsError(try m.load(from: source(for: m, extra: "mystery.weight"))) {
            XCTAssertEqual($0 as? ModelError, .unexpectedKeys(["mystery.weight"], file: "test.safetensors"))
        }
        XCTAssertEqual(try m.load(from: source(for: m, extra: "cls.predictions.bias"), ignoring: Pretrained.headKeys), ["cls.predictions.bias"])
    }

    func testUnknownActivationAndBadHeadCount() {
        var c = tiny()
        c.hiddenAct = "mish"
        XCTAssertThrowsError(try BertModel(config: c)) {
            guard case let .unsupportedConfig(key, value, supported)? = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertEqual(key, "hidden_act"); XCTAssertEqual(value, "mish"); XCTAssertTrue(supported.contains("gelu"))
        }
        c = tiny()
        c.numAttentionHeads = 3
        XCTAssertThrowsError(try BertModel(config: c)) {
            guard case .unsupportedConfig(key: "hidden_size", _, _)? = $0 as? ModelError else { return XCTFail("\($0)") }
        }
    }

    func testTooLongInputAndBadIds() throws {
        let m = try BertModel(config: tiny())
        XCTAssertThrowsError(try m(EncoderInput(rows: [Array(repeating: 1, count: 11)]))) {
            XCTAssertTrue("\($0)".contains("longer than the model's 10 positions"), "\($0)")
        }
        XCTAssertThrowsError(try m(EncoderInput(rows: [[1, 2, 25]]))) {
            XCTAssertEqual($0 as? TensorError, .indexOutOfRange(op: "embedding", index: 25, bound: 20))
        }
        XCTAssertThrowsError(try EncoderInput(inputIds: [1, 2, 3], batch: 2, length: 2))
        XCTAssertThrowsError(try EncoderInput(inputIds: [1, 2], attentionMask: [1, 2], batch: 1, length: 2))
    }

    func testIdsOutsideTheTablesAreTypedErrorsOnEveryPath() throws {
        let m = try BertModel(config: tiny())
        let outOfRange = { (op: String, index: Int, bound: Int) in TensorError.indexOutOfRange(op: op, index: index, bound: bound) }
        XCTAssertThrowsError(try m(EncoderInput(rows: [[1, -1, 2]]))) { XCTAssertEqual($0 as? TensorError, outOfRange("embedding", -1, 20)) }
        XCTAssertThrowsError(try m(EncoderInput(rows: [[1, 20]]))) { XCTAssertEqual($0 as? TensorError, outOfRange("embedding", 20, 20)) }
        // The inference path that drops padding looks ids up on its own.
        XCTAssertThrowsError(try m(EncoderInput(rows: [[1, 2, 3], [Int.max]]), skippingPadding: true)) {
            XCTAssertEqual($0 as? TensorError, outOfRange("embedding", Int.max, 20))
        }
        // Token types index their own table (type_vocab_size 2).
        XCTAssertThrowsError(try m(EncoderInput(rows: [[1, 2]], typeRows: [[0, 2]]))) {
            XCTAssertEqual($0 as? TensorError, outOfRange("embedding", 2, 2))
        }
        XCTAssertThrowsError(try m(EncoderInput(rows: [[1, 2]], typeRows: [[-3, 0]]), skippingPadding: true)) {
            XCTAssertEqual($0 as? TensorError, outOfRange("embedding", -3, 2))
        }
    }

    func testAbsurdConfigIsRefusedBeforeAllocating() {
        var c = tiny()
        c.vocabSize = 1_000_000_000_000
        XCTAssertThrowsError(try BertModel(config: c)) {
            XCTAssertEqual($0 as? BERTHubError, .valueTooLarge(file: "model config", key: "vocab_size", value: 1_000_000_000_000,
                                                               limit: BertConfig.Limits.vocabSize))
        }
        c = tiny()
        c.numHiddenLayers = 1_000_000
        XCTAssertThrowsError(try BertForPreTraining(config: c)) {
            guard case .valueTooLarge(_, "num_hidden_layers", 1_000_000, _)? = $0 as? BERTHubError else { return XCTFail("\($0)") }
        }
    }

    func testSyntheticCheckpointShapeOverflowIsAnError() {
        let source = SyntheticCheckpoint(shapes: ["w": [1 << 62, 4], "v": [-1, 2]])
        XCTAssertThrowsError(try source.floats("w")) {
            XCTAssertEqual($0 as? ModelError, .invalidInput("synthetic checkpoint: w has shape [4611686018427387904, 4], whose "
                + "element count is negative or does not fit in Int; give each dimension its real size"))
        }
        XCTAssertThrowsError(try source.floats("v")) { guard case .invalidInput? = $0 as? ModelError else { return XCTFail("\($0)") } }
    }

    func testConfigThatDisagreesWithItsWeightsFailsBeforeBuilding() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mismatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try BertModel(config: tiny()).saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        let configURL = dir.appendingPathComponent("config.json")
        let weightsPath = dir.appendingPathComponent("model.safetensors").path
        func expect(_ change: (inout BertConfig) -> Void, _ key: String, _ config: Int, _ weights: Int, _ tensor: String,
                    line: UInt = #line) throws {
            var c = tiny()
            change(&c)
            try c.write(to: configURL)
            XCTAssertThrowsError(try BertModel.fromPretrained(dir), line: line) { error in
                XCTAssertEqual(error as? ModelError, .configDisagreesWithWeights(
                    key: key, config: config, weights: weights, tensor: tensor, configFile: configURL.path,
                    weightsFile: weightsPath), line: line)
                XCTAssertTrue("\(error)".contains("`\(key)` is \(config) but \(weightsPath) holds \(weights)"), "\(error)", line: line)
            }
        }
        try expect({ $0.vocabSize = 30 }, "vocab_size", 30, 20, "embeddings.word_embeddings.weight")
        try expect({ $0.hiddenSize = 12; $0.numAttentionHeads = 3 }, "hidden_size", 12, 8, "embeddings.word_embeddings.weight")
        try expect({ $0.maxPositionEmbeddings = 512 }, "max_position_embeddings", 512, 10, "embeddings.position_embeddings.weight")
        try expect({ $0.typeVocabSize = 0 }, "type_vocab_size", 0, 2, "embeddings.token_type_embeddings.weight")
        try expect({ $0.numHiddenLayers = 4 }, "num_hidden_layers", 4, 1, "encoder.layer.0")
        try expect({ $0.intermediateSize = 32 }, "intermediate_size", 32, 16, "encoder.layer.0.intermediate.dense.weight")
        try tiny().write(to: configURL)
        XCTAssertEqual(try BertModel.fromPretrained(dir).layers.count, 1)
    }

    func testMissingWeightsFileAndConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("empty-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try BertModel.fromPretrained(dir)) { XCTAssertTrue("\($0)".contains("no config.json"), "\($0)") }
        try tiny().write(to: dir.appendingPathComponent("config.json"))
        XCTAssertTrue(FileManager.default.createFile(atPath: dir.appendingPathComponent("pytorch_model.bin").path, contents: Data([0])))
        XCTAssertThrowsError(try BertModel.fromPretrained(dir)) { XCTAssertTrue("\($0)".contains("Only pytorch_model.bin"), "\($0)") }
        // A truncated safetensors file is the reader's typed error, not a crash.
        XCTAssertTrue(FileManager.default.createFile(atPath: dir.appendingPathComponent("model.safetensors").path, contents: Data([1, 2, 3])))
        XCTAssertThrowsError(try BertModel.fromPretrained(dir)) { XCTAssertTrue($0 is SafeTensorsError, "\($0)") }
    }

    func testSavedCheckpointLoadsBackIdentically() throws {
        let m = try BertForPreTraining(config: tiny(), seed: 4)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try m.saveSafeTensors(to: url)
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.metadata["format"], "pt")
        XCTAssertFalse(file.tensorNames.contains("cls.predictions.decoder.weight"), "tied weights are saved once")
        let n = try BertForPreTraining(config: tiny(), seed: 99)
        try n.load(from: file, prefixes: [""])
        for ((k, a), (_, b)) in zip(m.namedParameters(), n.namedParameters()) { XCTAssertEqual(a.scalars, b.scalars, k) }
        XCTAssertTrue(n.predictions.decoderWeight === n.bert.embeddings.wordEmbeddings.weight, "decoder stays tied after loading")
    }
}
