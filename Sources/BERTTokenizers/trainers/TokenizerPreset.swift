import BERTJSON

/// The kinds of tokenizer `TokenizerTrainer` trains, each laid out as users of that kind expect.
public enum TokenizerModelKind: String, CaseIterable, Sendable {
    /// BERT's: BertNormalizer, BertPreTokenizer, WordPiece with `##`, `[CLS] $A [SEP]`, WordPiece decoder.
    case wordpiece
    /// RoBERTa's byte-level BPE: ByteLevel pre-tokenizer and decoder, `<s>`/`</s>`/`<pad>`/`<unk>`/`<mask>`,
    /// RobertaProcessing.
    case bpe
    /// SentencePiece-style Unigram (XLM-R's layout): NFKC, Metaspace `▁`, `<s> $A </s>`, `<unk>`.
    case unigram
}

/// The fixed parts of a trained tokenizer's tokenizer.json for one kind: its special tokens and their roles, and
/// every component but the model, as `tokenizers` writes them (field names and order included).
struct TokenizerPreset {
    let kind: TokenizerModelKind
    let lowercase: Bool
    /// The special tokens, first in the vocabulary in this order.
    let specialTokens: [String]

    /// The role tokens (transformers' names) each kind needs; missing ones are added to `specialTokens`.
    static func roles(_ kind: TokenizerModelKind) -> [(role: String, token: String)] {
        switch kind {
        case .wordpiece:
            return [("pad_token", "[PAD]"), ("unk_token", "[UNK]"), ("cls_token", "[CLS]"), ("sep_token", "[SEP]"),
                    ("mask_token", "[MASK]")]
        case .bpe, .unigram:
            return [("bos_token", "<s>"), ("pad_token", "<pad>"), ("eos_token", "</s>"), ("unk_token", "<unk>"),
                    ("mask_token", "<mask>")]
        }
    }

    /// A preset with `specialTokens` (nil: the kind's role tokens) plus any role token they lack, in front.
    init(kind: TokenizerModelKind, lowercase: Bool?, specialTokens: [String]?) {
        self.kind = kind
        self.lowercase = lowercase ?? (kind == .wordpiece)
        let given = specialTokens ?? []
        let missing = Self.roles(kind).map(\.token).filter { token in !given.contains { $0.utf8.elementsEqual(token.utf8) } }
        var seen = Set<[UInt8]>()
        self.specialTokens = (missing + given).filter { seen.insert(Array($0.utf8)).inserted }
    }

    func token(_ role: String) -> String { Self.roles(kind).first { $0.role == role }!.token }

    /// tokenizer.json up to (not including) the model, with the special tokens' ids from `vocabulary`.
    func components(ids: (String) -> Int) -> [JSONMember] {
        let added: [JSONValue] = specialTokens.map { token in
            .object([
                "id": .integer(Int64(ids(token))), "content": .string(token), "single_word": false,
                // RoBERTa's and XLM-R's <mask> swallows the space before it (transformers' AddedToken(lstrip=True)).
                "lstrip": .bool(kind != .wordpiece && token == "<mask>"), "rstrip": false, "normalized": false,
                "special": true,
            ])
        }
        return [
            JSONMember(key: "version", value: "1.0"),
            JSONMember(key: "truncation", value: .null),
            JSONMember(key: "padding", value: .null),
            JSONMember(key: "added_tokens", value: .array(added)),
            JSONMember(key: "normalizer", value: normalizer),
            JSONMember(key: "pre_tokenizer", value: preTokenizer),
            JSONMember(key: "post_processor", value: postProcessor(ids: ids)),
            JSONMember(key: "decoder", value: decoder),
        ]
    }

    var normalizer: JSONValue {
        let lower: JSONValue = ["type": "Lowercase"]
        switch kind {
        case .wordpiece:
            return ["type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": .null,
                    "lowercase": .bool(lowercase)]
        case .bpe:
            return lowercase ? lower : .null
        case .unigram:
            return lowercase ? ["type": "Sequence", "normalizers": [["type": "NFKC"], lower]] : ["type": "NFKC"]
        }
    }

    var preTokenizer: JSONValue {
        switch kind {
        case .wordpiece: return ["type": "BertPreTokenizer"]
        case .bpe: return ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        case .unigram: return metaspace
        }
    }

    private var metaspace: JSONValue {
        ["type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always", "split": true]
    }

    var decoder: JSONValue {
        switch kind {
        case .wordpiece: return ["type": "WordPiece", "prefix": "##", "cleanup": true]
        case .bpe: return ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
        case .unigram: return metaspace
        }
    }

    func postProcessor(ids: (String) -> Int) -> JSONValue {
        func pair(_ role: String) -> JSONValue { [.string(token(role)), .integer(Int64(ids(token(role))))] }
        switch kind {
        case .bpe:
            return ["type": "RobertaProcessing", "sep": pair("eos_token"), "cls": pair("bos_token"), "trim_offsets": true,
                    "add_prefix_space": false]
        case .wordpiece:
            let cls = token("cls_token"), sep = token("sep_token")
            return template(single: [cls, "$A", sep], pair: [cls, "$A", sep, "$B:1", sep + ":1"], specials: [cls, sep], ids: ids)
        case .unigram:
            let bos = token("bos_token"), eos = token("eos_token")
            return template(single: [bos, "$A", eos], pair: [bos, "$A", eos, eos, "$B", eos], specials: [bos, eos], ids: ids)
        }
    }

    /// HF `TemplateProcessing` from pieces in its string form (`$A`, `$B:1`, `[SEP]:1`).
    private func template(single: [String], pair: [String], specials: [String], ids: (String) -> Int) -> JSONValue {
        func pieces(_ items: [String]) -> JSONValue {
            .array(items.map { item in
                let parts = item.split(separator: ":", maxSplits: 1)
                let typeId = parts.count == 2 ? Int64(parts[1]) ?? 0 : 0
                let name = String(parts[0])
                if name.hasPrefix("$") {
                    return ["Sequence": ["id": .string(String(name.dropFirst())), "type_id": .integer(typeId)]]
                }
                return ["SpecialToken": ["id": .string(name), "type_id": .integer(typeId)]]
            })
        }
        var table: [JSONMember] = []
        for token in specials {
            table.append(JSONMember(key: token, value: ["id": .string(token), "ids": [.integer(Int64(ids(token)))],
                                                        "tokens": [.string(token)]]))
        }
        return ["type": "TemplateProcessing", "single": pieces(single), "pair": pieces(pair),
                "special_tokens": .object(JSONObject(members: table))]
    }
}
