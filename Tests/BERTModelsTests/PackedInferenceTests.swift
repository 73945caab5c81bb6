import BERTKernels
import BERTModels
import BERTNN
import BERTTensor
import TestSupport
import XCTest

/// Inference that drops padding (`lastHiddenStateSkippingPadding`, `Tensor.packedAttention`) against the padded
/// path with its attention mask.
final class PackedInferenceTests: XCTestCase {
    func model(seed: UInt64) throws -> BertModel {
        var c = BertConfig()
        c.vocabSize = 50; c.hiddenSize = 24; c.numHiddenLayers = 2; c.numAttentionHeads = 3; c.intermediateSize = 40
        c.maxPositionEmbeddings = 40; c.typeVocabSize = 2
        c.initializerRange = 0.2  // large enough that every layer changes the states visibly
        return try BertModel(config: c, seed: seed)
    }

    /// Right-padded rows of lengths `lengths` with random ids and segment ids.
    func batch(_ lengths: [Int], seed: UInt64) throws -> EncoderInput {
        var g = SeededGenerator(seed: seed)
        let rows = lengths.map { n in (0..<n).map { _ in Int.random(in: 1..<50, using: &g) } }
        let types = lengths.map { n in (0..<n).map { i in i < n / 2 ? 0 : 1 } }
        return try EncoderInput(rows: rows, typeRows: types)
    }

    func testSkippingPaddingEqualsPaddedPathAtRealTokensAndZeroAtPads() throws {
        let m = try model(seed: 3)
        let lengths = [17, 1, 9, 17, 4]
        let input = try batch(lengths, seed: 11)
        let padded = try m(input).lastHiddenState.scalars
        let packed = try m.lastHiddenStateSkippingPadding(input)
        XCTAssertEqual(packed.shape, [5, 17, 24])
        let p = packed.scalars
        var worst: Float = 0, checked = 0
        for (row, n) in lengths.enumerated() {
            for j in 0..<17 {
                for f in 0..<24 {
                    let i = (row * 17 + j) * 24 + f
                    if j < n { worst = max(worst, abs(p[i] - padded[i])); checked += 1 } else { XCTAssertEqual(p[i], 0) }
                }
            }
        }
        XCTAssertEqual(checked, lengths.reduce(0, +) * 24)
        XCTAssertLessThan(worst, 2e-5)
        // The states really differ between tokens (the comparison is not of constants).
        XCTAssertGreaterThan(abs(p[0] - p[24]), 1e-3)
    }

    /// int8 layers in a chain: each last layer norm quantises its output rows for the next layer's q/k/v product.
    /// The result must be bit-identical to the same layers each quantising its own input, and the carried rows must
    /// stop at a layer kept fp32 (its q/k/v product reads floats).
    func testInt8LayersHandOnQuantisedRowsExactly() throws {
        for kept in [Set<String>(), ["1.qkv"], ["0"]] {
            let m = try model(seed: 7)
            var c = m.config
            c.numHiddenLayers = 3
            let deep = try BertModel(config: c, seed: 7)
            // Biases start at zero; give them values so a product that dropped one would show.
            for (key, p) in deep.namedParameters() where key.hasSuffix(".bias") {
                let values = randomFloats(p.count, seed: UInt64(key.count), in: -0.3...0.3)
                p.pointer.update(from: values, count: p.count)
            }
            try deep.prepareForInference(InferencePrecision(dtype: .int8, keptFP32: kept))
            let input = try batch([17, 5, 9], seed: 4)
            let chained = try deep.lastHiddenStateSkippingPadding(input).scalars
            // The same forward pass, layer by layer, each product quantising its input itself.
            var tokens: [Int] = [], sequences: [Range<Int>] = []
            for (row, n) in [17, 5, 9].enumerated() {
                sequences.append(tokens.count..<(tokens.count + n))
                tokens += (row * 17)..<(row * 17 + n)
            }
            var x = try deep.embeddings.packed(input, tokens: tokens)
            for layer in deep.layers { x = try layer.packed(x, sequences: sequences) }
            let separate = x.scalars
            var compared = 0
            for (i, t) in tokens.enumerated() {
                XCTAssertEqual(Array(chained[(t * 24)..<(t * 24 + 24)]), Array(separate[(i * 24)..<(i * 24 + 24)]), "kept \(kept) token \(t)")
                compared += 1
            }
            XCTAssertEqual(compared, 31)
            XCTAssertTrue(deep.layers[2].runsInt8)
        }
    }

