// The knobs of create_pretraining_data.py (same names, same defaults) plus the objective and masking mode.

/// Which sentence-level task, if any, the instances carry.
public enum PretrainingObjective: String, Sendable, Codable {
    /// BERT: B is the real next segment (label 0) or, half the time, a span of another document (label 1).
    case nextSentencePrediction = "nsp"
    /// ALBERT: B is always the real next segment; half the time A and B are swapped (label 1).
    case sentenceOrderPrediction = "sop"
    /// RoBERTa: contiguous blocks of `max_seq_length`, masked LM only, no sentence label (-100).
    case maskedLMOnly = "mlm"
}

/// Settings of an instance generator; recorded in the instance file's header.
public struct PretrainingDataConfiguration: Sendable, Codable, Equatable {
    /// Hard limit on tokens per instance, specials included (Google: `max_seq_length`, 128).
    public var maxSeqLength: Int
    /// Chance that an instance targets a random shorter length in 2...max_seq_length-3 (Google: 0.1).
    public var shortSeqProb: Double
    /// Times the corpus is passed over, each with fresh random choices (Google: 10).
    public var dupeFactor: Int
    /// Share of tokens predicted (Google: 0.15): `min(max_predictions, max(1, round(len(tokens) × prob)))`.
    public var maskedLMProb: Double
    /// Cap on predictions per instance (Google: 20).
    public var maxPredictionsPerSeq: Int
    /// Mask whole words: a word's `##` pieces are chosen together with it (Google: `do_whole_word_mask`).
    public var wholeWordMask: Bool
    /// Seed of the single generator behind every random choice.
    public var seed: UInt64
    /// NSP, SOP or MLM-only.
    public var objective: PretrainingObjective

    /// Google's defaults unless given.
    public init(maxSeqLength: Int = 128, shortSeqProb: Double = 0.1, dupeFactor: Int = 10,
                maskedLMProb: Double = 0.15, maxPredictionsPerSeq: Int = 20, wholeWordMask: Bool = false,
                seed: UInt64 = 12345, objective: PretrainingObjective = .nextSentencePrediction) {
        self.maxSeqLength = maxSeqLength
        self.shortSeqProb = shortSeqProb
        self.dupeFactor = dupeFactor
        self.maskedLMProb = maskedLMProb
        self.maxPredictionsPerSeq = maxPredictionsPerSeq
        self.wholeWordMask = wholeWordMask
        self.seed = seed
        self.objective = objective
    }

    /// Google's flag names, so the instance file's header reads like its command line.
    enum CodingKeys: String, CodingKey {
        case maxSeqLength = "max_seq_length", shortSeqProb = "short_seq_prob", dupeFactor = "dupe_factor"
        case maskedLMProb = "masked_lm_prob", maxPredictionsPerSeq = "max_predictions_per_seq"
        case wholeWordMask = "do_whole_word_mask", seed = "random_seed", objective
    }

    /// Throws `invalidConfiguration` naming the first bad value.
    public func validate() throws {
        func fail(_ message: String) throws -> Never { throw PretrainingDataError.invalidConfiguration(message) }
        if maxSeqLength < 5 { try fail("max_seq_length \(maxSeqLength) must be at least 5 ([CLS] A [SEP] B [SEP])") }
        if !(0...1).contains(shortSeqProb) { try fail("short_seq_prob \(shortSeqProb) must be in [0, 1]") }
        if dupeFactor < 1 { try fail("dupe_factor \(dupeFactor) must be at least 1") }
        if !(0...1).contains(maskedLMProb) { try fail("masked_lm_prob \(maskedLMProb) must be in [0, 1]") }
        if maxPredictionsPerSeq < 0 { try fail("max_predictions_per_seq \(maxPredictionsPerSeq) must be ≥ 0") }
    }
}
