import BERTHub
import BERTModels
import BERTNN
import BERTTensor
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// Differences `scripts/fuzz_family_models.py` found against `transformers` 5.24, pinned on tiny checkpoints
/// (`Tests/Fixtures/modelfuzz`, made by `scripts/make_modelfuzz_goldens.py`): untied masked-LM decoders, ALBERT
/// groups that do not divide the depth, the activations beyond the five first supported, and decoder configs.
final class ModelFuzzRegressionTests: XCTestCase {
    struct Case {
        let folder: URL
        let config: BertConfig
        let weights: SafeTensorsFile
        let expected: SafeTensorsFile
        let input: EncoderInput

        init(_ name: String) throws {
            folder = fixtureURL("modelfuzz/\(name)")
            config = try Pretrained.config(in: folder)
            weights = try Pretrained.weights(in: folder)
            expected = try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
            let shape = try expected.info("input_ids").shape
            input = try EncoderInput(inputIds: try expected.int64s("input_ids").map(Int.init),
                                     tokenTypeIds: try expected.int64s("token_type_ids").map(Int.init),
                                     attentionMask: try expected.int64s("attention_mask").map(Int.init), batch: shape[0], length: shape[1])
        }

        func check(_ got: Tensor, _ key: String, file: StaticString = #filePath, line: UInt = #line) throws {
            XCTAssertEqual(got.shape, try expected.info(key).shape, key, file: file, line: line)
            assertClose(got.scalars, try expected.floats(key), atol: 1e-4, rtol: 0, "\(folder.lastPathComponent) \(key)", file: file, line: line)
        }

        /// The masked-LM model as the fill-mask pipeline loads it.
        func maskedLM() throws -> BertForMaskedLM {
            let (decoding, source) = try Pretrained.maskedLM(config, source: weights)
            let model = try BertForMaskedLM(config: decoding, randomInit: false)
            try model.load(from: source, prefixes: [""], ignoring: FamilyMember.tiedDecoderKeys + ["embeddings.position_ids"])
            return model
        }
    }

    /// tie_word_embeddings false: the decoder weight is the checkpoint's own, not the embedding table (the
    /// decoder key used to be skipped as a tied copy, so the logits came from the embeddings).
    func testUntiedDecoderLogitsMatchTransformers() throws {
        for name in ["bert_untied_mlm", "distilbert_untied_mlm"] {
            let c = try Case(name)
            XCTAssertFalse(c.config.tieWordEmbeddings)
            let model = try c.maskedLM()
            XCTAssertTrue(model.predictions.ownsDecoder, name)
            try c.check(model(c.input), "logits")
            // Its own parameter: saved under the decoder key, so a fine-tuned copy keeps it.
            XCTAssertTrue(model.namedParameters().contains { $0.key == MaskedLMHeadLayout(c.config.family).decoderWeightKey }, name)
        }
    }

    /// tie_word_embeddings true but the file's decoder differs from the embeddings: transformers 5 keeps both.
    func testStoredDecoderThatDiffersFromTheEmbeddingsIsUsed() throws {
        let c = try Case("roberta_decoder_differs")
        XCTAssertTrue(c.config.tieWordEmbeddings)
        XCTAssertFalse(try Pretrained.maskedLM(c.config, source: c.weights).config.tieWordEmbeddings)
        try c.check(c.maskedLM()(c.input), "logits")
        // An equal stored copy stays tied, and the decoder bias is read from `bias` when both agree.
        var same = try c.weights.tensorNames.reduce(into: [String: (shape: [Int], values: [Float])]()) {
            $0[$1] = (try c.weights.shape(of: $1), try c.weights.floats($1))
        }
        same["lm_head.decoder.weight"] = same["roberta.embeddings.word_embeddings.weight"]
        same["lm_head.decoder.bias"] = same["lm_head.bias"]
        let tied = try Pretrained.maskedLM(c.config, source: DictionaryTensorSource(same))
        XCTAssertTrue(tied.config.tieWordEmbeddings)
        XCTAssertTrue(tied.source.tensorNames.contains("lm_head.decoder.bias"), "no renaming when the biases agree")
        // A decoder bias that differs from `bias` is the one transformers adds (it unties the pair).
        same["lm_head.decoder.bias"] = same["lm_head.bias"].map { ($0.shape, $0.values.map { $0 + 1 }) }
        let renamed = try Pretrained.maskedLM(c.config, source: DictionaryTensorSource(same)).source
        XCTAssertEqual(try renamed.floats("lm_head.bias"), same["lm_head.decoder.bias"]!.values)
        XCTAssertFalse(renamed.tensorNames.contains("lm_head.decoder.bias"))
    }

