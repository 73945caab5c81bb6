import BERTModels
import BERTTensor
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// A BERT-base-shaped model with generated weights (`SyntheticCheckpoint`) against PyTorch `BertModel` on the
/// same weights (`Tests/Fixtures/bert_base_random`, made by `scripts/make_model_goldens.py random`).
final class RandomBertBaseTests: XCTestCase {
    struct Inputs: Decodable {
        let lengths: [Int]
        let input_ids: [[Int]], token_type_ids: [[Int]], attention_mask: [[Int]]
    }

    func testGeneratorMatchesPython() throws {
        let check = try JSONDecoder().decode([String: [Double]].self, from: Data(contentsOf: fixtureURL("bert_base_random/generator_check.json")))
        XCTAssertEqual(check.count, 2)
        for (key, expected) in check {
            XCTAssertEqual(SyntheticCheckpoint.values(for: key, count: expected.count), expected.map { Float($0) }, key)
        }
    }

    func testLastHiddenStateAndPoolerMatchPyTorch() throws {
        let inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: fixtureURL("bert_base_random/inputs.json")))
        let golden = try SafeTensorsFile(url: fixtureURL("bert_base_random/outputs.safetensors"))
        let model = try BertModel(config: BertConfig())
        let checkpoint = SyntheticCheckpoint(shapesOf: model)
        XCTAssertEqual(checkpoint.shapes.count, 199)
        try model.load(from: checkpoint)
        let input = try EncoderInput(inputIds: inputs.input_ids.flatMap { $0 }, tokenTypeIds: inputs.token_type_ids.flatMap { $0 },
                                     attentionMask: inputs.attention_mask.flatMap { $0 }, batch: 2, length: 128)
        let out = try model(input)
        XCTAssertEqual(out.lastHiddenState.shape, [2, 128, 768])
        let expected = try golden.floats("last_hidden_state"), got = out.lastHiddenState.scalars
        // Compare the real tokens (padding rows are whatever each implementation computes).
        var a: [Float] = [], e: [Float] = []
        for b in 0..<2 { let n = inputs.lengths[b] * 768; a += got[(b * 128 * 768)..<(b * 128 * 768 + n)]; e += expected[(b * 128 * 768)..<(b * 128 * 768 + n)] }
        print("random BERT-base last_hidden_state max |diff| = \(maxAbsDifference(a, e))")
        assertClose(a, e, atol: 1e-4, rtol: 0, "last_hidden_state")
        assertClose(out.poolerOutput!.scalars, try golden.floats("pooler_output"), atol: 1e-4, rtol: 0, "pooler_output")
    }
}

/// The hot path reuses buffers: after one pass, further passes of the same shape allocate nothing new.
final class SteadyStateAllocationTests: XCTestCase {
    func testInferenceLoopStopsAllocatingAfterTheFirstPass() throws {
        var config = BertConfig()
        config.hiddenSize = 64; config.numHiddenLayers = 2; config.numAttentionHeads = 4; config.intermediateSize = 128
        config.vocabSize = 100; config.maxPositionEmbeddings = 32
        let model = try BertModel(config: config, seed: 3)
        let input = try EncoderInput(rows: [[1, 5, 7, 9, 2], [1, 4, 2]])
        // The pool is process-wide and bounded: earlier tests may have filled it, so start from an empty one.
        BufferPool.shared.drain()
        _ = try model(input).lastHiddenState.scalars
        _ = try model(input).lastHiddenState.scalars
        let before = BufferPool.shared.freshAllocations
        for _ in 0..<5 { _ = try model(input).lastHiddenState.scalars }
        XCTAssertEqual(BufferPool.shared.freshAllocations, before, "steady inference allocated new buffers")
        // And the output is the same each time (no state leaks between passes).
        XCTAssertEqual(try model(input).lastHiddenState.scalars, try model(input).lastHiddenState.scalars)
    }
}
