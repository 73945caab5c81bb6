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
        c.hiddenAct = "swish"
        XCTAssertThrowsError(try BertModel(config: c)) {
            guard case let .unsupportedConfig(key, value, supported)? = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertEqual(key, "hidden_act"); XCTAssertEqual(value, "swish"); XCTAssertTrue(supported.contains("gelu"))
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
