import BERTJSON
import Foundation

extension Tokenizer {
    /// Loads from a folder: `tokenizer.json` if present, else `vocab.txt` with `tokenizer_config.json` and
    /// `special_tokens_map.json` (as transformers' `BertTokenizer.from_pretrained` does), else `vocab.json` +
    /// `merges.txt` (RoBERTa/GPT-2 layout, as transformers' `RobertaTokenizer` builds them), else a SentencePiece
    /// `spiece.model` / `sentencepiece.bpe.model` (see `init(sentencePieceModel:)`). `modelMaxLength` comes from
    /// `tokenizer_config.json` in every case.
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
        } else if try Self.exists(directory.appendingPathComponent("vocab.json")) {
            try self.init(byteLevelBPEFolder: directory)
        } else if let model = try Self.sentencePieceFileNames.map({ directory.appendingPathComponent($0) })
            .first(where: { try Self.exists($0) }) {
            try self.init(sentencePieceModel: model)
        } else {
            throw TokenizerError.noTokenizerFiles(directory: directory.path)
        }
        returnsTokenTypeIds = try Self.declaredTokenTypeIds(in: directory)
    }

    /// transformers' `pad_token` for the folder: `pad_token` of special_tokens_map.json / tokenizer_config.json (a
    /// string, or an object with `content`), else the default of its `tokenizer_class` in transformers 5.24
    /// ("[PAD]" for the BERT family, "<pad>" for RoBERTa, XLM-R, ALBERT, ...); nil when the folder says neither.
    /// transformers pads with this token whatever a tokenizer.json `padding` section names.
    package static func declaredPadToken(in directory: URL) throws -> String? {
        let config = try folderConfig(directory)
        if let value = config["pad_token"], let content = value.stringValue ?? value["content"]?.stringValue {
            return content
        }
        guard var name = config["tokenizer_class"]?.stringValue else { return nil }
        if name.hasSuffix("Fast") { name.removeLast(4) }
        if ["BertTokenizer", "ElectraTokenizer", "MobileBertTokenizer", "SqueezeBertTokenizer", "LayoutLMTokenizer",
            "DistilBertTokenizer", "DebertaTokenizer", "DebertaV2Tokenizer"].contains(name) { return "[PAD]" }
        if ["RobertaTokenizer", "XLMRobertaTokenizer", "AlbertTokenizer", "CamembertTokenizer", "MPNetTokenizer",
            "LongformerTokenizer", "BartTokenizer", "FunnelTokenizer"].contains(name) { return "<pad>" }
        return nil
    }

    /// tokenizer_config.json's answer to "does this tokenizer return token_type_ids" (see `returnsTokenTypeIds`).
    static func declaredTokenTypeIds(in directory: URL) throws -> Bool? {
        let url = directory.appendingPathComponent("tokenizer_config.json")
        guard try exists(url) else { return nil }
        let config = try JSONFieldReader.tokenizerFile(try read(url), path: url.path)
        if let names = config.value("model_input_names")?.arrayValue {
            return names.contains { $0.stringValue == "token_type_ids" }
        }
        guard var name = config.value("tokenizer_class")?.stringValue else { return nil }
        if name.hasSuffix("Fast") { name.removeLast(4) }
        // `model_input_names` of these classes in transformers 5.24.
        if ["BertTokenizer", "ElectraTokenizer", "MobileBertTokenizer", "SqueezeBertTokenizer", "LayoutLMTokenizer"].contains(name) { return true }
        if ["AlbertTokenizer", "RobertaTokenizer", "XLMRobertaTokenizer", "DistilBertTokenizer", "CamembertTokenizer",
            "MPNetTokenizer"].contains(name) { return false }
        return nil
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

    /// Builds the tokenizer from tokenizer.json's top-level object; each component is picked by its kind's enum.
    private init(reading root: JSONFieldReader) throws {
        let path = root.file
        let model = try ModelType.load(try root.required(root.object("model"), "model"),
                                       context: ComponentContext(model: nil, addedTokenCount: 0))
        let addedEntries = try root.objects("added_tokens") ?? []
        // Added tokens reuse vocabulary ids or take the ones after it; nothing legitimate lies further out.
        let context = ComponentContext(model: model, addedTokenCount: addedEntries.count)
        let normalizer = try root.object("normalizer").map { try NormalizerType.load($0, context: context) }
        let preTokenizer = try root.object("pre_tokenizer").map { try PreTokenizerType.load($0, context: context) }
        let decoder = try root.object("decoder").map { try DecoderType.load($0, context: context) }
        var added: [AddedToken] = []
        for (i, entry) in addedEntries.enumerated() {
            let content = try entry.requiredString("content")
            let declared = try context.checkId(try entry.requiredInt("id"), path: path, key: "added_tokens[\(i)].id")
            // HF re-registers each added token: content already in the model's vocabulary takes the model's id (for
            // a piece listed twice, as a trained Unigram "<s>" can be, its last id), whatever "id" says.
            added.append(AddedToken(content: content, id: model.tokenToId(content) ?? declared,
                                    special: try entry.bool("special") ?? false,
                                    singleWord: try entry.bool("single_word") ?? false,
                                    lstrip: try entry.bool("lstrip") ?? false,
                                    rstrip: try entry.bool("rstrip") ?? false,
                                    normalized: try entry.bool("normalized") ?? true))
        }
        let postProcessor = try root.object("post_processor").map { try PostProcessorType.load($0, context: context) }
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
                                        padId: try context.checkId(try p.int("pad_id") ?? 0, path: path, key: "padding.pad_id"),
                                        padTypeId: try p.int("pad_type_id") ?? 0,
                                        padToken: try p.string("pad_token") ?? "[PAD]")
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
        let config = try Self.folderConfig(url.deletingLastPathComponent())
        func tokenName(_ key: String, _ fallback: String) -> String {
            if case .string(let s)? = config[key] { return s }
            if case .string(let s)? = config[key]?["content"] { return s }
            return fallback
        }
        var vocab: [ExactString: Int] = [:]
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
                vocab[ExactString(String(decoding: bytes[lineStart..<i], as: UTF8.self))] = index
                index += 1
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                lineStart = i + 1
            }
            i += 1
        }
        if lineStart < bytes.count {
            vocab[ExactString(String(decoding: bytes[lineStart...], as: UTF8.self))] = index
            index += 1
        }
        guard index > 0 else { throw TokenizerError.malformedVocabulary(path: url.path, reason: "no tokens") }
        let unk = tokenName("unk_token", "[UNK]"), sep = tokenName("sep_token", "[SEP]"), pad = tokenName("pad_token", "[PAD]")
        let cls = tokenName("cls_token", "[CLS]"), mask = tokenName("mask_token", "[MASK]")
        let model = try WordPieceTokenizer(exactVocab: vocab, unkToken: unk)
        guard let sepId = vocab[ExactString(sep)] else { throw TokenizerError.tokenNotInVocabulary(token: sep, role: "separator") }
        guard let clsId = vocab[ExactString(cls)] else { throw TokenizerError.tokenNotInVocabulary(token: cls, role: "classifier") }
        func flag(_ key: String) -> Bool? { if case .bool(let b)? = config[key] { return b } else { return nil } }
        let lower = doLowerCase ?? flag("do_lower_case") ?? true
        let strip: Bool? = stripAccents ?? flag("strip_accents")
        let chinese = tokenizeChineseChars ?? flag("tokenize_chinese_chars") ?? true
        let specials = [pad, unk, cls, sep, mask].map { AddedToken(content: $0, id: vocab[ExactString($0)] ?? -1, special: true) }
        self.init(normalizer: BertNormalizer(cleanText: true, handleChineseChars: chinese, stripAccents: strip, lowercase: lower),
                  preTokenizer: BertPreTokenizer(), model: model,
                  postProcessor: TemplateProcessing.bert(cls: (cls, clsId), sep: (sep, sepId)),
                  decoder: WordPieceDecoder(), addedTokens: specials)
        addTokens(neverSplit.filter { !$0.isEmpty }.map { AddedToken(content: $0, id: vocab[ExactString($0)] ?? -1, special: false) })
        if let n = config["model_max_length"]?.intValue, n < 1_000_000 { modelMaxLength = n }
    }

    /// `special_tokens_map.json` then `tokenizer_config.json` of `folder` (when present), merged, the latter winning.
    static func folderConfig(_ folder: URL) throws -> [String: JSONValue] {
        var config: [String: JSONValue] = [:]
        for name in ["special_tokens_map.json", "tokenizer_config.json"] {
            let file = folder.appendingPathComponent(name)
            guard try Self.exists(file) else { continue }
            let section = try JSONFieldReader.tokenizerFile(try Self.read(file), path: file.path)
            for member in section.object { config[member.key] = member.value }
        }
        return config
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
