import BERTTokenizers

/// Adapts a BERT `Tokenizer` to the pre-training data pipeline: WordPiece pieces without special tokens.
public struct WordPiecePretrainingTokenizer: PretrainingTokenizer {
    /// The wrapped tokenizer.
    public let tokenizer: Tokenizer
    public let vocabulary: [String]

    /// Wraps `tokenizer` with its truncation and padding turned off (whole sentences, no [PAD]); the vocabulary is
    /// read once by id.
    public init(_ tokenizer: Tokenizer) throws {
        var plain = tokenizer
        try plain.setTruncation(nil)
        plain.padding = nil
        self.tokenizer = plain
        vocabulary = (0..<tokenizer.vocabularySize).map { tokenizer.idToToken($0) ?? "[unused\($0)]" }
    }

    public func tokenize(_ text: String) -> [String] {
        (try? tokenizer.encode(text, addSpecialTokens: false).tokens) ?? []
    }

    public func id(of token: String) -> Int? { tokenizer.tokenToId(token) }
}
