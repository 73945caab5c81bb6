import BERTModels
import BERTNN
import BERTTasks
import BERTTensor
import BERTTraining
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// Whole distillation runs on tiny generated-weight teachers (MiniLM's tokenizer): a stopped run resumes to the
/// same weights as an uninterrupted one, the student folder loads, the teacher cache is reused and checked, and
/// each bad input fails with its own error before anything is written.
final class DistillationRunTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func tinyConfig(layers: Int = 4, hidden: Int = 32) -> BertConfig {
        var c = BertConfig()
        (c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize, c.maxPositionEmbeddings) = (hidden, layers, 2, 2 * hidden, 64)
        return c
    }

    /// A plain BERT folder (mean-pooled by `SentenceTransformer`) with MiniLM's tokenizer.
    func encoderFolder(_ name: String, config: BertConfig, seed: UInt64 = 5, fp16: Bool = false) throws -> URL {
        var config = config
        config.architectures = ["BertModel"]
        let model = try BertModel(config: config, addPoolingLayer: false, seed: seed)
        let dir = root.appendingPathComponent(name)
        try FineTunedModelFolder.save(model, config: config, sourceDirectory: modelURL("all-MiniLM-L6-v2"), to: dir)
        if fp16 {
            var writer = SafeTensorsWriter(metadata: ["format": "pt"])
            for (key, t) in model.uniqueNamedParameters() {
                try writer.add(key, SafeTensorsWriter.Entry(dtype: .float16, shape: t.shape, bytes: Data(count: t.count * 2)))
            }
            try writer.write(to: dir.appendingPathComponent("model.safetensors"))
        }
        return dir
    }

    func sentences() throws -> URL {
        let url = root.appendingPathComponent("train.txt")
        let text = (0..<40).map { "sentence number \($0) says that the \(["cat", "dog", "bird", "fish"][$0 % 4]) sat on the mat \($0 % 7) times" }
        try text.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func settings(_ teacher: URL, _ output: String, steps: Int = 6) -> DistillationSettings {
        var t = TrainingArguments(maxSteps: steps)
        (t.learningRate, t.saveEvery, t.logEvery, t.evalEvery, t.seed) = (1e-3, 3, 1, 3, 7)
        var s = DistillationSettings(teacher: teacher, output: root.appendingPathComponent(output), training: t)
        s.batchSize = 8
        s.maxSeqLength = 32
        return s
    }

    func weights(_ dir: URL) throws -> [String: [Float]] {
        let f = try SafeTensorsFile(url: dir.appendingPathComponent("model.safetensors"))
        return Dictionary(uniqueKeysWithValues: try f.tensorNames.map { ($0, try f.floats($0)) })
    }

    func testEmbeddingRunStoppedAndResumedEndsWithTheSameStudent() throws {
        let teacher = try encoderFolder("teacher", config: tinyConfig())
        let data = try sentences()
        try EmbeddingDistillation.run(settings(teacher, "full"), data: [data], validation: data, options: .init())
        var cut = settings(teacher, "cut")
        cut.stopAfter = 4
        try EmbeddingDistillation.run(cut, data: [data], validation: data, options: .init())
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("cut/last").path), "an interrupted run has no student yet")
        try EmbeddingDistillation.run(settings(teacher, "cut"), data: [data], validation: data, options: .init())
        let (a, b) = (try weights(root.appendingPathComponent("full/last")), try weights(root.appendingPathComponent("cut/last")))
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (k, v) in a { assertClose(b[k]!, v, atol: 1e-6, rtol: 0, k) }
        let student = try SentenceTransformer(directory: root.appendingPathComponent("full/last"))
        XCTAssertEqual(student.bert.config.numHiddenLayers, 2, "half the teacher's 4 layers by default")
        let log = try String(contentsOf: root.appendingPathComponent("full/log.jsonl"), encoding: .utf8)
        XCTAssertTrue(log.contains("eval_metric"), "validation pairs give a Spearman figure")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("full/loss.svg").path))
    }

    func testNarrowerStudentTrainsThroughAProjectionSavedAsADenseModule() throws {
        let teacher = try encoderFolder("teacher", config: tinyConfig())
        let data = try sentences()
        var o = EmbeddingDistillation.Options()
        o.student = try encoderFolder("narrow", config: tinyConfig(layers: 2, hidden: 16))
        o.projection = true
        try EmbeddingDistillation.run(settings(teacher, "projected"), data: [data], validation: data, options: o)
        let checkpoint = try weights(root.appendingPathComponent("projected/checkpoint-6"))
        XCTAssertEqual(checkpoint["projection.weight"]?.count, 16 * 32, "the projection is trained and checkpointed with the encoder")
        let dir = root.appendingPathComponent("projected/last")
        let dense = try weights(dir.appendingPathComponent("2_Dense"))
        XCTAssertEqual(dense["linear.weight"], checkpoint["projection.weight"])
        XCTAssertEqual(dense["linear.bias"], checkpoint["projection.bias"])
        let loaded = try SentenceTransformer(directory: dir)
        XCTAssertEqual(loaded.bert.config.hiddenSize, 16)
        XCTAssertEqual(loaded.dense.count, 1)
        XCTAssertEqual(loaded.dense.first?.activation, .identity)
        XCTAssertEqual(loaded.dimension, 32, "the student's vectors are as wide as the teacher's")
        XCTAssertEqual(loaded.pooling.modes, [.mean])
        // Resuming a projected run from its checkpoint restores the projection too: a stopped run ends equal.
        var cut = settings(teacher, "projected-cut")
        cut.stopAfter = 4
        try EmbeddingDistillation.run(cut, data: [data], validation: data, options: o)
        try EmbeddingDistillation.run(settings(teacher, "projected-cut"), data: [data], validation: data, options: o)
        let resumed = try weights(root.appendingPathComponent("projected-cut/last/2_Dense"))
        assertClose(resumed["linear.weight"]!, dense["linear.weight"]!, atol: 1e-6, rtol: 0, "projection after resume")
        // A projection needs a given student: one made of teacher layers has the teacher's width.
        var noStudent = EmbeddingDistillation.Options()
        noStudent.projection = true
        XCTAssertThrowsError(try EmbeddingDistillation.run(settings(teacher, "no-student"), data: [data], validation: nil, options: noStudent)) {
            guard case DistillationError.invalidOption(name: "projection", _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testTeacherCacheIsReusedAndRefusedForOtherData() throws {
        let teacher = try encoderFolder("teacher", config: tinyConfig())
        let data = try sentences()
        var options = EmbeddingDistillation.Options()
        options.cacheTeacher = root.appendingPathComponent("teacher.cache")
        try EmbeddingDistillation.run(settings(teacher, "a"), data: [data], validation: nil, options: options)
        try EmbeddingDistillation.run(settings(teacher, "b"), data: [data], validation: nil, options: options)
        let (a, b) = (try weights(root.appendingPathComponent("a/last")), try weights(root.appendingPathComponent("b/last")))
        for (k, v) in a { XCTAssertEqual(b[k]!, v, k) }
        let uncached = try { () -> [String: [Float]] in
            try EmbeddingDistillation.run(settings(teacher, "c"), data: [data], validation: nil, options: .init())
            return try weights(root.appendingPathComponent("c/last"))
        }()
        for (k, v) in a { assertClose(uncached[k]!, v, atol: 1e-5, rtol: 0, "cached vs per-batch teacher: \(k)") }
        let other = root.appendingPathComponent("other.txt")
        try "a different sentence\nand another one".write(to: other, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EmbeddingDistillation.run(settings(teacher, "d"), data: [other], validation: nil, options: options)) {
            guard case DistillationError.staleTeacherCache = $0 else { return XCTFail("\($0)") }
        }
    }

    func testBadInputFailsBeforeTraining() throws {
        let teacher = try encoderFolder("teacher", config: tinyConfig())
        let data = try sentences()
        func expect(_ s: DistillationSettings, _ o: EmbeddingDistillation.Options = .init(), _ check: (DistillationError) -> Bool) {
            XCTAssertThrowsError(try EmbeddingDistillation.run(s, data: [data], validation: nil, options: o)) { error in
                guard let e = error as? DistillationError, check(e) else { return XCTFail("unexpected error \(error)") }
                XCTAssertFalse(e.description.isEmpty)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: s.output.path), "nothing written for \(s.output.lastPathComponent)")
        }
        var outside = settings(teacher, "outside")
        outside.layerMap = [0, 7]
        expect(outside) { if case .invalidLayerMap = $0 { return true }; return false }
        XCTAssertThrowsError(try DistillationStudent.layerMap("0,x", teacherLayers: 4))
        XCTAssertThrowsError(try DistillationStudent.layerMap("2,1", teacherLayers: 4))

        var smallVocab = tinyConfig(layers: 2)
        smallVocab.vocabSize = 1000
        var o = EmbeddingDistillation.Options()
        o.student = try encoderFolder("vocab", config: smallVocab)
        expect(settings(teacher, "vocab-run"), o) { if case .vocabularyMismatch = $0 { return true }; return false }

        o.student = try encoderFolder("narrow", config: tinyConfig(layers: 2, hidden: 16))
        expect(settings(teacher, "narrow-run"), o) { if case .widthMismatch = $0 { return true }; return false }

        // transformers saves embeddings.position_ids as I64: an index buffer, not a weight, so MiniLM is accepted.
        XCTAssertNoThrow(try DistillationChecks.requireFloat32(modelURL("all-MiniLM-L6-v2")))
        let half = try encoderFolder("half", config: tinyConfig(), fp16: true)
        expect(settings(half, "fp16")) { if case .notFloat32(_, _, "F16") = $0 { return true }; return false }
    }

    func testMaskedLMStudentInDistilBERTLayoutComputesTheTeachersEmbeddings() throws {
        // Folding the type-0 row into the positions makes the DistilBERT student's embedding output equal the
        // BERT teacher's for single-segment input (extract_distilbert.py drops the row instead).
        let teacher = try BertForMaskedLM(config: tinyConfig(), seed: 3)
        let student = try DistillationStudent.maskedLM(teacher: teacher, layerMap: [1, 3], layout: .distilbert, teacherDirectory: "t")
        XCTAssertEqual(student.bert.config.modelType, .distilbert)
        XCTAssertEqual(student.namedParameters().first { $0.key.hasPrefix("distilbert.transformer.layer.1.") } != nil, true)
        let input = try EncoderInput(rows: [[101, 2023, 2003, 102], [101, 7592, 102]])
        let (t, s) = try GradientTape.withoutRecording { (try teacher.bert.embeddings(input, context: .inference), try student.bert.embeddings(input, context: .inference)) }
        assertClose(s.scalars, t.scalars, atol: 1e-6, rtol: 0, "embeddings")
        assertClose(student.bert.layers[1].query.weight.scalars, teacher.bert.layers[3].query.weight.scalars, atol: 0, rtol: 0, "layer 1 ← teacher layer 3")
    }
}
