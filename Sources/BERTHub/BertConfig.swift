import BERTJSON
import Foundation

/// The configuration of a BERT-family encoder, read from a Hugging Face `config.json`.
///
/// One type covers `BertConfig`, `RobertaConfig`, `XLMRobertaConfig`, `DistilBertConfig` and `AlbertConfig` of
/// `transformers`: DistilBERT's own key names (`dim`, `n_layers`, `n_heads`, `hidden_dim`, `activation`,
/// `dropout`, `attention_dropout`) are mapped onto the BERT names on decode and back on encode, and the variant
/// is kept in `modelType`. Fields absent from the file take that class's `transformers` defaults.
///
/// It lives in BERTHub rather than BERTModels (where DESIGN.md first placed "one config type") so the CLI,
/// the server and the hub code can read configs without importing the tensor stack.
///
/// ```swift
/// let config = try BertConfig(contentsOf: modelDirectory.appendingPathComponent("config.json"))
/// config.hiddenSize / config.numAttentionHeads   // head width
/// ```
public struct BertConfig: Equatable, Sendable {
    /// The `model_type` values this package implements.
    public enum ModelType: String, CaseIterable, Sendable {
        /// `BertModel`.
        case bert
        /// `RobertaModel`: BERT with position ids offset by `pad_token_id + 1`.
        case roberta
        /// `XLMRobertaModel`: the RoBERTa architecture with a multilingual vocabulary.
        case xlmRoberta = "xlm-roberta"
        /// `DistilBertModel`: no token types, optional sinusoidal positions, its own key names.
        case distilbert
        /// `AlbertModel`: factorised embeddings and layer sharing across groups.
        case albert

        /// RoBERTa-style position ids (`padding_idx + 1` onwards) and no token-type embeddings by default.
        public var usesRobertaPositions: Bool { self == .roberta || self == .xlmRoberta }
    }

