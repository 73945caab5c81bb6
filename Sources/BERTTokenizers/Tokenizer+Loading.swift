import BERTJSON
import Foundation

extension Tokenizer {
    /// Loads from a folder: `tokenizer.json` if present, else `vocab.txt` with `tokenizer_config.json` and
    /// `special_tokens_map.json` (as transformers' `BertTokenizer.from_pretrained` does). `modelMaxLength` comes
    /// from `tokenizer_config.json` either way.
    public init(directory: URL) throws {
        let json = directory.appendingPathComponent("tokenizer.json")
        let vocab = directory.appendingPathComponent("vocab.txt")
        if try Self.exists(json) {
            try self.init(tokenizerJSON: json)
            let config = directory.appendingPathComponent("tokenizer_config.json")
            if try Self.exists(config),
               let n = try JSONFieldReader.tokenizerFile(try Self.read(config), path: config.path).value("model_max_length")?.intValue, n < 1_000_000 {
                modelMaxLength = n
            }
        } else if try Self.exists(vocab) {
            try self.init(vocabFile: vocab)
        } else {
            throw TokenizerError.noTokenizerFiles(directory: directory.path)
        }
    }

    /// Loads a Hugging Face `tokenizer.json`, including its truncation and padding sections.
    public init(tokenizerJSON url: URL) throws {
        let data = try Self.read(url)
        try self.init(tokenizerJSONData: data, path: url.path)
    }

    /// Parses the contents of a `tokenizer.json`; `path` only labels errors.
    public init(tokenizerJSONData data: Data, path: String = "tokenizer.json") throws {
        do {
            try self.init(reading: try JSONFieldReader.tokenizerFile(data, path: path))
        } catch let error as JSONFieldError {
            throw TokenizerError(error)
        }
    }

    /// Builds the tokenizer from tokenizer.json's top-level object.
    private init(reading root: JSONFieldReader) throws {
        let path = root.file
        let modelSection = try root.required(root.object("model"), "model")
        let model = try Self.makeModel(modelSection)
        var normalizer: (any Normalizer)?
        if let n = try root.object("normalizer") { normalizer = try Self.makeNormalizer(n) }
        var preTokenizer: (any PreTokenizer)?
        if let p = try root.object("pre_tokenizer") {
            let type = try p.requiredString("type")
            guard type == "BertPreTokenizer" else { throw TokenizerError.unsupportedComponent(component: "pre_tokenizer", type: type) }
            preTokenizer = BertPreTokenizer()
        }
        var decoder: (any TokenDecoder)?
        if let d = try root.object("decoder") {
            let type = try d.requiredString("type")
            guard type == "WordPiece" else { throw TokenizerError.unsupportedComponent(component: "decoder", type: type) }
            decoder = WordPieceDecoder(prefix: try d.string("prefix") ?? "##", cleanup: try d.bool("cleanup") ?? true)
        }
        var added: [AddedToken] = []
        let addedEntries = try root.objects("added_tokens") ?? []
        // Added tokens reuse vocabulary ids or take the ones after it; nothing legitimate lies further out.
        let idLimit = model.vocabularySize + addedEntries.count
        func checkId(_ id: Int, _ key: String) throws -> Int {
            guard id >= 0, id < idLimit else {
                throw TokenizerError.invalidTokenId(path: path, key: key, id: id, reason: id < 0 ? "negative"
                    : "beyond the \(model.vocabularySize) vocabulary and \(addedEntries.count) added tokens (ids 0..<\(idLimit))")
            }
            return id
        }
        for (i, entry) in addedEntries.enumerated() {
            added.append(AddedToken(content: try entry.requiredString("content"), id: try checkId(try entry.requiredInt("id"), "added_tokens[\(i)].id"),
                                    special: try entry.bool("special") ?? false,
                                    singleWord: try entry.bool("single_word") ?? false,
                                    lstrip: try entry.bool("lstrip") ?? false,
                                    rstrip: try entry.bool("rstrip") ?? false,
                                    normalized: try entry.bool("normalized") ?? true))
        }
        var postProcessor: (any PostProcessor)?
        if let p = try root.object("post_processor") {
            postProcessor = try Self.makePostProcessor(p, checkId: checkId)
        }
        self.init(normalizer: normalizer, preTokenizer: preTokenizer, model: model, postProcessor: postProcessor,
                  decoder: decoder, addedTokens: added)
        if let t = try root.object("truncation") {
            let strategy: TruncationStrategy
            switch try t.string("strategy") ?? "LongestFirst" {
            case "LongestFirst": strategy = .longestFirst
            case "OnlyFirst": strategy = .onlyFirst
            case "OnlySecond": strategy = .onlySecond
            case let other: throw TokenizerError.malformedJSON(path: path, reason: "unknown truncation strategy \(other)")
            }
            let direction: TruncationDirection = (try t.string("direction") ?? "Right") == "Left" ? .left : .right
            try setTruncation(TruncationParameters(maxLength: try t.requiredInt("max_length"), stride: try t.int("stride") ?? 0,
                                                   strategy: strategy, direction: direction))
        }
        if let p = try root.object("padding") {
            func length(_ value: Int?, _ key: String) throws -> Int? {
                guard let value, value > PaddingParameters.maximumLength else { return value }
                throw TokenizerError.valueTooLarge(path: path, key: key, value: value, limit: PaddingParameters.maximumLength)
            }
            var strategy = PaddingParameters.Strategy.longest
            if let fixed = try p.object("strategy"), let n = try length(try fixed.int("Fixed"), "padding.strategy.Fixed") {
                strategy = .fixed(n)
            }
            padding = PaddingParameters(strategy: strategy,
                                        direction: (try p.string("direction") ?? "Right") == "Left" ? .left : .right,
                                        padToMultipleOf: try length(try p.int("pad_to_multiple_of"), "padding.pad_to_multiple_of"),
                                        padId: try checkId(try p.int("pad_id") ?? 0, "padding.pad_id"), padTypeId: try p.int("pad_type_id") ?? 0,
                                        padToken: try p.string("pad_token") ?? "[PAD]")
        }
    }

