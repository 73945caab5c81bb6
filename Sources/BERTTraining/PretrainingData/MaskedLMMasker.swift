// create_masked_lm_predictions of Google's create_pretraining_data.py (whole-word version), on token ids.

/// A masked sequence: model inputs and labels, both as long as the unmasked tokens.
package struct MaskedTokens: Sendable, Equatable {
    /// Tokens after replacement.
    package var inputIDs: [Int]
    /// Original id at predicted positions, -100 elsewhere.
    package var labels: [Int]
}

/// Chooses the positions to predict and replaces them: 80% `[MASK]`, 10% a random vocabulary id, 10% unchanged.
///
/// Exactly Google's procedure: candidates are every non-control position (as groups of a word and its `##`
/// pieces under whole-word masking), shuffled; `num_to_predict = min(max_predictions_per_seq,
/// max(1, round(len(tokens) × masked_lm_prob)))` with `len(tokens)` counting the specials and Python's
/// round-half-to-even; groups are taken in shuffled order, skipping one that would overshoot `num_to_predict`.
/// As in Google's script, a `##` piece joins the previous candidate group even across a `[SEP]` (B can start
/// with a `##` piece after truncation from the front); a `##` piece first after `[CLS]` starts its own group.
/// A group is still masked all or nothing, and keeping the quirk keeps the random stream identical to Google's.
package struct MaskedLMMasker: Sendable {
    /// The vocabulary: special ids, continuation pieces, size for random replacements.
    package let vocabulary: PretrainingVocabulary
    /// Share of tokens to predict.
    package let maskedLMProb: Double
    /// Cap on predictions per sequence.
    package let maxPredictionsPerSeq: Int
    /// Group `##` pieces with their word.
    package let wholeWordMask: Bool
    /// ALBERT's n-gram masking: spans of up to this many candidate groups are masked together (1 = BERT's).
    package var maxNgram = 1

    /// A masker with Google's knobs.
    package init(vocabulary: PretrainingVocabulary, maskedLMProb: Double = 0.15, maxPredictionsPerSeq: Int = 20,
                wholeWordMask: Bool = false) {
        self.vocabulary = vocabulary
        self.maskedLMProb = maskedLMProb
        self.maxPredictionsPerSeq = maxPredictionsPerSeq
        self.wholeWordMask = wholeWordMask
    }

    /// The masker the configuration describes.
    package init(vocabulary: PretrainingVocabulary, configuration: PretrainingDataConfiguration) {
        self.init(vocabulary: vocabulary, maskedLMProb: configuration.maskedLMProb,
                  maxPredictionsPerSeq: configuration.maxPredictionsPerSeq,
                  wholeWordMask: configuration.wholeWordMask)
        maxNgram = configuration.maxNgram
    }

    /// How many positions Google's formula predicts in a sequence of `tokenCount` tokens (specials included).
    package func predictionCount(tokenCount: Int) -> Int {
        let rounded = Int((Double(tokenCount) * maskedLMProb).rounded(.toNearestOrEven))
        return min(maxPredictionsPerSeq, max(1, rounded))
    }

    /// The candidate groups of `tokens`, in order: single positions, or words with their `##` pieces.
    package func candidateGroups(_ tokens: [Int]) -> [[Int]] {
        var groups: [[Int]] = []
        for (i, token) in tokens.enumerated() where !vocabulary.isControl(token) {
            if wholeWordMask, !groups.isEmpty, vocabulary.isContinuation(token) {
                groups[groups.count - 1].append(i)
            } else {
                groups.append([i])
            }
        }
        return groups
    }

    /// Masks `tokens` with draws from `rng`.
    package func mask(_ tokens: [Int], using rng: inout PretrainingRandomGenerator) -> MaskedTokens {
        if maxNgram > 1 { return maskNgrams(tokens, using: &rng) }
        var groups = candidateGroups(tokens)
        rng.shuffle(&groups)
        let target = predictionCount(tokenCount: tokens.count)
        var output = tokens
        var labels = [Int](repeating: PretrainingInstance.ignoreIndex, count: tokens.count)
        var predicted = 0
        for group in groups {
            if predicted >= target { break }
            if predicted + group.count > target { continue }
            // Groups are disjoint here, so Google's covered-index check never fires.
            for index in group {
                replace(index, in: &output, labels: &labels, original: tokens, using: &rng)
                predicted += 1
            }
        }
        return MaskedTokens(inputIDs: output, labels: labels)
    }

    /// 80% `[MASK]`, 10% unchanged, 10% a random id; the label is the original token.
    func replace(_ index: Int, in output: inout [Int], labels: inout [Int], original tokens: [Int],
                 using rng: inout PretrainingRandomGenerator) {
        if rng.nextUnit() < 0.8 {
            output[index] = vocabulary.maskID
        } else if rng.nextUnit() < 0.5 {
            output[index] = tokens[index]
        } else {
            output[index] = rng.nextInt(in: 0...(vocabulary.size - 1))
        }
        labels[index] = tokens[index]
    }
}
