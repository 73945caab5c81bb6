import BERTJSON

extension JSONFieldReader {
    /// A model's `vocab` object (token -> id), checked before anything is sized by an id: ids must number the
    /// tokens 0..<count, each once, as the crate reads them (u32, then inverted), so a hostile id can neither
    /// allocate nor index out of bounds. Tokens are told apart by their exact scalars, as serde's map keys are:
    /// "é" and "e\u{301}" are two tokens.
    func tokenVocabulary(_ key: String = "vocab") throws -> [ExactString: Int] {
        guard case .object(let raw)? = value(key) else { throw TokenizerError.missingKey(path: file, key: keyPath(key)) }
        return try Self.tokenVocabulary(raw, file: file, key: keyPath(key))
    }

    /// `raw` (token -> id, found at `key` of `file`) checked as `tokenVocabulary(_:)` says.
    static func tokenVocabulary(_ raw: JSONObject, file: String, key: String) throws -> [ExactString: Int] {
        func keyPath(_ k: String) -> String { k }
        var vocab: [ExactString: Int] = [:]
        vocab.reserveCapacity(raw.count)
        for member in raw where vocab.updateValue(0, forKey: ExactString(member.key)) != nil {
            throw TokenizerError.malformedJSON(path: file, reason: "\(keyPath(key)) names \"\(member.key)\" twice")
        }
        var tokenOfId = [String?](repeating: nil, count: raw.count)
        for member in raw {
            let token = member.key
            let entry = "\(keyPath(key))[\"\(token)\"]"
            guard let id = member.value.intValue else {
                throw TokenizerError.malformedJSON(path: file, reason: "\(entry) is not an integer")
            }
            guard id >= 0, id < raw.count else {
                throw TokenizerError.invalidTokenId(path: file, key: entry, id: id, reason: id < 0 ? "negative"
                    : "beyond the vocabulary of \(raw.count) tokens (ids 0..<\(raw.count))")
            }
            if let other = tokenOfId[id] {
                throw TokenizerError.invalidTokenId(path: file, key: entry, id: id, reason: "the same id as \"\(other)\"")
            }
            vocab[ExactString(token)] = id
            tokenOfId[id] = token
        }
        return vocab
    }
}
