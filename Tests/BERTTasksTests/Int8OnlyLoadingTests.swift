import BERTKernels
import BERTModels
import BERTNN
import BERTTasks
import BERTTensor
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// Loading for int8 inference only (`CheckpointLoadingOptions.lowPrecisionInference`, what `--dtype int8` does): the lowered
/// encoder weights are quantised as they are read and never filled in fp32. The result must equal loading in fp32
/// and then quantising (same integers, same kernels, so the same floats), and every road that needs the missing fp32
/// weights (fp32 or bf16 inference, training, saving) must refuse with a clear error.
final class Int8OnlyLoadingTests: XCTestCase {
    func loadInt8Only(_ folder: URL, _ precision: InferencePrecision = .int8) throws -> SentenceTransformer {
        try CheckpointLoadingOptions.$lowPrecisionInference.withValue(precision) { try SentenceTransformer(directory: folder) }
    }

    func encoderLinears(_ model: BertModel) -> [Linear] {
        model.layers.flatMap { [$0.query, $0.key, $0.value, $0.attentionOutput, $0.intermediate, $0.output] }
    }

    func testInt8OnlyLoadEqualsLoadingThenQuantising() throws {
        let folder = try modelURL("all-MiniLM-L6-v2")
        let texts = Array(try Int8InferenceTests.sentences().prefix(48))
        let reference = try SentenceTransformer(directory: folder)
        try reference.bert.prepareForInference(.int8)
        let expected = try reference.encode(texts)

        let model = try loadInt8Only(folder)
        XCTAssertTrue(model.bert.isQuantized)
        XCTAssertTrue(model.bert.containsInt8OnlyWeights)
        XCTAssertTrue(encoderLinears(model.bert).allSatisfy(\.isInt8Only))
        XCTAssertTrue(model.bert.layers[3].intermediate.weight.scalars.allSatisfy { $0 == 0 }, "the fp32 weight is never filled")
        XCTAssertFalse(model.bert.embeddings.wordEmbeddings.weight.scalars.prefix(400).allSatisfy { $0 == 0 }, "other tensors load as usual")
        XCTAssertEqual(try model.encode(texts), expected, "prepared at load time, no further call needed")
        let q = try XCTUnwrap(model.bert.layers[1].query.storedInt8), w = reference.bert.layers[1].query.weight.contiguous()
        XCTAssertEqual(q.values, QuantizedMatrix.quantize(n: w.shape[0], k: w.shape[1], weight: w.pointer, ldw: w.shape[1]).values,
                       "q stays readable as a view of the stacked q/k/v")

        // The padded path (hidden states requested) runs the int8 weights too.
        let ids = try model.tokenize([texts[5]])[0].ids
        let input = try EncoderInput(inputIds: ids, batch: 1, length: ids.count)
        XCTAssertEqual(try model.bert(input, outputHiddenStates: true).lastHiddenState.scalars,
                       try reference.bert(input, outputHiddenStates: true).lastHiddenState.scalars)
        // A standalone Linear call computes in int8 as well.
        let x = try Tensor(shape: [2, 384], scalars: (0..<768).map { Float($0 % 17) / 17 - 0.5 })
        let fp32 = reference.bert.layers[0].intermediate, w0 = fp32.weight.contiguous()
        let quantised = QuantizedMatrix(n: w0.shape[0], k: w0.shape[1], weight: w0.pointer, ldw: w0.shape[1])
        XCTAssertEqual(try model.bert.layers[0].intermediate(x).scalars, try x.linear(quantized: quantised, bias: fp32.bias!).scalars)
    }

