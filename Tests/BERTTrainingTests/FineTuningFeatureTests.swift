import BERTModels
import BERTTensor
import BERTTokenizers
import BERTTraining
import Foundation
import TestSupport
import XCTest
@_spi(Fuzzing) import BERTTraining

/// Feature preparation and losses against goldens from scripts/make_finetune_goldens.py (transformers' run_qa.py /
/// run_ner.py functions verbatim, sentence-transformers' losses).
final class FineTuningFeatureTests: XCTestCase {
    func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("finetune/\(name)"))) as! [String: Any]
    }

    func testQuestionAnsweringWindowsAndPositionsMatchRunQA() throws {
        let golden = try json("qa_features.json")
        let tokenizer = try Tokenizer(directory: modelURL("all-MiniLM-L6-v2"))
        let data = try SQuADDataset.read(from: fixtureURL("datasets/qa_train.json"))
        let features = try QuestionAnsweringFineTuning.features(data, tokenizer: tokenizer, maxLength: golden["max_length"] as! Int,
                                                                stride: golden["doc_stride"] as! Int)
        let expected = golden["features"] as! [[String: Any]]
        XCTAssertEqual(features.count, expected.count, "window count")
        XCTAssertGreaterThan(expected.count, data.examples.count, "the fixture must produce overflow windows")
        for (i, (f, e)) in zip(features, expected).enumerated() {
            XCTAssertEqual(f.exampleIndex, e["example_index"] as! Int, "feature \(i) example")
            XCTAssertEqual(f.ids, e["input_ids"] as! [Int], "feature \(i) ids")
            XCTAssertEqual(f.typeIds, e["token_type_ids"] as! [Int], "feature \(i) type ids")
            XCTAssertEqual(f.startPosition, e["start_position"] as! Int, "feature \(i) start")
            XCTAssertEqual(f.endPosition, e["end_position"] as! Int, "feature \(i) end")
        }
        // Unanswerable questions and windows without the answer point at [CLS].
        XCTAssertTrue(features.contains { $0.startPosition == 0 && $0.endPosition == 0 })
        XCTAssertTrue(features.contains { $0.startPosition > 0 })
    }

    func testNERLabelsOnFirstSubTokenMatchRunNER() throws {
        let golden = try json("ner_alignment.json")
        let tokenizer = try Tokenizer(directory: modelURL("all-MiniLM-L6-v2"))
        let data = try TokenClassificationDataset.readCoNLL(from: fixtureURL("datasets/ner_train.conll"))
        XCTAssertEqual(data.labels, golden["labels"] as! [String])
        let features = try TokenClassificationFineTuning.features(data, tokenizer: tokenizer, maxLength: golden["max_length"] as! Int)
        let expected = golden["sentences"] as! [[String: Any]]
        XCTAssertEqual(features.count, expected.count)
        for (i, (f, e)) in zip(features, expected).enumerated() {
            XCTAssertEqual(f.ids, e["input_ids"] as! [Int], "sentence \(i) ids")
            XCTAssertEqual(f.labels, e["labels"] as! [Int], "sentence \(i) labels")
        }
        // Some word splits into several pieces, so -100 also marks non-first sub-tokens.
        XCTAssertTrue(features.contains { f in zip(f.labels, f.wordIds).contains { $0 == -100 && $1 != nil } })
    }

    func testAlignLabels() {
        XCTAssertEqual(TokenClassificationFineTuning.alignLabels(wordIds: [nil, 0, 0, 1, 2, 2, 2, nil], tagIDs: [3, 1, 2]),
                       [-100, 3, -100, 1, 2, -100, -100, -100])
    }

    func testLossesMatchSentenceTransformers() throws {
        let g = try json("embedding_losses.json")
        let d = g["dim"] as! Int
        func tensor(_ k: String) throws -> Tensor {
            let v = (g[k] as! [Double]).map(Float.init)
            return try Tensor(shape: [v.count / d, d], scalars: v, requiresGrad: true)
        }
        func grads(_ k: String) -> [[Float]] { (g[k] as! [[Double]]).map { $0.map(Float.init) } }
        // MNRL, in-batch negatives only.
        do {
            let a = try tensor("anchors"), p = try tensor("positives")
            let tape = GradientTape()
            let loss = try tape.record { try SentenceEmbeddingLoss.multipleNegativesRanking(anchors: a, candidates: p) }
            try tape.backward(loss)
            XCTAssertEqual(Double(loss.item), g["mnrl"] as! Double, accuracy: 1e-4)
            assertClose(a.grad!.scalars, grads("mnrl_grads")[0], "MNRL d/anchors")
            assertClose(p.grad!.scalars, grads("mnrl_grads")[1], "MNRL d/positives")
        }
        // MNRL with hard negatives appended to the candidates.
        do {
            let a = try tensor("anchors"), p = try tensor("positives"), n = try tensor("negatives")
            let tape = GradientTape()
            let loss = try tape.record { try SentenceEmbeddingLoss.multipleNegativesRanking(anchors: a, candidates: Tensor.concat([p, n], dim: 0)) }
            try tape.backward(loss)
            XCTAssertEqual(Double(loss.item), g["mnrl_hard_negatives"] as! Double, accuracy: 1e-4)
            assertClose(n.grad!.scalars, grads("mnrl_hard_negatives_grads")[2], "MNRL d/negatives")
        }
        // CosineSimilarityLoss.
        do {
            let u = try tensor("anchors"), v = try tensor("positives")
            let tape = GradientTape()
            let scores = (g["scores"] as! [Double]).map(Float.init)
            let loss = try tape.record { try SentenceEmbeddingLoss.cosineSimilarity(u, v, scores: scores) }
            try tape.backward(loss)
            XCTAssertEqual(Double(loss.item), g["cosine_similarity_loss"] as! Double, accuracy: 1e-5)
            assertClose(u.grad!.scalars, grads("cosine_similarity_grads")[0], "cosine d/u")
            assertClose(v.grad!.scalars, grads("cosine_similarity_grads")[1], "cosine d/v")
        }
    }
}