    /// A sharded checkpoint (model.safetensors.index.json) is refused with a message that says so.
    func testShardedCheckpointIsNamedInTheError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sharded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"weight_map": {}}"#.utf8).write(to: dir.appendingPathComponent("model.safetensors.index.json"))
        XCTAssertThrowsError(try Pretrained.weights(in: dir)) { XCTAssertTrue("\($0)".contains("sharded"), "\($0)") }
    }

    /// ALBERT with 5 layers in 3 groups (group int(i / (5 / 3)): 0, 0, 1, 1, 2), 2 layers each: used to be refused.
    func testAlbertGroupsThatDoNotDivideTheDepthMatchTransformers() throws {
        let c = try Case("albert_uneven_groups")
        let model = try BertModel.fromPretrained(c.folder)
        try c.check(model(c.input).lastHiddenState, "last_hidden_state")
        let out = try model(c.input, outputHiddenStates: true)
        XCTAssertEqual(out.hiddenStates?.count, 1 + 5 * 2)
        // The pipelines' road (padding skipped) agrees at the real tokens.
        let skipped = try model.lastHiddenStateSkippingPadding(c.input).scalars, full = out.lastHiddenState.scalars
        for (i, m) in c.input.attentionMask.enumerated() where m == 1 {
            assertClose(Array(skipped[(i * 16)..<(i * 16 + 16)]), Array(full[(i * 16)..<(i * 16 + 16)]), atol: 1e-5, rtol: 0)
        }
        XCTAssertEqual(BertModel.schedule(layers: 2, groups: 4, inner: 1), [0, 2])
        XCTAssertEqual(BertModel.schedule(layers: 3, groups: 2, inner: 1), [0, 0, 1])
        XCTAssertEqual(BertModel.schedule(layers: 4, groups: 2, inner: 2), [0, 1, 0, 1, 2, 3, 2, 3])
    }

    /// silu, swish, quick_gelu, sigmoid, linear and the GELU spellings transformers also accepts.
    func testEveryActivationMatchesTransformers() throws {
        let c = try Case("bert_activations")
        let names = c.expected.tensorNames.filter { $0.hasPrefix("last_hidden_state.") }.sorted()
        XCTAssertEqual(names.count, 8)
        for key in names {
            var config = c.config
            config.hiddenAct = String(key.dropFirst("last_hidden_state.".count))
            XCTAssertNoThrow(try config.validate(), config.hiddenAct)
            let model = try BertModel(config: config, addPoolingLayer: false, randomInit: false)
            try model.load(from: c.weights, prefixes: [""])
            try c.check(model(c.input).lastHiddenState, key)
            model.prepareForInference()
            let packed = try model.lastHiddenStateSkippingPadding(c.input).scalars, plain = try model(c.input).lastHiddenState.scalars
            for (i, m) in c.input.attentionMask.enumerated() where m == 1 {
                assertClose(Array(packed[(i * 16)..<(i * 16 + 16)]), Array(plain[(i * 16)..<(i * 16 + 16)]), atol: 1e-5, rtol: 0, key)
            }
        }
        // The config's list and the model's parser agree, so nothing validates that cannot be built.
        XCTAssertEqual(Set(BertConfig.supportedActivations), Set(Activation.configValues))
    }

    /// The new activations' gradients against central finite differences.
    func testSigmoidGatedActivationGradients() throws {
        let values: [Float] = [-3, -1.2, -0.3, 0, 0.4, 1.5, 4]
        for a: Float in [1, 1.702] {
            let input = try Tensor(shape: [7], scalars: values, requiresGrad: true)
            let tape = GradientTape()
            let y = try tape.record { try input.sigmoidGated(a).sum() }
            try tape.backward(y)
            let grad = try XCTUnwrap(input.grad).scalars
            for i in 0..<7 {
                let h: Double = 1e-3, v = Double(values[i])
                func f(_ t: Double) -> Double { t / (1 + exp(-Double(a) * t)) }
                XCTAssertEqual(Double(grad[i]), (f(v + h) - f(v - h)) / (2 * h), accuracy: 1e-3, "a \(a) x \(v)")
            }
        }
    }

    /// is_decoder / add_cross_attention: BERT and the RoBERTas would run causal or cross-attention in transformers,
    /// which this package does not implement, so the config is refused (it used to run bidirectionally: a silent
    /// wrong answer). ALBERT and DistilBERT ignore the keys in transformers, and here.
    func testDecoderConfigsAreRefused() throws {
        for type in ["bert", "roberta", "xlm-roberta"] {
            for key in ["is_decoder", "add_cross_attention"] {
                XCTAssertThrowsError(try BertConfig(jsonData: Data(#"{"model_type": "\#(type)", "\#(key)": true}"#.utf8))) {
                    guard case .unsupportedDecoder(_, key)? = $0 as? BERTHubError else { return XCTFail("\(type) \(key): got \($0)") }
                    XCTAssertTrue("\($0)".contains("decoder"), "\($0)")
                }
                XCTAssertNoThrow(try BertConfig(jsonData: Data(#"{"model_type": "\#(type)", "\#(key)": false}"#.utf8)))
            }
        }
        for type in ["albert", "distilbert"] {
            XCTAssertNoThrow(try BertConfig(jsonData: Data(#"{"model_type": "\#(type)", "is_decoder": true}"#.utf8)))
        }
    }
}
