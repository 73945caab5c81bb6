import BERTNN
import BERTTensor

/// `BertPredictionHeadTransform`: dense, activation, LayerNorm. Keys `dense`, `LayerNorm`.
public final class BertPredictionHeadTransform: Module {
    public let dense: Linear
    public let layerNorm: LayerNorm
    public let activation: Activation

    init(config: BertConfig, generator: inout SeededGenerator) throws {
        dense = Linear(config.hiddenSize, config.hiddenSize, std: Float(config.initializerRange), generator: &generator)
        layerNorm = LayerNorm(config.hiddenSize, eps: Float(config.layerNormEps))
        activation = try Activation(configValue: config.hiddenAct)
    }

    public var children: [(key: String, module: Module)] { [("dense", dense), ("LayerNorm", layerNorm)] }

    /// [..., hidden] → [..., hidden].
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try layerNorm(activation(dense(x))) }
}

/// `BertLMPredictionHead` (`cls.predictions`): transform, then a decoder whose weight IS the word-embedding
/// table (tied, one tensor) plus its own bias. Keys `transform.*`, `bias`.
public final class BertLMPredictionHead: Module {
    public let transform: BertPredictionHeadTransform
    /// The word-embedding table [vocab, hidden], shared with the encoder.
    public let decoderWeight: Tensor
    /// [vocab].
    public let bias: Tensor

    init(config: BertConfig, wordEmbeddings: Tensor, generator: inout SeededGenerator) throws {
        transform = try BertPredictionHeadTransform(config: config, generator: &generator)
        decoderWeight = wordEmbeddings
        bias = Tensor.zeros([config.vocabSize], requiresGrad: true)
    }

    public var ownParameters: [(key: String, tensor: Tensor)] { [("bias", bias)] }
    public var children: [(key: String, module: Module)] { [("transform", transform)] }

    /// [..., hidden] → vocabulary logits [..., vocab].
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try transform(x).linear(weight: decoderWeight, bias: bias) }
}

/// Checkpoint names that hold tied copies of parameters we already have (skipped on load, as `transformers` does).
let tiedDecoderKeys = ["cls.predictions.decoder.weight", "cls.predictions.decoder.bias", "embeddings.position_ids"]

/// `BertForMaskedLM`: `bert` (no pooler) and `cls.predictions`.
public final class BertForMaskedLM: Module {
    public let bert: BertModel
    public let predictions: BertLMPredictionHead

    /// A new model from `config`.
    public init(config: BertConfig, seed: UInt64 = 0, randomInit: Bool = true) throws {
        bert = try BertModel(config: config, addPoolingLayer: false, seed: seed, randomInit: randomInit)
        var g = SeededGenerator(seed: seed &+ 1)
        predictions = try BertLMPredictionHead(config: config, wordEmbeddings: bert.embeddings.wordEmbeddings.weight, generator: &g)
    }

    public var children: [(key: String, module: Module)] { [("bert", bert), ("cls.predictions", predictions)] }

    /// Vocabulary logits [batch, sequence, vocab].
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext = .inference) throws -> Tensor {
        try predictions(bert(input, context: context).lastHiddenState)
    }

    /// Cross-entropy over positions whose label is not -100, as `BertForMaskedLM` computes it.
    public func loss(_ input: EncoderInput, labels: [Int], context: ForwardContext = .inference) throws -> (loss: Tensor, logits: Tensor) {
        let logits = try self(input, context: context)
        return (try logits.reshaped([-1, logits.shape[2]]).crossEntropy(labels: labels), logits)
    }
}

/// `BertForPreTraining`: `bert` (with pooler), `cls.predictions` and `cls.seq_relationship`.
public final class BertForPreTraining: Module {
    public let bert: BertModel
    public let predictions: BertLMPredictionHead
    public let seqRelationship: Linear

    /// A new model from `config`.
    public init(config: BertConfig, seed: UInt64 = 0, randomInit: Bool = true) throws {
        bert = try BertModel(config: config, addPoolingLayer: true, seed: seed, randomInit: randomInit)
        var g = SeededGenerator(seed: seed &+ 1)
        predictions = try BertLMPredictionHead(config: config, wordEmbeddings: bert.embeddings.wordEmbeddings.weight, generator: &g)
        seqRelationship = Linear(config.hiddenSize, 2, std: randomInit ? Float(config.initializerRange) : 0, generator: &g)
    }

    public var children: [(key: String, module: Module)] {
        [("bert", bert), ("cls.predictions", predictions), ("cls.seq_relationship", seqRelationship)]
    }

    /// MLM logits [batch, sequence, vocab] and NSP logits [batch, 2].
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext = .inference) throws -> (prediction: Tensor, seqRelationship: Tensor) {
        let out = try bert(input, context: context)
        return (try predictions(out.lastHiddenState), try seqRelationship(out.poolerOutput!))
    }

    /// total = MLM cross-entropy (labels -100 ignored) + NSP cross-entropy, as `BertForPreTraining`.
    public func loss(_ input: EncoderInput, labels: [Int], nextSentenceLabels: [Int], context: ForwardContext = .inference) throws
        -> (total: Tensor, mlm: Tensor, nsp: Tensor, prediction: Tensor, seqRelationship: Tensor) {
        let (p, s) = try self(input, context: context)
        let mlm = try p.reshaped([-1, p.shape[2]]).crossEntropy(labels: labels)
        let nsp = try s.crossEntropy(labels: nextSentenceLabels)
        return (try mlm.adding(nsp), mlm, nsp, p, s)
    }
}