    private static func makeModel(_ m: JSONFieldReader) throws -> any TokenizerModel {
        // Old files omit `type`; HF then recognises WordPiece by its fields.
        let type = try m.string("type") ?? (m.has("continuing_subword_prefix") ? "WordPiece" : "(missing)")
        guard type == "WordPiece" else { throw TokenizerError.unsupportedComponent(component: "model", type: type) }
        guard case .object(let raw)? = m.value("vocab") else { throw TokenizerError.missingKey(path: m.file, key: "model.vocab") }
        if let token = raw.firstRepeatedKey {
            throw TokenizerError.malformedJSON(path: m.file, reason: "model.vocab names \"\(token)\" twice")
        }
        // The ids must be 0..<count, each once (HF reads them as u32 and inverts the map): checked before anything
        // is sized by an id, so a hostile id cannot allocate or index out of bounds.
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(raw.count)
        var tokenOfId = [String?](repeating: nil, count: raw.count)
        for member in raw {
            let token = member.key
            guard let id = member.value.intValue else {
                throw TokenizerError.malformedJSON(path: m.file, reason: "model.vocab[\"\(token)\"] is not an integer")
            }
            let key = "model.vocab[\"\(token)\"]"
            guard id >= 0, id < raw.count else {
                throw TokenizerError.invalidTokenId(path: m.file, key: key, id: id, reason: id < 0 ? "negative"
                    : "beyond the vocabulary of \(raw.count) tokens (ids 0..<\(raw.count))")
            }
            if let other = tokenOfId[id] {
                throw TokenizerError.invalidTokenId(path: m.file, key: key, id: id, reason: "the same id as \"\(other)\"")
            }
            tokenOfId[id] = token
            vocab[token] = id
        }
        return try WordPieceTokenizer(vocab: vocab, unkToken: try m.string("unk_token") ?? "[UNK]",
                                      continuingSubwordPrefix: try m.string("continuing_subword_prefix") ?? "##",
                                      maxInputCharsPerWord: try m.int("max_input_chars_per_word") ?? 100)
    }

    private static func makeNormalizer(_ n: JSONFieldReader) throws -> any Normalizer {
        let type = try n.requiredString("type")
        guard type == "BertNormalizer" else { throw TokenizerError.unsupportedComponent(component: "normalizer", type: type) }
        return BertNormalizer(cleanText: try n.bool("clean_text") ?? true,
                              handleChineseChars: try n.bool("handle_chinese_chars") ?? true,
                              stripAccents: try n.bool("strip_accents"),
                              lowercase: try n.bool("lowercase") ?? true)
    }

