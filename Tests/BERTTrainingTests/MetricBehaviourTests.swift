import BERTTraining
import XCTest

/// Readable cases of the behaviour the goldens pin down, so a failure says what rule broke.
final class MetricBehaviourTests: XCTestCase {
    private func spans(_ tags: [String]) -> [String] { SequenceLabelingMetrics.entities(in: tags).map(\.description) }

    func testSeqevalDefaultModeEntityRules() {
        XCTAssertEqual(spans(["B-PER", "I-PER", "O", "B-LOC"]), ["(PER, 0, 1)", "(LOC, 3, 3)"])
        XCTAssertEqual(spans(["I-PER", "I-PER", "O"]), ["(PER, 0, 1)"], "I- after O starts an entity (IOB1)")
        XCTAssertEqual(spans(["B-PER", "I-LOC"]), ["(PER, 0, 0)", "(LOC, 1, 1)"], "a type change ends one entity and starts another")
        XCTAssertEqual(spans(["B-PER", "B-PER"]), ["(PER, 0, 0)", "(PER, 1, 1)"], "B- always starts a new entity")
        XCTAssertEqual(spans(["S-LOC", "E-LOC"]), ["(LOC, 0, 0)", "(LOC, 1, 1)"], "S- is a one-token entity; E- after it starts one")
        XCTAssertEqual(spans(["B-ORG", "E-ORG", "I-ORG"]), ["(ORG, 0, 1)", "(ORG, 2, 2)"], "E- ends an entity (IOE/BIOES)")
        XCTAssertEqual(spans(["B", "I", "O"]), ["(_, 0, 1)"], "tags without a type get type _")
        XCTAssertEqual(spans(["B-PER-X", "I-PER-X"]), ["(PER-X, 0, 1)"], "the type is everything after the first -")
        XCTAssertEqual(spans([]), [])
        XCTAssertEqual(SequenceLabelingMetrics.entities(inSentences: [["I-PER"], ["I-PER"]]).map(\.description), ["(PER, 0, 0)", "(PER, 2, 2)"],
                       "sentences are joined with an O between them, so entities never cross sentences")
    }

    func testEntityReportCounts() {
        let report = SequenceLabelingMetrics.report(predictions: [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]],
                                                    references: [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]])
        XCTAssertEqual(report.perType.map(\.type), ["MISC", "PER"])
        XCTAssertEqual(report.perType.map(\.scores.f1), [0, 1])
        XCTAssertEqual(report.micro, PrecisionRecallF1(precision: 0.5, recall: 0.5, f1: 0.5, support: 2))
        XCTAssertEqual(report.accuracy, 0.8)
    }

    func testClassificationZeroDivisionIsZero() {
        // Label 1 is never predicted: precision 0 (not NaN), as scikit-learn with zero_division=0.
        let s = ClassificationMetrics.scores(predictions: [0, 0, 0], references: [0, 1, 1], average: .binary(positiveLabel: 1))
        XCTAssertEqual(s, PrecisionRecallF1(precision: 0, recall: 0, f1: 0, support: 2))
        XCTAssertEqual(ClassificationMetrics.confusionMatrix(predictions: [0, 0, 0], references: [0, 1, 1]), [[1, 0], [2, 0]])
    }

    func testSpearmanUsesAverageRanks() {
        XCTAssertEqual(RegressionMetrics.averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1])
        XCTAssertEqual(RegressionMetrics.spearmanCorrelation([1, 2, 3], [10, 100, 1000]), 1, accuracy: 1e-15)
        XCTAssertTrue(RegressionMetrics.pearsonCorrelation([1, 1, 1], [1, 2, 3]).isNaN)
    }

    func testSQuADScoring() {
        XCTAssertEqual(SQuADMetrics.normalizeAnswer("The  Denver Broncos!"), "denver broncos")
        XCTAssertEqual(SQuADMetrics.f1V1(prediction: "Denver", groundTruth: "the Denver Broncos"), 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(SQuADMetrics.f1V1(prediction: "", groundTruth: ""), 0, "v1.1: no tokens, no overlap")
        XCTAssertEqual(SQuADMetrics.f1V2(prediction: "", groundTruth: ""), 1, "v2.0: both empty is a correct no-answer")
        let v2 = SQuADMetrics.evaluateV2(predictions: ["a": "Denver", "b": "", "c": "x"], goldAnswers: ["a": ["Denver Broncos", "Denver"], "b": [], "c": []])
        XCTAssertEqual(v2.overall, SQuADScores(exactMatch: 200.0 / 3, f1: 200.0 / 3, total: 3))
        XCTAssertEqual(v2.hasAnswer, SQuADScores(exactMatch: 100, f1: 100, total: 1))
        XCTAssertEqual(v2.noAnswer, SQuADScores(exactMatch: 50, f1: 50, total: 2))
    }
}
