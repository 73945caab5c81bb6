import BERTJSON

// One enum per kind of component, mapping tokenizer.json's `type` to the Swift type that reads it, as the crate's
// NormalizerWrapper, PreTokenizerWrapper, ModelWrapper, PostProcessorWrapper and DecoderWrapper do. To add a
// component: one file holding the struct and its `JSONLoadable` conformance, a case here, and its line in
// `component` (the compiler asks for it).

/// tokenizer.json's `normalizer.type` values (HF `NormalizerWrapper`).
package enum NormalizerType: String, CaseIterable, Sendable {
    case bert = "BertNormalizer"
    case nfc = "NFC"
    case nfd = "NFD"
    case nfkc = "NFKC"
    case nfkd = "NFKD"
    case lowercase = "Lowercase"
    case strip = "Strip"
    case stripAccents = "StripAccents"
    case replace = "Replace"
    case prepend = "Prepend"
    case sequence = "Sequence"
    case precompiled = "Precompiled"

    /// The Swift type that reads this `type`.
    var component: any (Normalizer & JSONLoadable).Type {
        switch self {
        case .bert: BertNormalizer.self
        case .nfc, .nfd, .nfkc, .nfkd: UnicodeNormalizer.self
        case .lowercase: Lowercase.self
        case .strip: Strip.self
        case .stripAccents: StripAccents.self
        case .replace: Replace.self
        case .prepend: Prepend.self
        case .sequence: NormalizerSequence.self
        case .precompiled: PrecompiledNormalizer.self
        }
    }

    /// Reads the normaliser described by `json` (an object with a `type`).
    package static func load(_ json: JSONFieldReader, context: ComponentContext) throws -> any Normalizer {
        try Self.kind(of: json, "normalizer").component.init(json: json, context: context)
    }
}

/// tokenizer.json's `pre_tokenizer.type` values (HF `PreTokenizerWrapper`).
package enum PreTokenizerType: String, CaseIterable, Sendable {
    case bert = "BertPreTokenizer"
    case byteLevel = "ByteLevel"
    case whitespace = "Whitespace"
    case whitespaceSplit = "WhitespaceSplit"
    case punctuation = "Punctuation"
    case digits = "Digits"
    case split = "Split"
    case sequence = "Sequence"
    case metaspace = "Metaspace"

    /// The Swift type that reads this `type`.
    var component: any (PreTokenizer & JSONLoadable).Type {
        switch self {
        case .bert: BertPreTokenizer.self
        case .byteLevel: ByteLevel.self
        case .whitespace: Whitespace.self
        case .whitespaceSplit: WhitespaceSplit.self
        case .punctuation: Punctuation.self
        case .digits: Digits.self
        case .split: Split.self
        case .sequence: PreTokenizerSequence.self
        case .metaspace: Metaspace.self
        }
    }

    /// Reads the pre-tokeniser described by `json`.
    package static func load(_ json: JSONFieldReader, context: ComponentContext) throws -> any PreTokenizer {
        try Self.kind(of: json, "pre-tokenizer").component.init(json: json, context: context)
    }
}

/// tokenizer.json's `model.type` values (HF `ModelWrapper`).
package enum ModelType: String, CaseIterable, Sendable {
    case wordPiece = "WordPiece"
    case bpe = "BPE"
    case unigram = "Unigram"

    /// The Swift type that reads this `type`.
    var component: any (TokenizerModel & JSONLoadable).Type {
        switch self {
        case .wordPiece: WordPieceTokenizer.self
        case .bpe: BPE.self
        case .unigram: UnigramModel.self
        }
    }

    /// Reads the model described by `json`. Files that omit `type` (written before it existed) are recognised
    /// by their fields, as the crate's untagged fallback does.
    package static func load(_ json: JSONFieldReader, context: ComponentContext) throws -> any TokenizerModel {
        let kind: ModelType
        if json.has("type") {
            kind = try Self.kind(of: json, "model")
        } else if json.has("continuing_subword_prefix") && json.has("max_input_chars_per_word") {
            kind = .wordPiece
        } else if json.has("merges") {
            kind = .bpe
        } else {
            throw TokenizerError.missingKey(path: json.file, key: json.keyPath("type"))
        }
        return try kind.component.init(json: json, context: context)
    }
}

/// tokenizer.json's `post_processor.type` values (HF `PostProcessorWrapper`).
package enum PostProcessorType: String, CaseIterable, Sendable {
    case template = "TemplateProcessing"
    case bert = "BertProcessing"
    case roberta = "RobertaProcessing"
    case byteLevel = "ByteLevel"
    case sequence = "Sequence"

    /// The Swift type that reads this `type`.
    var component: any (PostProcessor & JSONLoadable).Type {
        switch self {
        case .template: TemplateProcessing.self
        case .bert: BertProcessing.self
        case .roberta: RobertaProcessing.self
        case .byteLevel: ByteLevel.self
        case .sequence: PostProcessorSequence.self
        }
    }

    /// Reads the post-processor described by `json`.
    package static func load(_ json: JSONFieldReader, context: ComponentContext) throws -> any PostProcessor {
        try Self.kind(of: json, "post-processor").component.init(json: json, context: context)
    }
}

/// tokenizer.json's `decoder.type` values (HF `DecoderWrapper`).
package enum DecoderType: String, CaseIterable, Sendable {
    case wordPiece = "WordPiece"
    case byteLevel = "ByteLevel"
    case bpe = "BPEDecoder"
    case replace = "Replace"
    case strip = "Strip"
    case fuse = "Fuse"
    case byteFallback = "ByteFallback"
    case sequence = "Sequence"
    case metaspace = "Metaspace"

    /// The Swift type that reads this `type`.
    var component: any (TokenDecoder & JSONLoadable).Type {
        switch self {
        case .wordPiece: WordPieceDecoder.self
        case .byteLevel: ByteLevel.self
        case .bpe: BPEDecoder.self
        case .replace: Replace.self
        case .strip: StripDecoder.self
        case .fuse: Fuse.self
        case .byteFallback: ByteFallback.self
        case .sequence: DecoderSequence.self
        case .metaspace: MetaspaceDecoder.self
        }
    }

    /// Reads the decoder described by `json`.
    package static func load(_ json: JSONFieldReader, context: ComponentContext) throws -> any TokenDecoder {
        try Self.kind(of: json, "decoder").component.init(json: json, context: context)
    }
}

extension RawRepresentable where Self: CaseIterable, RawValue == String {
    /// The case named by `json`'s `type`; an unknown name is `unknownComponentType` naming where it stands.
    static func kind(of json: JSONFieldReader, _ kindName: String) throws -> Self {
        let type = try json.required(json.string("type"), "type")
        guard let kind = Self(rawValue: type) else {
            throw TokenizerError.unknownComponentType(path: json.file, key: json.keyPath("type"), type: type, kind: kindName,
                                                      known: allCases.map(\.rawValue))
        }
        return kind
    }
}

extension [JSONFieldReader] {
    /// Loads each element with `load` (a `Sequence` component's members).
    func loadEach<T>(_ load: (JSONFieldReader, ComponentContext) throws -> T, context: ComponentContext) throws -> [T] {
        try map { try load($0, context) }
    }
}
