import BERTNN
import BERTTensor

/// `BertPredictionHeadTransform`: dense, activation, LayerNorm. Keys `dense`, `LayerNorm` (the masked-LM head
/// lists them under its member's names).
package final class BertPredictionHeadTransform: Module {
    package let dense: Linear
    package let layerNorm: LayerNorm
    package let activation: Activation

    /// hidden → the word-embedding width (ALBERT's `embedding_size`, else `hidden_size`).
    init(config: BertConfig, generator: inout SeededGenerator) throws {
        let width = config.embeddingSize ?? config.hiddenSize
        dense = Linear(config.hiddenSize, width, std: Float(config.initializerRange), generator: &generator)
        layerNorm = LayerNorm(width, eps: Float(config.layerNormEps))
        activation = try MaskedLMHeadLayout.activation(config)
    }

    package var children: [(key: String, module: Module)] { [("dense", dense), ("LayerNorm", layerNorm)] }

    /// [..., hidden] → [..., width].
    package func callAsFunction(_ x: Tensor) throws -> Tensor { try layerNorm(activation(dense(x))) }
}

/// The masked-LM head of every member: `BertLMPredictionHead` (`cls.predictions`), `RobertaLMHead` (`lm_head`),
/// DistilBERT's `vocab_transform` / `vocab_layer_norm` / `vocab_projector`, `AlbertMLMHead` (`predictions`).
/// A transform, then a decoder plus its own bias. The decoder weight IS the word-embedding table (tied, one
/// tensor) when `config.tieWordEmbeddings`, else a parameter of its own loaded from the checkpoint's decoder key
/// (`cls.predictions.decoder.weight`, ...), as `transformers` unties it.
package final class BertLMPredictionHead: Module {
    package let transform: BertPredictionHeadTransform
    /// [vocab, width]: the word-embedding table shared with the encoder, or the untied decoder's own weight.
    package let decoderWeight: Tensor
    /// Whether `decoderWeight` is the head's own parameter (`tie_word_embeddings` false).
    package let ownsDecoder: Bool
    /// [vocab].
    package let bias: Tensor
    let layout: MaskedLMHeadLayout

    init(config: BertConfig, wordEmbeddings: Tensor, generator: inout SeededGenerator) throws {
        transform = try BertPredictionHeadTransform(config: config, generator: &generator)
        ownsDecoder = !config.tieWordEmbeddings
        decoderWeight = ownsDecoder ? Init.normal(wordEmbeddings.shape, std: Float(config.initializerRange), generator: &generator)
                                    : wordEmbeddings
        bias = Tensor.zeros([config.vocabSize], requiresGrad: true)
        layout = MaskedLMHeadLayout(config.family)
    }

    package var ownParameters: [(key: String, tensor: Tensor)] {
        [(layout.bias, bias)] + (ownsDecoder ? [(layout.decoderWeight, decoderWeight)] : [])
    }
    package var children: [(key: String, module: Module)] { [(layout.dense, transform.dense), (layout.layerNorm, transform.layerNorm)] }

    /// Where the head goes in its model: under its key, or (DistilBERT) as the model's own entries.
    func entries() -> (children: [(key: String, module: Module)], own: [(key: String, tensor: Tensor)]) {
        layout.key.isEmpty ? (children, ownParameters) : ([(layout.key, self)], [])
    }

    /// [..., hidden] → vocabulary logits [..., vocab].
    package func callAsFunction(_ x: Tensor) throws -> Tensor { try transform(x).linear(weight: decoderWeight, bias: bias) }
}

/// Checkpoint names that hold tied copies of parameters we already have (skipped on load, as `transformers` does).
let tiedDecoderKeys = FamilyMember.tiedDecoderKeys + ["embeddings.position_ids"]

/// `BertForMaskedLM`: `bert` (no pooler) and `cls.predictions`; for the family `RobertaForMaskedLM` /
/// `XLMRobertaForMaskedLM` (`roberta`, `lm_head`), `DistilBertForMaskedLM` (`distilbert`, `vocab_*`) and
/// `AlbertForMaskedLM` (`albert`, `predictions`), by `config.modelType`.
public final class BertForMaskedLM: Module {
    public let bert: BertModel
    package let predictions: BertLMPredictionHead

    /// A new model from `config`.
    public init(config: BertConfig, seed: UInt64 = 0, randomInit: Bool = true) throws {
        bert = try BertModel(config: config, addPoolingLayer: false, seed: seed, randomInit: randomInit)
        var g = SeededGenerator(seed: seed &+ 1)
        predictions = try BertLMPredictionHead(config: config, wordEmbeddings: bert.embeddings.wordEmbeddings.weight, generator: &g)
    }

