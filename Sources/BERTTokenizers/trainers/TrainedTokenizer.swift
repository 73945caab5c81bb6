import BERTJSON
import Foundation

/// A trained tokenizer as the files of its folder, laid out as `tokenizers` and `transformers` write them:
/// tokenizer.json always; vocab.txt (WordPiece) or vocab.json + merges.txt (BPE); tokenizer_config.json and
/// special_tokens_map.json so `transformers.AutoTokenizer` knows the special tokens.
public struct TrainedTokenizer: Sendable {
    /// The kind trained.
    public let kind: TokenizerModelKind
    /// The vocabulary by id (special tokens first).
    public let vocabulary: [String]
    /// Each file's name and bytes, tokenizer.json first.
    public let files: [(name: String, contents: [UInt8])]

    /// The contents of tokenizer.json.
    public var tokenizerJSON: [UInt8] { files[0].contents }

    /// The tokenizer, loaded back from `tokenizerJSON` as a user of the folder would load it.
    public func tokenizer() throws -> Tokenizer {
        try Tokenizer(tokenizerJSONData: Data(tokenizerJSON), path: "tokenizer.json (trained)")
    }

    /// Writes the files into `directory` (created if needed). This is not atomic; `bert train-tokenizer` writes
    /// into a temporary sibling renamed into place, so a folder is never left half-written.
    /// - Throws: `TokenizerTrainingError.unwritableOutput` naming the file.
    public func write(to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TokenizerTrainingError.unwritableOutput(path: directory.path, reason: error.localizedDescription)
        }
        for (name, contents) in files {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.createFile(atPath: url.path, contents: Data(contents)) else {
                throw TokenizerTrainingError.unwritableOutput(path: url.path, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Assembles the files of `preset` around its trained `model` section.
    init(preset: TokenizerPreset, vocabulary: [String], model: JSONValue, merges: [(String, String)]) throws {
        kind = preset.kind
        self.vocabulary = vocabulary
        var ids: [ExactString: Int] = [:]
        for (id, token) in vocabulary.enumerated() where ids[ExactString(token)] == nil { ids[ExactString(token)] = id }
        let lookup = { (token: String) in ids[ExactString(token)] ?? -1 }
        var members = preset.components(ids: lookup)
        members.append(JSONMember(key: "model", value: model))
        var files: [(String, [UInt8])] = [("tokenizer.json", try Self.text(.object(JSONObject(members: members)), pretty: true))]
        switch preset.kind {
        case .wordpiece:
            files.append(("vocab.txt", Array(vocabulary.map { $0 + "\n" }.joined().utf8)))
        case .bpe:
            files.append(("vocab.json", try Self.text(Self.vocabObject(vocabulary), pretty: false)))
            let lines = ["#version: 0.2"] + merges.map { "\($0.0) \($0.1)" }
            files.append(("merges.txt", Array(lines.map { $0 + "\n" }.joined().utf8)))
        case .unigram:
            break
        }
        files.append(("tokenizer_config.json", try Self.text(Self.transformersConfig(preset), pretty: true)))
        let map = TokenizerPreset.roles(preset.kind).map { JSONMember(key: $0.role, value: .string($0.token)) }
        files.append(("special_tokens_map.json", try Self.text(.object(JSONObject(members: map)), pretty: true)))
        self.files = files
    }

    /// `{token: id}` in id order, as tokenizers' serializer orders the vocabulary.
    static func vocabObject(_ vocabulary: [String]) -> JSONValue {
        .object(JSONObject(members: vocabulary.enumerated().map { JSONMember(key: $0.element, value: .integer(Int64($0.offset))) }))
    }

    static func text(_ value: JSONValue, pretty: Bool) throws -> [UInt8] {
        do {
            return try value.serialized(options: pretty ? .prettyPrinted : [])
        } catch {
            throw TokenizerTrainingError.unwritableOutput(path: "tokenizer.json", reason: "\(error)")
        }
    }

    /// tokenizer_config.json: the class transformers should build and its role tokens.
    static func transformersConfig(_ preset: TokenizerPreset) -> JSONValue {
        var members: [JSONMember] = []
        func add(_ key: String, _ value: JSONValue) { members.append(JSONMember(key: key, value: value)) }
        switch preset.kind {
        case .wordpiece:
            add("tokenizer_class", "BertTokenizer")
            add("do_lower_case", .bool(preset.lowercase))
            add("strip_accents", .null)
            add("tokenize_chinese_chars", true)
        case .bpe:
            // transformers' RobertaTokenizer rebuilds RoBERTa's pipeline, which has no normaliser: a lowercasing
            // tokenizer must load as the generic class, which runs tokenizer.json as written.
            add("tokenizer_class", preset.lowercase ? "PreTrainedTokenizerFast" : "RobertaTokenizer")
            add("add_prefix_space", false)
            add("trim_offsets", true)
        case .unigram:
            add("tokenizer_class", "PreTrainedTokenizerFast")
        }
        for (role, token) in TokenizerPreset.roles(preset.kind) { add(role, .string(token)) }
        if preset.kind != .wordpiece {
            add("cls_token", .string(preset.token("bos_token")))
            add("sep_token", .string(preset.token("eos_token")))
        }
        return .object(JSONObject(members: members))
    }
}
