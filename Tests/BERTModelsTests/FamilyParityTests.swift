import BERTModels
import BERTNN
import BERTTensor
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// RoBERTa, XLM-RoBERTa, DistilBERT and ALBERT against `transformers` 5.24 on the same generated weights and a
/// right-padded batch (`Tests/Fixtures/family`, made by `scripts/make_family_goldens.py`): every hidden state,
/// every head's logits, the checkpoint keys each class saves, and one step of each member's pre-training objective.
final class FamilyParityTests: XCTestCase {
    struct Keys: Decodable { let keys: [String: [String]] }

    struct Member {
        let name: String
        let config: BertConfig
        let golden: SafeTensorsFile
        let input: EncoderInput
        let keys: [String: [String]]

        init(_ name: String) throws {
            self.name = name
            let folder = fixtureURL("family/\(name)")
            config = try BertConfig(contentsOf: folder.appendingPathComponent("config.json"))
            golden = try SafeTensorsFile(url: folder.appendingPathComponent("outputs.safetensors"))
            keys = try JSONDecoder().decode(Keys.self, from: Data(contentsOf: folder.appendingPathComponent("keys.json"))).keys
            input = try Member.input(golden, ids: "input_ids")
        }

        static func input(_ file: SafeTensorsFile, ids: String, from outputs: SafeTensorsFile? = nil) throws -> EncoderInput {
            let source = outputs ?? file
            let shape = try file.info(ids).shape
            return try EncoderInput(inputIds: try file.int64s(ids).map(Int.init),
                                    tokenTypeIds: try source.int64s("token_type_ids").map(Int.init),
                                    attentionMask: try source.int64s("attention_mask").map(Int.init), batch: shape[0], length: shape[1])
        }

        /// Builds `model`, checks its saved keys are exactly those `transformers` saves for `className`, and loads
        /// the generated weights.
        func loaded<M: Module>(_ className: String, _ model: M, file: StaticString = #filePath, line: UInt = #line) throws -> M {
            let ours = Set(model.uniqueNamedParameters().map(\.key))
            XCTAssertEqual(ours, Set(keys[className] ?? []), "\(className): keys differ from transformers'", file: file, line: line)
            try model.load(from: SyntheticCheckpoint(shapesOf: model), prefixes: [""])
            return model
        }

        func check(_ got: Tensor, _ key: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let expected = try golden.floats(key)
            XCTAssertEqual(got.shape, try golden.info(key).shape, key, file: file, line: line)
            print("\(name) \(key): max |diff| = \(maxAbsDifference(got.scalars, expected))")
            assertClose(got.scalars, expected, atol: 1e-4, rtol: 0, "\(name) \(key)", file: file, line: line)
        }

        var prefix: String { ["roberta": "Roberta", "xlm-roberta": "XLMRoberta", "distilbert": "DistilBert", "albert": "Albert"][name]! }
    }

    static let members = ["roberta", "xlm-roberta", "distilbert", "albert"]

    func testEveryHiddenStateAndPoolerMatchTransformers() throws {
        for name in Self.members {
            let m = try Member(name)
            let hasPooler = m.golden.contains("pooler_output")
            let model = try m.loaded(m.prefix + "Model", BertModel(config: m.config, addPoolingLayer: hasPooler, randomInit: false))
            let out = try model(m.input, outputHiddenStates: true)
            let states = out.hiddenStates ?? []
            XCTAssertEqual(states.count, m.golden.tensorNames.filter { $0.hasPrefix("hidden.") }.count, "\(name) hidden-state count")
            for (i, h) in states.enumerated() { try m.check(h, "hidden.\(i)") }
            if hasPooler { try m.check(out.poolerOutput!, "pooler_output") }
            // The inference road that drops padding agrees at every real token.
            let skipped = try model.lastHiddenStateSkippingPadding(m.input).scalars, full = out.lastHiddenState.scalars
            let real = m.input.attentionMask.indices.filter { m.input.attentionMask[$0] == 1 }
            let h = m.config.hiddenSize
            assertClose(real.flatMap { skipped[($0 * h)..<($0 * h + h)] }, real.flatMap { full[($0 * h)..<($0 * h + h)] },
                        atol: 1e-5, rtol: 0, "\(name) packed road")
        }
    }

