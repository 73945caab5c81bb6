// ALBERT's n-gram masking: create_masked_lm_predictions of google-research/albert create_pretraining_data.py.

extension MaskedLMMasker {
    /// ALBERT's procedure on the candidate groups (words under whole-word masking, else tokens): every start
    /// position offers the spans of 1...maxNgram consecutive groups; the starts are shuffled; for each, a span
    /// length n is drawn with p ∝ 1/n (`favor_shorter_ngram`) among the lengths available there, shortened while it
    /// would overshoot `num_to_predict`, and skipped if still too long or overlapping an earlier span. Each chosen
    /// token is replaced 80/10/10 as in BERT. The number of predictions is BERT's formula.
    func maskNgrams(_ tokens: [Int], using rng: inout PretrainingRandomGenerator) -> MaskedTokens {
        let groups = candidateGroups(tokens)
        var starts = Array(groups.indices)
        rng.shuffle(&starts)
        let target = predictionCount(tokenCount: tokens.count)
        var output = tokens
        var labels = [Int](repeating: PretrainingInstance.ignoreIndex, count: tokens.count)
        var covered = Set<Int>()
        for start in starts {
            if covered.count >= target { break }
            let available = min(maxNgram, groups.count - start)
            let weights = (1...available).map { 1 / Double($0) }
            var n = Self.pick(weights, rng.nextUnit() * weights.reduce(0, +))
            var span = groups[start..<(start + n)].flatMap { $0 }
            while covered.count + span.count > target, n > 1 {
                n -= 1
                span = groups[start..<(start + n)].flatMap { $0 }
            }
            guard covered.count + span.count <= target, !span.contains(where: covered.contains) else { continue }
            for index in span {
                covered.insert(index)
                replace(index, in: &output, labels: &labels, original: tokens, using: &rng)
            }
        }
        return MaskedTokens(inputIDs: output, labels: labels)
    }

    /// The 1-based index whose cumulative weight first exceeds `draw` (a draw in [0, Σ weights)).
    static func pick(_ weights: [Double], _ draw: Double) -> Int {
        var rest = draw
        for (i, w) in weights.enumerated() {
            if rest < w { return i + 1 }
            rest -= w
        }
        return weights.count
    }
}
