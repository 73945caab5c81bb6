import BERTModels
import BERTTasks
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// The real all-MiniLM-L6-v2 (fetched by scripts/fetch-models.sh) against `transformers` and
/// `sentence-transformers` (Tests/Fixtures/minilm, made by scripts/make_model_goldens.py minilm).
final class MiniLMParityTests: XCTestCase {
    struct Inputs: Decodable {
        struct Sentence: Decodable { let text: String; let input_ids: [Int]; let token_type_ids: [Int]; let attention_mask: [Int] }
        let sentences: [Sentence]
    }

    // Tests of one class run one at a time on one thread; the cache saves reloading the model per test.
    nonisolated(unsafe) static var shared: SentenceTransformer?
    func model() throws -> SentenceTransformer {
        if let m = Self.shared { return m }
        let m = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        Self.shared = m
        return m
    }

    func golden() throws -> (Inputs, SafeTensorsFile) {
        (try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: fixtureURL("minilm/inputs.json"))),
         try SafeTensorsFile(url: fixtureURL("minilm/hidden_states.safetensors")))
    }

    func testTokenIdsMatchTheReference() throws {
        let (inputs, _) = try golden()
        let m = try model()
        XCTAssertEqual(m.maxSequenceLength, 256)
        for s in inputs.sentences {
            XCTAssertEqual(try m.tokenize([s.text])[0].ids, s.input_ids, s.text)
        }
        XCTAssertTrue(inputs.sentences.contains { $0.input_ids.count == 256 }, "a sentence longer than max_seq_length is covered")
    }

    func testEveryLayerHiddenStateMatchesPyTorch() throws {
        let (inputs, g) = try golden()
        let m = try model()
        var worst: Float = 0
        for (i, s) in inputs.sentences.enumerated() {
            let input = try EncoderInput(inputIds: s.input_ids, tokenTypeIds: s.token_type_ids, attentionMask: s.attention_mask,
                                         batch: 1, length: s.input_ids.count)
            let out = try m.bert(input, outputHiddenStates: true)
            let states = try XCTUnwrap(out.hiddenStates)
            XCTAssertEqual(states.count, 7)
            let rows = try g.int64s("s\(i).rows").map(Int.init)
            XCTAssertEqual(rows.last, s.input_ids.count - 1)
            for (layer, h) in states.enumerated() {
                let expected = try g.floats("s\(i).hidden.\(layer)")
                let got = Self.rows(h.scalars, rows, width: 384)
                worst = max(worst, maxAbsDifference(got, expected))
                assertClose(got, expected, atol: 1e-4, rtol: 0, "sentence \(i) layer \(layer)")
            }
        }
        print("all-MiniLM-L6-v2 hidden states: max |diff| over all layers and sentences = \(worst)")
    }

    func testSentenceEmbeddingsMatchSentenceTransformers() throws {
        let (inputs, g) = try golden()
        let m = try model()
        let vectors = try m.encode(inputs.sentences.map(\.text), batchSize: 3)
        var lowest: Float = 1
        for (i, v) in vectors.enumerated() {
            let expected = try g.floats("s\(i).embedding")
            let cos = cosineSimilarity(v, expected)
            lowest = min(lowest, cos)
            XCTAssertGreaterThanOrEqual(cos, 0.99999, "sentence \(i)")
            assertClose(v, expected, atol: 1e-5, rtol: 0, "embedding \(i)")
        }
        print("all-MiniLM-L6-v2 embeddings: lowest cosine to sentence-transformers = \(lowest)")
    }

    /// The given rows of a row-major [n, width] matrix (the fixture keeps every 6th position and the last).
    static func rows(_ v: [Float], _ rows: [Int], width: Int) -> [Float] {
        rows.flatMap { v[($0 * width)..<(($0 + 1) * width)] }
    }

    func testPaddedBatchEqualsOneByOne() throws {
        let (inputs, g) = try golden()
        let m = try model()
        let batch = try EncoderInput(rows: inputs.sentences.map(\.input_ids), typeRows: inputs.sentences.map(\.token_type_ids))
        let out = try m.bert(batch).lastHiddenState
        let (b, s, h) = (out.shape[0], out.shape[1], out.shape[2])
        let v = out.scalars
        for i in 0..<b {
            let n = inputs.sentences[i].input_ids.count
            let batched = Array(v[(i * s * h)..<(i * s * h + n * h)])
            let alone = try m.bert(EncoderInput(rows: [inputs.sentences[i].input_ids], typeRows: [inputs.sentences[i].token_type_ids]))
            assertClose(batched, alone.lastHiddenState.scalars, atol: 1e-5, rtol: 0, "batched row \(i) vs alone")
            let rows = try g.int64s("s\(i).rows").map(Int.init)
            assertClose(Self.rows(batched, rows, width: h), try g.floats("s\(i).hidden.6"), atol: 1e-4, rtol: 0, "batched row \(i) vs PyTorch")
        }
        // Vectors do not depend on batch composition.
        let alone = try m.encode([inputs.sentences[0].text])[0]
        let mixed = try m.encode(inputs.sentences.map(\.text), batchSize: 8)[0]
        assertClose(alone, mixed, atol: 1e-5, rtol: 0, "same text, different batch")
    }
}
