import BERTKernels
import BERTModels
import BERTTasks
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// int8 inference on the real all-MiniLM-L6-v2 against its own fp32 results, on a varied set of sentences (the
/// benchmark sentences, the examples and the first 200 polarity reviews): sentence embeddings and hidden states;
/// then quantised checkpoints (`QuantizedCheckpoint`): size, loading the stored integers, dequantised fp32 loads.
final class Int8InferenceTests: XCTestCase {
    /// ≥ 200 sentences of varied length and register.
    static func sentences() throws -> [String] {
        let root = repositoryRoot
        func lines(_ path: String) throws -> [String] {
            try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        // Polarity rows are `"text",label` (or unquoted text); the label is the field after the last comma.
        let reviews = try lines("data/polarity/test.csv").dropFirst().prefix(200).map { row -> String in
            var text = row[..<(row.lastIndex(of: ",") ?? row.endIndex)]
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
            return text.replacingOccurrences(of: "\"\"", with: "\"")
        }
        let all = try lines("examples/bench_sentences.txt") + lines("examples/sentences.txt") + reviews
        return all.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    func testInt8SentenceEmbeddingsKeepCosineAbove099() throws {
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let texts = try Self.sentences()
        XCTAssertGreaterThanOrEqual(texts.count, 400)
        let fp32 = try model.encode(texts)
        // The same 8 as a batch of their own: on an AVX2-only CPU a batch's row count picks the packed or the BLAS
        // road (PackedMatrix.isFaster), so only the same batch is bit-for-bit the same.
        let fp32First8 = try model.encode(Array(texts.prefix(8)))
        try model.bert.prepareForInference(.int8)
        XCTAssertTrue(model.bert.isQuantized)
        let int8 = try model.encode(texts)
        let cosines = zip(fp32, int8).map { cosineSimilarity($0, $1) }
        let lowest = cosines.min()!, mean = cosines.reduce(0, +) / Float(cosines.count)
        print("int8 vs fp32 sentence embeddings over \(texts.count) sentences (\(GEMM.quantizedKernel)): lowest cosine \(lowest), mean \(mean)")
        XCTAssertGreaterThanOrEqual(lowest, 0.99)
        XCTAssertGreaterThanOrEqual(mean, 0.995)
        // Back to fp32 exactly: preparing again drops the int8 copies.
        try model.bert.prepareForInference(.fp32)
        XCTAssertFalse(model.bert.isQuantized)
        XCTAssertEqual(try model.encode(Array(texts.prefix(8))), fp32First8)
    }

    /// Every token's last hidden state, not just the pooled vector.
    func testInt8HiddenStatesStayCloseToFP32() throws {
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let texts = Array(try Self.sentences().enumerated().filter { $0.offset % 7 == 0 }.map(\.element))
        var lowest: Float = 1, worstRelative: Float = 0
        for text in texts {
            let ids = try model.tokenize([text])[0].ids
            let input = try EncoderInput(inputIds: ids, batch: 1, length: ids.count)
            try model.bert.prepareForInference(.fp32)
            let reference = try model.bert(input).lastHiddenState.scalars
            try model.bert.prepareForInference(.int8)
            let quantized = try model.bert(input).lastHiddenState.scalars
            let h = model.bert.config.hiddenSize
            for t in 0..<ids.count {
                let a = Array(reference[(t * h)..<((t + 1) * h)]), b = Array(quantized[(t * h)..<((t + 1) * h)])
                lowest = min(lowest, cosineSimilarity(a, b))
                let norm = sqrt(a.reduce(0) { $0 + $1 * $1 }), error = sqrt(zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) })
                worstRelative = max(worstRelative, error / norm)
            }
        }
        print("int8 vs fp32 hidden states over \(texts.count) sentences: lowest token cosine \(lowest), worst relative error \(worstRelative)")
        XCTAssertGreaterThanOrEqual(lowest, 0.98)
    }

    func testKeptFP32ListLeavesThoseLayersFP32() throws {
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let layers = model.bert.layers.indices.map(String.init)
        try model.bert.prepareForInference(InferencePrecision(dtype: .int8, keptFP32: Set(layers)))
        XCTAssertFalse(model.bert.isQuantized, "every layer kept fp32")
        try model.bert.prepareForInference(InferencePrecision(dtype: .int8, keptFP32: ["0", "qkv", "attention.output", "intermediate"]))
        XCTAssertEqual(model.bert.layers.map(\.runsInt8), [false] + [Bool](repeating: true, count: layers.count - 1))
        XCTAssertThrowsError(try model.bert.prepareForInference(InferencePrecision(dtype: .int8, keptFP32: ["ouput"]))) { error in
            XCTAssertTrue("\(error)".contains("'ouput' names no linear layer"), "\(error)")
        }
    }

