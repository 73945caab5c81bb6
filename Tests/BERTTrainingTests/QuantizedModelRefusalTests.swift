import BERTModels
import BERTTasks
import BERTTraining
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// Code paths that need fp32 weights (fine-tuning, training) refuse a quantised checkpoint (`bert quantize`) with
/// `ModelError.quantizedModel`, before reading any data, instead of training on dequantised integers.
final class QuantizedModelRefusalTests: XCTestCase {
    func testFineTuningAndTrainingRefuseAQuantisedCheckpoint() throws {
        let source = try modelURL("all-MiniLM-L6-v2")
        let fm = FileManager.default
        let folder = fm.temporaryDirectory.appendingPathComponent("int8-refusal-\(UUID().uuidString)")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: folder) }
        for name in try fm.contentsOfDirectory(atPath: source.path) where !name.hasSuffix(".safetensors") && !name.hasPrefix(".") {
            try fm.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        _ = try XCTUnwrap(try QuantizedCheckpoint.quantize(SafeTensorsFile(url: source.appendingPathComponent("model.safetensors")),
                                                           to: folder.appendingPathComponent("model.safetensors")))

        // The fp32 original loads for fine-tuning; the quantised copy does not.
        let config = try BertModel.fromPretrained(source).config
        XCTAssertNoThrow(try FineTunedModelFolder.loadEncoder(BertModel(config: config, randomInit: true), from: source))
        XCTAssertThrowsError(try FineTunedModelFolder.loadEncoder(BertModel(config: config, randomInit: true), from: folder)) { error in
            XCTAssertEqual(error as? ModelError, .quantizedModel(operation: "fine-tuning"))
            XCTAssertTrue("\(error)".contains("needs fp32 weights"), "\(error)")
        }
        let missing = folder.appendingPathComponent("no-such-train.jsonl")
        XCTAssertThrowsError(try SentenceEmbeddingFineTuning.train(modelDirectory: folder, train: missing, validation: nil,
                                                                     options: TrainingArguments(), output: folder.appendingPathComponent("out"))) { error in
            XCTAssertEqual(error as? ModelError, .quantizedModel(operation: "fine-tuning"), "refused before the data is read")
        }
        // An fp32 model prepared for int8 inference is quantised too (the Trainer's check).
        let prepared = try BertModel.fromPretrained(source)
        XCTAssertFalse(prepared.containsQuantizedEncoder)
        try prepared.prepareForInference(.int8)
        XCTAssertTrue(prepared.containsQuantizedEncoder)
    }
}
