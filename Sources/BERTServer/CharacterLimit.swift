/// Text Embeddings Inference's check before tokenizing (core/src/tokenization.rs `tokenize_input`): an input of more
/// than `--max-input-length` × 250 characters is refused, or cut when truncating, so a huge text never reaches the
/// tokenizer. Characters are Unicode scalars (Rust's `chars()`).
enum CharacterLimit {
    /// TEI's `MAX_CHAR_MULTIPLIER`.
    static let multiplier = 250

    /// `text`, checked against `maxInputLength` tokens' worth of characters.
    /// - Throws: `.validation` with TEI's message when it is longer and `truncate` is off.
    static func checked(_ text: String, maxInputLength: Int, truncate: Bool) throws(ServerError) -> String {
        let limit = maxInputLength * multiplier
        let count = text.unicodeScalars.count
        guard count > limit else { return text }
        try refuse(count, limit, truncate)
        return cut(text, bytes: limit)
    }

    /// A pair (a question and its context, a query and a document): the two counts add up, and truncating cuts
    /// each to half the limit (TEI's `EncodingInput::Dual`).
    static func checked(_ first: String, _ second: String, maxInputLength: Int,
                        truncate: Bool) throws(ServerError) -> (String, String) {
        let limit = maxInputLength * multiplier
        let count = first.unicodeScalars.count + second.unicodeScalars.count
        guard count > limit else { return (first, second) }
        try refuse(count, limit, truncate)
        return (cut(first, bytes: limit / 2), cut(second, bytes: limit / 2))
    }

    private static func refuse(_ count: Int, _ limit: Int, _ truncate: Bool) throws(ServerError) {
        if !truncate { throw ServerError(.validation, "`inputs` must have less than \(limit) characters. Given: \(count)") }
    }

    /// TEI cuts at a UTF-8 byte offset, and only when that offset is a character boundary (`String::truncate`
    /// guarded by `is_char_boundary`); the tokenizer's own truncation does the rest.
    private static func cut(_ text: String, bytes limit: Int) -> String {
        let utf8 = Array(text.utf8)
        guard limit < utf8.count, utf8[limit] & 0xC0 != 0x80 else { return text }
        return String(decoding: utf8[..<limit], as: UTF8.self)
    }
}
