import BERTModels
import BERTTasks
import BERTTokenizers
import Foundation
import TestSupport
import XCTest

/// Fill-mask and text classification against transformers' pipelines (Tests/Fixtures/pipelines, made by
/// scripts/make_pipeline_goldens.py on generated-weight checkpoints).
final class FillMaskAndClassificationTests: XCTestCase {
    func fillMaskPipeline() throws -> (FillMaskPipeline, PipelineGolden) {
        let golden = try PipelineGolden("fill_mask")
        let config = try PipelineGolden.config(golden.root["config"]!)
        let model = try BertForMaskedLM(config: config, randomInit: false)
        try ScaledSyntheticSource.fill(model, expectedKeys: golden.root["parameter_keys"] as! [String])
        return (try FillMaskPipeline(model: model, tokenizer: PipelineGolden.tokenizer(), config: config), golden)
    }

    func compareFill(_ actual: [FillMaskPrediction], _ expected: [[String: Any]], _ what: String, _ diff: MaxDiff) {
        XCTAssertEqual(actual.map(\.token), expected.map { $0["token"] as! Int }, what)
        XCTAssertEqual(actual.map(\.tokenStr), expected.map { $0["token_str"] as! String }, what)
        XCTAssertEqual(actual.map(\.sequence), expected.map { $0["sequence"] as! String }, what)
        for (a, e) in zip(actual, expected) { assertScore(a.score, e["score"], what); diff.see(a.score, e["score"]) }
    }

    /// One text's transformers output: a list per mask, or the list alone for a single mask.
    func compareFillText(_ actual: [[FillMaskPrediction]], _ expected: Any, _ what: String, _ diff: MaxDiff) {
        let lists: [[[String: Any]]] = (expected as? [[String: Any]]).map { [$0] } ?? (expected as! [[[String: Any]]])
        XCTAssertEqual(actual.count, lists.count, "\(what): masks")
        for (m, (a, e)) in zip(actual, lists).enumerated() { compareFill(a, e, "\(what) mask \(m)", diff) }
    }

    func testFillMaskMatchesTransformers() throws {
        let (pipe, golden) = try fillMaskPipeline()
        let diff = MaxDiff()
        for (i, c) in (golden.root["cases"] as! [[String: Any]]).enumerated() {
            let kw = c["kwargs"] as? [String: Any] ?? [:]
            let texts = (c["inputs"] as? [String]) ?? [c["inputs"] as! String]
            let out = try pipe(texts, topK: kw["top_k"] as? Int ?? 5, targets: kw["targets"] as? [String], batchSize: kw["batch_size"] as? Int ?? 1)
            if c["inputs"] is [String] {
                for (j, e) in (c["output"] as! [Any]).enumerated() { compareFillText(out[j], e, "case \(i) text \(j)", diff) }
            } else {
                compareFillText(out[0], c["output"]!, "case \(i)", diff)
            }
        }
        print("fill-mask: max |score diff| vs transformers = \(diff.value)")
    }

    func testTextClassificationMatchesTransformers() throws {
        let golden = try PipelineGolden("text_classification")
        let diff = MaxDiff()
        for (name, entry) in golden.root["models"] as! [String: [String: Any]] {
            let config = try PipelineGolden.config(entry["config"]!)
            let model = try BertForSequenceClassification(config: config, randomInit: false)
            try ScaledSyntheticSource.fill(model, expectedKeys: entry["parameter_keys"] as! [String])
            let pipe = TextClassificationPipeline(model: model, tokenizer: try PipelineGolden.tokenizer(), config: config)
            func input(_ x: Any) -> TextClassificationInput {
                if let s = x as? String { return .init(text: s) }
                let d = x as! [String: String]
                return .init(text: d["text"]!, textPair: d["text_pair"])
            }
            for (i, c) in (entry["cases"] as! [[String: Any]]).enumerated() {
                let kw = c["kwargs"] as? [String: Any] ?? [:]
                let list = c["inputs"] as? [Any]
                let inputs = (list ?? [c["inputs"]!]).map(input)
                let legacy = kw["top_k"] == nil
                let topK: Int? = legacy ? 1 : (kw["top_k"] as? Int)
                let function = (kw["function_to_apply"] as? String).flatMap(ClassificationFunction.init(rawValue:))
                let out = try pipe(inputs, topK: topK, functionToApply: function, batchSize: kw["batch_size"] as? Int ?? 1)
                let expected: [[[String: Any]]] = {
                    let perInput = list == nil ? [c["output"]!] : (c["output"] as! [Any])
                    return perInput.map { ($0 as? [String: Any]).map { [$0] } ?? ($0 as! [[String: Any]]) }
                }()
                XCTAssertEqual(out.count, expected.count)
                for (j, (a, e)) in zip(out, expected).enumerated() {
                    let what = "\(name) case \(i) input \(j)"
                    XCTAssertEqual(a.map(\.label), e.map { $0["label"] as! String }, what)
                    for (x, y) in zip(a, e) { assertScore(x.score, y["score"], what); diff.see(x.score, y["score"]) }
                }
            }
        }
        print("text-classification: max |score diff| vs transformers = \(diff.value)")
    }

    func testRerankMatchesTEIRule() throws {
        let golden = try PipelineGolden("rerank")
        let config = try PipelineGolden.config(golden.root["config"]!)
        let model = try BertForSequenceClassification(config: config, randomInit: false)
        try ScaledSyntheticSource.fill(model, expectedKeys: golden.root["parameter_keys"] as! [String])
        let rerank = try RerankPipeline(classifier: TextClassificationPipeline(model: model, tokenizer: PipelineGolden.tokenizer(), config: config))
        let docs = golden.root["documents"] as! [String]
        let expected = golden.root["ranking"] as! [[String: Any]]
        for batch in [1, 3, 8] {
            let out = try rerank(query: golden.root["query"] as! String, documents: docs, returnText: true, batchSize: batch)
            XCTAssertEqual(out.map(\.index), expected.map { $0["index"] as! Int })
            XCTAssertEqual(out.map(\.text), expected.map { $0["text"] as? String })
            for (a, e) in zip(out, expected) { assertScore(a.score, e["score"], "rerank \(a.index)") }
            let raw = try rerank(query: golden.root["query"] as! String, documents: docs, topN: 3, rawScores: true, batchSize: batch)
            XCTAssertEqual(raw.map(\.index), expected.prefix(3).map { $0["index"] as! Int })
            XCTAssertNil(raw[0].text)
            for (a, e) in zip(raw, expected) { assertScore(a.score, e["raw_score"], "raw \(a.index)") }
        }
    }
}
