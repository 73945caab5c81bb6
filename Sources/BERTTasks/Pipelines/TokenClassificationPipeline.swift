import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// How token predictions are merged into entities (transformers' `AggregationStrategy`).
public enum AggregationStrategy: String, Codable, Sendable, CaseIterable {
    /// One entity per token (`entity`, `index`).
    case none
    /// Tokens grouped by B-/I- tags; each token keeps its own argmax.
    case simple
    /// Words take the label of their first token.
    case first
    /// Words take the argmax of their tokens' mean scores.
    case average
    /// Words take the label of their most confident token.
    case max
}

/// One entity (transformers' dict). `entity` and `index` for `.none`; `entityGroup` otherwise.
public struct TokenEntity: Codable, Equatable, Sendable {
    /// The label (`.none`).
    public var entity: String?
    /// The tag without its B-/I- prefix (aggregated strategies).
    public var entityGroup: String?
    /// The probability (mean over the group's tokens or words when aggregated).
    public var score: Double
    /// The token, or the tokens' text joined by the WordPiece decoder.
    public var word: String
    /// Character (code point) offsets into the original text.
    public var start: Int, end: Int
    /// The token's position in the encoded input (`.none` only).
    public var index: Int?

    enum CodingKeys: String, CodingKey { case entity, entityGroup = "entity_group", score, index, word, start, end }
}

/// transformers' `TokenClassificationPipeline` (NER) over a `BertForTokenClassification` checkpoint.
///
///     let ner = try TokenClassificationPipeline(directory: url)
///     let entities = try ner(["Hugo Chávez met Angela Merkel in Zürich."], aggregationStrategy: .simple)[0]
///
/// Texts are truncated to the tokenizer's `model_max_length` (as transformers does); tokens past it are not labelled.
/// `Sendable`: one instance may serve many tasks or threads at once (calls only read the model: see `BertModel`).
public final class TokenClassificationPipeline: Sendable {
    /// The model.
    public let model: BertForTokenClassification
    /// The tokenizer (no truncation or padding of its own).
    public let tokenizer: Tokenizer
    /// The model's config (labels).
    public let config: BertConfig

    /// A pipeline over a loaded model and tokenizer.
    public init(model: BertForTokenClassification, tokenizer: Tokenizer, config: BertConfig) {
        self.model = model; self.tokenizer = tokenizer; self.config = config
    }

    /// Loads a Hugging Face folder (config.json, model.safetensors with `classifier.*`, tokenizer files).
    public convenience init(directory: URL) throws {
        let config = try Pretrained.config(in: directory)
        let model = try BertForTokenClassification(config: config, randomInit: false)
        try PipelineSupport.load(model, config: config, from: Pretrained.weights(in: directory))
        self.init(model: model, tokenizer: try PipelineSupport.tokenizer(in: directory), config: config)
    }

    /// A token before aggregation (transformers' `pre_entity`).
    struct PreEntity {
        var word: String
        var scores: [Double]
        var start: Int, end: Int, index: Int
        var isSubword: Bool
    }

