/// Precision, recall, F1 and support for one label or one average.
///
/// For an average, `support` is the number of reference (true) instances summed over the labels,
/// which scikit-learn reports as `None`.
package struct PrecisionRecallF1: Equatable, Sendable {
    /// tp / (tp + fp), or 0 when nothing was predicted (`zero_division=0`).
    package var precision: Double
    /// tp / (tp + fn), or 0 when nothing is in the reference.
    package var recall: Double
    /// 2·tp / (2·tp + fp + fn), or 0 when both are empty.
    package var f1: Double
    /// Reference instances counted.
    package var support: Int

    /// Creates a score record.
    package init(precision: Double, recall: Double, f1: Double, support: Int) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
    }
}

/// How per-label scores are combined, as scikit-learn's `average` argument.
package enum ClassificationAverage: Equatable, Sendable {
    /// Scores of `positiveLabel` only (scikit-learn's `average="binary"`, `pos_label`).
    case binary(positiveLabel: Int)
    /// Global counts of true positives, false positives and false negatives.
    case micro
    /// The unweighted mean of the per-label scores.
    case macro
    /// The mean of the per-label scores weighted by each label's support.
    case weighted
}

/// Single-label classification metrics that mirror scikit-learn (`accuracy_score`,
/// `precision_recall_fscore_support`, `f1_score`, `confusion_matrix`) with `zero_division=0`.
///
/// Labels are class ids. Unless `labels` is given, the labels scored are the sorted union of the ids in
/// `predictions` and `references`, as scikit-learn's `unique_labels`.
package enum ClassificationMetrics {
    /// The fraction of positions where the prediction equals the reference (0 for empty input).
    package static func accuracy(predictions: [Int], references: [Int]) -> Double {
        precondition(predictions.count == references.count, "accuracy: \(predictions.count) predictions for \(references.count) references")
        guard !references.isEmpty else { return 0 }
        let correct = zip(predictions, references).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(references.count)
    }

    /// The per-label scores, in the order of `labels` (default: the sorted union of the ids present).
    package static func perLabelScores(predictions: [Int], references: [Int], labels: [Int]? = nil) -> [(label: Int, scores: PrecisionRecallF1)] {
        let labels = labels ?? sortedUnion(predictions, references)
        let counts = labelCounts(predictions: predictions, references: references, labels: labels)
        return labels.indices.map { (labels[$0], scores(counts[$0])) }
    }

    /// Precision, recall and F1 combined as `average` says (scikit-learn's `precision_recall_fscore_support`).
    ///
    /// `.binary` scores its positive label alone and ignores `labels`. `predictions` and `references` must have
    /// equal lengths (a precondition, as for every metric here).
    package static func scores(predictions: [Int], references: [Int], average: ClassificationAverage, labels: [Int]? = nil) -> PrecisionRecallF1 {
        let labels: [Int] = {
            if case let .binary(positive) = average { return [positive] }
            return labels ?? sortedUnion(predictions, references)
        }()
        let counts = labelCounts(predictions: predictions, references: references, labels: labels)
        return combine(counts, average: average)
    }

    /// F1 alone, combined as `average` says (scikit-learn's `f1_score`).
    package static func f1(predictions: [Int], references: [Int], average: ClassificationAverage, labels: [Int]? = nil) -> Double {
        scores(predictions: predictions, references: references, average: average, labels: labels).f1
    }

    /// The confusion matrix: entry [i][j] counts references `labels[i]` predicted as `labels[j]`
    /// (rows are references, columns predictions, as scikit-learn). Ids outside `labels` are ignored.
    package static func confusionMatrix(predictions: [Int], references: [Int], labels: [Int]? = nil) -> [[Int]] {
        precondition(predictions.count == references.count, "confusionMatrix: \(predictions.count) predictions for \(references.count) references")
        let labels = labels ?? sortedUnion(predictions, references)
        var index: [Int: Int] = [:]
        for (i, label) in labels.enumerated() { index[label] = i }
        var matrix = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
        for (p, r) in zip(predictions, references) {
            if let i = index[r], let j = index[p] { matrix[i][j] += 1 }
        }
        return matrix
    }

    // MARK: shared with the multi-label and entity metrics

    /// True positives, predicted positives and reference positives of one label.
    struct Counts {
        var truePositives = 0, predicted = 0, actual = 0
    }

    static func scores(_ c: Counts) -> PrecisionRecallF1 {
        let precision = c.predicted == 0 ? 0 : Double(c.truePositives) / Double(c.predicted)
        let recall = c.actual == 0 ? 0 : Double(c.truePositives) / Double(c.actual)
        // scikit-learn ≥ 1.3 computes F from counts: (1 + β²)·tp / (β²·actual + predicted).
        let denominator = c.actual + c.predicted
        let f1 = denominator == 0 ? 0 : 2 * Double(c.truePositives) / Double(denominator)
        return PrecisionRecallF1(precision: precision, recall: recall, f1: f1, support: c.actual)
    }

    static func combine(_ counts: [Counts], average: ClassificationAverage) -> PrecisionRecallF1 {
        let support = counts.reduce(0) { $0 + $1.actual }
        switch average {
        case .binary, .micro:
            var total = Counts()
            for c in counts {
                total.truePositives += c.truePositives; total.predicted += c.predicted; total.actual += c.actual
            }
            return scores(total)
        case .macro:
            let each = counts.map(scores)
            let n = Double(each.count)
            return PrecisionRecallF1(precision: each.reduce(0) { $0 + $1.precision } / n, recall: each.reduce(0) { $0 + $1.recall } / n,
                                     f1: each.reduce(0) { $0 + $1.f1 } / n, support: support)
        case .weighted:
            guard support > 0 else { return PrecisionRecallF1(precision: 0, recall: 0, f1: 0, support: 0) }
            let each = counts.map(scores)
            let w = Double(support)
            func mean(_ value: (PrecisionRecallF1) -> Double) -> Double {
                each.reduce(0) { $0 + value($1) * Double($1.support) } / w
            }
            return PrecisionRecallF1(precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), support: support)
        }
    }

    private static func labelCounts(predictions: [Int], references: [Int], labels: [Int]) -> [Counts] {
        precondition(predictions.count == references.count, "classification metrics: \(predictions.count) predictions for \(references.count) references")
        var index: [Int: Int] = [:]
        for (i, label) in labels.enumerated() { index[label] = i }
        var counts = Array(repeating: Counts(), count: labels.count)
        for (p, r) in zip(predictions, references) {
            if let j = index[p] { counts[j].predicted += 1 }
            if let i = index[r] {
                counts[i].actual += 1
                if p == r { counts[i].truePositives += 1 }
            }
        }
        return counts
    }

    private static func sortedUnion(_ a: [Int], _ b: [Int]) -> [Int] { Array(Set(a).union(b)).sorted() }
}
