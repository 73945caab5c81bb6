import BERTModels
import BERTTasks
import BERTTokenizers
import Foundation
import TestSupport
import XCTest

/// One loaded model or pipeline shared by many tasks at once (the library's `Sendable` promise): every call gives
/// what the same call gives alone, and a preparation for another precision may overlap the calls.
final class ConcurrentInferenceTests: XCTestCase {
    /// Compiles only while each type is `Sendable`.
    func testPipelinesModelsTokenizersAndConfigsAreSendable() {
        func sendable<T: Sendable>(_: T.Type) -> String { String(describing: T.self) }
        let names = [sendable(SentenceTransformer.self), sendable(TextClassificationPipeline.self), sendable(TokenClassificationPipeline.self),
                     sendable(QuestionAnsweringPipeline.self), sendable(FillMaskPipeline.self), sendable(RerankPipeline.self),
                     sendable(BertModel.self), sendable(BertForSequenceClassification.self), sendable(BertForMaskedLM.self),
                     sendable(Tokenizer.self), sendable(BertConfig.self)]
        XCTAssertEqual(names.count, 11)
    }

    /// Twelve groups of sentences of mixed lengths (the benchmark's sentences).
    func sentenceGroups() throws -> [[String]] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("examples/bench_sentences.txt"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertGreaterThanOrEqual(lines.count, 96)
        return (0..<12).map { g in Array(lines[(g * 8)..<(g * 8 + 8)]) }
    }

    func testOneSentenceEncoderServesManyTasksAtOnce() async throws {
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let groups = try sentenceGroups()
        let alone = try groups.map { try model.encode($0, batchSize: 4) }
        let together = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { tasks in
            for (i, group) in groups.enumerated() { tasks.addTask { (i, try model.encode(group, batchSize: 4)) } }
            var out = [[[Float]]](repeating: [], count: groups.count)
            for try await (i, vectors) in tasks { out[i] = vectors }
            return out
        }
        XCTAssertEqual(together, alone, "a call's vectors depend on nothing but its inputs")
        XCTAssertEqual(alone[3].count, 8)
        XCTAssertEqual(alone[3][0].count, 384)
    }

    func testAClassifierServesManyTasksAtOnce() async throws {
        var config = BertConfig()
        (config.vocabSize, config.hiddenSize, config.numHiddenLayers, config.numAttentionHeads, config.intermediateSize) = (30522, 64, 2, 4, 128)
        config.id2label = [0: "NEGATIVE", 1: "NEUTRAL", 2: "POSITIVE"]
        let model = try BertForSequenceClassification(config: config, numLabels: 3, seed: 7)
        var tokenizer = try Tokenizer(directory: modelURL("all-MiniLM-L6-v2"))
        try tokenizer.setTruncation(nil)
        tokenizer.padding = nil
        let classify = TextClassificationPipeline(model: model, tokenizer: tokenizer, config: config)
        let inputs = try sentenceGroups().map { $0.map { TextClassificationInput(text: $0) } }
        let alone = try inputs.map { try classify.logits($0, batchSize: 3, truncation: true) }
        let together = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { tasks in
            for (i, group) in inputs.enumerated() { tasks.addTask { (i, try classify.logits(group, batchSize: 3, truncation: true)) } }
            var out = [[[Float]]](repeating: [], count: inputs.count)
            for try await (i, logits) in tasks { out[i] = logits }
            return out
        }
        XCTAssertEqual(together, alone)
        XCTAssertGreaterThan(Set(alone.flatMap { $0.map { $0[0] } }).count, 50, "real logits, not constants")
    }

    /// Calls keep running while the shared encoder is prepared for int8, bf16 and fp32 in turn: each call's vectors
    /// are fp32's to within what the lowest precision changes (cosine ≥ 0.99), and once the preparations are over
    /// the vectors are fp32's exactly again.
    func testPreparationsMayOverlapRunningCalls() async throws {
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let groups = try sentenceGroups()
        let fp32 = try groups.map { try model.encode($0, batchSize: 4) }
        let results = try await withThrowingTaskGroup(of: (Int, [[Float]])?.self) { tasks in
            tasks.addTask {
                for dtype in [InferenceDType.int8, .bf16, .int8, .fp32] {
                    try model.bert.prepareForInference(InferencePrecision(dtype: dtype))
                }
                return nil
            }
            for round in 0..<3 {
                for (i, group) in groups.enumerated() { tasks.addTask { (round * 100 + i, try model.encode(group, batchSize: 4)) } }
            }
            var out: [(Int, [[Float]])] = []
            for try await result in tasks { if let result { out.append(result) } }
            return out
        }
        XCTAssertEqual(results.count, 3 * groups.count)
        for (key, vectors) in results {
            for (v, reference) in zip(vectors, fp32[key % 100]) {
                XCTAssertGreaterThanOrEqual(cosine(v, reference), 0.99, "group \(key % 100)")
            }
        }
        XCTAssertFalse(model.bert.isQuantized, "the last preparation (fp32) won")
        XCTAssertEqual(try groups.map { try model.encode($0, batchSize: 4) }, fp32)
    }

    func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