    func testEachSequenceAttendsOnlyWithinItself() throws {
        // A packed batch equals each sequence run alone.
        let m = try model(seed: 5)
        let lengths = [6, 13, 2]
        let input = try batch(lengths, seed: 21)
        let together = try m.lastHiddenStateSkippingPadding(input).scalars
        for (row, n) in lengths.enumerated() {
            let ids = Array(input.inputIds[(row * 13)..<(row * 13 + n)])
            let types = Array(input.tokenTypeIds[(row * 13)..<(row * 13 + n)])
            let alone = try m(EncoderInput(inputIds: ids, tokenTypeIds: types, batch: 1, length: n)).lastHiddenState.scalars
            for i in 0..<(n * 24) { XCTAssertEqual(together[row * 13 * 24 + i], alone[i], accuracy: 2e-5) }
        }
    }

    func testLeftPaddingAndTapeFallBackToThePaddedPath() throws {
        let m = try model(seed: 7)
        let input = try EncoderInput(inputIds: [0, 0, 5, 6, 7, 8, 9, 10], tokenTypeIds: nil,
                                     attentionMask: [0, 0, 1, 1, 1, 1, 1, 1], batch: 2, length: 4)
        XCTAssertEqual(try m.lastHiddenStateSkippingPadding(input).scalars, try m(input).lastHiddenState.scalars)
    }

