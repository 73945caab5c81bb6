import BERTJSON
import Foundation

/// Trains a tokenizer of one `TokenizerModelKind` from texts (one document each), as `tokenizers`'
/// `Tokenizer.train_from_iterator` does with the kind's preset pipeline and trainer, and lays out its folder.
///
/// ```swift
/// let trained = try TokenizerTrainer(kind: .wordpiece, vocabSize: 30_000).train(texts: lines)
/// try trained.write(to: folder)        // tokenizer.json, vocab.txt, tokenizer_config.json, ...
/// ```
public struct TokenizerTrainer: Sendable {
    /// The kind of tokenizer.
    public var kind: TokenizerModelKind
    /// The vocabulary size to reach, special tokens included.
    public var vocabSize: Int
    /// Pairs seen fewer times are not merged (WordPiece and BPE; HF's Unigram trainer has no such setting, so
    /// asking it of `.unigram` is an error).
    public var minFrequency: Int
    /// Special tokens, first in the vocabulary; nil gives the kind's. The kind's role tokens (`[UNK]`, `[CLS]`,
    /// `<s>`, ...) are added in front when missing, since the model and post-processor name them.
    public var specialTokens: [String]?
    /// Keep at most this many characters in the initial alphabet (WordPiece and BPE; an error for `.unigram`,
    /// which keeps every character).
    public var limitAlphabet: Int?
    /// Lowercase the text; nil gives the kind's default (WordPiece lowercases, BPE and Unigram keep case).
    public var lowercase: Bool?
    /// Threads counting words (the result does not depend on it).
    public var threads: Int

    /// A trainer; see each property.
    public init(kind: TokenizerModelKind, vocabSize: Int, minFrequency: Int = 0, specialTokens: [String]? = nil,
                limitAlphabet: Int? = nil, lowercase: Bool? = nil, threads: Int = 1) {
        self.kind = kind
        self.vocabSize = vocabSize
        self.minFrequency = minFrequency
        self.specialTokens = specialTokens
        self.limitAlphabet = limitAlphabet
        self.lowercase = lowercase
        self.threads = threads
    }

    /// Trains on `texts` (each one document, without its line break).
    /// - Throws: `TokenizerTrainingError` for an empty corpus, a vocabulary too small for the special tokens and
    ///   alphabet, or settings out of range.
    public func train(texts: [String], progress: TrainingProgressHandler? = nil) throws -> TrainedTokenizer {
        guard vocabSize >= 1 else {
            throw TokenizerTrainingError.invalidSetting(name: "vocab_size", value: "\(vocabSize)", reason: "must be at least 1")
        }
        guard minFrequency >= 0 else {
            throw TokenizerTrainingError.invalidSetting(name: "min_frequency", value: "\(minFrequency)", reason: "must be at least 0")
        }
        if kind == .unigram && (minFrequency > 0 || limitAlphabet != nil) {
            throw TokenizerTrainingError.invalidSetting(name: minFrequency > 0 ? "min_frequency" : "limit_alphabet",
                                                        value: minFrequency > 0 ? "\(minFrequency)" : "\(limitAlphabet!)",
                                                        reason: "the unigram trainer has no such setting (it keeps every character)")
        }
        let preset = TokenizerPreset(kind: kind, lowercase: lowercase, specialTokens: specialTokens)
        let pipeline = try preset.pipeline()
        let counts = WordCounts(texts: texts, normalizer: pipeline.normalizer, preTokenizer: pipeline.preTokenizer,
                                threads: threads, progress: progress)
        switch kind {
        case .wordpiece:
            let trainer = WordPieceTrainer(vocabSize: vocabSize, minFrequency: minFrequency,
                                           specialTokens: preset.specialTokens, limitAlphabet: limitAlphabet)
            let vocab = try trainer.train(counts, progress: progress)
            // HF lets the `##` forms of the alphabet push the vocabulary past vocab_size; a user asking for N gets an
            // error rather than more than N tokens. (Then no merge was made: the vocabulary is specials + alphabet.)
            if vocab.count > vocabSize {
                let specials = preset.specialTokens.count
                throw TokenizerTrainingError.vocabularyTooSmall(vocabSize: vocabSize, needed: vocab.count, specialTokens: specials,
                                                                alphabet: vocab.count - specials)
            }
            let model: JSONValue = ["type": "WordPiece", "unk_token": .string(preset.token("unk_token")),
                                    "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                                    "vocab": TrainedTokenizer.vocabObject(vocab)]
            return try TrainedTokenizer(preset: preset, vocabulary: vocab, model: model, merges: [])
        case .bpe:
            let trainer = BpeTrainer(vocabSize: vocabSize, minFrequency: minFrequency, specialTokens: preset.specialTokens,
                                     limitAlphabet: limitAlphabet,
                                     initialAlphabet: ByteLevel.byteToCharacter.compactMap(Unicode.Scalar.init))
            let result = try trainer.train(counts, progress: progress)
            let model: JSONValue = [
                "type": "BPE", "dropout": .null, "unk_token": .null, "continuing_subword_prefix": .null,
                "end_of_word_suffix": .null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                "vocab": TrainedTokenizer.vocabObject(result.vocabulary),
                "merges": .array(result.merges.map { [.string($0.0), .string($0.1)] }),
            ]
            return try TrainedTokenizer(preset: preset, vocabulary: result.vocabulary, model: model, merges: result.merges)
        case .unigram:
            let trainer = UnigramTrainer(vocabSize: vocabSize, specialTokens: preset.specialTokens,
                                         unkToken: preset.token("unk_token"))
            let result = try trainer.train(counts, progress: progress)
            let model: JSONValue = [
                "type": "Unigram", "unk_id": result.unkId.map { .integer(Int64($0)) } ?? .null,
                "vocab": .array(result.vocabulary.map { [.string($0.piece), .number($0.score)] }),
                "byte_fallback": false,
            ]
            return try TrainedTokenizer(preset: preset, vocabulary: result.vocabulary.map(\.piece), model: model, merges: [])
        }
    }
}

extension TokenizerPreset {
    /// The preset's normaliser and pre-tokenizer, built by loading its tokenizer.json components (with a
    /// placeholder model), so words are counted by exactly the components the trained tokenizer will run.
    func pipeline() throws -> (normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?) {
        var members = components(ids: { token in specialTokens.firstIndex { $0.utf8.elementsEqual(token.utf8) } ?? 0 })
        let vocab = JSONObject(members: specialTokens.enumerated().map { JSONMember(key: $0.element, value: .integer(Int64($0.offset))) })
        members.append(JSONMember(key: "model", value: ["type": "WordPiece", "unk_token": .string(specialTokens[0]),
                                                        "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                                                        "vocab": .object(vocab)]))
        let data = try JSONValue.object(JSONObject(members: members)).serializedData()
        let tokenizer = try Tokenizer(tokenizerJSONData: data, path: "the \(kind.rawValue) preset")
        return (tokenizer.normalizer, tokenizer.preTokenizer)
    }
}
