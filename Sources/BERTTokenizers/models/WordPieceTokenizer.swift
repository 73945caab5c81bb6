import BERTJSON

/// Hugging Face `WordPiece` model: greedy longest-match-first subwords, continuation pieces prefixed `##`,
/// and a word longer than `maxInputCharsPerWord` code points (or with no full segmentation) becomes `[UNK]`.
package struct WordPieceTokenizer: TokenizerModel {
    /// Token string -> id, as in vocab.txt (line number) or tokenizer.json's `model.vocab`. A Swift dictionary
    /// merges canonically equivalent tokens ("é" and "e\u{301}") into one key; `tokenToId` keeps them apart.
    package var vocab: [String: Int] { ids.stringKeyed }
    /// Id -> token string.
    package let idToTokenTable: [String?]
    /// The unknown token, `[UNK]` for BERT.
    package let unkToken: String
    /// Prefix marking a piece that continues a word, `##` for BERT.
    package let continuingSubwordPrefix: String
    /// Words longer than this (in code points) map to the unknown token; 100 for BERT.
    package let maxInputCharsPerWord: Int

    /// The vocabulary keyed by exact scalars, as the crate's.
    private let ids: [ExactString: Int]
    private let table: ScalarVocabulary
    private let prefixScalars: [UInt32]
    private let unkId: Int

    /// Creates the model. Throws `tokenNotInVocabulary` if `unkToken` is absent, and `invalidTokenId` for an id
    /// that is negative or so far beyond the vocabulary's size (more than twice it, plus 1,024: vocab.txt files
    /// with repeated lines leave gaps, nothing real leaves more) that the id table would be mostly empty.
    package init(vocab: [String: Int], unkToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
                maxInputCharsPerWord: Int = 100) throws {
        try self.init(exactVocab: vocab.exactKeyed, unkToken: unkToken, continuingSubwordPrefix: continuingSubwordPrefix,
                      maxInputCharsPerWord: maxInputCharsPerWord)
    }

    /// Creates the model from a vocabulary keyed by exact scalars (what the file loaders read).
    package init(exactVocab vocab: [ExactString: Int], unkToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
                 maxInputCharsPerWord: Int = 100) throws {
        guard let unk = vocab[ExactString(unkToken)] else { throw TokenizerError.tokenNotInVocabulary(token: unkToken, role: "unknown") }
        let idLimit = vocab.count * 2 + 1024
        if let (token, id) = vocab.first(where: { $0.value < 0 || $0.value >= idLimit }) {
            throw TokenizerError.invalidTokenId(path: "WordPieceTokenizer(vocab:)", key: "vocab[\"\(token.string)\"]", id: id,
                                                reason: id < 0 ? "negative" : "beyond \(idLimit) for \(vocab.count) tokens")
        }
        self.ids = vocab
        self.unkToken = unkToken
        self.unkId = unk
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.prefixScalars = continuingSubwordPrefix.unicodeScalars.map(\.value)
        var reverse = [String?](repeating: nil, count: vocab.count)
        for (token, id) in vocab {
            if id >= reverse.count { reverse += [String?](repeating: nil, count: id + 1 - reverse.count) }
            reverse[id] = token.string
        }
        self.idToTokenTable = reverse
        self.table = ScalarVocabulary(vocab.lazy.map { ($0.key.string, $0.value) }, capacityHint: vocab.count)
    }

    /// Number of vocabulary entries.
    package var vocabularySize: Int { ids.count }
    /// The id of `token` (compared scalar for scalar), if in the vocabulary.
    package func tokenToId(_ token: String) -> Int? { ids[ExactString(token)] }
    /// The string of `id`, if in the vocabulary.
    package func idToToken(_ id: Int) -> String? { id >= 0 && id < idToTokenTable.count ? idToTokenTable[id] : nil }

    /// Greedy longest-match-first over `text[word]` (HF `WordPiece::tokenize`); the whole word becomes the
    /// unknown token if it is too long or some position has no matching piece.
    package func tokenize(_ text: NormalizedString, word: Range<Int>, into tokens: inout [ModelToken]) {
        if word.count > maxInputCharsPerWord {
            tokens.append(ModelToken(id: unkId, range: word))
            return
        }
        let firstNew = tokens.count
        let scalars = text.scalars
        let longest = table.maxKeyLength
        var start = word.lowerBound
        while start < word.upperBound {
            let prefix = start > word.lowerBound ? prefixScalars : []
            var end = min(word.upperBound, start + max(0, longest - prefix.count))
            var found: Int?
            while end > start {
                if let id = table.lookup(prefix: prefix, scalars[start..<end]) {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                tokens.removeSubrange(firstNew...)
                tokens.append(ModelToken(id: unkId, range: word))
                return
            }
            tokens.append(ModelToken(id: id, range: start..<end))
            start = end
        }
    }
}

extension WordPieceTokenizer: JSONLoadable {
    /// Reads tokenizer.json's `{"type": "WordPiece", "vocab": {...}, "unk_token", ...}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        try self.init(exactVocab: try json.tokenVocabulary(), unkToken: try json.string("unk_token") ?? "[UNK]",
                      continuingSubwordPrefix: try json.string("continuing_subword_prefix") ?? "##",
                      maxInputCharsPerWord: try json.int("max_input_chars_per_word") ?? 100)
    }
}