    /// Entities for each text; labels in `ignoreLabels` (default `["O"]`) are dropped.
    /// - Parameter stride: process the whole of a long text in windows of `model_max_length` tokens overlapping by
    ///   `stride`, keeping the longer (then more confident) of overlapping entities (transformers' `stride`;
    ///   needs an aggregation strategy other than `.none`). Without it, text past `model_max_length` is cut.
    public func callAsFunction(_ texts: [String], aggregationStrategy: AggregationStrategy = .none,
                               ignoreLabels: [String] = ["O"], stride: Int? = nil, batchSize: Int = 8) throws -> [[TokenEntity]] {
        let maxPositions = config.maxSequenceTokens
        let maxLength = min(tokenizer.modelMaxLength ?? maxPositions, maxPositions)
        var tok = tokenizer
        if let stride {
            guard stride < maxLength else {
                throw PipelineError.invalidOption(name: "stride", value: "\(stride)", reason: "must be less than model_max_length \(maxLength)")
            }
            guard aggregationStrategy != .none else {
                throw PipelineError.invalidOption(name: "stride", value: "\(stride)", reason: "needs an aggregation strategy other than none")
            }
            do { try tok.setTruncation(TruncationParameters(maxLength: maxLength, stride: stride)) } catch {
                throw PipelineError.invalidOption(name: "stride", value: "\(stride)", reason: "\(error)")
            }
        } else {
            try tok.setTruncation(TruncationParameters(maxLength: maxLength))
        }
        let windows: [[Encoding]] = try texts.map { text in
            let e = try tok.encode(text)
            return stride == nil ? [e] : [e] + e.overflowing
        }
        let padId = tokenizer.tokenToId("[PAD]") ?? config.padTokenId
        let scores: [[[Double]]] = try PipelineSupport.batched(windows.flatMap { $0 }, batchSize: batchSize, padId: padId,
                                                                         tokenTypes: config.family.feedsTokenTypeIds(tokenizerDeclares: tokenizer.returnsTokenTypeIds)) { input, lengths in
            let flat = try model(input, skippingPadding: true).scalars
            let labels = flat.count / (input.batch * input.length)
            return lengths.enumerated().map { r, n in
                (0..<n).map { p in
                    let o = (r * input.length + p) * labels
                    return PipelineSupport.softmax(flat[o..<(o + labels)])
                }
            }
        }
        var next = 0
        return try texts.indices.map { i in
            let sentence = Array(texts[i].unicodeScalars)
            var entities: [TokenEntity] = []
            for window in windows[i] {
                let pre = gatherPreEntities(sentence, window, scores[next])
                next += 1
                entities += try aggregate(pre, aggregationStrategy).filter { e in
                    !ignoreLabels.contains(e.entity ?? "\u{0}") && !ignoreLabels.contains(e.entityGroup ?? "\u{0}")
                }
            }
            return windows[i].count > 1 ? Self.aggregateOverlapping(entities) : entities
        }
    }

    /// transformers' `aggregate_overlapping_entities`: sorted by start (stably); of entities that start inside the
    /// previous one, the longer wins, then the higher score.
    static func aggregateOverlapping(_ entities: [TokenEntity]) -> [TokenEntity] {
        guard var previous = entities.first else { return entities }
        let sorted = entities.indices.sorted { entities[$0].start != entities[$1].start ? entities[$0].start < entities[$1].start : $0 < $1 }.map { entities[$0] }
        var out: [TokenEntity] = []
        previous = sorted[0]
        for e in sorted {
            if previous.start <= e.start && e.start < previous.end {
                let length = e.end - e.start, previousLength = previous.end - previous.start
                if length > previousLength || (length == previousLength && e.score > previous.score) { previous = e }
            } else {
                out.append(previous)
                previous = e
            }
        }
        out.append(previous)
        return out
    }

    /// transformers' `gather_pre_entities`. A word-aware tokenizer (a model with a non-empty
    /// `continuing_subword_prefix`: WordPiece's `##`) marks a subword by its text length differing from the length of
    /// the characters it covers (`##ing` vs `ing`); any other (byte-level BPE, Unigram) takes transformers' fallback:
    /// a token is a subword when it does not start the text and neither it nor the character before it is a space.
    /// The unknown token takes the original text.
    func gatherPreEntities(_ sentence: [Unicode.Scalar], _ encoding: Encoding, _ scores: [[Double]]) -> [PreEntity] {
        let unk = tokenizer.tokenToId("[UNK]") ?? tokenizer.tokenToId("<unk>")
        let wordAware: Bool = switch tokenizer.model {
        case let m as WordPieceTokenizer: !m.continuingSubwordPrefix.isEmpty
        case let m as BPE: !(m.continuingSubwordPrefix ?? "").isEmpty
        default: false
        }
        var out: [PreEntity] = []
        for idx in scores.indices where encoding.specialTokensMask[idx] == 0 {
            let id = encoding.ids[idx]
            var word = tokenizer.idToToken(id) ?? ""
            let range = encoding.offsets[idx]
            let wordRef = sentence.text(range)
            var isSubword: Bool
            if wordAware {
                isSubword = word.unicodeScalars.count != wordRef.unicodeScalars.count
            } else {  // `" " not in sentence[start - 1 : start + 1]`
                let around = max(range.lowerBound - 1, 0)..<min(range.lowerBound + 1, sentence.count)
                isSubword = range.lowerBound > 0 && !sentence[around].contains(" ")
            }
            if id == unk { word = wordRef; isSubword = false }
            out.append(PreEntity(word: word, scores: scores[idx], start: range.lowerBound, end: range.upperBound, index: idx, isSubword: isSubword))
        }
        return out
    }

