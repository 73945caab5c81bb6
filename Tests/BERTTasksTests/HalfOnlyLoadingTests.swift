import BERTKernels
import BERTModels
import BERTNN
import BERTTasks
import BERTTensor
import Foundation
import TestSupport
import XCTest

/// Loading for bf16 or fp16 inference only (`CheckpointLoadingOptions.lowPrecisionInference`, what `--dtype bf16`
/// and `--dtype fp16` do): the lowered encoder weights are rounded as they are read and their fp32 tensors never
/// filled, so the encoder's linear weights take two bytes each. The vectors must equal loading in fp32 and then
/// preparing the same precision, and every road that needs the missing fp32 weights must refuse clearly.
final class HalfOnlyLoadingTests: XCTestCase {
    func encoderLinears(_ model: BertModel) -> [Linear] {
        model.layers.flatMap { [$0.query, $0.key, $0.value, $0.attentionOutput, $0.intermediate, $0.output] }
    }

    func testHalfOnlyLoadsEqualLoadingThenPreparing() throws {
        let folder = try modelURL("all-MiniLM-L6-v2")
        let texts = Array(try Int8InferenceTests.sentences().prefix(48))
        for dtype in [InferenceDType.bf16, .fp16] {
            let precision = InferencePrecision(dtype: dtype)
            let reference = try SentenceTransformer(directory: folder)
            try reference.bert.prepareForInference(precision)
            let expected = try reference.encode(texts)

            let model = try CheckpointLoadingOptions.$lowPrecisionInference.withValue(precision) { try SentenceTransformer(directory: folder) }
            let linears = encoderLinears(model.bert)
            XCTAssertTrue(linears.allSatisfy { $0.storedHalf?.dtypeName == dtype.rawValue && !$0.hasFP32Weight }, "\(dtype)")
            XCTAssertTrue(model.bert.layers[2].output.weight.scalars.allSatisfy { $0 == 0 }, "\(dtype): the fp32 weight is never filled")
            XCTAssertFalse(model.bert.layers[2].output.bias!.scalars.allSatisfy { $0 == 0 }, "\(dtype): biases load as usual")
            let actual = try model.encode(texts)
            let worst = zip(actual, expected).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
            XCTAssertLessThanOrEqual(worst, 1e-6, "\(dtype): q, k and v as three products instead of one stacked")
            XCTAssertNotEqual(actual, try SentenceTransformer(directory: folder).encode(texts), "\(dtype) is not fp32")
            // Two bytes per encoder weight: bf16 pads k to even and n to 32 columns, fp16 n to 16.
            let halfBytes = linears.reduce(0) { total, l in
                switch l.storedHalf! { case .bf16(let m): total + m.byteCount; case .fp16(let m): total + m.byteCount }
            }
            let weights = linears.reduce(0) { $0 + $1.weight.count }
            XCTAssertEqual(Double(halfBytes) / Double(weights * 4), 0.5, accuracy: 0.01, "\(dtype)")
        }
    }

    func testRoadsNeedingFP32WeightsRefuse() throws {
        let folder = try modelURL("all-MiniLM-L6-v2")
        let model = try CheckpointLoadingOptions.$lowPrecisionInference.withValue(InferencePrecision(dtype: .fp16)) {
            try SentenceTransformer(directory: folder)
        }
        for precision in [InferencePrecision.fp32, InferencePrecision(dtype: .bf16), .int8, InferencePrecision(dtype: .fp16, keptFP32: ["qkv"])] {
            XCTAssertThrowsError(try model.bert.prepareForInference(precision)) { error in
                XCTAssertTrue("\(error)".contains("loaded for fp16 inference only"), "\(error)")
            }
        }
        XCTAssertNoThrow(try model.bert.prepareForInference(InferencePrecision(dtype: .fp16)))
        let ids = try model.tokenize(["a short sentence"])[0].ids
        let input = try EncoderInput(inputIds: ids, batch: 1, length: ids.count)
        XCTAssertThrowsError(try model.bert(input, context: ForwardContext(training: true))) { error in
            XCTAssertEqual(error as? ModelError, .quantizedModel(operation: "a training forward pass"))
            XCTAssertTrue("\(error)".contains("needs fp32 weights"), "\(error)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("half-\(UUID().uuidString).safetensors")
        XCTAssertThrowsError(try model.bert.saveSafeTensors(to: file)) { error in
            XCTAssertEqual(error as? ModelError, .quantizedModel(operation: "saving fp32 weights"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
        let x = try Tensor(shape: [1, 384], scalars: (0..<384).map { Float($0 % 7) / 7 })
        let tape = GradientTape()
        XCTAssertThrowsError(try tape.record { try model.bert.layers[0].intermediate(x) }) { error in
            XCTAssertTrue("\(error)".contains("loaded for fp16 inference only"), "\(error)")
        }
    }
}
