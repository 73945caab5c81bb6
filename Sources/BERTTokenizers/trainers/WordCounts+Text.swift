extension WordCounts {
    /// Counts the words of `text` as HF's `Tokenizer::train` feeds them to a trainer: the normalised text split by
    /// the pre-tokenizer, each split's normalised string one word (`get_splits`).
    public mutating func addWords(of text: String, normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?) {
        var scratch = WordSplitScratch()
        addWords(of: text, normalizer: normalizer, preTokenizer: preTokenizer, scratch: &scratch)
    }

    mutating func addWords(of text: String, normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?,
                           scratch: inout WordSplitScratch) {
        scratch.codePoints.removeAll(keepingCapacity: true)
        for scalar in text.unicodeScalars { scratch.codePoints.append(scalar.value) }
        let cps = scratch.codePoints
        var normalized: NormalizedString
        if let normalizer {
            normalized = NormalizedString(capacity: cps.count)
            normalizer.normalize(cps, range: 0..<cps.count, into: &normalized)
        } else {
            normalized = NormalizedString(cps, range: 0..<cps.count)
        }
        scratch.words.removeAll(keepingCapacity: true)
        if let preTokenizer {
            preTokenizer.preTokenize(normalized, range: 0..<normalized.count, into: &scratch.words)
        } else if normalized.count > 0 {
            scratch.words.append(0..<normalized.count)
        }
        for word in scratch.words where !word.isEmpty {
            add(String(decodingScalars: normalized.scalars[word]))
        }
    }

    /// Counts the words of every text in `texts`, reporting progress per text (stage "Count words").
    public init(texts: [String], normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?,
                progress: TrainingProgressHandler? = nil) {
        self.init()
        var scratch = WordSplitScratch()
        progress?(TrainingProgress(stage: "Count words", done: 0, total: texts.count))
        for (i, text) in texts.enumerated() {
            addWords(of: text, normalizer: normalizer, preTokenizer: preTokenizer, scratch: &scratch)
            if i & 0x3FF == 0x3FF { progress?(TrainingProgress(stage: "Count words", done: i + 1, total: texts.count)) }
        }
        progress?(TrainingProgress(stage: "Count words", done: texts.count, total: texts.count))
    }
}

/// Buffers reused from text to text while counting words.
struct WordSplitScratch {
    var codePoints: [UInt32] = []
    var words: [Range<Int>] = []
}
