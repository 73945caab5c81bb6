import BERTJSON
import Foundation

extension Tokenizer {
    /// Loads a RoBERTa/GPT-2 folder without tokenizer.json: `vocab.json` + `merges.txt`, with
    /// `tokenizer_config.json` and `special_tokens_map.json` when present, built as transformers 5's
    /// `RobertaTokenizer` builds it: BPE (no unknown token), ByteLevel pre-tokeniser (`add_prefix_space` from the
    /// config, default false), RobertaProcessing (`trim_offsets`, default true), ByteLevel decoder, and the
    /// special tokens as added tokens (flags such as `<mask>`'s `lstrip` from `added_tokens_decoder` or from a
    /// token given as an object).
    public init(byteLevelBPEFolder folder: URL) throws {
        let vocabURL = folder.appendingPathComponent("vocab.json"), mergesURL = folder.appendingPathComponent("merges.txt")
        let vocabReader = try JSONFieldReader.tokenizerFile(try Self.read(vocabURL), path: vocabURL.path)
        let vocab = try JSONFieldReader.tokenVocabulary(vocabReader.object, file: vocabURL.path, key: "vocab.json")
        let merges = try Self.readMergesFile(mergesURL)
        let config = try Self.folderConfig(folder)
        func flag(_ key: String, _ fallback: Bool) -> Bool { config[key]?.boolValue ?? fallback }
        let addPrefixSpace = flag("add_prefix_space", false), trimOffsets = flag("trim_offsets", true)
        let model = try BPE(exactVocab: vocab, merges: merges, continuingSubwordPrefix: "", endOfWordSuffix: "", path: mergesURL.path,
                            keyPrefix: "merges")
        // transformers' special-token attributes, in the order it registers them.
        let roles: [(key: String, fallback: String)] = [("bos_token", "<s>"), ("eos_token", "</s>"), ("unk_token", "<unk>"),
                                                        ("sep_token", "</s>"), ("pad_token", "<pad>"), ("cls_token", "<s>"),
                                                        ("mask_token", "<mask>")]
        var specials: [AddedToken] = []
        var names: [String: String] = [:]
        for (key, fallback) in roles {
            let value = config[key]
            let content = value?.stringValue ?? value?["content"]?.stringValue ?? fallback
            names[key] = content
            var token = AddedToken(content: content, id: vocab[ExactString(content)] ?? -1, special: true)
            if let object = value, object["content"] != nil { token.apply(flagsOf: object) }
            specials.append(token)
        }
        if case .object(let decoderTable)? = config["added_tokens_decoder"] {
            for member in decoderTable {
                guard let id = Int(member.key), let content = member.value["content"]?.stringValue else { continue }
                var token = AddedToken(content: content, id: id, special: member.value["special"]?.boolValue ?? true)
                token.apply(flagsOf: member.value)
                specials.removeAll { ExactString($0.content) == ExactString(content) }
                specials.append(token)
            }
        }
        self.init(normalizer: nil, preTokenizer: ByteLevel(addPrefixSpace: addPrefixSpace, trimOffsets: true, useRegex: true),
                  model: model, postProcessor: nil, decoder: ByteLevel(), addedTokens: specials)
        let sep = names["sep_token"]!, cls = names["cls_token"]!
        guard let sepId = tokenToId(sep) else { throw TokenizerError.tokenNotInVocabulary(token: sep, role: "separator") }
        guard let clsId = tokenToId(cls) else { throw TokenizerError.tokenNotInVocabulary(token: cls, role: "classifier") }
        postProcessor = RobertaProcessing(sep: .init(sep, sepId), cls: .init(cls, clsId), trimOffsets: trimOffsets,
                                          addPrefixSpace: addPrefixSpace)
        if let n = config["model_max_length"]?.intValue, n < 1_000_000 { modelMaxLength = n }
    }

    /// `merges.txt` as the crate reads it: lines starting `#version` skipped, every other line exactly two
    /// tokens separated by one space (`\n` or `\r\n` ends a line).
    static func readMergesFile(_ url: URL) throws -> [(String, String)] {
        let data = try read(url)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TokenizerError.malformedVocabulary(path: url.path, reason: "not valid UTF-8")
        }
        // Split on scalars: "\r\n" is one Character, so a Character split would miss it.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Substring(String($0)) }
        if lines.last == "" { lines.removeLast() }
        var merges: [(String, String)] = []
        merges.reserveCapacity(lines.count)
        for (i, raw) in lines.enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.hasPrefix("#version") { continue }
            guard let pair = BPE.splitMergeLine(line) else {
                throw TokenizerError.malformedVocabulary(path: url.path,
                                                         reason: "line \(i + 1) is not two tokens separated by one space")
            }
            merges.append(pair)
        }
        return merges
    }
}

extension AddedToken {
    /// Takes `lstrip`, `rstrip`, `single_word` and `normalized` from a transformers token object.
    mutating func apply(flagsOf object: JSONValue) {
        lstrip = object["lstrip"]?.boolValue ?? lstrip
        rstrip = object["rstrip"]?.boolValue ?? rstrip
        singleWord = object["single_word"]?.boolValue ?? singleWord
        normalized = object["normalized"]?.boolValue ?? normalized
    }
}
