// Tokenization is injected: the pipeline needs only text → word pieces, piece → id, and the vocabulary list
// (Google's `create_pretraining_data.py` draws its random replacement words from that list).

/// What the pre-training data pipeline needs from a tokenizer. A WordPiece tokenizer conforms by returning its
/// pieces (continuations spelled with a leading `##`, as BERT's vocab.txt does) and its vocabulary in id order.
package protocol PretrainingTokenizer {
    /// Splits `text` (one sentence or one line) into vocabulary pieces, without special tokens.
    func tokenize(_ text: String) -> [String]
    /// The id of `token`, or nil when it is not in the vocabulary.
    func id(of token: String) -> Int?
    /// Every token, indexed by id.
    var vocabulary: [String] { get }
}

/// The names of the special tokens in the vocabulary (BERT's by default).
package struct PretrainingSpecialTokens: Sendable, Equatable, Codable {
    /// Start of every instance.
    package var cls: String
    /// End of segment A and of segment B.
    package var sep: String
    /// The replacement for 80% of the predicted tokens.
    package var mask: String
    /// Fills positions past the end of an instance.
    package var pad: String
    /// What a piece missing from the vocabulary maps to.
    package var unk: String

    /// Names the five special tokens.
    package init(cls: String = "[CLS]", sep: String = "[SEP]", mask: String = "[MASK]", pad: String = "[PAD]",
                unk: String = "[UNK]") {
        self.cls = cls; self.sep = sep; self.mask = mask; self.pad = pad; self.unk = unk
    }

    /// BERT's names: `[CLS]`, `[SEP]`, `[MASK]`, `[PAD]`, `[UNK]`.
    package static let bert = PretrainingSpecialTokens()
}

/// The resolved ids the pipeline works with: special-token ids, which ids are `##` continuations (for whole-word
/// masking) and the vocabulary size. Built once from a tokenizer.
package struct PretrainingVocabulary: Sendable {
    /// Number of tokens; random replacements are drawn from 0..<size, as Google draws from the whole vocab.
    package let size: Int
    /// Id of `[CLS]`.
    package let clsID: Int
    /// Id of `[SEP]`.
    package let sepID: Int
    /// Id of `[MASK]`.
    package let maskID: Int
    /// Id of `[PAD]`.
    package let padID: Int
    /// Id of `[UNK]`.
    package let unkID: Int
    private let continuation: [Bool]

    /// Resolves the special tokens of `tokenizer`; throws `missingSpecialToken` when one is absent.
    package init(tokenizer: some PretrainingTokenizer, specialTokens: PretrainingSpecialTokens = .bert) throws {
        func resolve(_ name: String) throws -> Int {
            guard let id = tokenizer.id(of: name) else { throw PretrainingDataError.missingSpecialToken(name) }
            return id
        }
        let words = tokenizer.vocabulary
        size = words.count
        clsID = try resolve(specialTokens.cls)
        sepID = try resolve(specialTokens.sep)
        maskID = try resolve(specialTokens.mask)
        padID = try resolve(specialTokens.pad)
        unkID = try resolve(specialTokens.unk)
        continuation = words.map { $0.hasPrefix("##") }
    }

    /// Whether `id` is a `##` piece that continues the previous word.
    package func isContinuation(_ id: Int) -> Bool {
        id >= 0 && id < continuation.count && continuation[id]
    }

    /// Whether `id` is a structural token that is never a masking candidate: `[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`.
    /// `[UNK]` stays a candidate, as in Google's script (it stands for real text).
    package func isControl(_ id: Int) -> Bool {
        id == clsID || id == sepID || id == padID || id == maskID
    }

    /// Tokenizes `text` and maps each piece to its id (`[UNK]` for pieces outside the vocabulary).
    package func ids(for text: String, tokenizer: some PretrainingTokenizer) -> [Int] {
        tokenizer.tokenize(text).map { tokenizer.id(of: $0) ?? unkID }
    }
}
