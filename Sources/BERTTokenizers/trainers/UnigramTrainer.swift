import Foundation

/// Hugging Face `UnigramTrainer` (tokenizers 0.23.3, `models/unigram/trainer.rs`, after sentencepiece's
/// `unigram_model_trainer.cc`): seed pieces from substring counts, then rounds of EM (expected counts by
/// forward-backward, a digamma-based M-step dropping pieces expected less than half a time) each followed by
/// pruning the pieces whose removal costs the least likelihood, until the vocabulary is within 10% of
/// `vocabSize`; the rarest pieces then go, every character is kept, and the special tokens come first.
///
/// Where the crate follows its hash map's random order (the order of words, and of required characters missing
/// from the model, which share a score), ours is first-seen and code-point order.
package struct UnigramTrainer: Sendable {
    /// The vocabulary size to reach, special tokens included.
    package var vocabSize: Int
    /// EM iterations between two prunings.
    package var subIterations: Int
    /// The share of pieces a pruning keeps (at least 1.1 × `vocabSize`).
    package var shrinkingFactor: Double
    /// Special tokens, first in the vocabulary with score 0.
    package var specialTokens: [String]
    /// The unknown token (added in front when not among `specialTokens`); nil gives a model without one.
    package var unkToken: String?
    /// Longest piece, in characters.
    package var maxPieceLength: Int
    /// Most seed pieces.
    package var seedSize: Int
    /// Characters kept in the vocabulary even if the corpus lacks them.
    package var initialAlphabet: [Unicode.Scalar]

    /// A trainer; defaults are HF's.
    package init(vocabSize: Int = 8000, subIterations: Int = 2, shrinkingFactor: Double = 0.75, specialTokens: [String] = [],
                unkToken: String? = nil, maxPieceLength: Int = 16, seedSize: Int = 1_000_000,
                initialAlphabet: [Unicode.Scalar] = []) {
        self.vocabSize = vocabSize
        self.subIterations = subIterations
        self.shrinkingFactor = shrinkingFactor
        self.specialTokens = specialTokens
        self.unkToken = unkToken
        self.maxPieceLength = maxPieceLength
        self.seedSize = seedSize
        self.initialAlphabet = initialAlphabet
    }

    /// The pieces and scores learned from `wordCounts`, in id order, and the unknown piece's id.
    /// - Throws: `TokenizerTrainingError.emptyCorpus`, `.vocabularyTooSmall` when the corpus has more distinct
    ///   characters than `vocabSize`, `.invalidSetting` for settings out of range.
    package func train(_ wordCounts: WordCounts, progress: TrainingProgressHandler? = nil) throws -> UnigramTrainingResult {
        guard wordCounts.count > 0 else { throw TokenizerTrainingError.emptyCorpus }
        guard shrinkingFactor > 0 && shrinkingFactor < 1 else {
            throw TokenizerTrainingError.invalidSetting(name: "shrinking_factor", value: "\(shrinkingFactor)", reason: "must be between 0 and 1")
        }
        guard subIterations >= 1, maxPieceLength >= 1, seedSize >= 1 else {
            throw TokenizerTrainingError.invalidSetting(name: "n_sub_iterations / max_piece_length / seed_size",
                                                        value: "\(subIterations) / \(maxPieceLength) / \(seedSize)", reason: "must be at least 1")
        }
        let words = wordCounts.words.map { $0.unicodeScalars.map(\.value) }
        let counts = wordCounts.counts
        var required = Set(words.joined())
        for scalar in initialAlphabet { required.insert(scalar.value) }
        let needsUnk = unkToken.map { unk in !specialTokens.contains { $0.utf8.elementsEqual(unk.utf8) } } ?? false
        if required.count > vocabSize || vocabSize < specialTokens.count + (needsUnk ? 1 : 0) + 1 {
            throw TokenizerTrainingError.vocabularyTooSmall(vocabSize: vocabSize, needed: required.count + specialTokens.count,
                                                            specialTokens: specialTokens.count, alphabet: required.count)
        }

        progress?(TrainingProgress(stage: "Suffix array seeds", done: 0, total: words.count))
        var pieces: [UnigramPiece] = [UnigramPiece(scalars: Array("<UNK>".unicodeScalars.map(\.value)), score: .nan)]
        let seeds = UnigramSeeds.make(words: words, counts: counts, maxPieceLength: maxPieceLength, seedSize: seedSize)
        let logTotal = log(seeds.reduce(0) { $0 + $1.score })
        pieces += seeds.map { UnigramPiece(scalars: $0.piece, score: log($0.score) - logTotal) }
        progress?(TrainingProgress(stage: "Suffix array seeds", done: words.count, total: words.count))

        let em = UnigramEM(words: words, counts: counts, vocabSize: vocabSize, shrinkingFactor: shrinkingFactor)
        let desired = vocabSize * 11 / 10
        let loops = Int((log(Double(desired)) - log(Double(pieces.count))) / log(shrinkingFactor)) + 1
        let total = max(loops, 1) * subIterations
        var done = 0
        var model = try UnigramEM.model(pieces)
        while true {
            for _ in 0..<subIterations {
                let expected = em.expectations(model, pieceCount: pieces.count)
                pieces = UnigramEM.maximization(pieces, expected: expected)
                model = try UnigramEM.model(pieces)
                done += 1
                progress?(TrainingProgress(stage: "EM training", done: min(done, total), total: total))
            }
            if pieces.count <= desired { break }
            pieces = em.prune(model, pieces)
            model = try UnigramEM.model(pieces)
        }
        progress?(TrainingProgress(stage: "EM training", done: total, total: total))
        return finalize(pieces, required: required.sorted(), needsUnk: needsUnk)
    }

    /// The crate's `finalize`: required characters first (missing ones just below the lowest score), then the
    /// most likely pieces up to the size left by the special tokens, sorted by score; special tokens in front.
    func finalize(_ pieces: [UnigramPiece], required: [UInt32], needsUnk: Bool) -> UnigramTrainingResult {
        let minScore = pieces.lazy.map(\.score).filter { !$0.isNaN }.min() ?? .infinity
        var existing: [[UInt32]: Double] = [:]
        for piece in pieces where existing[piece.scalars] == nil { existing[piece.scalars] = piece.score }
        var inserted: Set<[UInt32]> = [Array("<UNK>".unicodeScalars.map(\.value))]
        var kept: [UnigramPiece] = []
        var penalty = 0.0
        for scalar in required {
            inserted.insert([scalar])
            if let score = existing[[scalar]] {
                kept.append(UnigramPiece(scalars: [scalar], score: score))
            } else {
                kept.append(UnigramPiece(scalars: [scalar], score: minScore + penalty))
                penalty += 0.0001
            }
        }
        let room = vocabSize - specialTokens.count - (needsUnk ? 1 : 0)
        for piece in pieces where !inserted.contains(piece.scalars) {
            inserted.insert(piece.scalars)
            kept.append(UnigramPiece(scalars: piece.scalars, score: piece.score.isNaN ? 0 : piece.score))
            if kept.count == room { break }
        }
        // Stable sort by descending score, as Rust's sort_by.
        let sorted = kept.enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }
        var specials = specialTokens
        var unkId: Int?
        if let unkToken {
            if needsUnk { specials.insert(unkToken, at: 0) }
            unkId = specials.firstIndex { $0.utf8.elementsEqual(unkToken.utf8) }
        }
        let vocabulary = specials.map { (piece: $0, score: 0.0) }
            + sorted.map { (piece: String(decodingScalars: $0.element.scalars[...]), score: $0.element.score) }
        return UnigramTrainingResult(vocabulary: vocabulary, unkId: unkId)
    }
}

/// What `UnigramTrainer` learned: pieces with their log-probabilities in id order, and the unknown piece's id.
package struct UnigramTrainingResult: Sendable {
    /// `(piece, score)` by id, special tokens first.
    package var vocabulary: [(piece: String, score: Double)]
    /// The id of the unknown token, if the trainer had one.
    package var unkId: Int?
}
