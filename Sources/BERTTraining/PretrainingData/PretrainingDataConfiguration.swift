// The knobs of create_pretraining_data.py (same names, same defaults) plus the objective and masking mode.

/// Which sentence-level task, if any, the instances carry.
package enum PretrainingObjective: String, Sendable, Codable {
    /// BERT: B is the real next segment (label 0) or, half the time, a span of another document (label 1).
    case nextSentencePrediction = "nsp"
    /// ALBERT: B is always the real next segment; half the time A and B are swapped (label 1).
    case sentenceOrderPrediction = "sop"
    /// RoBERTa: contiguous blocks of `max_seq_length`, masked LM only, no sentence label (-100).
    case maskedLMOnly = "mlm"
}

/// How an NSP chunk of a single sentence gets its B, which decides the share of label 1.
package enum NextSentenceRule: String, Sendable, Codable, CaseIterable {
    /// The coin is always drawn first: heads (½) → a random B, label 1. Tails on a one-sentence chunk cut the
    /// sentence at a random token (A = before, B = after, label 0); only a one-token sentence still takes a random
    /// B. The label-1 share is ½ + forcedRandomNext / instances, ≈ ½ on prose.
    case balanced
    /// Google's `create_pretraining_data.py`: a one-sentence chunk always takes a random B and draws no coin, so
    /// the label-1 share is ½ + ½ · forcedRandomNext / instances (≈ 55.6% with short_seq_prob 0.1 on our test
    /// corpus). Reproduces Google's instances draw for draw.
    case google

    /// Decodes a raw value, naming the accepted ones when it is unknown.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let rule = NextSentenceRule(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "next_sentence_rule \"\(raw)\" is unknown; use "
                    + Self.allCases.map(\.rawValue).joined(separator: " or "))
        }
        self = rule
    }
}

/// Settings of an instance generator; recorded in the instance file's header.
package struct PretrainingDataConfiguration: Sendable, Codable, Equatable {
    /// Hard limit on tokens per instance, specials included (Google: `max_seq_length`, 128).
    package var maxSeqLength: Int
    /// Chance that an instance targets a random shorter length in 2...max_seq_length-3 (Google: 0.1).
    package var shortSeqProb: Double
    /// Times the corpus is passed over, each with fresh random choices (Google: 10).
    package var dupeFactor: Int
    /// Share of tokens predicted (Google: 0.15): `min(max_predictions, max(1, round(len(tokens) × prob)))`.
    package var maskedLMProb: Double
    /// Cap on predictions per instance (Google: 20).
    package var maxPredictionsPerSeq: Int
    /// Mask whole words: a word's `##` pieces are chosen together with it (Google: `do_whole_word_mask`).
    package var wholeWordMask: Bool
    /// Seed of the single generator behind every random choice.
    package var seed: UInt64
    /// NSP, SOP or MLM-only.
    package var objective: PretrainingObjective
    /// NSP only: how a one-sentence chunk gets its B (`.balanced`, or Google's rule for parity with its script).
    package var nextSentenceRule: NextSentenceRule
    /// ALBERT's n-gram masking (`max_ngram` of its create_pretraining_data, 3 there): spans of 1...maxNgram words
    /// masked together, shorter spans likelier (p ∝ 1/n). 1 is BERT's token (or whole-word) masking.
    package var maxNgram = 1

    /// Google's defaults unless given, except `nextSentenceRule` (`.balanced`: 50/50 NSP labels).
    package init(maxSeqLength: Int = 128, shortSeqProb: Double = 0.1, dupeFactor: Int = 10,
                maskedLMProb: Double = 0.15, maxPredictionsPerSeq: Int = 20, wholeWordMask: Bool = false,
                seed: UInt64 = 12345, objective: PretrainingObjective = .nextSentencePrediction,
                nextSentenceRule: NextSentenceRule = .balanced) {
        self.maxSeqLength = maxSeqLength
        self.shortSeqProb = shortSeqProb
        self.dupeFactor = dupeFactor
        self.maskedLMProb = maskedLMProb
        self.maxPredictionsPerSeq = maxPredictionsPerSeq
        self.wholeWordMask = wholeWordMask
        self.seed = seed
        self.objective = objective
        self.nextSentenceRule = nextSentenceRule
    }

    /// Google's flag names, so the instance file's header reads like its command line.
    enum CodingKeys: String, CodingKey {
        case maxSeqLength = "max_seq_length", shortSeqProb = "short_seq_prob", dupeFactor = "dupe_factor"
        case maskedLMProb = "masked_lm_prob", maxPredictionsPerSeq = "max_predictions_per_seq"
        case wholeWordMask = "do_whole_word_mask", seed = "random_seed", objective
        case nextSentenceRule = "next_sentence_rule", maxNgram = "max_ngram"
    }

    /// Reads the JSON form. A missing `next_sentence_rule` means `google`: files written before the setting
    /// existed were all made with Google's rule, so their headers still say how to regenerate them.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(maxSeqLength: try c.decode(Int.self, forKey: .maxSeqLength),
                  shortSeqProb: try c.decode(Double.self, forKey: .shortSeqProb),
                  dupeFactor: try c.decode(Int.self, forKey: .dupeFactor),
                  maskedLMProb: try c.decode(Double.self, forKey: .maskedLMProb),
                  maxPredictionsPerSeq: try c.decode(Int.self, forKey: .maxPredictionsPerSeq),
                  wholeWordMask: try c.decode(Bool.self, forKey: .wholeWordMask),
                  seed: try c.decode(UInt64.self, forKey: .seed),
                  objective: try c.decode(PretrainingObjective.self, forKey: .objective),
                  nextSentenceRule: try c.decodeIfPresent(NextSentenceRule.self, forKey: .nextSentenceRule) ?? .google)
        maxNgram = try c.decodeIfPresent(Int.self, forKey: .maxNgram) ?? 1
    }

    /// Writes every setting; `max_ngram` only when n-gram masking is on, so BERT files keep their header bytes.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(maxSeqLength, forKey: .maxSeqLength); try c.encode(shortSeqProb, forKey: .shortSeqProb)
        try c.encode(dupeFactor, forKey: .dupeFactor); try c.encode(maskedLMProb, forKey: .maskedLMProb)
        try c.encode(maxPredictionsPerSeq, forKey: .maxPredictionsPerSeq); try c.encode(wholeWordMask, forKey: .wholeWordMask)
        try c.encode(seed, forKey: .seed); try c.encode(objective, forKey: .objective)
        try c.encode(nextSentenceRule, forKey: .nextSentenceRule)
        if maxNgram != 1 { try c.encode(maxNgram, forKey: .maxNgram) }
    }

    /// Throws `invalidConfiguration` naming the first bad value.
    package func validate() throws {
        func fail(_ message: String) throws -> Never { throw PretrainingDataError.invalidConfiguration(message) }
        if maxSeqLength < 5 { try fail("max_seq_length \(maxSeqLength) must be at least 5 ([CLS] A [SEP] B [SEP])") }
        if !(0...1).contains(shortSeqProb) { try fail("short_seq_prob \(shortSeqProb) must be in [0, 1]") }
        if dupeFactor < 1 { try fail("dupe_factor \(dupeFactor) must be at least 1") }
        if !(0...1).contains(maskedLMProb) { try fail("masked_lm_prob \(maskedLMProb) must be in [0, 1]") }
        if maxPredictionsPerSeq < 0 { try fail("max_predictions_per_seq \(maxPredictionsPerSeq) must be ≥ 0") }
        if !(1...10).contains(maxNgram) { try fail("max_ngram \(maxNgram) must be in 1...10") }
    }
}
