import BERTNN
import BERTTensor

/// `BertEmbeddings`: word + position + token-type embeddings, then LayerNorm and dropout.
/// Keys: `word_embeddings`, `position_embeddings`, `token_type_embeddings`, `LayerNorm`.
public final class BertEmbeddings: Module {
    public let wordEmbeddings: Embedding
    public let positionEmbeddings: Embedding
    public let tokenTypeEmbeddings: Embedding?
    public let layerNorm: LayerNorm
    public let dropout: Float

    /// Embeddings sized from the config.
    public init(config: BertConfig, generator: inout SeededGenerator) {
        let std = Float(config.initializerRange)
        wordEmbeddings = Embedding(config.vocabSize, config.hiddenSize, std: std, paddingIndex: config.padTokenId, generator: &generator)
        positionEmbeddings = Embedding(config.maxPositionEmbeddings, config.hiddenSize, std: std, generator: &generator)
        tokenTypeEmbeddings = config.typeVocabSize > 0
            ? Embedding(config.typeVocabSize, config.hiddenSize, std: std, generator: &generator) : nil
        layerNorm = LayerNorm(config.hiddenSize, eps: Float(config.layerNormEps))
        dropout = Float(config.hiddenDropoutProb)
    }

    public var children: [(key: String, module: Module)] {
        var c: [(key: String, module: Module)] = [("word_embeddings", wordEmbeddings), ("position_embeddings", positionEmbeddings)]
        if let t = tokenTypeEmbeddings { c.append(("token_type_embeddings", t)) }
        c.append(("LayerNorm", layerNorm))
        return c
    }

    /// Ids [batch, length] → [batch, length, hidden]. Positions are 0..<length.
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext) throws -> Tensor {
        let (b, s) = (input.batch, input.length)
        let maxPositions = positionEmbeddings.weight.shape[0]
        guard s <= maxPositions else {
            throw ModelError.invalidInput("sequence of \(s) tokens is longer than the model's \(maxPositions) positions; truncate the input")
        }
        var x = try wordEmbeddings(input.inputIds, shape: [b, s])
        let positions = try positionEmbeddings(Array(0..<s), shape: [s])
        x = try x.adding(positions)
        if let t = tokenTypeEmbeddings { x = try x.adding(t(input.tokenTypeIds, shape: [b, s])) }
        return try context.dropout(layerNorm(x), dropout)
    }
}

extension BertEmbeddings {
    /// Embeddings of selected tokens only, packed [tokens.count, hidden] (inference): `tokens` are flat indices
    /// into the batch (row · length + column); positions are the column indices, as in the padded call.
    public func packed(_ input: EncoderInput, tokens: [Int]) throws -> Tensor {
        let maxPositions = positionEmbeddings.weight.shape[0]
        guard input.length <= maxPositions else {
            throw ModelError.invalidInput("sequence of \(input.length) tokens is longer than the model's \(maxPositions) positions; truncate the input")
        }
        let n = tokens.count
        var x = try wordEmbeddings(tokens.map { input.inputIds[$0] }, shape: [n])
        x = try x.adding(positionEmbeddings(tokens.map { $0 % input.length }, shape: [n]))
        if let t = tokenTypeEmbeddings { x = try x.adding(t(tokens.map { input.tokenTypeIds[$0] }, shape: [n])) }
        return try layerNorm(x)
    }
}

/// `BertPooler`: tanh(W · hidden[:, 0] + b). Key `dense`.
public final class BertPooler: Module {
    public let dense: Linear

    /// A pooler of `hidden` features.
    public init(hidden: Int, std: Float, generator: inout SeededGenerator) { dense = Linear(hidden, hidden, std: std, generator: &generator) }

    public var children: [(key: String, module: Module)] { [("dense", dense)] }

    /// [batch, sequence, hidden] → [batch, hidden] from the first token.
    public func callAsFunction(_ hidden: Tensor) throws -> Tensor {
        try dense(hidden.select(dim: 1, index: 0)).tanh()
    }
}