    /// The `hidden_act` values the encoder implements: "gelu" and "gelu_python" (erf), "gelu_new",
    /// "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate" and "gelu_python_tanh" (the tanh approximation), "relu",
    /// "tanh", "silu" / "swish", "quick_gelu", "sigmoid" and "linear" — `Activation.configValues` in BERTModels.
    package static let supportedActivations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "tanh", "silu", "quick_gelu",
                                               "sigmoid", "linear", "gelu_accurate", "gelu_fast", "gelu_python",
                                               "gelu_python_tanh", "swish"]

    /// The architecture variant (`model_type`).
    public var modelType: ModelType
    /// Vocabulary rows of the word embeddings (`vocab_size`).
    public var vocabSize: Int
    /// Width of the hidden states (`hidden_size`; DistilBERT `dim`).
    public var hiddenSize: Int
    /// Encoder layers (`num_hidden_layers`; DistilBERT `n_layers`).
    public var numHiddenLayers: Int
    /// Attention heads per layer (`num_attention_heads`; DistilBERT `n_heads`).
    public var numAttentionHeads: Int
    /// Width of the feed-forward layer (`intermediate_size`; DistilBERT `hidden_dim`).
    public var intermediateSize: Int
    /// Feed-forward activation (`hidden_act`; DistilBERT `activation`); one of `supportedActivations`.
    public var hiddenAct: String
    /// Dropout on hidden states (`hidden_dropout_prob`; DistilBERT `dropout`).
    public var hiddenDropoutProb: Double
    /// Dropout on attention probabilities (`attention_probs_dropout_prob`; DistilBERT `attention_dropout`).
    public var attentionProbsDropoutProb: Double
    /// Dropout before classification heads (`classifier_dropout`; ALBERT `classifier_dropout_prob`; DistilBERT
    /// `seq_classif_dropout`); `nil` means `hiddenDropoutProb`, as in `transformers`.
    public var classifierDropout: Double?
    /// DistilBERT's dropout before the question-answering head (`qa_dropout`); `nil` for the others.
    public var qaDropout: Double?
    /// Rows of the position embeddings (`max_position_embeddings`; RoBERTa checkpoints use 514).
    public var maxPositionEmbeddings: Int
    /// Rows of the token-type embeddings (`type_vocab_size`); 0 means none (DistilBERT).
    public var typeVocabSize: Int
    /// LayerNorm epsilon (`layer_norm_eps`; DistilBERT has no key and uses 1e-12).
    public var layerNormEps: Double
    /// Padding token id (`pad_token_id`): 0 for BERT, 1 for RoBERTa, whose position ids start after it.
    public var padTokenId: Int
    /// `bos_token_id`, when the config has one.
    public var bosTokenId: Int?
    /// `eos_token_id`, when the config has one.
    public var eosTokenId: Int?
    /// `position_embedding_type`; only "absolute" is supported.
    public var positionEmbeddingType: String
    /// Std of the normal initialiser (`initializer_range`).
    public var initializerRange: Double
    /// Whether the masked-LM decoder shares the word-embedding matrix (`tie_word_embeddings`).
    public var tieWordEmbeddings: Bool
    /// DistilBERT's fixed sinusoidal position embeddings (`sinusoidal_pos_embds`).
    public var sinusoidalPositionEmbeddings: Bool
    /// ALBERT's factorised embedding width (`embedding_size`); `nil` for the others, whose embeddings are
    /// `hiddenSize` wide.
    public var embeddingSize: Int?
    /// ALBERT: groups of shared layers (`num_hidden_groups`); 1 elsewhere.
    public var numHiddenGroups: Int
    /// ALBERT: layers inside each group (`inner_group_num`); 1 elsewhere.
    public var innerGroupNum: Int
    /// Class id → label name (`id2label`, whose JSON keys are strings like "0").
    public var id2label: [Int: String]
    /// Label name → class id (`label2id`).
    public var label2id: [String: Int]
    /// "single_label_classification", "multi_label_classification" or "regression" (`problem_type`).
    public var problemType: String?
    /// The `transformers` classes the checkpoint was saved from (`architectures`), e.g. `["BertForMaskedLM"]`.
    public var architectures: [String]
    /// Keys of the file this type does not model (`transformers_version`, `use_cache`, ...), written back
    /// unchanged on encode; `tie_word_embeddings` and `position_embedding_type` also stay here when present, so
    /// re-encoding writes them exactly when the source did (the modelled values win).
    public var extraFields: [String: JSONValue]

    /// BERT-base defaults, as `transformers.BertConfig()`.
    public init() { self.init(modelType: .bert) }

    /// The defaults of `transformers`' config class for `modelType`.
    public init(modelType: ModelType) {
        self.modelType = modelType
        (vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize) = (30522, 768, 12, 12, 3072)
        (hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb) = ("gelu", 0.1, 0.1)
        (maxPositionEmbeddings, typeVocabSize, layerNormEps, padTokenId) = (512, 2, 1e-12, 0)
        (positionEmbeddingType, initializerRange, tieWordEmbeddings) = ("absolute", 0.02, true)
        (sinusoidalPositionEmbeddings, numHiddenGroups, innerGroupNum) = (false, 1, 1)
        (id2label, label2id, architectures, extraFields) = ([:], [:], [], [:])
        switch modelType {
        case .bert:
            break
        case .roberta, .xlmRoberta:
            if modelType == .roberta { vocabSize = 50265 }
            (padTokenId, bosTokenId, eosTokenId) = (1, 0, 2)
        case .distilbert:
            (numHiddenLayers, typeVocabSize, classifierDropout, qaDropout) = (6, 0, 0.2, 0.1)
        case .albert:
            (vocabSize, embeddingSize, hiddenSize, numAttentionHeads, intermediateSize) = (30000, 128, 4096, 64, 16384)
            (hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb, classifierDropout) = ("gelu_new", 0, 0, 0.1)
            (bosTokenId, eosTokenId) = (2, 3)
        }
    }

    /// Width of one attention head: `hiddenSize / numAttentionHeads`.
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Number of labels of a classification head: `id2label.count`, or 2 (the `transformers` default) when the
    /// config has no labels.
    public var numLabels: Int { id2label.isEmpty ? 2 : id2label.count }

    /// Checks the values the model builder relies on; decoding calls this.
    /// - Throws: `BERTHubError.nonPositive`, `.valueTooLarge`, `.modelTooLarge` (see `validateLimits`),
    ///   `.hiddenSizeNotDivisible`, `.unsupportedActivation`, `.unsupportedPositionEmbeddingType`, `.unsupportedDecoder` or
    ///   `.invalidField`, naming `file`.
    public func validate(file: String = "config.json") throws {
        let distil = modelType == .distilbert
        var positive: [(String, Int)] = [
            ("vocab_size", vocabSize), (distil ? "dim" : "hidden_size", hiddenSize),
            (distil ? "n_layers" : "num_hidden_layers", numHiddenLayers),
            (distil ? "n_heads" : "num_attention_heads", numAttentionHeads),
            (distil ? "hidden_dim" : "intermediate_size", intermediateSize),
            ("max_position_embeddings", maxPositionEmbeddings),
            ("num_hidden_groups", numHiddenGroups), ("inner_group_num", innerGroupNum),
        ]
        if let e = embeddingSize { positive.append(("embedding_size", e)) }
        for (key, value) in positive where value <= 0 {
            throw BERTHubError.nonPositive(file: file, key: key, value: value)
        }
        try validateLimits(file: file)
        guard hiddenSize % numAttentionHeads == 0 else {
            throw BERTHubError.hiddenSizeNotDivisible(file: file, hiddenSize: hiddenSize, heads: numAttentionHeads)
        }
        guard Self.supportedActivations.contains(hiddenAct) else {
            throw BERTHubError.unsupportedActivation(file: file, key: distil ? "activation" : "hidden_act",
                                                     value: hiddenAct, supported: Self.supportedActivations)
        }
        guard positionEmbeddingType == "absolute" else {
            throw BERTHubError.unsupportedPositionEmbeddingType(file: file, value: positionEmbeddingType)
        }
        // transformers 5 reads these two for BERT and the RoBERTas only (causal self-attention, cross-attention
        // layers); ALBERT and DistilBERT ignore them, as here.
        if modelType == .bert || modelType.usesRobertaPositions {
            for key in ["is_decoder", "add_cross_attention"] where extraFields[key] == .bool(true) {
                throw BERTHubError.unsupportedDecoder(file: file, key: key)
            }
        }
        func invalid(_ key: String, _ expected: String, _ value: Any) -> BERTHubError {
            .invalidField(file: file, key: key, expected: expected, found: "\(value)")
        }
        guard typeVocabSize >= 0 else { throw invalid("type_vocab_size", "≥ 0", typeVocabSize) }
        guard layerNormEps > 0, layerNormEps.isFinite else { throw invalid("layer_norm_eps", "a positive number", layerNormEps) }
        guard (0..<vocabSize).contains(padTokenId) else {
            throw invalid("pad_token_id", "a token id below vocab_size \(vocabSize)", padTokenId)
        }
        let dropouts: [(String, Double?)] = [
            (distil ? "dropout" : "hidden_dropout_prob", hiddenDropoutProb),
            (distil ? "attention_dropout" : "attention_probs_dropout_prob", attentionProbsDropoutProb),
            ("classifier_dropout", classifierDropout), ("qa_dropout", qaDropout),
        ]
        for case let (key, p?) in dropouts where !(0..<1).contains(p) {
            throw invalid(key, "a probability in [0, 1)", p)
        }
        if let problemType, !["single_label_classification", "multi_label_classification", "regression"].contains(problemType) {
            throw invalid("problem_type", "single_label_classification, multi_label_classification or regression",
                          problemType)
        }
    }
}
