import BERTModels
import BERTTasks
import BERTTokenizers
import Foundation
import TestSupport
import XCTest

/// Bad inputs, each with its own error; and batched runs equal to one-by-one runs.
final class PipelineErrorTests: XCTestCase {
    func expect<T>(_ expected: PipelineError, _ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? PipelineError, expected, "\(error)", file: file, line: line)
        }
    }

    func smallConfig(labels: [String]) throws -> BertConfig {
        var json: [String: Any] = ["vocab_size": 30522, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                                   "intermediate_size": 128, "max_position_embeddings": 512, "model_type": "bert"]
        if !labels.isEmpty {
            json["id2label"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ("\($0.offset)", $0.element) })
            json["label2id"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
        }
        return try PipelineGolden.config(json)
    }

    func fillMask() throws -> FillMaskPipeline {
        let config = try smallConfig(labels: [])
        let model = try BertForMaskedLM(config: config, seed: 1)
        return try FillMaskPipeline(model: model, tokenizer: PipelineGolden.tokenizer(), config: config)
    }

    func testFillMaskWithoutMaskToken() throws {
        let pipe = try fillMask()
        expect(.noMaskToken(text: "no mask here", maskToken: "[MASK]")) { try pipe(["a [MASK] here", "no mask here"]) }
    }

    func testFillMaskTargetsThatTokenizeToNothing() throws {
        let pipe = try fillMask()
        expect(.noValidTargets(["", " "])) { try pipe(["a [MASK]"], targets: ["", " "]) }
    }

    func testTooLongWithoutTruncation() throws {
        let pipe = try fillMask()
        let long = "[MASK] " + String(repeating: "word ", count: 600)
        expect(.inputTooLong(tokens: 603, maximum: 512, index: 1)) { try pipe(["short [MASK]", long]) }
        XCTAssertEqual(try pipe([long], topK: 2, truncation: true)[0][0].count, 2)
    }

    func testLabelOutsideId2Label() throws {
        let config = try smallConfig(labels: ["a", "b"])
        let model = try BertForSequenceClassification(config: config, numLabels: 3, seed: 3)
        let pipe = TextClassificationPipeline(model: model, tokenizer: try PipelineGolden.tokenizer(), config: config)
        expect(.labelOutOfRange(id: 2, labels: 2)) { try pipe(["text"], topK: nil) }
        expect(.unsupportedHead("a reranker needs a classifier with 1 label (or 2: not relevant / relevant); this one has 3")) {
            try RerankPipeline(classifier: pipe)
        }
    }

    func testMissingLabelsDefaultToLABELi() throws {
        let config = try smallConfig(labels: [])
        let model = try BertForSequenceClassification(config: config, seed: 3)
        let pipe = TextClassificationPipeline(model: model, tokenizer: try PipelineGolden.tokenizer(), config: config)
        XCTAssertEqual(Set(try pipe(["text"], topK: nil)[0].map(\.label)), ["LABEL_0", "LABEL_1"])
    }

    func testEmptyQuestionOrContext() throws {
        let config = try smallConfig(labels: [])
        let pipe = QuestionAnsweringPipeline(model: try BertForQuestionAnswering(config: config, seed: 4),
                                             tokenizer: try PipelineGolden.tokenizer(), config: config)
        expect(.emptyInput(field: "question")) { try pipe([.init(question: "", context: "Some context.")]) }
        expect(.emptyInput(field: "context")) { try pipe([.init(question: "Why?", context: "")]) }
        var options = QuestionAnsweringOptions()
        options.maxSeqLen = 64
        options.docStride = 100
        expect(.invalidOption(name: "doc_stride", value: "100", reason: "must not exceed max_seq_len 64")) {
            try pipe([.init(question: "Why?", context: "Because.")], options: options)
        }
    }

    func testMiniLMIsNotAFillMaskModel() throws {
        XCTAssertThrowsError(try FillMaskPipeline(directory: modelURL("all-MiniLM-L6-v2"))) { error in
            guard case let ModelError.missingKeys(keys, _)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertFalse(keys.isEmpty)
            XCTAssertTrue(keys.allSatisfy { $0.hasPrefix("cls.predictions.") }, "\(keys)")
            XCTAssertTrue(keys.contains("cls.predictions.transform.dense.weight"))
            print("MiniLM as fill-mask: \(error)")
        }
    }

    func testBatchesEqualOneByOne() throws {
        let texts = ["The capital of France is [MASK].", "A [MASK] b", "Zürich [MASK] 東京 is a very long [MASK] sentence indeed.",
                     "[MASK]", "Antidisestablishmentarianism [MASK]."]
        let fill = try fillMask()
        let batched = try fill(texts, batchSize: 4)
        for (i, t) in texts.enumerated() {
            let one = try fill([t], batchSize: 1)[0]
            XCTAssertEqual(one.map { $0.map(\.token) }, batched[i].map { $0.map(\.token) })
            for (a, b) in zip(one.joined(), batched[i].joined()) { XCTAssertEqual(a.score, b.score, accuracy: 1e-6) }
        }
        let config = try smallConfig(labels: ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
        let ner = TokenClassificationPipeline(model: try BertForTokenClassification(config: config, seed: 5),
                                              tokenizer: try PipelineGolden.tokenizer(), config: config)
        let plain = texts.map { $0.replacingOccurrences(of: "[MASK]", with: "Paris") }
        for strategy in AggregationStrategy.allCases {
            let b = try ner(plain, aggregationStrategy: strategy, ignoreLabels: [], batchSize: 3)
            for (i, t) in plain.enumerated() {
                let one = try ner([t], aggregationStrategy: strategy, ignoreLabels: [])[0]
                XCTAssertEqual(one.map(\.word), b[i].map(\.word))
                XCTAssertEqual(one.map { $0.entity ?? $0.entityGroup! }, b[i].map { $0.entity ?? $0.entityGroup! })
                for (x, y) in zip(one, b[i]) { XCTAssertEqual(x.score, y.score, accuracy: 1e-6) }
            }
        }
        let qa = QuestionAnsweringPipeline(model: try BertForQuestionAnswering(config: config, seed: 6),
                                           tokenizer: try PipelineGolden.tokenizer(), config: config)
        let questions = plain.map { QuestionAnsweringInput(question: "Where?", context: $0 + " " + String(repeating: "and so on ", count: 20)) }
        var options = QuestionAnsweringOptions()
        options.maxSeqLen = 32; options.docStride = 8; options.topK = 3
        let qb = try qa(questions, options: options, batchSize: 5)
        for (i, q) in questions.enumerated() {
            let one = try qa([q], options: options, batchSize: 1)[0]
            XCTAssertEqual(one.map(\.answer), qb[i].map(\.answer))
            for (x, y) in zip(one, qb[i]) { XCTAssertEqual(x.score, y.score, accuracy: 1e-6) }
        }
    }
}

