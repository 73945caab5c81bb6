/// Multi-label metrics on thresholded scores, as scikit-learn's `precision_recall_fscore_support` on
/// label-indicator matrices.
package enum MultiLabelMetrics {
    /// Scores per label column and their micro and macro averages.
    package struct Report: Equatable, Sendable {
        /// One entry per label column.
        package var perLabel: [PrecisionRecallF1]
        /// Counts pooled over every (example, label) cell.
        package var micro: PrecisionRecallF1
        /// The unweighted mean over label columns.
        package var macro: PrecisionRecallF1
    }

    /// Scores `[examples][labels]` predictions against 0/1 references.
    ///
    /// A label is predicted when its score is `>= threshold` (pass probabilities with 0.5, or logits with 0).
    /// - Parameters:
    ///   - scores: `[examples][labels]` probabilities or logits.
    ///   - references: `[examples][labels]` booleans: the label applies.
    package static func report(scores: [[Double]], references: [[Bool]], threshold: Double = 0.5) -> Report {
        precondition(scores.count == references.count, "MultiLabelMetrics: \(scores.count) rows of scores for \(references.count) rows of references")
        let width = references.first?.count ?? 0
        var counts = Array(repeating: ClassificationMetrics.Counts(), count: width)
        for (row, (s, r)) in zip(scores, references).enumerated() {
            precondition(s.count == width && r.count == width, "MultiLabelMetrics: row \(row) has \(s.count) scores and \(r.count) references, expected \(width)")
            for k in 0..<width {
                let predicted = s[k] >= threshold
                if predicted { counts[k].predicted += 1 }
                if r[k] { counts[k].actual += 1 }
                if predicted && r[k] { counts[k].truePositives += 1 }
            }
        }
        return Report(perLabel: counts.map(ClassificationMetrics.scores),
                      micro: ClassificationMetrics.combine(counts, average: .micro),
                      macro: ClassificationMetrics.combine(counts, average: .macro))
    }
}