    private static func makePostProcessor(_ p: JSONFieldReader, checkId: (Int, String) throws -> Int) throws -> any PostProcessor {
        let type = try p.requiredString("type")
        switch type {
        case "TemplateProcessing":
            func pieces(_ key: String) throws -> [TemplateProcessing.Piece] {
                guard let list = try p.objects(key) else { throw TokenizerError.missingKey(path: p.file, key: "post_processor.\(key)") }
                return try list.map { item in
                    if let s = try item.object("SpecialToken") {
                        return .specialToken(id: try s.requiredString("id"), typeId: try s.int("type_id") ?? 0)
                    }
                    if let s = try item.object("Sequence") {
                        return .sequence(first: try s.requiredString("id") == "A", typeId: try s.int("type_id") ?? 0)
                    }
                    throw TokenizerError.malformedJSON(path: p.file, reason: "a template piece is neither SpecialToken nor Sequence")
                }
            }
            var specials: [String: TemplateProcessing.SpecialToken] = [:]
            if let table = try p.object("special_tokens") {
                for name in table.keys {
                    let value = try table.required(table.object(name), name)
                    guard case .array(let idValues)? = value.value("ids"), case .array(let tokenValues)? = value.value("tokens") else {
                        throw TokenizerError.malformedJSON(path: p.file, reason: "special token \(name) needs ids and tokens lists")
                    }
                    let ids = try idValues.compactMap(\.intValue).enumerated().map {
                        try checkId($0.element, "post_processor.special_tokens[\"\(name)\"].ids[\($0.offset)]")
                    }
                    let tokens = tokenValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
                    specials[name] = .init(ids: ids, tokens: tokens)
                }
            }
            return TemplateProcessing(single: try pieces("single"), pair: try pieces("pair"), specialTokens: specials)
        case "BertProcessing":
            guard case .array(let sep)? = p.value("sep"), case .array(let cls)? = p.value("cls"), sep.count == 2, cls.count == 2,
                  case .string(let sepToken) = sep[0], let sepId = sep[1].intValue,
                  case .string(let clsToken) = cls[0], let clsId = cls[1].intValue else {
                throw TokenizerError.malformedJSON(path: p.file, reason: "BertProcessing needs sep and cls as [token, id]")
            }
            return TemplateProcessing.bert(cls: (clsToken, try checkId(clsId, "post_processor.cls")),
                                           sep: (sepToken, try checkId(sepId, "post_processor.sep")))
        default:
            throw TokenizerError.unsupportedComponent(component: "post_processor", type: type)
        }
    }

