import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// How logits become scores (transformers' `ClassificationFunction`).
public enum ClassificationFunction: String, Codable, Sendable, CaseIterable {
    case softmax, sigmoid, none
}

/// A text, or a pair such as an NLI premise and hypothesis (transformers' `{"text": ..., "text_pair": ...}`).
public struct TextClassificationInput: Codable, Equatable, Sendable, ExpressibleByStringLiteral {
    /// The first (or only) sequence.
    public var text: String
    /// The second sequence of a pair.
    public var textPair: String?

    /// A text or a pair.
    public init(text: String, textPair: String? = nil) { self.text = text; self.textPair = textPair }
    /// A single text.
    public init(stringLiteral value: String) { self.init(text: value) }

    enum CodingKeys: String, CodingKey { case text, textPair = "text_pair" }
}

/// A label and its score (transformers' `{"label": ..., "score": ...}`).
public struct LabelScore: Codable, Equatable, Sendable {
    /// `id2label[class]`, or `LABEL_<class>`.
    public var label: String
    /// The class's score after the classification function.
    public var score: Double
}

/// transformers' `TextClassificationPipeline` over a `BertForSequenceClassification` checkpoint.
///
///     let classify = try TextClassificationPipeline(directory: url)
///     let best = try classify(["I love this movie!"])[0][0]                  // top_k = 1 (transformers' default)
///     let all = try classify([.init(text: premise, textPair: hypothesis)], topK: nil)[0]
///
/// Each result is sorted by score (highest first, ties in class order), cut to `topK` (nil = every label).
/// `Sendable`: one instance may serve many tasks or threads at once (calls only read the model: see `BertModel`).
public final class TextClassificationPipeline: Sendable {
    /// The model.
    public let model: BertForSequenceClassification
    /// The tokenizer (no truncation or padding of its own).
    public let tokenizer: Tokenizer
    /// The model's config (labels, problem type).
    public let config: BertConfig

    /// A pipeline over a loaded model and tokenizer.
    public init(model: BertForSequenceClassification, tokenizer: Tokenizer, config: BertConfig) {
        self.model = model; self.tokenizer = tokenizer; self.config = config
    }

    /// Loads a Hugging Face folder (config.json, model.safetensors with `classifier.*` and a pooler, tokenizer files).
    public convenience init(directory: URL) throws {
        let config = try Pretrained.config(in: directory)
        let model = try BertForSequenceClassification(config: config, randomInit: false)
        try PipelineSupport.load(model, config: config, from: Pretrained.weights(in: directory))
        self.init(model: model, tokenizer: try PipelineSupport.tokenizer(in: directory), config: config)
    }

    /// transformers' default: none for regression; sigmoid for multi-label or one label; softmax otherwise.
    public var defaultFunction: ClassificationFunction {
        switch config.problemType {
        case "regression": return .none
        case "multi_label_classification": return .sigmoid
        case "single_label_classification": return .softmax
        default: return model.numLabels == 1 ? .sigmoid : .softmax
        }
    }

    /// Raw logits, `[input][label]`, in padded batches of `batchSize`.
    public func logits(_ inputs: [TextClassificationInput], batchSize: Int = 8, truncation: Bool = false) throws -> [[Float]] {
        let maxLength = config.maxSequenceTokens
        let tok = try PipelineSupport.configured(tokenizer, truncateTo: truncation ? min(tokenizer.modelMaxLength ?? maxLength, maxLength) : nil)
        let encodings = try inputs.map { try tok.encode($0.text, pair: $0.textPair) }
        try PipelineSupport.checkLengths(encodings, maximum: maxLength)
        let padId = tokenizer.tokenToId("[PAD]") ?? config.padTokenId
        return try PipelineSupport.batched(encodings, batchSize: batchSize, padId: padId, tokenTypes: config.family.feedsTokenTypeIds(tokenizerDeclares: tokenizer.returnsTokenTypeIds)) { input, _ in
            let flat = try model(input, skippingPadding: true).scalars
            let n = flat.count / input.batch
            return (0..<input.batch).map { Array(flat[($0 * n)..<(($0 + 1) * n)]) }
        }
    }

    /// Scored labels for each input, sorted highest first and cut to `topK` (nil: all labels).
    /// - Parameters:
    ///   - functionToApply: nil uses `defaultFunction`.
    ///   - truncation: cut inputs to the model's length (off by default, as in transformers: too long throws).
    public func callAsFunction(_ inputs: [TextClassificationInput], topK: Int? = 1, functionToApply: ClassificationFunction? = nil,
                               batchSize: Int = 8, truncation: Bool = false) throws -> [[LabelScore]] {
        if let topK, topK < 1 { throw PipelineError.invalidOption(name: "top_k", value: "\(topK)", reason: "must be at least 1 (or none for all labels)") }
        let function = functionToApply ?? defaultFunction
        return try logits(inputs, batchSize: batchSize, truncation: truncation).map { row in
            let scores: [Double]
            switch function {
            case .softmax: scores = PipelineSupport.softmax(row[...])
            case .sigmoid: scores = row.map { PipelineSupport.sigmoid(Double($0)) }
            case .none: scores = row.map(Double.init)
            }
            // Python's stable sort on -score: ties keep class order.
            let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            return try order.prefix(topK ?? order.count).map { LabelScore(label: try PipelineSupport.label($0, config), score: scores[$0]) }
        }
    }
}
