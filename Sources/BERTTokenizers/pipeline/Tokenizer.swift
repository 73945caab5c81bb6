import Foundation

/// A complete tokenisation pipeline, mirroring Hugging Face `tokenizers.Tokenizer`:
/// added tokens -> normaliser -> pre-tokeniser -> model -> truncation -> post-processor -> padding.
///
/// Offsets are reported in Unicode code points of the original strings, as Python does.
/// Build one with `Tokenizer(directory:)`, `Tokenizer(tokenizerJSON:)` or `Tokenizer(vocabFile:...)`.
public struct Tokenizer: Sendable {
    /// Text normaliser (`BertNormalizer` for BERT), applied to text between added tokens.
    package var normalizer: (any Normalizer)?
    /// Word splitter (`BertPreTokenizer` for BERT).
    package var preTokenizer: (any PreTokenizer)?
    /// Subword model (`WordPieceTokenizer` for BERT).
    package let model: any TokenizerModel
    /// Adds `[CLS]`/`[SEP]` and type ids.
    package var postProcessor: (any PostProcessor)?
    /// Turns tokens back into text.
    package var decoder: (any TokenDecoder)?
    /// Truncation applied by `encode` (set with `setTruncation`).
    public private(set) var truncation: TruncationParameters?
    /// Padding applied by `encode` and `encodeBatch`.
    public var padding: PaddingParameters?
    /// transformers' `model_max_length` from tokenizer_config.json (values of 10^6 and more, meaning "none", are dropped).
    public var modelMaxLength: Int?
    /// Tokens added on top of the model vocabulary, in insertion order.
    public private(set) var addedTokens: [AddedToken] = []
    /// Whether transformers' tokenizer for the loaded folder hands the model `token_type_ids`, as its
    /// tokenizer_config.json says (`model_input_names`, else the `tokenizer_class`'s default in transformers 5.24:
    /// BertTokenizer yes; AlbertTokenizer, RobertaTokenizer, XLMRobertaTokenizer, DistilBertTokenizer no); nil when
    /// the folder says neither. The encodings still carry type ids; callers decide what the model sees.
    package var returnsTokenTypeIds: Bool?

    private var addedById: [Int: AddedToken] = [:]
    private var addedByContent: [ExactString: AddedToken] = [:]
    /// Normalised content of `normalized` added tokens, which HF's decode returns instead of the content.
    private var normalizedContent: [Int: String] = [:]
    private var rawMatcher = AddedTokenMatcher([])
    private var normalizedMatcher = AddedTokenMatcher([])