    /// Loads `vocab.txt` (one token per line, id = line number) with the settings of `tokenizer_config.json` and
    /// `special_tokens_map.json` from the same folder when present: `do_lower_case`, `strip_accents`,
    /// `tokenize_chinese_chars`, `model_max_length`, and the special token strings. Arguments override the files.
    ///
    /// `neverSplit` strings are kept whole, matched in the original text like `[MASK]` (added tokens with
    /// `normalized: false`, ids from the vocabulary or appended after it). transformers 5 ignores its `never_split`
    /// kwarg and the config key, so this is opt-in and never read from `tokenizer_config.json`.
    public init(vocabFile url: URL, doLowerCase: Bool? = nil, stripAccents: Bool?? = nil,
                tokenizeChineseChars: Bool? = nil, neverSplit: [String] = []) throws {
        let folder = url.deletingLastPathComponent()
        var config: [String: JSONValue] = [:]
        for name in ["special_tokens_map.json", "tokenizer_config.json"] {
            let file = folder.appendingPathComponent(name)
            guard try Self.exists(file) else { continue }
            let section = try JSONFieldReader.tokenizerFile(try Self.read(file), path: file.path)
            for member in section.object { config[member.key] = member.value }
        }
        func tokenName(_ key: String, _ fallback: String) -> String {
            if case .string(let s)? = config[key] { return s }
            if case .string(let s)? = config[key]?["content"] { return s }
            return fallback
        }
        var vocab: [String: Int] = [:]
        var index = 0
        // transformers reads vocab.txt in universal-newline mode (\n, \r\n and \r end a line) and strips the
        // newline only; the last line needs no terminator. Split on scalars, never on Characters.
        let data = try Self.read(url)
        guard String(validating: data, as: UTF8.self) != nil else {
            throw TokenizerError.malformedVocabulary(path: url.path, reason: "not valid UTF-8")
        }
        let bytes = [UInt8](data)
        vocab.reserveCapacity(bytes.count / 7)
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                vocab[String(decoding: bytes[lineStart..<i], as: UTF8.self)] = index
                index += 1
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                lineStart = i + 1
            }
            i += 1
        }
        if lineStart < bytes.count {
            vocab[String(decoding: bytes[lineStart...], as: UTF8.self)] = index
            index += 1
        }
        guard index > 0 else { throw TokenizerError.malformedVocabulary(path: url.path, reason: "no tokens") }
        let unk = tokenName("unk_token", "[UNK]"), sep = tokenName("sep_token", "[SEP]"), pad = tokenName("pad_token", "[PAD]")
        let cls = tokenName("cls_token", "[CLS]"), mask = tokenName("mask_token", "[MASK]")
        let model = try WordPieceTokenizer(vocab: vocab, unkToken: unk)
        guard let sepId = vocab[sep] else { throw TokenizerError.tokenNotInVocabulary(token: sep, role: "separator") }
        guard let clsId = vocab[cls] else { throw TokenizerError.tokenNotInVocabulary(token: cls, role: "classifier") }
        func flag(_ key: String) -> Bool? { if case .bool(let b)? = config[key] { return b } else { return nil } }
        let lower = doLowerCase ?? flag("do_lower_case") ?? true
        let strip: Bool? = stripAccents ?? flag("strip_accents")
        let chinese = tokenizeChineseChars ?? flag("tokenize_chinese_chars") ?? true
        let specials = [pad, unk, cls, sep, mask].map { AddedToken(content: $0, id: vocab[$0] ?? -1, special: true) }
        self.init(normalizer: BertNormalizer(cleanText: true, handleChineseChars: chinese, stripAccents: strip, lowercase: lower),
                  preTokenizer: BertPreTokenizer(), model: model,
                  postProcessor: TemplateProcessing.bert(cls: (cls, clsId), sep: (sep, sepId)),
                  decoder: WordPieceDecoder(), addedTokens: specials)
        addTokens(neverSplit.filter { !$0.isEmpty }.map { AddedToken(content: $0, id: vocab[$0] ?? -1, special: false) })
        if let n = config["model_max_length"]?.intValue, n < 1_000_000 { modelMaxLength = n }
    }

    /// The bytes of `url`: `missingFile` when absent, `unreadableFile` saying "permission denied" when this user may
    /// not read it or search a folder above it (never reported as missing).
    static func read(_ url: URL) throws -> Data {
        guard try exists(url) else { throw TokenizerError.missingFile(path: url.path) }
        do { return try Data(contentsOf: url) } catch let error as CocoaError where error.code == .fileReadNoPermission {
            throw TokenizerError.unreadableFile(path: url.path, reason: permissionDenied)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    private static let permissionDenied = "permission denied; give this user read access to it and search access to its folders"

    /// Whether something is at `url`, by BERTJSON's `PathKind` (`stat`): `FileManager.fileExists` also answers
    /// false for a path inside a folder this user may not search, which is not a missing file.
    static func exists(_ url: URL) throws -> Bool {
        do { return try PathKind.of(url.path) != .absent } catch {
            switch error {
            case .permissionDenied: throw TokenizerError.unreadableFile(path: url.path, reason: permissionDenied)
            case let .other(reason): throw TokenizerError.unreadableFile(path: url.path, reason: reason)
            }
        }
    }
}

extension TokenizerError {
    /// The tokenizer's error for a field of tokenizer.json that does not fit.
    init(_ error: JSONFieldError) {
        switch error.problem {
        case .missing: self = .missingKey(path: error.file, key: error.key)
        case .wrongType: self = .malformedJSON(path: error.file, reason: error.reason)
        }
    }
}

extension JSONFieldReader {
    /// The string `key`, which must be present.
    func requiredString(_ key: String) throws(JSONFieldError) -> String { try required(string(key), key) }

    /// The integer `key`, which must be present.
    func requiredInt(_ key: String) throws(JSONFieldError) -> Int { try required(int(key), key) }

    /// A reader over the JSON object `data`, errors as `TokenizerError.malformedJSON` naming `path`.
    static func tokenizerFile(_ data: Data, path: String) throws -> JSONFieldReader {
        let value: JSONValue
        do { value = try JSONValue.parse(data) } catch {
            throw TokenizerError.malformedJSON(path: path, reason: "not valid JSON (\(error))")
        }
        guard case .object(let object) = value else { throw TokenizerError.malformedJSON(path: path, reason: "top level is not an object") }
        return JSONFieldReader(object: object, file: path)
    }
}
