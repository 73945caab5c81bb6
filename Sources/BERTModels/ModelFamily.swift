import BERTNN

/// Everything that differs between the members of the BERT family, in one place: the model code asks the member
/// rather than branching on BERT. The layers themselves are shared (`EncoderLayer`); a member only names its keys,
/// its embedding options and how its layers are shared.
///
/// Mirrors the `transformers` classes `BertModel`, `RobertaModel` / `XLMRobertaModel`, `DistilBertModel` and
/// `AlbertModel` and their task heads.
package struct FamilyMember: Sendable {
    package let modelType: BertConfig.ModelType

    package init(_ modelType: BertConfig.ModelType) { self.modelType = modelType }

    /// The attribute a task head keeps its encoder under (`base_model_prefix`): `bert.`, `roberta.`, ...
    package var baseKey: String {
        switch modelType {
        case .bert: return "bert"
        case .roberta, .xlmRoberta: return "roberta"
        case .distilbert: return "distilbert"
        case .albert: return "albert"
        }
    }

    /// The class-name stem `config.json`'s `architectures` uses: `Bert`, `Roberta`, `XLMRoberta`, ...
    package var classPrefix: String {
        switch modelType {
        case .bert: return "Bert"
        case .roberta: return "Roberta"
        case .xlmRoberta: return "XLMRoberta"
        case .distilbert: return "DistilBert"
        case .albert: return "Albert"
        }
    }

    /// The sub-keys of one encoder layer.
    package var layerKeys: EncoderLayerKeys {
        switch modelType {
        case .bert, .roberta, .xlmRoberta: return .bert
        case .distilbert: return .distilBERT
        case .albert: return .albert
        }
    }

    /// The key of unique layer `index` (ALBERT: `inner` layers per group).
    package func layerKey(_ index: Int, inner: Int) -> String {
        switch modelType {
        case .bert, .roberta, .xlmRoberta: return "encoder.layer.\(index)"
        case .distilbert: return "transformer.layer.\(index)"
        case .albert: return "encoder.albert_layer_groups.\(index / inner).albert_layers.\(index % inner)"
        }
    }

    /// The prefix of every layer key before its number (the config check counts layers by it); nil for ALBERT,
    /// whose stored layers are groups, not the applied depth.
    package var layerCountPrefix: String? {
        switch modelType {
        case .bert, .roberta, .xlmRoberta: return "encoder.layer."
        case .distilbert: return "transformer.layer."
        case .albert: return nil
        }
    }

    /// RoBERTa counts positions from `padding_idx + 1` over non-pad tokens (`create_position_ids_from_input_ids`).
    package var countsPositionsFromPadding: Bool { modelType.usesRobertaPositions }

    /// Whether the member is given `token_type_ids` at all: RoBERTa's, XLM-R's and DistilBERT's tokenizers return
    /// none, so pair inputs reach those models with type ids of zero. BERT and ALBERT take them when the
    /// tokenizer returns them (`feedsTokenTypeIds`).
    package var takesTokenTypeIds: Bool { modelType == .bert || modelType == .albert }

    /// Whether a tokenizer's type ids reach the model: the member takes them and the tokenizer folder does not say
    /// it returns none (`Tokenizer.returnsTokenTypeIds`: transformers 5.24's AlbertTokenizer, for one, returns
    /// input_ids and attention_mask only, so ALBERT with its own tokenizer sees zeros, as in transformers).
    package func feedsTokenTypeIds(tokenizerDeclares declared: Bool?) -> Bool { takesTokenTypeIds && declared != false }

    /// The mask token of the member's tokenizer class (`RobertaTokenizer`/`XLMRobertaTokenizer`: `<mask>`).
    package var maskToken: String { modelType.usesRobertaPositions ? "<mask>" : "[MASK]" }

    /// Every checkpoint name of a pooler, for callers whose model has none (`bert.pooler.`, `albert.pooler.`...).
    package static let poolerKeys: [String] = ["pooler."] + BertConfig.ModelType.allCases.map { FamilyMember($0).baseKey + ".pooler." }

    /// Whether the base model has a pooler (DistilBERT has none).
    package var hasPooler: Bool { modelType != .distilbert }

    /// ALBERT's pooler is a bare `Linear` under `pooler`; the others wrap it as `pooler.dense`.
    package var poolerIsBareLinear: Bool { modelType == .albert }

    /// Sequence classification reads the base model's pooler (BERT, ALBERT) rather than a head-owned dense layer
    /// on the first token (RoBERTa's `classifier.dense`, DistilBERT's `pre_classifier`).
    package var classifiesFromPooler: Bool { modelType == .bert || modelType == .albert }

    /// How the head-owned dense layer of sequence classification is named and activated: RoBERTa's
    /// `RobertaClassificationHead` (dropout → `classifier.dense` → tanh → dropout → `classifier.out_proj`), DistilBERT's
    /// `pre_classifier` → ReLU → dropout → `classifier`. Nil where the pooler does this job.
    package var preClassifier: (dense: String, output: String, activation: Activation, dropoutFirst: Bool)? {
        switch modelType {
        case .bert, .albert: return nil
        case .roberta, .xlmRoberta: return ("classifier.dense", "classifier.out_proj", .tanh, true)
        case .distilbert: return ("pre_classifier", "classifier", .relu, false)
        }
    }

    /// The sentence-level pre-training head: BERT's NSP `cls.seq_relationship`, ALBERT's sentence-order
    /// `sop_classifier.classifier`; nil for RoBERTa and DistilBERT, which pre-train with MLM alone.
    package var sentenceHeadKey: String? {
        switch modelType {
        case .bert: return "cls.seq_relationship"
        case .albert: return "sop_classifier.classifier"
        case .roberta, .xlmRoberta, .distilbert: return nil
        }
    }

    /// The sentence-level pre-training task: "nsp" (BERT), "sop" (ALBERT) or nil (MLM only).
    package var sentenceTask: String? {
        switch modelType {
        case .bert: return "nsp"
        case .albert: return "sop"
        case .roberta, .xlmRoberta, .distilbert: return nil
        }
    }

    /// The stored layers as (groups, layers per group): ALBERT's `num_hidden_groups × inner_group_num`, applied
    /// group `int(i / (depth / groups))` at depth i (`BertModel.schedule`); one group per layer elsewhere.
    package func layerGroups(_ config: BertConfig) -> (groups: Int, inner: Int) {
        modelType == .albert ? (config.numHiddenGroups, config.innerGroupNum) : (config.numHiddenLayers, 1)
    }

    /// ALBERT projects its `embedding_size`-wide embeddings to `hidden_size` (`embedding_hidden_mapping_in`).
    package var projectsEmbeddings: Bool { modelType == .albert }

    /// Dropout before the token-classification head: DistilBERT uses `dropout`, the others `classifier_dropout`
    /// (falling back to the hidden dropout).
    package func tokenClassifierDropout(_ config: BertConfig) -> Float {
        Float(modelType == .distilbert ? config.hiddenDropoutProb : config.classifierDropout ?? config.hiddenDropoutProb)
    }

    /// Dropout before the question-answering head: DistilBERT's `qa_dropout`; none elsewhere.
    package func questionAnsweringDropout(_ config: BertConfig) -> Float {
        Float(modelType == .distilbert ? config.qaDropout ?? 0 : 0)
    }
}