    func testBF16SentenceEmbeddingsKeepCosineAbove0999() throws {
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let texts = try Self.sentences()
        let fp32 = try model.encode(texts)
        try model.bert.prepareForInference(InferencePrecision(dtype: .bf16))
        XCTAssertFalse(model.bert.isQuantized, "bf16 keeps the fp32 weights: training may still use them")
        let bf16 = try model.encode(texts)
        let cosines = zip(fp32, bf16).map { cosineSimilarity($0, $1) }
        let lowest = cosines.min()!, mean = cosines.reduce(0, +) / Float(cosines.count)
        print("bf16 vs fp32 sentence embeddings over \(texts.count) sentences (\(GEMM.bf16Kernel)): lowest cosine \(lowest), mean \(mean)")
        XCTAssertGreaterThanOrEqual(lowest, 0.999)
        XCTAssertNotEqual(bf16, fp32, "bf16 rounding changes the vectors a little")
    }

    /// Writes a quantised copy of all-MiniLM-L6-v2 (weights through `QuantizedCheckpoint`, other files copied).
    static func quantizedCopy(of source: URL) throws -> (URL, QuantizedCheckpoint.Summary) {
        let fm = FileManager.default
        let folder = fm.temporaryDirectory.appendingPathComponent("int8-\(UUID().uuidString)")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.path) where !name.hasSuffix(".safetensors") && !name.hasPrefix(".") {
            try fm.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let summary = try XCTUnwrap(try QuantizedCheckpoint.quantize(SafeTensorsFile(url: source.appendingPathComponent("model.safetensors")),
                                                                     to: folder.appendingPathComponent("model.safetensors")))
        return (folder, summary)
    }

    func testQuantisedCheckpointIsAQuarterOfTheSizeAndLoadsItsIntegers() throws {
        let source = try modelURL("all-MiniLM-L6-v2")
        let (folder, summary) = try Self.quantizedCopy(of: source)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertEqual(summary.quantized.count, 6 * 6 + 1, "six Linear weights per layer and the word embeddings")
        XCTAssertLessThan(Double(summary.writtenBytes) / Double(summary.sourceBytes), 0.3)
        XCTAssertThrowsError(try QuantizedCheckpoint.quantize(SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors")),
                                                               to: folder.appendingPathComponent("again.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("already quantised"), "\(error)")
        }

        let original = try SentenceTransformer(directory: source)
        let loaded = try SentenceTransformer(directory: folder)
        XCTAssertTrue(loaded.bert.isQuantized, "stored integers are kept")
        // The stored integers are exactly the ones quantising the fp32 weight gives, and the fp32 weight now holds
        // them dequantised.
        let weight = original.bert.layers[2].intermediate.weight.contiguous()
        let (n, k) = (weight.shape[0], weight.shape[1])
        let expected = QuantizedMatrix.quantize(n: n, k: k, weight: weight.pointer, ldw: k)
        let stored = try XCTUnwrap(loaded.bert.layers[2].intermediate.storedInt8)
        XCTAssertEqual(stored.values, expected.values)
        XCTAssertEqual(stored.scales, expected.scales)
        let dequantised = loaded.bert.layers[2].intermediate.weight.scalars
        XCTAssertEqual(dequantised[k + 5], Float(expected.values[k + 5]) * expected.scales[1])

        // int8 from the stored integers, and fp32 from the dequantised weights, both close to the original.
        let texts = Array(try Self.sentences().prefix(120))
        let reference = try original.encode(texts)
        let dequantisedFP32 = try loaded.encode(texts)
        try loaded.bert.prepareForInference(.int8)
        let int8 = try loaded.encode(texts)
        let lowestInt8 = zip(reference, int8).map { cosineSimilarity($0, $1) }.min()!
        let lowestFP32 = zip(reference, dequantisedFP32).map { cosineSimilarity($0, $1) }.min()!
        print("quantised checkpoint vs fp32 original: int8 lowest cosine \(lowestInt8), dequantised fp32 lowest cosine \(lowestFP32)")
        XCTAssertGreaterThanOrEqual(lowestInt8, 0.99)
        XCTAssertGreaterThanOrEqual(lowestFP32, 0.99)
    }

    func testDamagedQuantisedWeightsAreRejected() throws {
        let model = try BertModel(config: tinyConfig(), randomInit: true)
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (key, t) in model.namedParameters() { tensors[key] = (t.shape, t.scalars) }
        let key = "encoder.layer.0.intermediate.dense.weight"
        let shape = tensors[key]!.shape
        tensors[key] = (shape, [Float](repeating: 0.5, count: shape[0] * shape[1]))
        tensors[key + "_scale"] = ([shape[0]], [Float](repeating: 1, count: shape[0]))
        XCTAssertThrowsError(try model.load(from: DictionaryTensorSource(tensors))) { error in
            XCTAssertTrue("\(error)".contains("not int8 in [-127, 127]"), "\(error)")
        }
        tensors[key] = (shape, [Float](repeating: 3, count: shape[0] * shape[1]))
        tensors[key + "_scale"] = ([shape[0] + 1], [Float](repeating: 1, count: shape[0] + 1))
        XCTAssertThrowsError(try model.load(from: DictionaryTensorSource(tensors))) { error in
            XCTAssertEqual(error as? ModelError, .shapeMismatch(key: key + "_scale", expected: [shape[0]], found: [shape[0] + 1],
                                                                file: "in-memory checkpoint"))
        }
    }

    func tinyConfig() -> BertConfig {
        var c = BertConfig()
        (c.vocabSize, c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize, c.maxPositionEmbeddings) =
            (50, 16, 2, 2, 32, 16)
        return c
    }
}