    /// Assembles a tokenizer from its components.
    package init(normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?, model: any TokenizerModel,
                postProcessor: (any PostProcessor)?, decoder: (any TokenDecoder)?, addedTokens: [AddedToken] = []) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        addTokens(addedTokens)
    }

    // MARK: Added tokens

    /// Adds tokens matched whole in text (HF `add_tokens`/`add_special_tokens`). A token whose `id` is negative
    /// gets the model's id for its content if there is one, else the next free id after the vocabulary.
    public mutating func addTokens(_ tokens: [AddedToken]) {
        for var token in tokens {
            let key = ExactString(token.content)
            if let existing = addedByContent[key] {
                token.id = existing.id
                addedTokens.removeAll { ExactString($0.content) == key }
            } else if token.id < 0 {
                token.id = model.tokenToId(token.content)
                    ?? max(model.vocabularySize, (addedTokens.map(\.id).max() ?? -1) + 1)
            }
            addedTokens.append(token)
            addedById[token.id] = token
            addedByContent[key] = token
        }
        rebuildMatchers()
    }

    /// Re-derives the two matchers; normalised tokens are matched by their normalised content.
    private mutating func rebuildMatchers() {
        var raw: [([UInt32], AddedToken)] = []
        var normalized: [([UInt32], AddedToken)] = []
        normalizedContent = [:]
        for token in addedTokens {
            let cps = token.content.unicodeScalars.map(\.value)
            if token.normalized, let normalizer {
                var out = NormalizedString(cps, range: 0..<cps.count)
                normalizer.normalize(&out)
                normalized.append((out.scalars, token))
                normalizedContent[token.id] = out.string
            } else if token.normalized {
                normalized.append((cps, token))
            } else {
                raw.append((cps, token))
            }
        }
        rawMatcher = AddedTokenMatcher(raw.map { (pattern: $0.0, token: $0.1) })
        normalizedMatcher = AddedTokenMatcher(normalized.map { (pattern: $0.0, token: $0.1) })
    }

    /// Replaces the normaliser (and re-normalises the added tokens that match normalised text).
    package mutating func setNormalizer(_ normalizer: (any Normalizer)?) {
        self.normalizer = normalizer
        rebuildMatchers()
    }

    /// Sets or clears truncation. Throws `invalidTruncation` for a negative `maxLength` or `stride`, or when
    /// `stride` exceeds `maxLength` minus the special tokens of a single sequence, as HF's `with_truncation` does.
    /// A `maxLength` below the special tokens is accepted, as in HF: such a limit truncates nothing (HF's
    /// unsigned `max_length - added` wraps around), see `postProcess`.
    public mutating func setTruncation(_ params: TruncationParameters?) throws {
        if let params {
            let added = postProcessor?.addedTokens(isPair: false) ?? 0
            if params.maxLength < 0 || params.stride < 0 {
                throw TokenizerError.invalidTruncation(reason:
                    "max_length \(params.maxLength) and stride \(params.stride) must not be negative")
            }
            if params.maxLength >= added && params.stride > params.maxLength - added {
                throw TokenizerError.invalidTruncation(reason:
                    "stride \(params.stride) must not exceed max_length \(params.maxLength) minus \(added) special tokens")
            }
        }
        truncation = params
    }

    /// The id of `token`, looking at added tokens first.
    public func tokenToId(_ token: String) -> Int? { addedByContent[ExactString(token)]?.id ?? model.tokenToId(token) }

    /// The string of `id`, looking at added tokens first.
    public func idToToken(_ id: Int) -> String? { addedById[id]?.content ?? model.idToToken(id) }

    /// Vocabulary size including added tokens.
    public var vocabularySize: Int { model.vocabularySize + addedById.keys.filter { model.idToToken($0) == nil }.count }

    // MARK: Encoding

    /// Tokenises one sequence without special tokens, truncation or padding (HF `encode_single_sequence`).
    package func encodeSequence(_ text: String, typeId: Int = 0) throws -> Encoding {
        var cps: [UInt32] = []
        cps.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { cps.append(scalar.value) }
        return try encodeSequence(codePoints: cps, typeId: typeId)
    }

    /// Tokenises code points (already-decoded text); offsets index into `codePoints`. Values that are not Unicode
    /// scalars (surrogates, past U+10FFFF) never crash: they have no character class and end up as `[UNK]`.
    package func encodeSequence(codePoints cps: [UInt32], typeId: Int = 0) throws -> Encoding {
        let text = preTokenize(codePoints: cps)
        var encoding = Encoding()
        encoding.reserve(cps.count / 3 + 4)
        var pieces: [ModelToken] = []
        // HF `into_encoding`: every split is a word, numbered in order.
        for (wordIndex, split) in text.splits.enumerated() {
            if let tokens = split.tokens {
                for t in tokens {
                    encoding.append(id: t.id, typeId: typeId, token: String(decodingScalars: text.text.scalars[t.range]),
                                    wordId: wordIndex, offsets: text.text.originalOffsets(t.range), special: 0)
                }
                continue
            }
            pieces.removeAll(keepingCapacity: true)
            try model.tokenize(text.text, word: split.range, into: &pieces)
            for p in pieces {
                encoding.append(id: p.id, typeId: typeId, token: model.tokenValue(p, in: text.text),
                                wordId: wordIndex, offsets: text.text.originalOffsets(p.range), special: 0)
            }
        }
        return encoding
    }

    /// Added tokens, normaliser and pre-tokeniser over `cps` (HF `do_normalize` + `do_pre_tokenize`): the
    /// splits the model will tokenise, and the added tokens already matched.
    package func preTokenize(codePoints cps: [UInt32]) -> PreTokenizedString {
        var text = PreTokenizedString(capacity: cps.count + 8)
        for split in rawMatcher.split(cps, range: 0..<cps.count) {
            var piece = NormalizedString(cps, range: split.range)
            if let id = split.tokenId {
                text.appendSplit(piece, range: 0..<piece.count, tokenId: id)
                continue
            }
            normalizer?.normalize(&piece)
            for match in normalizedMatcher.split(piece.scalars, range: 0..<piece.count) {
                text.appendSplit(piece, range: match.range, tokenId: match.tokenId)
            }
        }
        preTokenizer?.preTokenize(&text)
        return text
    }

    /// Encodes a sequence or a pair: tokenise, truncate (overflow windows in `overflowing`), add special tokens,
    /// pad (HF `Tokenizer.encode` with char offsets). Throws only for truncation that cannot be honoured.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) throws -> Encoding {
        let first = try encodeSequence(text, typeId: 0)
        let second = try pair.map { try encodeSequence($0, typeId: 1) }
        return try postProcess(first, second, addSpecialTokens: addSpecialTokens)
    }

    /// Encodes UTF-8 bytes; invalid UTF-8 throws `TokenizerError.invalidUTF8` naming the first bad byte.
    public func encode(utf8 bytes: some Collection<UInt8>, pair: (some Collection<UInt8>)? = nil as [UInt8]?,
                       addSpecialTokens: Bool = true) throws -> Encoding {
        let first = try Self.decodeUTF8(bytes)
        let second = try pair.map { try Self.decodeUTF8($0) }
        return try postProcess(try encodeSequence(codePoints: first, typeId: 0),
                               try second.map { try encodeSequence(codePoints: $0, typeId: 1) },
                               addSpecialTokens: addSpecialTokens)
    }

    /// Encodes `Data` holding UTF-8 text; invalid UTF-8 throws `TokenizerError.invalidUTF8`.
    public func encode(data: Data, pair: Data? = nil, addSpecialTokens: Bool = true) throws -> Encoding {
        try encode(utf8: data, pair: pair, addSpecialTokens: addSpecialTokens)
    }

    /// Strict UTF-8 decoding to code points; rejects overlongs, surrogates and truncated sequences.
    static func decodeUTF8(_ bytes: some Collection<UInt8>) throws -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                out.append(Unicode.UTF8.decode(encoded).value)
                offset += encoded.count
            case .error:
                throw TokenizerError.invalidUTF8(offset: offset)
            case .emptyInput:
                return out
            }
        }
    }

    /// HF `post_process`: truncation (its `maxLength` minus the special tokens), post-processor, padding.
    package func postProcess(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool = true) throws -> Encoding {
        var a = first, b = second
        a.setSequenceId(0)
        b?.setSequenceId(1)
        if let truncation {
            var params = truncation
            let added = postProcessor?.addedTokens(isPair: second != nil) ?? 0
            var truncates = true
            if addSpecialTokens && added > 0 {
                // HF computes `max_length - added` in usize: below the special tokens it wraps around to a huge
                // limit, so nothing is truncated (e.g. max_length 2 for a pair's three BERT special tokens).
                if params.maxLength < added { truncates = false } else { params.maxLength -= added }
            }
            if truncates { try truncateEncodings(&a, &b, params) }
        }
        var result: Encoding
        if let postProcessor {
            result = postProcessor.process(a, b, addSpecialTokens: addSpecialTokens)
        } else {
            result = a
            if let b {
                var bb = b
                bb.setTypeIds(1)
                result.setTypeIds(0)
                result.merge(with: bb)
            }
        }
        if let padding {
            var batch = [result]
            try padEncodings(&batch, padding)
            result = batch[0]
        }
        return result
    }

    /// Encodes a batch (one thread), then pads all encodings together (HF `encode_batch`). `pairs`, when given,
    /// has `texts.count` elements; a `nil` element encodes that text alone.
    public func encodeBatch(_ texts: [String], pairs: [String?]? = nil, addSpecialTokens: Bool = true) throws -> [Encoding] {
        precondition(pairs == nil || pairs!.count == texts.count, "encodeBatch: pairs must match texts one to one")
        var out: [Encoding] = []
        out.reserveCapacity(texts.count)
        for (i, text) in texts.enumerated() {
            out.append(try encode(text, pair: pairs?[i] ?? nil, addSpecialTokens: addSpecialTokens))
        }
        if let padding { try padEncodings(&out, padding) }
        return out
    }

    // MARK: Decoding

    /// HF `Tokenizer.decode`: ids to tokens (unknown ids dropped; special added tokens dropped if asked),
    /// then the decoder (or a space join).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            if let added = addedById[id] {
                if skipSpecialTokens && added.special { continue }
                tokens.append(normalizedContent[id] ?? added.content)
            } else if let token = model.idToToken(id) {
                if skipSpecialTokens, let added = addedByContent[ExactString(token)], added.special { continue }
                tokens.append(token)
            }
        }
        return decoder?.decode(tokens) ?? tokens.joined(separator: " ")
    }

    /// transformers' `decode`: `decode` followed, if asked, by `clean_up_tokenization` (which, unlike the
    /// WordPiece decoder's cleanup, works on the whole string and lacks the " do not" rule).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool, cleanUpTokenizationSpaces: Bool) -> String {
        let text = decode(ids, skipSpecialTokens: skipSpecialTokens)
        return cleanUpTokenizationSpaces ? WordPieceDecoder.cleanUpTokenizationSpaces(text, dontContraction: false) : text
    }
}