extension BertConfig {
    /// The family member this config describes.
    package var family: FamilyMember { FamilyMember(modelType) }

    /// The longest input the position table serves: `max_position_embeddings`, less RoBERTa's padding offset
    /// (`pad_token_id + 1`; 512 of RoBERTa-base's 514).
    package var maxSequenceTokens: Int {
        family.countsPositionsFromPadding ? max(maxPositionEmbeddings - padTokenId - 1, 0) : maxPositionEmbeddings
    }
}

/// The names and activation of a member's masked-LM head: transform (dense → activation → LayerNorm), then the
/// tied decoder plus a bias.
package struct MaskedLMHeadLayout: Sendable {
    /// Where the head sits in the model (`cls.predictions`, `lm_head`, `predictions`), or "" when its parameters
    /// are the model's own (DistilBERT's `vocab_transform`, ...).
    package let key: String
    package let dense: String, layerNorm: String, bias: String
    /// The decoder weight's name under `key` (an untied decoder is a parameter of its own).
    package let decoderWeight: String
    /// Checkpoint names holding the tied decoder (skipped on load, as `transformers` does, unless the model unties
    /// it: then the weight is its own parameter and loads).
    package let tiedKeys: [String]

    package init(_ member: FamilyMember) {
        switch member.modelType {
        case .bert:
            (key, dense, layerNorm, bias) = ("cls.predictions", "transform.dense", "transform.LayerNorm", "bias")
            tiedKeys = ["cls.predictions.decoder.weight", "cls.predictions.decoder.bias"]
        case .roberta, .xlmRoberta:
            (key, dense, layerNorm, bias) = ("lm_head", "dense", "layer_norm", "bias")
            tiedKeys = ["lm_head.decoder.weight", "lm_head.decoder.bias"]
        case .distilbert:
            (key, dense, layerNorm, bias) = ("", "vocab_transform", "vocab_layer_norm", "vocab_projector.bias")
            tiedKeys = ["vocab_projector.weight"]
        case .albert:
            (key, dense, layerNorm, bias) = ("predictions", "dense", "LayerNorm", "bias")
            tiedKeys = ["predictions.decoder.weight", "predictions.decoder.bias"]
        }
        decoderWeight = member.modelType == .distilbert ? "vocab_projector.weight" : "decoder.weight"
    }

    /// The decoder weight's full checkpoint name (under the model, not the encoder).
    package var decoderWeightKey: String { key.isEmpty ? decoderWeight : key + "." + decoderWeight }

    /// RoBERTa's `RobertaLMHead` always applies exact GELU; the others use the config's activation.
    package static func activation(_ config: BertConfig) throws -> Activation {
        config.modelType.usesRobertaPositions ? .gelu : try Activation(configValue: config.hiddenAct)
    }
}

extension FamilyMember {
    /// Every tied-decoder name of every member (checkpoints carry them; no parameter reads them).
    package static let tiedDecoderKeys: [String] = BertConfig.ModelType.allCases.flatMap { MaskedLMHeadLayout(FamilyMember($0)).tiedKeys }
}
