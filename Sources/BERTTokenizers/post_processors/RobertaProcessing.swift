import BERTJSON

/// Hugging Face `RobertaProcessing`: `<s> A </s>` and `<s> A </s> </s> B </s>`, every type id 0, after
/// trimming byte-level offsets (`trimOffsets`, with `addPrefixSpace` keeping the first token's added space).
package struct RobertaProcessing: PostProcessor, Equatable {
    /// The separator token and its id (`</s>`).
    package var sep: Special
    /// The classifier token and its id (`<s>`).
    package var cls: Special
    /// Trim the offsets of leading and trailing spaces.
    package var trimOffsets: Bool
    /// Whether the pre-tokeniser added a prefix space (the first token keeps it in its offsets).
    package var addPrefixSpace: Bool

    /// A special token and its id.
    package struct Special: Sendable, Equatable {
        /// The token.
        package var token: String
        /// Its id.
        package var id: Int
        /// Creates the pair.
        package init(_ token: String, _ id: Int) { self.token = token; self.id = id }
    }

    /// Creates the processor; the crate's defaults.
    package init(sep: Special = Special("</s>", 2), cls: Special = Special("<s>", 0), trimOffsets: Bool = true,
                addPrefixSpace: Bool = true) {
        self.sep = sep; self.cls = cls; self.trimOffsets = trimOffsets; self.addPrefixSpace = addPrefixSpace
    }

    /// Two for a sequence, four for a pair.
    package func addedTokens(isPair: Bool) -> Int { isPair ? 4 : 2 }

    /// HF `RobertaProcessing::process_encodings`.
    package func processEncodings(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        var out = encodings
        for i in out.indices {
            if trimOffsets { out[i].trimByteLevelOffsets(addPrefixSpace: addPrefixSpace) }
            out[i].setTypeIds(0)
        }
        guard addSpecialTokens else { return out }
        return out.enumerated().map { i, encoding in
            encoding.wrapped(first: i == 0 ? cls : sep, last: sep)
        }
    }
}

extension Encoding {
    /// This encoding between `first` and `last` (special tokens, type id 0), overflow windows likewise; every
    /// type id becomes 0, as RobertaProcessing builds its encodings.
    func wrapped(first: RobertaProcessing.Special, last: RobertaProcessing.Special) -> Encoding {
        func around<T>(_ values: [T], _ head: T, _ tail: T) -> [T] {
            var out: [T] = []
            out.reserveCapacity(values.count + 2)
            out.append(head)
            out.append(contentsOf: values)
            out.append(tail)
            return out
        }
        return Encoding(ids: around(ids, first.id, last.id), typeIds: [Int](repeating: 0, count: count + 2),
                        tokens: around(tokens, first.token, last.token), wordIds: around(wordIds, nil, nil),
                        offsets: around(offsets, 0..<0, 0..<0),
                        specialTokensMask: around([Int](repeating: 0, count: count), 1, 1),
                        attentionMask: [Int](repeating: 1, count: count + 2), sequenceIds: around(sequenceIds, nil, nil),
                        overflowing: overflowing.map { $0.wrapped(first: first, last: last) })
    }
}

extension RobertaProcessing: JSONLoadable {
    /// Reads `{"type": "RobertaProcessing", "sep": [token, id], "cls": [token, id], "trim_offsets", "add_prefix_space"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        let sep = try json.tokenAndId("sep", context: context), cls = try json.tokenAndId("cls", context: context)
        self.init(sep: Special(sep.0, sep.1), cls: Special(cls.0, cls.1), trimOffsets: try json.bool("trim_offsets") ?? true,
                  addPrefixSpace: try json.bool("add_prefix_space") ?? true)
    }
}
