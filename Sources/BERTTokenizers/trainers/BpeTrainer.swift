/// Hugging Face `BpeTrainer` (tokenizers 0.23.3, `models/bpe/trainer.rs`): learns a BPE vocabulary and merge list
/// from word counts.
///
/// The steps and every tie-break follow the crate, so the vocabulary and merges come out identical:
/// special tokens first, then the alphabet in code-point order (the rarest characters dropped past
/// `limitAlphabet`), then each word split into characters (`continuingSubwordPrefix` on all but the first,
/// `endOfWordSuffix` on the last), then merges: always the pair with the highest count, ties going to the pair
/// whose (left id, right id) is smallest, until the vocabulary is full or the best count falls below
/// `minFrequency`. Where the crate's order is its hash map's (random per process), ours is first-seen order:
/// the ids of prefixed/suffixed characters and which of equally rare characters `limitAlphabet` drops (we drop
/// the higher code point first).
package struct BpeTrainer: Sendable {
    /// The vocabulary size to reach, special tokens included.
    package var vocabSize: Int
    /// Pairs seen fewer times than this are never merged.
    package var minFrequency: Int
    /// Tokens placed first in the vocabulary, in this order.
    package var specialTokens: [String]
    /// Keep at most this many characters in the alphabet (the most frequent; `initialAlphabet` always stays).
    package var limitAlphabet: Int?
    /// Characters in the alphabet even if the corpus lacks them (byte-level BPE passes all 256 byte characters).
    package var initialAlphabet: [Unicode.Scalar]
    /// Prefix marking a token that continues a word (`##` for WordPiece).
    package var continuingSubwordPrefix: String?
    /// Suffix marking a token that ends a word (`</w>` in the original BPE paper).
    package var endOfWordSuffix: String?
    /// Pairs whose merged token would reach this many characters are not counted (HF's `max_token_length`).
    package var maxTokenLength: Int?

    /// A trainer; defaults are HF's.
    package init(vocabSize: Int = 30000, minFrequency: Int = 0, specialTokens: [String] = [], limitAlphabet: Int? = nil,
                initialAlphabet: [Unicode.Scalar] = [], continuingSubwordPrefix: String? = nil,
                endOfWordSuffix: String? = nil, maxTokenLength: Int? = nil) {
        self.vocabSize = vocabSize
        self.minFrequency = minFrequency
        self.specialTokens = specialTokens
        self.limitAlphabet = limitAlphabet
        self.initialAlphabet = initialAlphabet
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.maxTokenLength = maxTokenLength
    }

    /// Learns the vocabulary and merges of `wordCounts`.
    /// - Throws: `TokenizerTrainingError.emptyCorpus` when there are no words, `.vocabularyTooSmall` when
    ///   `vocabSize` cannot hold the special tokens and the alphabet.
    package func train(_ wordCounts: WordCounts, progress: TrainingProgressHandler? = nil) throws -> BpeTrainingResult {
        guard wordCounts.count > 0 else { throw TokenizerTrainingError.emptyCorpus }
        if let limitAlphabet, limitAlphabet < 0 {
            throw TokenizerTrainingError.invalidSetting(name: "limit_alphabet", value: "\(limitAlphabet)", reason: "must be at least 0")
        }
        var vocab = BpeVocabulary()
        for token in specialTokens { _ = vocab.add(token) }
        let alphabet = computeAlphabet(wordCounts)
        for scalar in alphabet { _ = vocab.add(String(scalar)) }
        if vocabSize < vocab.count {
            throw TokenizerTrainingError.vocabularyTooSmall(vocabSize: vocabSize, needed: vocab.count,
                                                            specialTokens: vocab.count - alphabet.count, alphabet: alphabet.count)
        }
        var state = BpeMergeState(words: splitWords(wordCounts, vocab: &vocab, progress: progress),
                                  counts: wordCounts.counts, maxTokenLength: maxTokenLength ?? Int.max)
        progress?(TrainingProgress(stage: "Count pairs", done: 0, total: wordCounts.count))
        state.countPairs()
        progress?(TrainingProgress(stage: "Count pairs", done: wordCounts.count, total: wordCounts.count))

        var merges: [(pair: UInt64, id: UInt32)] = []
        while vocab.count < vocabSize, var top = state.queue.pop() {
            let current = state.pairCounts[top.pair] ?? 0
            if top.count != current {
                // A stale entry: requeue it with its current count (its positions stay), as the crate does.
                top.count = current
                state.queue.push(top)
                continue
            }
            if top.count < 1 || minFrequency > top.count { break }
            let (left, right) = BpeMergeState.unpack(top.pair)
            var rightPart = vocab.tokens[Int(right)]
            if let prefix = continuingSubwordPrefix, let rest = rightPart.strippingBytePrefix(prefix) { rightPart = rest }
            let newId = vocab.add(vocab.tokens[Int(left)] + rightPart)
            merges.append((top.pair, newId))
            state.apply(left: left, right: right, newId: newId, at: top.positions)
            progress?(TrainingProgress(stage: "Compute merges", done: merges.count, total: vocabSize))
        }
        return BpeTrainingResult(vocabulary: vocab.tokens, merges: Self.lastOccurrences(merges, vocab.tokens))
    }

    /// The alphabet's characters in code-point order: every character of the corpus, the initial alphabet, and
    /// past `limitAlphabet` only the most frequent (counts weighted by word frequency).
    func computeAlphabet(_ wordCounts: WordCounts) -> [Unicode.Scalar] {
        var frequency: [UInt32: Int] = [:]
        for (word, count) in zip(wordCounts.words, wordCounts.counts) {
            for scalar in word.unicodeScalars { frequency[scalar.value, default: 0] &+= count }
        }
        for scalar in initialAlphabet { frequency[scalar.value] = Int.max }
        var kept = frequency.map { (scalar: $0.key, count: $0.value) }
        let toRemove = limitAlphabet.map { max(frequency.count - $0, 0) } ?? 0
        if toRemove > 0 {
            kept.sort { $0.count != $1.count ? $0.count < $1.count : $0.scalar > $1.scalar }
            kept.removeFirst(toRemove)
        }
        return kept.map(\.scalar).sorted().compactMap(Unicode.Scalar.init)
    }

    /// Each word as symbols, one per character kept in the alphabet (HF `tokenize_words`); adds the prefixed and
    /// suffixed characters to the vocabulary as words first need them.
    func splitWords(_ wordCounts: WordCounts, vocab: inout BpeVocabulary, progress: TrainingProgressHandler?) -> [[BpeSymbol]] {
        var cache: [UInt64: UInt32] = [:]
        var words: [[BpeSymbol]] = []
        words.reserveCapacity(wordCounts.count)
        let total = wordCounts.count
        progress?(TrainingProgress(stage: "Tokenize words", done: 0, total: total))
        for (n, word) in wordCounts.words.enumerated() {
            var symbols: [BpeSymbol] = []
            let scalars = Array(word.unicodeScalars)
            for (k, scalar) in scalars.enumerated() {
                let prefixed = k > 0 && continuingSubwordPrefix != nil
                let suffixed = k == scalars.count - 1 && endOfWordSuffix != nil
                let key = UInt64(scalar.value) << 2 | (prefixed ? 1 : 0) | (suffixed ? 2 : 0)
                if let id = cache[key] {
                    symbols.append(BpeSymbol(id: id, length: 1))
                    continue
                }
                // Characters dropped from the alphabet are dropped from the word.
                guard vocab.id(String(scalar)) != nil else { continue }
                var token = String(scalar)
                if prefixed, let prefix = continuingSubwordPrefix { token = prefix + token }
                if suffixed, let suffix = endOfWordSuffix { token += suffix }
                let id = vocab.add(token)
                cache[key] = id
                symbols.append(BpeSymbol(id: id, length: 1))
            }
            words.append(symbols)
            if n & 0xFFF == 0xFFF { progress?(TrainingProgress(stage: "Tokenize words", done: n + 1, total: total)) }
        }
        progress?(TrainingProgress(stage: "Tokenize words", done: total, total: total))
        return words
    }

    /// The merges as token pairs, each pair once at its last position: the crate stores merges in a map keyed by
    /// pair, so a pair merged twice (possible when two pairs make the same string) keeps its later rank.
    static func lastOccurrences(_ merges: [(pair: UInt64, id: UInt32)], _ tokens: [String]) -> [(String, String)] {
        var last: [UInt64: Int] = [:]
        for (i, merge) in merges.enumerated() { last[merge.pair] = i }
        return merges.enumerated().compactMap { i, merge in
            guard last[merge.pair] == i else { return nil }
            let (left, right) = BpeMergeState.unpack(merge.pair)
            return (tokens[Int(left)], tokens[Int(right)])
        }
    }
}

/// What `BpeTrainer` learned: the vocabulary by id and the merges in rank order.
package struct BpeTrainingResult: Sendable {
    /// `vocabulary[id]` is the token of `id`.
    package var vocabulary: [String]
    /// The merges, highest priority first.
    package var merges: [(String, String)]
}

/// The growing vocabulary: tokens by id and ids by token.
struct BpeVocabulary {
    private(set) var tokens: [String] = []
    private var ids: [ExactString: UInt32] = [:]

    var count: Int { tokens.count }

    func id(_ token: String) -> UInt32? { ids[ExactString(token)] }

    /// The id of `token`, adding it at the end when new.
    mutating func add(_ token: String) -> UInt32 {
        let key = ExactString(token)
        if let id = ids[key] { return id }
        let id = UInt32(tokens.count)
        ids[key] = id
        tokens.append(token)
        return id
    }
}
