import Foundation
import BERTJSON

extension Tokenizer {
    /// The SentencePiece file names a slow folder may hold, in the order `Tokenizer(directory:)` looks for them.
    static let sentencePieceFileNames = ["spiece.model", "sentencepiece.bpe.model"]

    /// Loads a slow SentencePiece folder (`spiece.model` for ALBERT, `sentencepiece.bpe.model` for XLM-R, with
    /// `tokenizer_config.json` / `special_tokens_map.json` when present) as transformers' converted fast
    /// tokenizer. `tokenizer_class` in the config picks the layout; without one the file name does.
    /// - Throws: `TokenizerError.corruptSentencePieceModel` for a bad file, `.unsupportedComponent` for a class
    ///   other than ALBERT / XLM-R or a non-Unigram model.
    public init(sentencePieceModel url: URL) throws {
        let model = try SentencePieceModelFile(contentsOf: url)
        let folder = url.deletingLastPathComponent()
        var config: [String: JSONValue] = [:]
        for name in ["special_tokens_map.json", "tokenizer_config.json"] {
            let file = folder.appendingPathComponent(name)
            guard try Self.exists(file) else { continue }
            let section = try JSONFieldReader.tokenizerFile(try Self.read(file), path: file.path)
            for member in section.object { config[member.key] = member.value }
        }
        let className = config["tokenizer_class"]?.stringValue ?? ""
        let layout: SentencePieceConversion.Layout
        if className.hasPrefix("XLMRoberta") {
            layout = .xlmRoberta
        } else if className.hasPrefix("Albert") {
            layout = .albert
        } else if className.isEmpty {
            layout = url.lastPathComponent == "sentencepiece.bpe.model" ? .xlmRoberta : .albert
        } else {
            throw TokenizerError.invalidComponent(path: url.path, key: "tokenizer_class",
                                                  reason: "\(className) is not supported for SentencePiece files; "
                                                      + "supported: AlbertTokenizer, XLMRobertaTokenizer")
        }
        guard model.modelType == 1 else {
            throw TokenizerError.invalidComponent(path: url.path, key: "trainer_spec.model_type",
                                                  reason: "model type \(model.modelType) is not Unigram (1)")
        }
        let json = try SentencePieceConversion.tokenizerJSON(model, layout: layout, config: config)
        try self.init(tokenizerJSONData: try json.serializedData(), path: url.path)
        if let n = config["model_max_length"]?.intValue, n < 1_000_000 { modelMaxLength = n }
    }
}
