import BERTJSON

/// Hugging Face `RobertaProcessing`: `<s> A </s>` and `<s> A </s> </s> B </s>`, every type id 0, after
/// trimming byte-level offsets (`trimOffsets`, with `addPrefixSpace` keeping the first token's added space).
public struct RobertaProcessing: PostProcessor, Equatable {
    /// The separator token and its id (`</s>`).
    public var sep: Special
    /// The classifier token and its id (`<s>`).
    public var cls: Special
    /// Trim the offsets of leading and trailing spaces.
    public var trimOffsets: Bool
    /// Whether the pre-tokeniser added a prefix space (the first token keeps it in its offsets).
    public var addPrefixSpace: Bool

    /// A special token and its id.
    public struct Special: Sendable, Equatable {
        /// The token.
        public var token: String
        /// Its id.
        public var id: Int
        /// Creates the pair.
        public init(_ token: String, _ id: Int) { self.token = token; self.id = id }
    }

    /// Creates the processor; the crate's defaults.
    public init(sep: Special = Special("</s>", 2), cls: Special = Special("<s>", 0), trimOffsets: Bool = true,
                addPrefixSpace: Bool = true) {
        self.sep = sep; self.cls = cls; self.trimOffsets = trimOffsets; self.addPrefixSpace = addPrefixSpace
    }

    /// Two for a sequence, four for a pair.
    public func addedTokens(isPair: Bool) -> Int { isPair ? 4 : 2 }

    /// HF `RobertaProcessing::process_encodings`.
    public func processEncodings(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
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
        var out = Encoding()
        out.reserve(count + 2)
        out.append(id: first.id, typeId: 0, token: first.token, wordId: nil, offsets: 0..<0, special: 1)
        for i in 0..<count {
            out.append(id: ids[i], typeId: 0, token: tokens[i], wordId: wordIds[i], offsets: offsets[i], special: 0)
            out.attentionMask[out.count - 1] = attentionMask[i]
            out.sequenceIds[out.count - 1] = sequenceIds[i]
        }
        out.append(id: last.id, typeId: 0, token: last.token, wordId: nil, offsets: 0..<0, special: 1)
        out.overflowing = overflowing.map { $0.wrapped(first: first, last: last) }
        return out
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