    func testRoadsNeedingFP32WeightsRefuse() throws {
        let model = try loadInt8Only(try modelURL("all-MiniLM-L6-v2"))
        for precision in [InferencePrecision.fp32, InferencePrecision(dtype: .bf16), InferencePrecision(dtype: .int8, keptFP32: ["output"])] {
            XCTAssertThrowsError(try model.bert.prepareForInference(precision)) { error in
                XCTAssertTrue("\(error)".contains("loaded for int8 inference only"), "\(error)")
            }
        }
        try model.bert.prepareForInference(.int8)  // the same precision again is fine
        let input = try EncoderInput(inputIds: [101, 7592, 2088, 102], batch: 1, length: 4)
        XCTAssertThrowsError(try model.bert(input, context: ForwardContext(training: true))) { error in
            XCTAssertEqual(error as? ModelError, .quantizedModel(operation: "a training forward pass"))
        }
        XCTAssertThrowsError(try GradientTape().record { try model.bert.layers[0].intermediate(Tensor.zeros([1, 384])) }) { error in
            XCTAssertTrue("\(error)".contains("cannot record gradients"), "\(error)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("int8only-\(UUID().uuidString).safetensors")
        XCTAssertThrowsError(try model.bert.saveSafeTensors(to: file)) { error in
            XCTAssertEqual(error as? ModelError, .quantizedModel(operation: "saving fp32 weights"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
        XCTAssertEqual(try model.encode(["still works"]).count, 1)
    }

    func testKeptFP32LayersLoadInFP32() throws {
        let folder = try modelURL("all-MiniLM-L6-v2")
        let precision = InferencePrecision(dtype: .int8, keptFP32: ["0", "intermediate"])
        let model = try loadInt8Only(folder, precision)
        for (index, layer) in model.bert.layers.enumerated() {
            XCTAssertEqual(layer.query.isInt8Only, index != 0)
            XCTAssertFalse(layer.intermediate.isInt8Only)
            XCTAssertEqual(layer.runsInt8, index != 0)
        }
        XCTAssertFalse(model.bert.layers[0].output.weight.scalars.allSatisfy { $0 == 0 })
        let reference = try SentenceTransformer(directory: folder)
        try reference.bert.prepareForInference(precision, packsFP32: true)
        let texts = Array(try Int8InferenceTests.sentences().suffix(24))
        XCTAssertEqual(try model.encode(texts), try reference.encode(texts))
    }

    func testInt8OnlyLoadOfAQuantisedCheckpointTakesItsIntegers() throws {
        let source = try modelURL("all-MiniLM-L6-v2")
        let (folder, _) = try Int8InferenceTests.quantizedCopy(of: source)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dequantised = try SentenceTransformer(directory: folder)  // fp32 from the stored integers, then int8 again
        try dequantised.bert.prepareForInference(.int8)
        let model = try loadInt8Only(folder)
        XCTAssertTrue(encoderLinears(model.bert).allSatisfy(\.isInt8Only))
        XCTAssertTrue(model.bert.layers[2].output.weight.scalars.allSatisfy { $0 == 0 }, "not dequantised")
        let table = model.bert.embeddings.wordEmbeddings
        XCTAssertNotNil(table.int8Rows, "the word-embedding table stays int8")
        XCTAssertTrue(table.weight.scalars.prefix(100_000).allSatisfy { $0 == 0 }, "and is never dequantised whole")
        let ids = [0, 101, 2023, 30521]
        XCTAssertEqual(try table(ids, shape: [4]).scalars, try dequantised.bert.embeddings.wordEmbeddings(ids, shape: [4]).scalars)
        XCTAssertThrowsError(try table([30522], shape: [1]))
        XCTAssertThrowsError(try GradientTape().record { try table([5], shape: [1]) }) { error in
            XCTAssertTrue("\(error)".contains("cannot record gradients"), "\(error)")
        }
        XCTAssertEqual(model.bert.layers[2].output.storedInt8?.values, dequantised.bert.layers[2].output.storedInt8?.values)
        let texts = Array(try Int8InferenceTests.sentences().prefix(32))
        XCTAssertEqual(try model.encode(texts), try dequantised.encode(texts))
    }
}
