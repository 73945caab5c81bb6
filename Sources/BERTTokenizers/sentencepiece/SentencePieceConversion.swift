import Foundation
import BERTJSON

/// What transformers 5.24 builds from a slow SentencePiece folder, written as the tokenizer.json it would save,
/// so the slow files load through exactly the same component parsing as a converted tokenizer.json.
///
/// Mirrors `TokenizersBackend._convert_from_sentencepiece` (`SentencePieceExtractor.extract`), then
/// `AlbertTokenizer.__init__` or `XLMRobertaConverter.convert_from_spm` + `XLMRobertaTokenizer.__init__`:
/// - ALBERT: pieces and scores as in the file, `unk_id` 1; normalizer `` ``→" ``, `''`→`"`, NFKD + StripAccents
///   unless `keep_accents`, Lowercase if `do_lower_case`, Precompiled; `[CLS] $A [SEP] ($B [SEP], type 1)`.
/// - XLM-R (fairseq): `<s> <pad> </s> <unk>` then the file's pieces from id 3 on (ids shift by one), then
///   `<mask>`; `unk_id` 3; normalizer Precompiled alone; `<s> $A </s> (</s> $B </s>)`, all type 0.
/// Both: WhitespaceSplit + Metaspace(`▁`, always/never by `add_prefix_space`), the Metaspace decoder, and as
/// added tokens (normalized false) the special-token attributes then the file's control (special) and
/// user-defined (not special) pieces, ids from the vocabulary or appended in that order.
package enum SentencePieceConversion {
    /// Which transformers class the folder is for.
    package enum Layout: Sendable {
        case albert, xlmRoberta

        /// transformers' class defaults for the special-token attributes, in `SPECIAL_TOKENS_ATTRIBUTES` order.
        var specialDefaults: [(key: String, value: String)] {
            switch self {
            case .albert:
                return [("bos_token", "[CLS]"), ("eos_token", "[SEP]"), ("unk_token", "<unk>"), ("sep_token", "[SEP]"),
                        ("pad_token", "<pad>"), ("cls_token", "[CLS]"), ("mask_token", "[MASK]")]
            case .xlmRoberta:
                return [("bos_token", "<s>"), ("eos_token", "</s>"), ("unk_token", "<unk>"), ("sep_token", "</s>"),
                        ("pad_token", "<pad>"), ("cls_token", "<s>"), ("mask_token", "<mask>")]
            }
        }
    }

    /// The tokenizer.json transformers would write for `model` with the merged `tokenizer_config.json` /
    /// `special_tokens_map.json` settings `config`.
    /// - Throws: `TokenizerError.tokenNotInVocabulary` when the classifier or separator token is not a piece
    ///   (transformers fails there too).
    package static func tokenizerJSON(_ model: SentencePieceModelFile, layout: Layout,
                                      config: [String: JSONValue]) throws -> JSONValue {
        func token(_ key: String, _ fallback: String) -> String {
            if case .string(let s)? = config[key] { return s }
            if case .string(let s)? = config[key]?["content"] { return s }
            return fallback
        }
        func flag(_ key: String, _ fallback: Bool) -> Bool { config[key]?.boolValue ?? fallback }
        let specials = layout.specialDefaults.map { (key: $0.key, value: token($0.key, $0.value)) }
        let special = Dictionary(specials.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })

        var vocab: [(String, Double)]
        let unkId: Int
        switch layout {
        case .albert:
            vocab = model.pieces.map { ($0.piece, Double($0.score)) }
            unkId = 1
        case .xlmRoberta:
            vocab = [(special["bos_token"]!, 0), (special["pad_token"]!, 0), (special["eos_token"]!, 0),
                     (special["unk_token"]!, 0)]
            vocab += model.pieces.dropFirst(3).map { ($0.piece, Double($0.score)) }
            vocab.append((special["mask_token"]!, 0))
            unkId = 3
        }
        var ids: [ExactString: Int] = [:]
        for (id, entry) in vocab.enumerated() { ids[ExactString(entry.0)] = id }

        // Added tokens: special attributes, then the file's control / user-defined pieces (unless the config
        // names its own additional_special_tokens, which transformers lets replace them), then extra ones.
        var added: [(content: String, special: Bool)] = specials.map { ($0.value, true) }
        if config["additional_special_tokens"] == nil {
            added += model.pieces.filter { $0.type == .control || $0.type == .userDefined }
                .map { ($0.piece, $0.type == .control) }
        }
        if case .array(let extra)? = config["extra_special_tokens"] {
            added += extra.compactMap { $0.stringValue ?? $0["content"]?.stringValue }.map { ($0, true) }
        }
        var addedById: [Int: (content: String, special: Bool)] = [:]
        var seen: [ExactString: Int] = [:]
        var nextId = vocab.count
        for entry in added {
            let key = ExactString(entry.content)
            if let id = seen[key] {
                if entry.special { addedById[id]?.special = true }
                continue
            }
            let id = ids[key] ?? nextId
            if ids[key] == nil { nextId += 1 }
            seen[key] = id
            addedById[id] = entry
        }

        let prepend: JSONValue = .string(flag("add_prefix_space", true) ? "always" : "never")
        let metaspace: JSONValue = .object(["type": "Metaspace", "replacement": "▁", "prepend_scheme": prepend,
                                            "split": .bool(true)])
        var normalizers: [JSONValue] = []
        if layout == .albert {
            normalizers += [replace("``", "\""), replace("''", "\"")]
            if !flag("keep_accents", false) { normalizers += [["type": "NFKD"], ["type": "StripAccents"]] }
            if flag("do_lower_case", true) { normalizers.append(["type": "Lowercase"]) }
        }
        if !model.precompiledCharsmap.isEmpty {
            normalizers.append(["type": "Precompiled",
                                "precompiled_charsmap": .string(Data(model.precompiledCharsmap).base64EncodedString())])
        }
        let normalizer: JSONValue = layout == .albert
            ? .object(["type": "Sequence", "normalizers": .array(normalizers)])
            : normalizers.first ?? .null

        func id(_ token: String) -> Int? { ids[ExactString(token)] ?? seen[ExactString(token)] }
        guard let clsId = id(special["cls_token"]!) else {
            throw TokenizerError.tokenNotInVocabulary(token: special["cls_token"]!, role: "classifier")
        }
        guard let sepId = id(special["sep_token"]!) else {
            throw TokenizerError.tokenNotInVocabulary(token: special["sep_token"]!, role: "separator")
        }
        let (cls, sep) = (special["cls_token"]!, special["sep_token"]!)
        let template: JSONValue
        switch layout {
        case .albert:
            template = templateProcessing(single: [(cls, 0, true), ("A", 0, false), (sep, 0, true)],
                                          pair: [(cls, 0, true), ("A", 0, false), (sep, 0, true), ("B", 1, false),
                                                 (sep, 1, true)],
                                          specials: [(cls, clsId), (sep, sepId)])
        case .xlmRoberta:
            let (bos, eos) = (special["bos_token"]!, special["eos_token"]!)
            let bosId = id(bos) ?? clsId, eosId = id(eos) ?? sepId
            template = templateProcessing(single: [(bos, 0, true), ("A", 0, false), (eos, 0, true)],
                                          pair: [(bos, 0, true), ("A", 0, false), (eos, 0, true), (eos, 0, true),
                                                 ("B", 0, false), (eos, 0, true)],
                                          specials: [(bos, bosId), (eos, eosId)])
        }

        let addedTokens: [JSONValue] = addedById.keys.sorted().map { id in
            let entry = addedById[id]!
            return .object(["id": .integer(Int64(id)), "content": .string(entry.content), "single_word": false,
                            "lstrip": false, "rstrip": false, "normalized": false, "special": .bool(entry.special)])
        }
        return .object([
            "version": "1.0", "truncation": .null, "padding": .null, "added_tokens": .array(addedTokens),
            "normalizer": normalizer,
            "pre_tokenizer": .object(["type": "Sequence",
                                      "pretokenizers": .array([.object(["type": "WhitespaceSplit"]), metaspace])]),
            "post_processor": template, "decoder": metaspace,
            "model": .object(["type": "Unigram", "unk_id": .integer(Int64(unkId)),
                              "vocab": .array(vocab.map { .array([.string($0.0), .number($0.1)]) }),
                              "byte_fallback": false]),
        ])
    }

    private static func replace(_ pattern: String, _ content: String) -> JSONValue {
        .object(["type": "Replace", "pattern": .object(["String": .string(pattern)]), "content": .string(content)])
    }

    /// TemplateProcessing as tokenizers serialises it; `(id, type, isSpecial)` pieces.
    private static func templateProcessing(single: [(String, Int, Bool)], pair: [(String, Int, Bool)],
                                           specials: [(String, Int)]) -> JSONValue {
        func pieces(_ list: [(String, Int, Bool)]) -> JSONValue {
            .array(list.map { id, type, isSpecial in
                .object([isSpecial ? "SpecialToken" : "Sequence": .object(["id": .string(id),
                                                                            "type_id": .integer(Int64(type))])])
            })
        }
        var table: [JSONMember] = []
        for (token, id) in specials where !table.contains(where: { $0.key == token }) {
            table.append(JSONMember(key: token, value: .object(["id": .string(token), "ids": .array([.integer(Int64(id))]),
                                                                  "tokens": .array([.string(token)])])))
        }
        return .object(["type": "TemplateProcessing", "single": pieces(single), "pair": pieces(pair),
                        "special_tokens": .object(JSONObject(members: table))])
    }
}