    func testEveryHeadsLogitsMatchTransformers() throws {
        for name in Self.members {
            let m = try Member(name)
            let p = m.prefix
            let mlm = try m.loaded(p + "ForMaskedLM", BertForMaskedLM(config: m.config, randomInit: false))
            try m.check(mlm(m.input), p + "ForMaskedLM.logits")
            guard name != "xlm-roberta" else { continue }
            let cls = try m.loaded(p + "ForSequenceClassification", BertForSequenceClassification(config: m.config, randomInit: false))
            try m.check(cls(m.input), p + "ForSequenceClassification.logits")
            try m.check(cls(m.input, skippingPadding: true), p + "ForSequenceClassification.logits")
            let tok = try m.loaded(p + "ForTokenClassification", BertForTokenClassification(config: m.config, randomInit: false))
            try m.check(tok(m.input), p + "ForTokenClassification.logits")
            let qa = try m.loaded(p + "ForQuestionAnswering", BertForQuestionAnswering(config: m.config, randomInit: false))
            let (start, end) = try qa(m.input)
            try m.check(start, p + "ForQuestionAnswering.start")
            try m.check(end, p + "ForQuestionAnswering.end")
            if name == "albert" {
                let pre = try m.loaded("AlbertForPreTraining", BertForPreTraining(config: m.config, randomInit: false))
                let (prediction, sop) = try pre(m.input)
                try m.check(prediction, "AlbertForPreTraining.logits")
                try m.check(sop, "AlbertForPreTraining.sop")
            }
        }
    }

    /// RoBERTa and DistilBERT: MLM; ALBERT: MLM + sentence-order prediction. Loss within 1e-4 relative, every
    /// gradient within 1e-4 of its tensor's largest element (ALBERT's shared layers hold the sum over their uses).
    func testPretrainingStepLossAndEveryGradientMatchTransformers() throws {
        for name in ["roberta", "distilbert", "albert"] {
            let m = try Member(name)
            let step = try SafeTensorsFile(url: fixtureURL("family/\(name)/step.safetensors"))
            let input = try Member.input(step, ids: "masked_input_ids", from: m.golden)
            let labels = try step.int64s("labels").map(Int.init)
            let expectedLoss = try step.floats("loss")[0]
            let tape = GradientTape()
            let model: Module, loss: Tensor
            if name == "albert" {
                let pre = try m.loaded("AlbertForPreTraining", BertForPreTraining(config: m.config, randomInit: false))
                let sop = try step.int64s("sentence_order_label").map(Int.init)
                loss = try tape.record { try pre.loss(input, labels: labels, nextSentenceLabels: sop).total }
                model = pre
            } else {
                let mlm = try m.loaded(m.prefix + "ForMaskedLM", BertForMaskedLM(config: m.config, randomInit: false))
                loss = try tape.record { try mlm.loss(input, labels: labels).loss }
                model = mlm
            }
            XCTAssertEqual(loss.item, expectedLoss, accuracy: 1e-4 * expectedLoss, "\(name) loss")
            try tape.backward(loss)
            var worst: Float = 0
            let named = model.uniqueNamedParameters()
            XCTAssertEqual(Set(named.map { "grad." + $0.key }), Set(step.tensorNames.filter { $0.hasPrefix("grad.") }))
            for (key, tensor) in named {
                let expected = try step.floats("grad." + key)
                let scale = max(expected.map(abs).max() ?? 0, 1e-6)
                let got = tensor.grad?.scalars ?? [Float](repeating: 0, count: expected.count)
                worst = max(worst, maxAbsDifference(got, expected) / scale)
                assertClose(got, expected, atol: 1e-4 * scale, rtol: 0, "\(name) gradient of \(key)")
            }
            print("\(name) pre-training step: loss \(loss.item) vs \(expectedLoss); worst max|diff|/max|grad| = \(worst)")
        }
    }

    func testSinusoidalPositionsMatchTransformers() throws {
        var config = BertConfig(modelType: .distilbert)
        (config.vocabSize, config.hiddenSize, config.numHiddenLayers, config.numAttentionHeads) = (99, 32, 1, 4)
        (config.intermediateSize, config.maxPositionEmbeddings, config.sinusoidalPositionEmbeddings) = (37, 16, true)
        let model = try BertModel(config: config)
        let golden = try SafeTensorsFile(url: fixtureURL("family/distilbert_sinusoidal/table.safetensors"))
        assertClose(model.embeddings.positionEmbeddings.weight.scalars, try golden.floats("table"), atol: 1e-6, rtol: 0, "sinusoidal table")
    }
}
