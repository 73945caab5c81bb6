import BERTJSON

/// Turns raw text into normalised text (HF `Normalizer`): lowercasing, accent stripping, cleaning.
package protocol Normalizer: Sendable {
    /// Rewrites `text` in place, keeping every code point's original range (HF `normalize`).
    func normalize(_ text: inout NormalizedString)
}

extension Normalizer {
    /// Normalises a whole string (HF `normalize_str`).
    package func normalize(_ text: String) -> String {
        var n = NormalizedString(text)
        normalize(&n)
        return n.string
    }
}

/// Splits normalised text into words, and may rewrite them (HF `PreTokenizer`); the model then tokenises each
/// split separately.
package protocol PreTokenizer: Sendable {
    /// Cuts (and possibly rewrites) the untokenised splits of `text` (HF `pre_tokenize`).
    func preTokenize(_ text: inout PreTokenizedString)
}

/// One token produced by a model for a word: its id and its normalised range.
package struct ModelToken: Sendable, Equatable {
    /// Vocabulary id.
    package var id: Int
    /// Position in the normalised text, `[start, end)`.
    package var range: Range<Int>
    /// Creates a token.
    package init(id: Int, range: Range<Int>) { self.id = id; self.range = range }
}

/// The subword model (HF `Model`): WordPiece, BPE, Unigram.
package protocol TokenizerModel: Sendable {
    /// Tokenises the word `text[word]`, appending to `tokens`. Throws when the model cannot represent the word
    /// (a Unigram model without an unknown piece, as the crate's `MissingUnkId`).
    func tokenize(_ text: NormalizedString, word: Range<Int>, into tokens: inout [ModelToken]) throws
    /// The string an encoding reports for `token` (HF `Token.value`): the vocabulary entry by default; Unigram
    /// reports the covered text of an unknown token, as the crate does.
    func tokenValue(_ token: ModelToken, in text: NormalizedString) -> String
    /// The id of `token`, if in the vocabulary.
    func tokenToId(_ token: String) -> Int?
    /// The string of `id`, if in the vocabulary.
    func idToToken(_ id: Int) -> String?
    /// Number of entries in the vocabulary.
    var vocabularySize: Int { get }
}

extension TokenizerModel {
    /// The vocabulary entry of `token.id`.
    package func tokenValue(_ token: ModelToken, in text: NormalizedString) -> String { idToToken(token.id) ?? "" }
}

/// Adds special tokens and type ids around one or two encodings (HF `PostProcessor`).
package protocol PostProcessor: Sendable {
    /// How many tokens `process` adds for a single sequence or a pair.
    func addedTokens(isPair: Bool) -> Int
    /// HF `process_encodings`: the encodings (one per sequence, sequence ids set) after this processor; a
    /// `Sequence` of processors chains this step.
    func processEncodings(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding]
    /// Merges `first` (and `second`) into one encoding, with special tokens if `addSpecialTokens`.
    func process(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool) -> Encoding
}

extension PostProcessor {
    /// HF's default `process`: `processEncodings`, then the results merged in order.
    package func process(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        var encodings = processEncodings(second.map { [first, $0] } ?? [first], addSpecialTokens: addSpecialTokens)
        guard !encodings.isEmpty else { return Encoding() }
        var result = encodings.removeFirst()
        for next in encodings { result.merge(with: next) }
        return result
    }
}

/// Turns token strings back into text (HF `Decoder`).
package protocol TokenDecoder: Sendable {
    /// HF `decode_chain`: the tokens after this decoder's step; a `Sequence` of decoders chains this step.
    func decodeChain(_ tokens: [String]) -> [String]
}

extension TokenDecoder {
    /// HF `decode`: `decodeChain`, then the pieces concatenated.
    package func decode(_ tokens: [String]) -> String { decodeChain(tokens).joined() }
}

/// A component read from its object in tokenizer.json (the object that holds its `type`). Each kind's enum
/// (`NormalizerType`, `PreTokenizerType`, `ModelType`, `PostProcessorType`, `DecoderType`) maps the `type`
/// string to the conforming type, as the crate's `*Wrapper` enums do.
package protocol JSONLoadable {
    /// Reads the component's fields from `json`; `context` gives what some components check against.
    init(json: JSONFieldReader, context: ComponentContext) throws
}

/// What components may need while loading: the vocabulary, to check ids and tokens.
package struct ComponentContext {
    /// The model, once loaded (nil while the model itself loads).
    package var model: (any TokenizerModel)?
    /// The number of added tokens in the file, whose ids may follow the vocabulary's.
    package var addedTokenCount: Int

    /// Ids valid in this file: the vocabulary's and then the added tokens'.
    package var idLimit: Int { (model?.vocabularySize ?? 0) + addedTokenCount }

    /// Checks that `id` (at `key`) names a token of this file.
    package func checkId(_ id: Int, path: String, key: String) throws -> Int {
        guard id >= 0, id < idLimit else {
            throw TokenizerError.invalidTokenId(path: path, key: key, id: id, reason: id < 0 ? "negative"
                : "beyond the \(model?.vocabularySize ?? 0) vocabulary and \(addedTokenCount) added tokens (ids 0..<\(idLimit))")
        }
        return id
    }
}
