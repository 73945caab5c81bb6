import BERTJSON

extension UnigramModel: TokenizerModel, JSONLoadable {
    /// Reads tokenizer.json's `{"type": "Unigram", "unk_id": 1 | null, "vocab": [[piece, score], ...],
    /// "byte_fallback": false}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        guard case .array(let entries)? = json.value("vocab") else {
            throw TokenizerError.invalidComponent(path: json.file, key: json.keyPath("vocab"),
                                                  reason: "must be an array of [piece, score] pairs")
        }
        var vocabulary: [(piece: String, score: Double)] = []
        vocabulary.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            guard case .array(let pair) = entry, pair.count == 2, let piece = pair[0].stringValue,
                  let score = pair[1].doubleValue else {
                throw TokenizerError.invalidComponent(path: json.file, key: json.keyPath("vocab") + "[\(index)]",
                                                      reason: "must be [piece, score]")
            }
            // Scores as tokenizers parses them (an ulp off at times), so Viterbi ties break as there.
            vocabulary.append((piece, SerdeJSONFloat.reading(score)))
        }
        let unkId: Int? = json.value("unk_id")?.isNull == false ? try json.int("unk_id") : nil
        try self.init(vocabulary: vocabulary, unkId: unkId, byteFallback: try json.bool("byte_fallback") ?? false,
                      source: json.file)
    }

    /// Viterbi over the word `text[word]` (see `tokenize(_:word:into:)` on code points).
    package func tokenize(_ text: NormalizedString, word: Range<Int>, into tokens: inout [ModelToken]) throws {
        try tokenize(text.scalars, word: word, into: &tokens)
    }

    /// The piece, or for the unknown piece the text it covers (the crate's `Token.value`).
    package func tokenValue(_ token: ModelToken, in text: NormalizedString) -> String {
        token.id == unkId ? String(decodingScalars: text.scalars[token.range]) : idToToken(token.id) ?? ""
    }

    /// Number of pieces.
    package var vocabularySize: Int { pieces.count }
}
