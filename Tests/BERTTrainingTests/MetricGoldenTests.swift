import BERTTraining
import Foundation
import TestSupport
import XCTest

/// Metrics against the goldens of `scripts/make_metric_goldens.py` (scikit-learn, SciPy, seqeval, SQuAD logic).
final class MetricGoldenTests: XCTestCase {
    private func golden(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtureURL("metrics/\(name)"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testSingleLabelClassificationMatchesScikitLearn() throws {
        let cases = try XCTUnwrap(golden("classification.json")["single_label"] as? [[String: Any]])
        for (n, c) in cases.enumerated() {
            let predictions = ints(c["predictions"]), references = ints(c["references"])
            let labels = ints(c["labels"])
            assertNear(ClassificationMetrics.accuracy(predictions: predictions, references: references), c["accuracy"], "case \(n) accuracy")
            let perLabel = ClassificationMetrics.perLabelScores(predictions: predictions, references: references)
            XCTAssertEqual(perLabel.map(\.label), labels, "case \(n) labels")
            for (row, expected) in zip(perLabel, try XCTUnwrap(c["per_label"] as? [[String: Any]])) {
                assertScores(row.scores, expected, "case \(n) label \(row.label)")
            }
            for (name, average) in [("micro", ClassificationAverage.micro), ("macro", .macro), ("weighted", .weighted)] {
                let s = ClassificationMetrics.scores(predictions: predictions, references: references, average: average)
                assertScores(s, c[name], "case \(n) \(name)", checkSupport: name != "macro")
                assertNear(ClassificationMetrics.f1(predictions: predictions, references: references, average: average),
                           (c[name] as? [String: Any])?["f1"], "case \(n) \(name) f1")
            }
            if let binary = c["binary"] {
                let s = ClassificationMetrics.scores(predictions: predictions, references: references, average: .binary(positiveLabel: 1))
                assertScores(s, binary, "case \(n) binary", checkSupport: false)
            }
            let confusion = (c["confusion"] as? [[Int]]) ?? []
            XCTAssertEqual(ClassificationMetrics.confusionMatrix(predictions: predictions, references: references), confusion, "case \(n) confusion")
        }
    }

    func testMultiLabelMatchesScikitLearn() throws {
        let cases = try XCTUnwrap(golden("classification.json")["multi_label"] as? [[String: Any]])
        for (n, c) in cases.enumerated() {
            let scores = try XCTUnwrap(c["scores"] as? [[Double]]), references = try XCTUnwrap(c["references"] as? [[Bool]])
            let report = MultiLabelMetrics.report(scores: scores, references: references, threshold: double(c["threshold"]))
            let expected = try XCTUnwrap(c["per_label"] as? [[String: Any]])
            XCTAssertEqual(report.perLabel.count, expected.count)
            for (k, (s, e)) in zip(report.perLabel, expected).enumerated() { assertScores(s, e, "case \(n) label \(k)") }
            assertScores(report.micro, c["micro"], "case \(n) micro", checkSupport: false)
            assertScores(report.macro, c["macro"], "case \(n) macro", checkSupport: false)
        }
    }

    func testRegressionMatchesSciPy() throws {
        let cases = try XCTUnwrap(golden("regression.json")["cases"] as? [[String: Any]])
        for (n, c) in cases.enumerated() {
            let x = try XCTUnwrap(c["x"] as? [Double]), y = try XCTUnwrap(c["y"] as? [Double])
            assertNear(RegressionMetrics.meanSquaredError(predictions: x, references: y), c["mse"], "case \(n) mse")
            assertNear(RegressionMetrics.pearsonCorrelation(x, y), c["pearson"], "case \(n) pearson")
            assertNear(RegressionMetrics.spearmanCorrelation(x, y), c["spearman"], "case \(n) spearman")
            XCTAssertEqual(RegressionMetrics.averageRanks(x), c["ranks_x"] as? [Double], "case \(n) ranks")
            XCTAssertEqual(RegressionMetrics.averageRanks(y), c["ranks_y"] as? [Double], "case \(n) ranks")
        }
    }

    func testEntityExtractionMatchesSeqeval() throws {
        let cases = try XCTUnwrap(golden("seqeval.json")["flat_entities"] as? [[String: Any]])
        for c in cases {
            let tags = try XCTUnwrap(c["tags"] as? [String])
            XCTAssertEqual(SequenceLabelingMetrics.entities(in: tags), spans(c["entities"]), "\(tags)")
        }
    }

    func testEntityReportMatchesSeqeval() throws {
        let cases = try XCTUnwrap(golden("seqeval.json")["cases"] as? [[String: Any]])
        for (n, c) in cases.enumerated() {
            let references = try XCTUnwrap(c["references"] as? [[String]]), predictions = try XCTUnwrap(c["predictions"] as? [[String]])
            XCTAssertEqual(SequenceLabelingMetrics.entities(inSentences: references), spans(c["entities_references"]), "case \(n)")
            XCTAssertEqual(SequenceLabelingMetrics.entities(inSentences: predictions), spans(c["entities_predictions"]), "case \(n)")
            let report = SequenceLabelingMetrics.report(predictions: predictions, references: references)
            let perType = try XCTUnwrap(c["per_type"] as? [[String: Any]])
            XCTAssertEqual(report.perType.map(\.type), perType.map { $0["type"] as? String ?? "?" }, "case \(n) types")
            for (row, e) in zip(report.perType, perType) { assertScores(row.scores, e, "case \(n) \(row.type)") }
            assertScores(report.micro, c["micro"], "case \(n) micro")
            assertScores(report.macro, c["macro"], "case \(n) macro")
            assertScores(report.weighted, c["weighted"], "case \(n) weighted")
            assertNear(report.accuracy, c["accuracy"], "case \(n) accuracy")
        }
    }

    func testSQuADNormalizationAndPairScores() throws {
        let g = try golden("squad.json")
        for c in try XCTUnwrap(g["normalize"] as? [[String: String]]) {
            XCTAssertEqual(SQuADMetrics.normalizeAnswer(c["text"]!), c["normalized"]!, "normalizing \(c["text"]!.debugDescription)")
        }
        for c in try XCTUnwrap(g["pairs"] as? [[String: Any]]) {
            let p = c["prediction"] as! String, gold = c["gold"] as! String
            assertNear(SQuADMetrics.exactMatch(prediction: p, groundTruth: gold), c["exact"], "EM \(p) / \(gold)")
            assertNear(SQuADMetrics.f1V1(prediction: p, groundTruth: gold), c["f1_v1"], "F1 v1 \(p) / \(gold)")
            assertNear(SQuADMetrics.f1V2(prediction: p, groundTruth: gold), c["f1_v2"], "F1 v2 \(p) / \(gold)")
        }
    }

    func testSQuADEvaluationMatchesOfficialLogic() throws {
        let g = try golden("squad.json")
        let v1 = try XCTUnwrap(g["v1"] as? [String: Any])
        let s1 = SQuADMetrics.evaluateV1(predictions: v1["predictions"] as! [String: String], goldAnswers: v1["gold_answers"] as! [String: [String]])
        assertSQuAD(s1, v1["expected"], "v1")
        let v2 = try XCTUnwrap(g["v2"] as? [String: Any])
        let predictions = v2["predictions"] as! [String: String], golds = v2["gold_answers"] as! [String: [String]]
        let plain = SQuADMetrics.evaluateV2(predictions: predictions, goldAnswers: golds)
        let thresholded = SQuADMetrics.evaluateV2(predictions: predictions, goldAnswers: golds,
                                                  noAnswerProbabilities: v2["no_answer_probabilities"] as? [String: Double], threshold: 0.5)
        for (scores, key) in [(plain, "expected"), (thresholded, "expected_threshold_0_5")] {
            let e = try XCTUnwrap(v2[key] as? [String: Any])
            assertSQuAD(scores.overall, e["overall"], "\(key) overall")
            assertSQuAD(try XCTUnwrap(scores.hasAnswer), e["has_answer"], "\(key) HasAns")
            assertSQuAD(try XCTUnwrap(scores.noAnswer), e["no_answer"], "\(key) NoAns")
        }
    }

    func testSQuADBestThresholdsMatchOfficialSearch() throws {
        let v2 = try XCTUnwrap(try golden("squad.json")["v2"] as? [String: Any])
        let predictions = v2["predictions"] as! [String: String], golds = v2["gold_answers"] as! [String: [String]]
        for (probabilities, key) in [("no_answer_probabilities", "best_thresholds"), ("no_answer_probabilities_tied", "best_thresholds_tied")] {
            let best = SQuADMetrics.bestThresholds(predictions: predictions, goldAnswers: golds,
                                                   noAnswerProbabilities: try XCTUnwrap(v2[probabilities] as? [String: Double]))
            let e = try XCTUnwrap(v2[key] as? [String: Double])
            assertNear(best.bestExactMatch, e["best_exact"], "\(key) best exact")
            assertNear(best.bestExactMatchThreshold, e["best_exact_thresh"], "\(key) best exact threshold")
            assertNear(best.bestF1, e["best_f1"], "\(key) best F1")
            assertNear(best.bestF1Threshold, e["best_f1_thresh"], "\(key) best F1 threshold")
        }
    }

    // MARK: helpers

    private func ints(_ any: Any?) -> [Int] { (any as? [Int]) ?? [] }
    private func double(_ any: Any?) -> Double { (any as? Double) ?? .nan }

    private func spans(_ any: Any?) -> [EntitySpan] {
        ((any as? [[Any]]) ?? []).map { EntitySpan(type: $0[0] as! String, start: $0[1] as! Int, end: $0[2] as! Int) }
    }

    /// |actual − expected| ≤ 1e-9·max(1, |expected|); a JSON null means NaN.
    private func assertNear(_ actual: Double, _ expected: Any?, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let e = expected as? Double else {
            XCTAssertTrue(actual.isNaN, "\(message): \(actual), expected NaN", file: file, line: line)
            return
        }
        XCTAssertLessThanOrEqual(abs(actual - e), 1e-9 * max(1, abs(e)), "\(message): \(actual), expected \(e)", file: file, line: line)
    }

    private func assertScores(_ s: PrecisionRecallF1, _ expected: Any?, _ message: String, checkSupport: Bool = true,
                              file: StaticString = #filePath, line: UInt = #line) {
        guard let e = expected as? [String: Any] else { return XCTFail("\(message): no golden", file: file, line: line) }
        assertNear(s.precision, e["precision"], "\(message) precision", file: file, line: line)
        assertNear(s.recall, e["recall"], "\(message) recall", file: file, line: line)
        assertNear(s.f1, e["f1"], "\(message) f1", file: file, line: line)
        if checkSupport, let support = e["support"] as? Int { XCTAssertEqual(s.support, support, "\(message) support", file: file, line: line) }
    }

    private func assertSQuAD(_ s: SQuADScores, _ expected: Any?, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let e = expected as? [String: Any] else { return XCTFail("\(message): no golden", file: file, line: line) }
        assertNear(s.exactMatch, e["exact_match"], "\(message) exact", file: file, line: line)
        assertNear(s.f1, e["f1"], "\(message) f1", file: file, line: line)
        XCTAssertEqual(s.total, e["total"] as? Int, "\(message) total", file: file, line: line)
    }
}
