import BERTModels
import BERTNN
import BERTTensor
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// BertForPreTraining against PyTorch from the same generated weights and pre-masked batch, dropout off
/// (`Tests/Fixtures/pretraining`, made by `scripts/make_training_goldens.py`): the step-0 loss and every
/// parameter's gradient, then the losses of 10 AdamW steps with warm-up, decay and clipping.
final class PretrainingParityTests: XCTestCase {
    struct Trace: Decodable {
        struct Step: Decodable { let loss: Double, mlm: Double, nsp: Double, grad_norm: Double, lr: Double }
        struct Config: Decodable {
            let vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings: Int
        }
        let config: Config
        let input_ids: [[Int]], token_type_ids: [[Int]], attention_mask: [[Int]], labels: [[Int]]
        let next_sentence_label: [Int]
        let trace: [Step]
    }

    func makeModel(_ t: Trace) throws -> BertForPreTraining {
        var c = BertConfig()
        c.vocabSize = t.config.vocab_size; c.hiddenSize = t.config.hidden_size
        c.numHiddenLayers = t.config.num_hidden_layers; c.numAttentionHeads = t.config.num_attention_heads
        c.intermediateSize = t.config.intermediate_size; c.maxPositionEmbeddings = t.config.max_position_embeddings
        c.hiddenDropoutProb = 0; c.attentionProbsDropoutProb = 0
        let model = try BertForPreTraining(config: c, randomInit: false)
        try model.load(from: SyntheticCheckpoint(shapesOf: model), prefixes: [""])
        return model
    }

    func load() throws -> (Trace, EncoderInput) {
        let t = try JSONDecoder().decode(Trace.self, from: Data(contentsOf: fixtureURL("pretraining/trace.json")))
        let input = try EncoderInput(inputIds: t.input_ids.flatMap { $0 }, tokenTypeIds: t.token_type_ids.flatMap { $0 },
                                     attentionMask: t.attention_mask.flatMap { $0 }, batch: t.input_ids.count, length: t.input_ids[0].count)
        return (t, input)
    }

    func testStepZeroLossAndEveryGradientMatchPyTorch() throws {
        let (t, input) = try load()
        let model = try makeModel(t)
        let tape = GradientTape()
        let out = try tape.record { try model.loss(input, labels: t.labels.flatMap { $0 }, nextSentenceLabels: t.next_sentence_label) }
        XCTAssertEqual(Double(out.total.item), t.trace[0].loss, accuracy: 1e-4 * t.trace[0].loss)
        XCTAssertEqual(Double(out.mlm.item), t.trace[0].mlm, accuracy: 1e-4 * t.trace[0].mlm)
        XCTAssertEqual(Double(out.nsp.item), t.trace[0].nsp, accuracy: 1e-4 * t.trace[0].nsp)
        try tape.backward(out.total)
        let golden = try SafeTensorsFile(url: fixtureURL("pretraining/step0_grads.safetensors"))
        let named = model.namedParameters()
        XCTAssertEqual(Set(named.map(\.key)), Set(golden.tensorNames), "parameter keys differ from PyTorch's")
        var worst: Float = 0
        // Key biases have mathematically zero gradients (softmax ignores a per-query constant); both sides hold
        // rounding noise there, so each tensor's scale is floored at 1e-4 of the largest gradient anywhere.
        let globalMax = try named.map { try golden.floats($0.key).map(abs).max() ?? 0 }.max() ?? 1
        for (key, p) in named {
            let expected = try golden.floats(key)
            let got = p.grad?.scalars ?? []
            let scale = max(expected.map(abs).max() ?? 1, 1e-4 * globalMax)
            let diff = maxAbsDifference(got, expected)
            worst = max(worst, diff / max(scale, 1e-12))
            assertClose(got, expected, atol: 1e-4 * scale, rtol: 0, "gradient of \(key)")
        }
        print("pre-training step-0 gradients: worst max|diff|/max|grad| = \(worst)")
    }

    func testTenAdamWStepsMatchPyTorchLosses() throws {
        let (t, input) = try load()
        let model = try makeModel(t)
        let schedule = LinearWarmupSchedule(peak: 1e-3, warmupSteps: 3, totalSteps: 10)
        let optimizer = AdamW(parameters: model.namedParameters(), learningRate: 0, weightDecay: 0.01)
        for step in 0..<10 {
            model.zeroGradients()
            let tape = GradientTape()
            let out = try tape.record { try model.loss(input, labels: t.labels.flatMap { $0 }, nextSentenceLabels: t.next_sentence_label) }
            try tape.backward(out.total)
            let norm = try clipGradientNorm(model.parameters, maxNorm: 1)
            XCTAssertEqual(Double(out.total.item), t.trace[step].loss, accuracy: 1e-3, "loss at step \(step)")
            XCTAssertEqual(Double(norm), t.trace[step].grad_norm, accuracy: 1e-3 * t.trace[step].grad_norm, "grad norm at step \(step)")
            optimizer.learningRate = schedule.learningRate(at: step)
            XCTAssertEqual(Double(optimizer.learningRate), t.trace[step].lr, accuracy: 1e-9)
            optimizer.update()
        }
    }
}