/// The folder loaders on the checkpoints scripts/make_pipeline_goldens.py saves under models/pipelines/
/// (git-ignored; skipped when absent): the same answers as the in-memory generated weights.
final class PipelineFolderTests: XCTestCase {
    func folder(_ name: String) throws -> URL {
        let url = repositoryRoot.appendingPathComponent("models/pipelines/\(name)")
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) else {
            throw XCTSkip("run scripts/make_pipeline_goldens.py to create models/pipelines/\(name)")
        }
        return url
    }

    func testFolderCheckpointsGiveTheGoldenAnswers() throws {
        let fill = try FillMaskPipeline(directory: folder("fill-mask"))
        let fillGolden = try PipelineGolden("fill_mask").root["cases"] as! [[String: Any]]
        XCTAssertEqual(try fill([fillGolden[0]["inputs"] as! String])[0][0].map(\.token),
                       (fillGolden[0]["output"] as! [[String: Any]]).map { $0["token"] as! Int })

        let nli = try TextClassificationPipeline(directory: folder("classify-nli"))
        let nliGolden = ((try PipelineGolden("text_classification").root["models"] as! [String: Any])["nli"] as! [String: Any])["cases"] as! [[String: Any]]
        let pair = nliGolden[0]["inputs"] as! [String: String]
        let best = try nli([.init(text: pair["text"]!, textPair: pair["text_pair"])])[0][0]
        XCTAssertEqual(best.label, (nliGolden[0]["output"] as! [String: Any])["label"] as? String)

        let ner = try TokenClassificationPipeline(directory: folder("ner"))
        let nerGolden = try PipelineGolden("token_classification").root["cases"] as! [[String: Any]]
        XCTAssertEqual(try ner([nerGolden[0]["inputs"] as! String])[0].map(\.word),
                       (nerGolden[0]["output"] as! [[String: Any]]).map { $0["word"] as! String })

        let qa = try QuestionAnsweringPipeline(directory: folder("qa"))
        let qaGolden = try PipelineGolden("question_answering").root["cases"] as! [[String: Any]]
        let q = qaGolden[3]["inputs"] as! [String: String]
        XCTAssertEqual(try qa([.init(question: q["question"]!, context: q["context"]!)])[0][0].answer,
                       (qaGolden[3]["output"] as! [String: Any])["answer"] as? String)

        let rerank = try RerankPipeline(directory: folder("rerank"))
        let rr = try PipelineGolden("rerank").root
        XCTAssertEqual(try rerank(query: rr["query"] as! String, documents: rr["documents"] as! [String]).map(\.index),
                       (rr["ranking"] as! [[String: Any]]).map { $0["index"] as! Int })
    }
}
