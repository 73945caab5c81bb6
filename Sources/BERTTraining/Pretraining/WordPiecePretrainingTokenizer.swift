import BERTTokenizers

/// Adapts a BERT `Tokenizer` to the pre-training data pipeline: WordPiece pieces without special tokens.
package struct WordPiecePretrainingTokenizer: PretrainingTokenizer {
    /// The wrapped tokenizer.
    package let tokenizer: Tokenizer
    package let vocabulary: [String]

    /// Wraps `tokenizer` with its truncation and padding turned off (whole sentences, no [PAD]); the vocabulary is
    /// read once by id.
    package init(_ tokenizer: Tokenizer) throws {
        var plain = tokenizer
        try plain.setTruncation(nil)
        plain.padding = nil
        self.tokenizer = plain
        vocabulary = (0..<tokenizer.vocabularySize).map { tokenizer.idToToken($0) ?? "[unused\($0)]" }
    }

    package func tokenize(_ text: String) -> [String] {
        (try? tokenizer.encode(text, addSpecialTokens: false).tokens) ?? []
    }

    package func id(of token: String) -> Int? { tokenizer.tokenToId(token) }
}
