import BERTJSON

extension BPE: JSONLoadable {
    /// Reads `{"type": "BPE", "vocab": {...}, "merges": [...], "dropout", "unk_token", "continuing_subword_prefix",
    /// "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges"}`; merges are `"a b"` strings or
    /// `["a", "b"]` pairs. Only a null or zero `dropout` loads: dropout samples merges at random.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        if let dropout = try json.double("dropout"), dropout != 0 {
            throw TokenizerError.invalidComponent(path: json.file, key: json.keyPath("dropout"),
                                                  reason: "is \(dropout); only null or 0 is supported, since dropout makes tokenisation random")
        }
        let merges = try Self.readMerges(json)
        try self.init(exactVocab: try json.tokenVocabulary(), merges: merges, unkToken: try json.string("unk_token"),
                      continuingSubwordPrefix: try json.string("continuing_subword_prefix"),
                      endOfWordSuffix: try json.string("end_of_word_suffix"), fuseUnk: try json.bool("fuse_unk") ?? false,
                      byteFallback: try json.bool("byte_fallback") ?? false, ignoreMerges: try json.bool("ignore_merges") ?? false,
                      path: json.file, keyPrefix: json.keyPath("merges"))
    }

    /// `model.merges` in either form.
    static func readMerges(_ json: JSONFieldReader) throws -> [(String, String)] {
        guard let items = json.value("merges")?.arrayValue else {
            if json.has("merges") {
                throw TokenizerError.malformedJSON(path: json.file, reason: "\(json.keyPath("merges")) must be an array")
            }
            throw TokenizerError.missingKey(path: json.file, key: json.keyPath("merges"))
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            if let line = item.stringValue, let pair = splitMergeLine(line) {
                merges.append(pair)
            } else if let pair = item.arrayValue, pair.count == 2, let a = pair[0].stringValue, let b = pair[1].stringValue {
                merges.append((a, b))
            } else {
                throw TokenizerError.malformedJSON(path: json.file,
                                                   reason: "\(json.keyPath("merges"))[\(i)] must be \"left right\" or [\"left\", \"right\"], not \(item)")
            }
        }
        return merges
    }

    /// `"a b"` -> ("a", "b"): exactly one space, as the crate's `convert_merges_to_hashmap` requires.
    static func splitMergeLine(_ line: Substring) -> (String, String)? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    static func splitMergeLine(_ line: String) -> (String, String)? { splitMergeLine(line[...]) }
}