    package var children: [(key: String, module: Module)] { [(bert.config.family.baseKey, bert)] + predictions.entries().children }
    public var ownParameters: [(key: String, tensor: Tensor)] { predictions.entries().own }

    /// Vocabulary logits [batch, sequence, vocab].
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext = .inference) throws -> Tensor {
        try predictions(bert(input, context: context).lastHiddenState)
    }

    /// Cross-entropy over positions whose label is not -100, as `BertForMaskedLM` computes it. Only the labelled
    /// positions go through the prediction head (as Google's original code gathers them): the same loss and
    /// gradients, without the vocabulary-sized product for every other token. `logits` are [labelled, vocab].
    package func loss(_ input: EncoderInput, labels: [Int], context: ForwardContext = .inference) throws -> (loss: Tensor, logits: Tensor) {
        let hidden = try bert(input, context: context).lastHiddenState
        let (rows, kept) = try labelledRows(hidden, labels: labels)
        let logits = try predictions(rows)
        return (try logits.crossEntropy(labels: kept), logits)
    }
}

/// `BertForPreTraining`: `bert` (with pooler), `cls.predictions` and `cls.seq_relationship`; for ALBERT
/// `AlbertForPreTraining`: `albert`, `predictions` and the sentence-order head `sop_classifier.classifier` (same
/// math: MLM + a two-way classifier on the pooled output). RoBERTa and DistilBERT have no such class.
public final class BertForPreTraining: Module {
    public let bert: BertModel
    package let predictions: BertLMPredictionHead
    package let seqRelationship: Linear

    /// A new model from `config`.
    public init(config: BertConfig, seed: UInt64 = 0, randomInit: Bool = true) throws {
        guard config.family.sentenceHeadKey != nil else {
            throw ModelError.unsupportedConfig(key: "model_type", value: config.modelType.rawValue, supported: ["bert", "albert"])
        }
        bert = try BertModel(config: config, addPoolingLayer: true, seed: seed, randomInit: randomInit)
        var g = SeededGenerator(seed: seed &+ 1)
        predictions = try BertLMPredictionHead(config: config, wordEmbeddings: bert.embeddings.wordEmbeddings.weight, generator: &g)
        seqRelationship = Linear(config.hiddenSize, 2, std: randomInit ? Float(config.initializerRange) : 0, generator: &g)
    }

    package var children: [(key: String, module: Module)] {
        let family = bert.config.family
        return [(family.baseKey, bert)] + predictions.entries().children + [(family.sentenceHeadKey!, seqRelationship)]
    }

    /// MLM logits [batch, sequence, vocab] and NSP logits [batch, 2].
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext = .inference) throws -> (prediction: Tensor, seqRelationship: Tensor) {
        let out = try bert(input, context: context)
        return (try predictions(out.lastHiddenState), try seqRelationship(out.poolerOutput!))
    }

    /// total = MLM cross-entropy (labels -100 ignored) + NSP cross-entropy, as `BertForPreTraining`. Only labelled
    /// positions go through the prediction head (same loss and gradients; see `BertForMaskedLM.loss`), so
    /// `prediction` is [labelled, vocab] with `labelledLabels` its targets.
    package func loss(_ input: EncoderInput, labels: [Int], nextSentenceLabels: [Int], context: ForwardContext = .inference) throws
        -> (total: Tensor, mlm: Tensor, nsp: Tensor, prediction: Tensor, labelledLabels: [Int], seqRelationship: Tensor) {
        let out = try bert(input, context: context)
        let (rows, kept) = try labelledRows(out.lastHiddenState, labels: labels)
        let p = try predictions(rows)
        let s = try seqRelationship(out.poolerOutput!)
        let mlm = try p.crossEntropy(labels: kept)
        let nsp = try s.crossEntropy(labels: nextSentenceLabels)
        return (try mlm.adding(nsp), mlm, nsp, p, kept, s)
    }
}

/// The hidden rows [labelled, hidden] whose label is not -100, and those labels (differentiable gather).
func labelledRows(_ hidden: Tensor, labels: [Int]) throws -> (Tensor, [Int]) {
    let h = hidden.shape[hidden.rank - 1]
    let flat = try hidden.reshaped([-1, h])
    guard labels.count == flat.shape[0] else {
        throw ModelError.invalidInput("\(labels.count) MLM labels for \(flat.shape[0]) positions")
    }
    let positions = labels.indices.filter { labels[$0] != -100 }
    return (try flat.embedding(ids: positions, shape: [positions.count]), positions.map { labels[$0] })
}
