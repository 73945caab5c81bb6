import BERTModels
import BERTTasks
import BERTTokenizers
import Foundation
import TestSupport
import XCTest

/// NER and question answering against transformers' pipelines (QA: transformers 4.x, see the MANIFEST).
final class NERAndQATests: XCTestCase {
    func testTokenClassificationMatchesTransformers() throws {
        let golden = try PipelineGolden("token_classification")
        let config = try PipelineGolden.config(golden.root["config"]!)
        let model = try BertForTokenClassification(config: config, randomInit: false)
        try ScaledSyntheticSource.fill(model, expectedKeys: golden.root["parameter_keys"] as! [String])
        let pipe = TokenClassificationPipeline(model: model, tokenizer: try PipelineGolden.tokenizer(), config: config)
        let diff = MaxDiff()
        var entities = 0
        for (i, c) in (golden.root["cases"] as! [[String: Any]]).enumerated() {
            let kw = c["kwargs"] as? [String: Any] ?? [:]
            let list = c["inputs"] as? [String]
            let strategy = AggregationStrategy(rawValue: kw["aggregation_strategy"] as? String ?? "none")!
            let out = try pipe(list ?? [c["inputs"] as! String], aggregationStrategy: strategy,
                               ignoreLabels: kw["ignore_labels"] as? [String] ?? ["O"], stride: kw["stride"] as? Int, batchSize: kw["batch_size"] as? Int ?? 1)
            let expected = list == nil ? [c["output"] as! [[String: Any]]] : (c["output"] as! [[[String: Any]]])
            XCTAssertEqual(out.count, expected.count)
            for (j, (a, e)) in zip(out, expected).enumerated() {
                let what = "case \(i) (\(strategy)) text \(j)"
                XCTAssertEqual(a.count, e.count, "\(what): entity count")
                for (k, (x, y)) in zip(a, e).enumerated() {
                    XCTAssertEqual(x.entity, y["entity"] as? String, "\(what) #\(k)")
                    XCTAssertEqual(x.entityGroup, y["entity_group"] as? String, "\(what) #\(k)")
                    XCTAssertEqual(x.word, y["word"] as? String, "\(what) #\(k)")
                    XCTAssertEqual(x.start, y["start"] as? Int, "\(what) #\(k)")
                    XCTAssertEqual(x.end, y["end"] as? Int, "\(what) #\(k)")
                    XCTAssertEqual(x.index, y["index"] as? Int, "\(what) #\(k)")
                    assertScore(x.score, y["score"], "\(what) #\(k)")
                    diff.see(x.score, y["score"])
                }
                entities += e.count
            }
        }
        print("token-classification: \(entities) entities, max |score diff| vs transformers = \(diff.value)")
    }

    func testQuestionAnsweringMatchesTransformers4() throws {
        let golden = try PipelineGolden("question_answering")
        let config = try PipelineGolden.config(golden.root["config"]!)
        let model = try BertForQuestionAnswering(config: config, randomInit: false)
        try ScaledSyntheticSource.fill(model, expectedKeys: golden.root["parameter_keys"] as! [String])
        let pipe = QuestionAnsweringPipeline(model: model, tokenizer: try PipelineGolden.tokenizer(), config: config)
        let diff = MaxDiff()
        let windows = golden.root["windows"] as! [Int]
        for (i, c) in (golden.root["cases"] as! [[String: Any]]).enumerated() {
            let kw = c["kwargs"] as? [String: Any] ?? [:]
            var options = QuestionAnsweringOptions()
            options.topK = kw["top_k"] as? Int ?? 1
            options.docStride = kw["doc_stride"] as? Int
            options.maxSeqLen = kw["max_seq_len"] as? Int
            options.maxAnswerLen = kw["max_answer_len"] as? Int ?? 15
            options.handleImpossibleAnswer = kw["handle_impossible_answer"] as? Bool ?? false
            let list = c["inputs"] as? [[String: String]]
            let inputs = (list ?? [c["inputs"] as! [String: String]]).map { QuestionAnsweringInput(question: $0["question"]!, context: $0["context"]!) }
            if list == nil, i < windows.count {
                XCTAssertEqual(try pipe.windows(inputs[0], options: options).count, windows[i], "case \(i) windows")
            }
            let out = try pipe(inputs, options: options, batchSize: kw["batch_size"] as? Int ?? 1)
            let perInput = list == nil ? [c["output"]!] : (c["output"] as! [Any])
            for (j, (a, e)) in zip(out, perInput).enumerated() {
                let expected = (e as? [String: Any]).map { [$0] } ?? (e as! [[String: Any]])
                let what = "case \(i) input \(j)"
                XCTAssertEqual(a.map(\.answer), expected.map { $0["answer"] as! String }, what)
                XCTAssertEqual(a.map(\.start), expected.map { $0["start"] as! Int }, what)
                XCTAssertEqual(a.map(\.end), expected.map { $0["end"] as! Int }, what)
                for (x, y) in zip(a, expected) { assertScore(x.score, y["score"], what); diff.see(x.score, y["score"]) }
            }
        }
        print("question-answering: max |score diff| vs transformers 4.x = \(diff.value)")
    }
}