    func testPackedAttentionMatchesMaskedAttention() throws {
        var g = SeededGenerator(seed: 9)
        let (heads, d) = (2, 5)
        let lengths = [7, 3, 1]
        let tokens = lengths.reduce(0, +)
        func random(_ shape: [Int]) throws -> Tensor {
            try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &g) })
        }
        let q = try random([tokens, heads * d]), k = try random([tokens, heads * d]), v = try random([tokens, heads * d])
        var sequences: [Range<Int>] = [], start = 0
        for n in lengths { sequences.append(start..<(start + n)); start += n }
        let out = try Tensor.packedAttention(query: q, key: k, value: v, sequences: sequences, heads: heads, scale: 0.4).scalars
        // Reference: a naive double loop per sequence and head.
        let (qs, ks, vs) = (q.scalars, k.scalars, v.scalars)
        let w = heads * d
        for r in sequences {
            for h in 0..<heads {
                for i in r {
                    var scores = r.map { j in (0..<d).reduce(Float(0)) { $0 + qs[i * w + h * d + $1] * ks[j * w + h * d + $1] } * 0.4 }
                    let top = scores.max()!
                    scores = scores.map { exp($0 - top) }
                    let total = scores.reduce(0, +)
                    for f in 0..<d {
                        let expected = zip(r, scores).reduce(Float(0)) { $0 + $1.1 / total * vs[$1.0 * w + h * d + f] }
                        XCTAssertEqual(out[i * w + h * d + f], expected, accuracy: 1e-5)
                    }
                }
            }
        }
        XCTAssertThrowsError(try Tensor.packedAttention(query: q, key: k, value: v, sequences: [0..<(tokens + 1)],
                                                        heads: heads, scale: 1))
        XCTAssertThrowsError(try Tensor.packedAttention(query: q, key: k, value: v, sequences: sequences, heads: 3, scale: 1))
    }

    func testFusedInferencePathEqualsTheRecordedComposedPath() throws {
        // Inference takes the fused route (one q/k/v GEMM, fused epilogues); under a tape every op is composed.
        let m = try model(seed: 13)
        let input = try batch([11, 5, 8], seed: 4)
        let fused = try m(input).lastHiddenState.scalars
        let composed = try GradientTape().record { try m(input).lastHiddenState }.scalars
        XCTAssertEqual(fused.count, composed.count)
        XCTAssertLessThan(zip(fused, composed).map { abs($0 - $1) }.max()!, 2e-5)
        XCTAssertNotNil(Linear.stackedView([m.layers[0].query, m.layers[0].key, m.layers[0].value]))
    }

    func testSharedStorageKeepsValuesAndFollowsInPlaceUpdates() throws {
        var g = SeededGenerator(seed: 1)
        let separate = [Linear(4, 3, generator: &g), Linear(4, 2, generator: &g)]
        XCTAssertNil(Linear.stackedView(separate))
        let shared = Linear.sharingStorage(separate)
        for (a, b) in zip(separate, shared) {
            XCTAssertEqual(a.weight.scalars, b.weight.scalars)
            XCTAssertEqual(a.bias!.scalars, b.bias!.scalars)
            XCTAssertTrue(b.weight.requiresGrad)
        }
        let (w, bias) = try XCTUnwrap(Linear.stackedView(shared))
        XCTAssertEqual(w.shape, [5, 4]); XCTAssertEqual(bias?.shape, [5])
        XCTAssertEqual(w.scalars, separate[0].weight.scalars + separate[1].weight.scalars)
        shared[1].weight.pointer[0] = 42  // an optimizer step writes in place
        XCTAssertEqual(w.scalars[12], 42)
        // Out of order or mixed widths are not a stack.
        XCTAssertNil(Linear.stackedView([shared[1], shared[0]]))
        XCTAssertEqual(Linear.sharingStorage([Linear(4, 3, generator: &g), Linear(5, 3, generator: &g)]).count, 2)
    }

    func testTaskHeadsSkippingPaddingGiveTheSameOutputsAtRealTokens() throws {
        var c = BertConfig()
        c.vocabSize = 50; c.hiddenSize = 24; c.numHiddenLayers = 2; c.numAttentionHeads = 3; c.intermediateSize = 40
        c.maxPositionEmbeddings = 40; c.typeVocabSize = 2; c.initializerRange = 0.2
        let lengths = [11, 3, 7]
        let input = try batch(lengths, seed: 4)
        func realTokens(_ flat: [Float], width: Int) -> [Float] {
            lengths.enumerated().flatMap { row, n in flat[(row * 11 * width)..<((row * 11 + n) * width)] }
        }
        let sequence = try BertForSequenceClassification(config: c, numLabels: 3, seed: 1)
        let pooled = try sequence(input).scalars
        assertClose(try sequence(input, skippingPadding: true).scalars, pooled, atol: 2e-5, rtol: 0)
        XCTAssertGreaterThan(abs(pooled[0] - pooled[3]), 1e-4)  // rows differ: the comparison is not of constants

        let token = try BertForTokenClassification(config: c, numLabels: 3, seed: 2)
        let padded = try token(input).scalars, skipped = try token(input, skippingPadding: true).scalars
        assertClose(realTokens(skipped, width: 3), realTokens(padded, width: 3), atol: 2e-5, rtol: 0)
        XCTAssertEqual(Array(skipped[(1 * 11 + 3) * 3..<(1 * 11 + 4) * 3]), token.classifier.bias!.scalars)  // a pad: bias only

        let qa = try BertForQuestionAnswering(config: c, seed: 3)
        let (s, e) = try qa(input), (s2, e2) = try qa(input, skippingPadding: true)
        assertClose(realTokens(s2.scalars, width: 1), realTokens(s.scalars, width: 1), atol: 2e-5, rtol: 0)
        assertClose(realTokens(e2.scalars, width: 1), realTokens(e.scalars, width: 1), atol: 2e-5, rtol: 0)

        // Training forward passes (and any call under a tape) ignore the request: outputs equal at pads too.
        let training = ForwardContext(training: true, seed: 5), again = ForwardContext(training: true, seed: 5)
        XCTAssertEqual(try token(input, context: training, skippingPadding: true).scalars, try token(input, context: again).scalars)
    }

}

