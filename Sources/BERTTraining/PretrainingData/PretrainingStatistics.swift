// Counts that show the masking and sentence labels came out as specified (15%, 80/10/10, 50/50).

/// Aggregate statistics over instances, computed from the instances alone plus the special ids.
///
/// A candidate is a real token that is not `[CLS]`, `[SEP]`, `[PAD]` or `[MASK]` in the original sequence.
/// A prediction whose input is `[MASK]` counts as masked, one whose input equals its label as kept (a random
/// draw that hits the original word is counted as kept, ~1/vocab of the random ones), anything else as random.
package struct PretrainingStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Instances seen.
    package var instanceCount = 0
    /// Real (unpadded) tokens.
    package var tokenCount = 0
    /// Masking candidates.
    package var candidateCount = 0
    /// Positions with a label.
    package var predictedCount = 0
    /// Predictions replaced by `[MASK]`.
    package var maskedCount = 0
    /// Predictions replaced by a random id.
    package var randomCount = 0
    /// Predictions left unchanged.
    package var keptCount = 0
    /// Instances with sentence label 0 (B follows A / original order).
    package var labelZeroCount = 0
    /// Instances with sentence label 1 (random B / swapped).
    package var labelOneCount = 0

    /// Empty statistics.
    package init() {}

    /// Statistics of `instances`.
    package init(instances: some Sequence<PretrainingInstance>, vocabulary: PretrainingVocabulary) {
        for instance in instances { add(instance, vocabulary: vocabulary) }
    }

    /// Adds one instance.
    package mutating func add(_ instance: PretrainingInstance, vocabulary: PretrainingVocabulary) {
        instanceCount += 1
        for i in 0..<instance.sequenceLength where instance.attentionMask[i] == 1 {
            tokenCount += 1
            let label = instance.labels[i], input = instance.inputIDs[i]
            let original = label == PretrainingInstance.ignoreIndex ? input : label
            if !vocabulary.isControl(original) { candidateCount += 1 }
            guard label != PretrainingInstance.ignoreIndex else { continue }
            predictedCount += 1
            if input == vocabulary.maskID { maskedCount += 1 } else if input == label { keptCount += 1 } else { randomCount += 1 }
        }
        if instance.nextSentenceLabel == 0 { labelZeroCount += 1 }
        if instance.nextSentenceLabel == 1 { labelOneCount += 1 }
    }

    private static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    /// Share of candidates that were chosen for prediction (≈ masked_lm_prob when the cap does not bind).
    package var predictedFraction: Double { Self.ratio(predictedCount, candidateCount) }
    /// Share of predictions replaced by `[MASK]` (≈ 0.8).
    package var maskedShare: Double { Self.ratio(maskedCount, predictedCount) }
    /// Share of predictions replaced by a random id (≈ 0.1).
    package var randomShare: Double { Self.ratio(randomCount, predictedCount) }
    /// Share of predictions left unchanged (≈ 0.1).
    package var keptShare: Double { Self.ratio(keptCount, predictedCount) }
    /// Share of labelled instances with sentence label 1 (≈ 0.5).
    package var labelOneShare: Double { Self.ratio(labelOneCount, labelZeroCount + labelOneCount) }

    /// One line with the counts and shares, for logs and test output.
    package var description: String {
        func pct(_ x: Double) -> String { String(Double(Int((x * 10000).rounded())) / 100) + "%" }
        return "\(instanceCount) instances, \(tokenCount) tokens, \(candidateCount) candidates, "
            + "\(predictedCount) predicted (\(pct(predictedFraction)) of candidates): [MASK] \(pct(maskedShare)), "
            + "random \(pct(randomShare)), kept \(pct(keptShare)); sentence label 1: \(pct(labelOneShare)) "
            + "(\(labelOneCount) of \(labelZeroCount + labelOneCount))"
    }
}
