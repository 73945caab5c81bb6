/// Hugging Face `WordPieceTrainer` (tokenizers 0.23.3, `models/wordpiece/trainer.rs`): a `BpeTrainer` with the
/// continuing-subword prefix `##` whose vocabulary (merges dropped) becomes the WordPiece vocabulary.
package struct WordPieceTrainer: Sendable {
    /// The BPE trainer doing the work; its `continuingSubwordPrefix` is the WordPiece prefix.
    package var bpe: BpeTrainer

    /// A trainer; defaults are HF's (`##` prefix, 30,000 tokens).
    package init(vocabSize: Int = 30000, minFrequency: Int = 0, specialTokens: [String] = [], limitAlphabet: Int? = nil,
                initialAlphabet: [Unicode.Scalar] = [], continuingSubwordPrefix: String = "##") {
        bpe = BpeTrainer(vocabSize: vocabSize, minFrequency: minFrequency, specialTokens: specialTokens,
                         limitAlphabet: limitAlphabet, initialAlphabet: initialAlphabet,
                         continuingSubwordPrefix: continuingSubwordPrefix)
    }

    /// The WordPiece vocabulary learned from `wordCounts`, by id.
    /// - Throws: as `BpeTrainer.train`.
    package func train(_ wordCounts: WordCounts, progress: TrainingProgressHandler? = nil) throws -> [String] {
        try bpe.train(wordCounts, progress: progress).vocabulary
    }
}