/// `prepareForInference` (packed weights): same outputs; dropped by training passes and by loading.
final class PreparedInferenceTests: XCTestCase {
    func testPreparedModelGivesTheSameStatesAndDropsThePackWhenWeightsChange() throws {
        var c = BertConfig()
        c.vocabSize = 60; c.hiddenSize = 48; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 100
        c.maxPositionEmbeddings = 64; c.initializerRange = 0.2
        let m = try BertModel(config: c, seed: 2)
        let input = try EncoderInput(rows: [Array(1..<40), Array(5..<18)])
        let plain = try m(input).lastHiddenState.scalars
        m.prepareForInference()
        let prepared = try m(input).lastHiddenState.scalars
        XCTAssertLessThan(zip(plain, prepared).map { abs($0 - $1) }.max()!, 2e-5)
        let skipping = try m.lastHiddenStateSkippingPadding(input).scalars
        XCTAssertLessThan(abs(skipping[0] - plain[0]), 2e-5)

        // A training step changes the weights: the next inference must see them, not the packed copy.
        m.prepareForInference()
        let tape = GradientTape()
        _ = try tape.record { try m(input, context: ForwardContext(training: true)).lastHiddenState }
        let w = m.layers[0].intermediate.weight
        for i in 0..<w.count { w.pointer[i] *= 1.5 }
        let fresh = try m(input).lastHiddenState.scalars
        let reference = try GradientTape().record { try m(input).lastHiddenState }.scalars  // composed path
        XCTAssertLessThan(zip(fresh, reference).map { abs($0 - $1) }.max()!, 2e-5)
        XCTAssertGreaterThan(zip(fresh, prepared).map { abs($0 - $1) }.max()!, 1e-3)

        // Loading new weights drops the pack too.
        m.prepareForInference()
        var values: [String: (shape: [Int], values: [Float])] = [:]
        for (k, p) in m.namedParameters() { values[k] = (p.shape, p.scalars.map { $0 * 0.5 }) }
        try m.load(from: DictionaryTensorSource(values, description: "halved"))
        let loaded = try m(input).lastHiddenState.scalars
        let loadedReference = try GradientTape().record { try m(input).lastHiddenState }.scalars
        XCTAssertLessThan(zip(loaded, loadedReference).map { abs($0 - $1) }.max()!, 2e-5)
    }

    /// What `--dtype fp32` does (the CLI's `prepareEncoders`): packs every layer, at any width, where the CPU has
    /// a packed kernel, with the same outputs; int8 packs none of the lowered layers.
    func testFP32PreparationPacksEveryWidth() throws {
        for hidden in [48, 768] {
            var c = BertConfig()
            c.vocabSize = 60; c.hiddenSize = hidden; c.numHiddenLayers = 1; c.numAttentionHeads = 4
            c.intermediateSize = 2 * hidden; c.maxPositionEmbeddings = 64; c.initializerRange = 0.05
            let m = try BertModel(config: c, seed: 3)
            let input = try EncoderInput(rows: [Array(1..<30)])
            let plain = try m(input).lastHiddenState.scalars
            try m.prepareEncoders(for: InferencePrecision(dtype: .fp32))
            XCTAssertEqual(m.layers.allSatisfy(\.runsPackedFP32), GEMM.packedSupported, "hidden \(hidden)")
            let packed = try m(input).lastHiddenState.scalars
            XCTAssertLessThan(zip(plain, packed).map { abs($0 - $1) }.max()!, 1e-4, "hidden \(hidden)")
            try m.prepareEncoders(for: .int8)
            XCTAssertFalse(m.layers.contains(where: \.runsPackedFP32), "hidden \(hidden)")
            XCTAssertTrue(m.layers.allSatisfy(\.runsInt8), "hidden \(hidden)")
            // fp32 again packs again (an int8 model is not taken for an already packed one).
            try m.prepareEncoders(for: InferencePrecision(dtype: .fp32))
            XCTAssertEqual(m.layers.allSatisfy(\.runsPackedFP32), GEMM.packedSupported, "hidden \(hidden)")
            XCTAssertFalse(m.layers.contains(where: \.runsInt8), "hidden \(hidden)")
            XCTAssertLessThan(zip(plain, try m(input).lastHiddenState.scalars).map { abs($0 - $1) }.max()!, 1e-4)
        }
    }
}
