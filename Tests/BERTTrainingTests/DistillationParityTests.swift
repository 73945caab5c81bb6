import BERTModels
import BERTNN
import BERTTasks
import BERTTensor
import BERTTraining
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// Each distillation mode's loss and every student gradient against PyTorch (`Tests/Fixtures/distill`, made by
/// `scripts/make_distill_goldens.py`): teachers from the key-seeded generator (×20), students built by
/// `DistillationStudent` from layers 0 and 2, one fixed batch, dropout off.
final class DistillationParityTests: XCTestCase {
    struct Golden: Decodable {
        struct Config: Decodable {
            let vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings: Int
        }
        struct Loss: Decodable { let total: Double; let ce: Double?, mlm: Double?, cos: Double? }
        let config: Config
        let layers: [Int]
        let input_ids: [[Int]], attention_mask: [[Int]], labels: [[Int]]
        let gold_labels: [Int]
        let losses: [String: Loss]
        struct Narrow: Decodable { let hidden_size, num_hidden_layers, num_attention_heads, intermediate_size: Int }
        let narrow: Narrow
    }

    var golden: Golden!
    var input: EncoderInput!

    override func setUpWithError() throws {
        golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: fixtureURL("distill/batch.json")))
        input = try EncoderInput(inputIds: golden.input_ids.flatMap { $0 }, attentionMask: golden.attention_mask.flatMap { $0 },
                                 batch: golden.input_ids.count, length: golden.input_ids[0].count)
    }

    func config(labels: Int? = nil) -> BertConfig {
        var c = BertConfig()
        let g = golden.config
        (c.vocabSize, c.hiddenSize, c.numHiddenLayers) = (g.vocab_size, g.hidden_size, g.num_hidden_layers)
        (c.numAttentionHeads, c.intermediateSize, c.maxPositionEmbeddings) = (g.num_attention_heads, g.intermediate_size, g.max_position_embeddings)
        (c.hiddenDropoutProb, c.attentionProbsDropoutProb) = (0, 0)
        if let labels { c.id2label = Dictionary(uniqueKeysWithValues: (0..<labels).map { ($0, "L\($0)") }); c.label2id = Dictionary(uniqueKeysWithValues: (0..<labels).map { ("L\($0)", $0) }) }
        return c
    }

    /// The generator's weights, ×20 except LayerNorm gains (as the script seeds its teachers).
    func seed(_ model: Module) throws {
        try model.load(from: SyntheticCheckpoint(shapesOf: model), prefixes: [""])
        for (key, t) in model.uniqueNamedParameters() where !key.hasSuffix("LayerNorm.weight") {
            t.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= 20 } }
        }
    }

    /// Compares every gradient with the golden file's (each within 1e-4 of the largest golden gradient element).
    func assertGradients(_ model: Module, _ file: String, _ loss: Tensor, _ expected: Double) throws {
        XCTAssertEqual(Double(loss.item), expected, accuracy: 1e-4 * max(abs(expected), 1), "\(file) loss")
        let golden = try SafeTensorsFile(url: fixtureURL("distill/\(file)_grads.safetensors"))
        let named = model.uniqueNamedParameters()
        XCTAssertEqual(Set(named.map(\.key)), Set(golden.tensorNames), "\(file): parameter keys differ from PyTorch's")
        let largest = try golden.tensorNames.map { try golden.floats($0).map(abs).max() ?? 0 }.max() ?? 1
        var worst: Float = 0
        for (key, p) in named where golden.contains(key) {
            let expected = try golden.floats(key)
            let got = p.grad?.scalars ?? [Float](repeating: 0, count: expected.count)
            worst = max(worst, maxAbsDifference(got, expected) / largest)
            assertClose(got, expected, atol: 1e-4 * largest, rtol: 0, "\(file): gradient of \(key)")
        }
        print("distillation \(file): loss \(loss.item) vs \(expected); worst max|grad diff| / max|grad| = \(worst)")
    }

    func testMaskedLMDistillationMatchesDistiller() throws {
        for (name, layout) in [("mlm_bert", StudentLayout.teacher), ("mlm_distilbert", .distilbert)] {
            let teacher = try BertForMaskedLM(config: config(), randomInit: false)
            try seed(teacher)
            let student = try DistillationStudent.maskedLM(teacher: teacher, layerMap: golden.layers, layout: layout, teacherDirectory: "teacher")
            XCTAssertEqual(student.bert.config.modelType, layout == .distilbert ? .distilbert : .bert)
            let tape = GradientTape()
            let out = try tape.record {
                try DistillationStep.maskedLM(student: student, teacher: teacher, input: input, labels: golden.labels.flatMap { $0 },
                                              weights: MaskedLMDistillationWeights(), context: .inference)
            }
            let parts = golden.losses[name]!
            XCTAssertEqual(out.metrics["distill_ce"]!, parts.ce!, accuracy: 1e-4 * parts.ce!)
            XCTAssertEqual(out.metrics["mlm_loss"]!, parts.mlm!, accuracy: 1e-4 * parts.mlm!)
            XCTAssertEqual(out.metrics["distill_cos"]!, parts.cos!, accuracy: 1e-4)
            try tape.backward(out.loss)
            try assertGradients(student, name, out.loss, parts.total)
        }
    }

    /// DistilBERT's `--restrict_ce_to_mask`: the KL over masked positions only (a different value from the default's).
    func testRestrictedSoftTargetsMatchDistillerRestrictCEToMask() throws {
        let teacher = try BertForMaskedLM(config: config(), randomInit: false)
        try seed(teacher)
        let student = try DistillationStudent.maskedLM(teacher: teacher, layerMap: golden.layers, layout: .teacher, teacherDirectory: "teacher")
        var weights = MaskedLMDistillationWeights()
        weights.restrictSoftTargetsToMasked = true
        let tape = GradientTape()
        let out = try tape.record {
            try DistillationStep.maskedLM(student: student, teacher: teacher, input: input, labels: golden.labels.flatMap { $0 },
                                          weights: weights, context: .inference)
        }
        let parts = golden.losses["mlm_restricted"]!
        XCTAssertGreaterThan(abs(parts.ce! - golden.losses["mlm_bert"]!.ce!), 0.05, "the restriction changes the KL term")
        XCTAssertEqual(out.metrics["distill_ce"]!, parts.ce!, accuracy: 1e-4 * parts.ce!)
        XCTAssertEqual(out.metrics["mlm_loss"]!, parts.mlm!, accuracy: 1e-4 * parts.mlm!)
        XCTAssertEqual(out.metrics["distill_cos"]!, parts.cos!, accuracy: 1e-4)
        try tape.backward(out.loss)
        try assertGradients(student, "mlm_restricted", out.loss, parts.total)
    }

    /// A narrower student (width 8) through a trained Dense projection to the teacher's 16, then Normalize:
    /// loss and every gradient, encoder and projection, against PyTorch's nn.Linear + MSELoss.
    func testProjectedEmbeddingDistillationMatchesDenseThenMSELoss() throws {
        let teacher = try BertForMaskedLM(config: config(), randomInit: false)
        try seed(teacher)
        var narrow = config()
        let n = golden.narrow
        (narrow.hiddenSize, narrow.numHiddenLayers, narrow.numAttentionHeads, narrow.intermediateSize) = (n.hidden_size, n.num_hidden_layers, n.num_attention_heads, n.intermediate_size)
        let student = ProjectedEmbeddingStudent(bert: try BertModel(config: narrow, addPoolingLayer: false, randomInit: false),
                                                inFeatures: n.hidden_size, outFeatures: golden.config.hidden_size, seed: 0)
        try seed(student)
        let pooling = Pooling(modes: [.mean])
        let target = try GradientTape.withoutRecording { try pooling(teacher.bert(input).lastHiddenState, mask: input.attentionMask).l2Normalized() }
        let tape = GradientTape()
        let out = try tape.record {
            try DistillationStep.embedding(student: { i, c in
                try student.projection(pooling(student.bert(i, context: c).lastHiddenState, mask: i.attentionMask)).l2Normalized()
            }, teacherVectors: target, input: input, context: .inference)
        }
        try tape.backward(out.loss)
        try assertGradients(student, "embedding_projection", out.loss, golden.losses["embedding_projection"]!.total)
    }

    func testEmbeddingDistillationMatchesSentenceTransformersMSELoss() throws {
        let teacher = try BertForMaskedLM(config: config(), randomInit: false)
        try seed(teacher)
        let student = try DistillationStudent.encoder(teacher: teacher.bert, layerMap: golden.layers, layout: .teacher, teacherDirectory: "teacher")
        let pooling = Pooling(modes: [.mean])
        let target = try GradientTape.withoutRecording { try pooling(teacher.bert(input).lastHiddenState, mask: input.attentionMask).l2Normalized() }
        let tape = GradientTape()
        let out = try tape.record {
            try DistillationStep.embedding(student: { i, c in try pooling(student(i, context: c).lastHiddenState, mask: i.attentionMask).l2Normalized() },
                                           teacherVectors: target, input: input, context: .inference)
        }
        try tape.backward(out.loss)
        try assertGradients(student, "embedding", out.loss, golden.losses["embedding"]!.total)
    }

    func testLogitDistillationMatchesMSEAndKLWithGoldLabels() throws {
        for (name, matching) in [("logits_mse", LogitMatching.mse), ("logits_kl", .kl)] {
            let teacher = try BertForSequenceClassification(config: config(labels: 3), randomInit: false)
            try seed(teacher)
            let student = try DistillationStudent.classifier(teacher: teacher, layerMap: golden.layers, layout: .teacher, teacherDirectory: "teacher")
            let teacherLogits = try GradientTape.withoutRecording { try teacher(input) }
            let tape = GradientTape()
            let out = try tape.record {
                try DistillationStep.logits(student: student, teacherLogits: teacherLogits, input: input,
                                            labels: matching == .kl ? golden.gold_labels : nil, matching: matching, temperature: 3,
                                            distillWeight: 1, goldWeight: matching == .kl ? 0.5 : 0, context: .inference)
            }
            try tape.backward(out.loss)
            try assertGradients(student, name, out.loss, golden.losses[name]!.total)
        }
    }
}
