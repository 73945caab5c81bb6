import BERTJSON

extension JSONFieldReader {
    /// A model's `vocab` object (token -> id), checked before anything is sized by an id: ids must number the
    /// tokens 0..<count, each once, as the crate reads them (u32, then inverted), so a hostile id can neither
    /// allocate nor index out of bounds.
    func tokenVocabulary(_ key: String = "vocab") throws -> [String: Int] {
        guard case .object(let raw)? = value(key) else { throw TokenizerError.missingKey(path: file, key: keyPath(key)) }
        return try Self.tokenVocabulary(raw, file: file, key: keyPath(key))
    }

    /// `raw` (token -> id, found at `key` of `file`) checked as `tokenVocabulary(_:)` says.
    static func tokenVocabulary(_ raw: JSONObject, file: String, key: String) throws -> [String: Int] {
        func keyPath(_ k: String) -> String { k }
        if let token = raw.firstRepeatedKey {
            throw TokenizerError.malformedJSON(path: file, reason: "\(keyPath(key)) names \"\(token)\" twice")
        }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(raw.count)
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
            tokenOfId[id] = token
            vocab[token] = id
        }
        return vocab
    }
}