    /// First index of the maximum (numpy `argmax`).
    static func argmax(_ x: [Double]) -> Int {
        var best = 0
        for i in x.indices where x[i] > x[best] { best = i }
        return best
    }

    func aggregate(_ pre: [PreEntity], _ strategy: AggregationStrategy) throws -> [TokenEntity] {
        var entities: [TokenEntity] = []
        if strategy == .none || strategy == .simple {
            for p in pre {
                let i = Self.argmax(p.scores)
                entities.append(TokenEntity(entity: try PipelineSupport.label(i, config), score: p.scores[i], word: p.word,
                                            start: p.start, end: p.end, index: p.index))
            }
        } else {
            entities = try aggregateWords(pre, strategy)
        }
        return strategy == .none ? entities : groupEntities(entities)
    }

    /// The WordPiece decoder's join (transformers' `convert_tokens_to_string`).
    func tokensToString(_ tokens: [String]) -> String {
        tokenizer.decoder?.decode(tokens) ?? tokens.joined(separator: " ")
    }

    func aggregateWord(_ group: [PreEntity], _ strategy: AggregationStrategy) throws -> TokenEntity {
        let scores: [Double]
        switch strategy {
        case .max:
            var best = group[0]
            for e in group.dropFirst() where e.scores.max()! > best.scores.max()! { best = e }
            scores = best.scores
        case .average:
            scores = group[0].scores.indices.map { j in group.reduce(0) { $0 + $1.scores[j] } / Double(group.count) }
        default:
            scores = group[0].scores
        }
        let i = Self.argmax(scores)
        return TokenEntity(entity: try PipelineSupport.label(i, config), score: scores[i], word: tokensToString(group.map(\.word)),
                           start: group[0].start, end: group.last!.end)
    }

    func aggregateWords(_ pre: [PreEntity], _ strategy: AggregationStrategy) throws -> [TokenEntity] {
        var words: [TokenEntity] = []
        var group: [PreEntity] = []
        for e in pre {
            if !group.isEmpty && !e.isSubword {
                words.append(try aggregateWord(group, strategy))
                group = []
            }
            group.append(e)
        }
        if !group.isEmpty { words.append(try aggregateWord(group, strategy)) }
        return words
    }

    /// transformers' `get_tag`: B-/I- prefixes; anything else counts as a continuation (I) of itself.
    static func tag(_ name: String) -> (bi: String, tag: String) {
        if name.hasPrefix("B-") { return ("B", String(name.dropFirst(2))) }
        if name.hasPrefix("I-") { return ("I", String(name.dropFirst(2))) }
        return ("I", name)
    }

    func groupSubEntities(_ group: [TokenEntity]) -> TokenEntity {
        let name = group[0].entity ?? ""
        let tag = name.firstIndex(of: "-").map { String(name[name.index(after: $0)...]) } ?? name
        let score = group.reduce(0) { $0 + $1.score } / Double(group.count)
        return TokenEntity(entityGroup: tag, score: score, word: tokensToString(group.map(\.word)),
                           start: group[0].start, end: group.last!.end)
    }

    /// transformers' `group_entities`: consecutive entities with the same tag merge unless one starts with B-.
    func groupEntities(_ entities: [TokenEntity]) -> [TokenEntity] {
        var groups: [TokenEntity] = []
        var current: [TokenEntity] = []
        for e in entities {
            if let last = current.last {
                let (bi, tag) = Self.tag(e.entity ?? ""), (_, lastTag) = Self.tag(last.entity ?? "")
                if tag == lastTag && bi != "B" { current.append(e); continue }
                groups.append(groupSubEntities(current))
            }
            current = [e]
        }
        if !current.isEmpty { groups.append(groupSubEntities(current)) }
        return groups
    }
}
