// ALBERT's n-gram masking: create_masked_lm_predictions of google-research/albert create_pretraining_data.py.

extension MaskedLMMasker {
    /// ALBERT's procedure on the candidate groups (words under whole-word masking, else tokens), draw for draw
    /// (Tests/Fixtures/pretraining/albert_*.json, scripts/make_albert_pretraining_goldens.py):
    /// - every start offers `ngram_indexes[start]` = the spans of 1...maxNgram consecutive groups from there
    ///   (cut short at the end of the sequence); the starts are shuffled;
    /// - for each start, until `num_to_predict` tokens are chosen: a length n is drawn from 1...maxNgram with
    ///   p ∝ 1/n (`favor_shorter_ngram`) — always over all lengths, as ALBERT's `len(cand_index_set)` is always
    ///   maxNgram, so near the end several n give the same cut span; the span is shortened while it would
    ///   overshoot `num_to_predict`, and skipped if still too long or overlapping an earlier span;
    /// - each chosen token is replaced 80/10/10 as in BERT;
    /// - the starts are shuffled once more afterwards (ALBERT's second `rng.shuffle(ngram_indexes)`, which feeds
    ///   only `do_permutation`), so the draws of every later sequence stay aligned with ALBERT's.
    /// ALBERT draws n with numpy's global generator (`np.random.choice`, never seeded by `--random_seed`); here
    /// it comes from the same stream as every other draw, with numpy's arithmetic (`pick`).
    func maskNgrams(_ tokens: [Int], using rng: inout PretrainingRandomGenerator) -> MaskedTokens {
        let groups = candidateGroups(tokens)
        var starts = Array(groups.indices)
        rng.shuffle(&starts)
        let target = predictionCount(tokenCount: tokens.count)
        let cdf = Self.favorShorterCDF(maxNgram)
        var output = tokens
        var labels = [Int](repeating: PretrainingInstance.ignoreIndex, count: tokens.count)
        var covered = Set<Int>()
        for start in starts {
            if covered.count >= target { break }
            func span(_ n: Int) -> [Int] { groups[start..<min(start + n, groups.count)].flatMap { $0 } }
            var n = Self.pick(cdf, rng.nextUnit())
            var indices = span(n)
            while covered.count + indices.count > target, n > 1 {
                n -= 1
                indices = span(n)
            }
            guard covered.count + indices.count <= target, !indices.contains(where: covered.contains) else { continue }
            for index in indices {
                covered.insert(index)
                replace(index, in: &output, labels: &labels, original: tokens, using: &rng)
            }
        }
        rng.shuffle(&starts)
        return MaskedTokens(inputIDs: output, labels: labels)
    }

    /// numpy's cumulative distribution for ALBERT's `pvals` (1/n normalised, then renormalised by `choice`):
    /// `cdf = p.cumsum(); cdf /= cdf[-1]`, in the same order of float64 operations.
    static func favorShorterCDF(_ maxNgram: Int) -> [Double] {
        let inverse = (1...maxNgram).map { 1 / Double($0) }
        let once = inverse.map { $0 / inverse.reduce(0, +) }
        let twice = once.map { $0 / once.reduce(0, +) }
        var cdf: [Double] = []
        var sum = 0.0
        for p in twice { sum += p; cdf.append(sum) }
        return cdf.map { $0 / cdf[cdf.count - 1] }
    }

    /// numpy's `cdf.searchsorted(uniform, side="right")` + 1: the 1-based n whose cumulative probability first
    /// exceeds `uniform` (a draw in [0, 1)).
    static func pick(_ cdf: [Double], _ uniform: Double) -> Int {
        (cdf.firstIndex { $0 > uniform } ?? (cdf.count - 1)) + 1
    }
}
