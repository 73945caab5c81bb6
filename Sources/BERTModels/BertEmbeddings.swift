import BERTNN
import BERTTensor
import Foundation

/// `BertEmbeddings` and its family's variants: word + position (+ token-type) embeddings, then LayerNorm and
/// dropout. Keys `word_embeddings`, `position_embeddings`, `token_type_embeddings`, `LayerNorm`.
///
/// The members differ only in options: RoBERTa counts positions from `pad_token_id + 1` over non-pad tokens
/// (`RobertaEmbeddings`), DistilBERT has no token types and may use fixed sinusoidal positions (`Embeddings`),
/// ALBERT's tables are `embedding_size` wide (`AlbertEmbeddings`; the model projects them to `hidden_size`).
package final class BertEmbeddings: Module {
    package let wordEmbeddings: Embedding
    package let positionEmbeddings: Embedding
    package let tokenTypeEmbeddings: Embedding?
    package let layerNorm: LayerNorm
    package let dropout: Float
    /// RoBERTa: the pad id whose successor is the first position; nil counts positions from 0.
    let positionPaddingIndex: Int?
    let modelType: BertConfig.ModelType

    /// Embeddings sized from the config.
    /// - Throws: `ModelError.unsupportedConfig` when a RoBERTa config's `max_position_embeddings` leaves no
    ///   position after its padding offset (`pad_token_id + 1`).
    package init(config: BertConfig, generator: inout SeededGenerator) throws {
        let std = Float(config.initializerRange)
        let width = config.embeddingSize ?? config.hiddenSize
        modelType = config.modelType
        positionPaddingIndex = config.family.countsPositionsFromPadding ? config.padTokenId : nil
        if let pad = positionPaddingIndex, config.maxPositionEmbeddings <= pad + 1 {
            throw ModelError.unsupportedConfig(key: "max_position_embeddings", value: "\(config.maxPositionEmbeddings)",
                                               supported: ["more than pad_token_id + 1 = \(pad + 1) (\(config.modelType.rawValue) positions start after the padding id)"])
        }
        wordEmbeddings = Embedding(config.vocabSize, width, std: std, paddingIndex: config.padTokenId, generator: &generator)
        positionEmbeddings = Embedding(config.maxPositionEmbeddings, width, std: std, paddingIndex: positionPaddingIndex,
                                       generator: &generator)
        if config.sinusoidalPositionEmbeddings {
            if std > 0 { Self.fillSinusoidal(positionEmbeddings.weight) }
            // A fixed table, as transformers 4.x's `create_sinusoidal_embeddings` sets `out.requires_grad = False`:
            // no gradient reaches it, so AdamW (which skips gradient-less parameters, as PyTorch) never moves it
            // and checkpoints keep it as loaded. (transformers 5.24 copies the table into a trainable parameter.)
            positionEmbeddings.weight.requiresGrad = false
        }
        tokenTypeEmbeddings = config.typeVocabSize > 0
            ? Embedding(config.typeVocabSize, width, std: std, generator: &generator) : nil
        layerNorm = LayerNorm(width, eps: Float(config.layerNormEps))
        dropout = Float(config.hiddenDropoutProb)
    }

    package var children: [(key: String, module: Module)] {
        var c: [(key: String, module: Module)] = [("word_embeddings", wordEmbeddings), ("position_embeddings", positionEmbeddings)]
        if let t = tokenTypeEmbeddings { c.append(("token_type_embeddings", t)) }
        c.append(("LayerNorm", layerNorm))
        return c
    }

    /// Ids [batch, length] → [batch, length, width] (width is `embedding_size` for ALBERT, else `hidden_size`).
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext) throws -> Tensor {
        let (b, s) = (input.batch, input.length)
        let positions = try positionIds(input)
        var x = try wordEmbeddings(input.inputIds, shape: [b, s])
        x = try x.adding(positionPaddingIndex == nil ? positionEmbeddings(Array(positions[0..<s]), shape: [s])
                                                     : positionEmbeddings(positions, shape: [b, s]))
        if let types = try tokenTypes(input) { x = try x.adding(types(input.tokenTypeIds, shape: [b, s])) }
        return try context.dropout(layerNorm(x), dropout)
    }

    /// Position ids [batch · length]: 0..<length per row, or RoBERTa's `padding_idx + cumsum(id ≠ pad)` with pad
    /// tokens at `padding_idx` (`create_position_ids_from_input_ids`; it reads the ids, not the attention mask).
    /// - Throws: `ModelError.invalidInput` when the largest position is past the table.
    func positionIds(_ input: EncoderInput) throws -> [Int] {
        let (b, s) = (input.batch, input.length)
        let table = positionEmbeddings.weight.shape[0]
        guard let pad = positionPaddingIndex else {
            guard s <= table else {
                throw ModelError.invalidInput("sequence of \(s) tokens is longer than the model's \(table) positions; truncate the input")
            }
            return (0..<b).flatMap { _ in 0..<s }
        }
        var ids = [Int](repeating: pad, count: b * s)
        for row in 0..<b {
            var count = 0
            for i in (row * s)..<((row + 1) * s) where input.inputIds[i] != pad {
                count += 1
                ids[i] = pad + count
            }
            guard pad + count < table else {
                throw ModelError.invalidInput("row \(row) has \(count) tokens but \(modelType.rawValue) positions start at "
                    + "pad_token_id + 1 = \(pad + 1) and end at \(table - 1); truncate the input to \(table - pad - 1) tokens")
            }
        }
        return ids
    }

    /// The token-type table, when the model has one (its lookup reports ids past it); a model without one
    /// (DistilBERT) refuses any nonzero id rather than ignoring it.
    func tokenTypes(_ input: EncoderInput) throws -> Embedding? {
        if tokenTypeEmbeddings == nil, let bad = input.tokenTypeIds.first(where: { $0 != 0 }) {
            throw ModelError.tokenTypesUnsupported(modelType: modelType.rawValue, found: bad)
        }
        return tokenTypeEmbeddings
    }

    /// DistilBERT's fixed table (`create_sinusoidal_embeddings`): even columns sin(p / 10000^(2⌊j/2⌋/dim)), odd
    /// columns cos of the same angle.
    static func fillSinusoidal(_ table: Tensor) {
        let (rows, dim) = (table.shape[0], table.shape[1])
        let p = table.pointer
        for pos in 0..<rows {
            for j in 0..<dim {
                let angle = Double(pos) / pow(10000, Double(2 * (j / 2)) / Double(dim))
                p[pos * dim + j] = Float(j % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
    }
}

extension BertEmbeddings {
    /// Embeddings of selected tokens only, packed [tokens.count, width] (inference): `tokens` are flat indices
    /// into the batch (row · length + column); positions are those of the padded call.
    package func packed(_ input: EncoderInput, tokens: [Int]) throws -> Tensor {
        let positions = try positionIds(input)
        let n = tokens.count
        var x = try wordEmbeddings(tokens.map { input.inputIds[$0] }, shape: [n])
        x = try x.adding(positionEmbeddings(tokens.map { positions[$0] }, shape: [n]))
        if let t = try tokenTypes(input) { x = try x.adding(t(tokens.map { input.tokenTypeIds[$0] }, shape: [n])) }
        return try layerNorm(x)
    }
}

/// `BertPooler`: tanh(W · hidden[:, 0] + b). Key `dense` (ALBERT stores the same layer bare, as `pooler`).
package final class BertPooler: Module {
    package let dense: Linear

    /// A pooler of `hidden` features.
    package init(hidden: Int, std: Float, generator: inout SeededGenerator) { dense = Linear(hidden, hidden, std: std, generator: &generator) }

    package var children: [(key: String, module: Module)] { [("dense", dense)] }

    /// [batch, sequence, hidden] → [batch, hidden] from the first token.
    package func callAsFunction(_ hidden: Tensor) throws -> Tensor {
        try dense(hidden.select(dim: 1, index: 0)).tanh()
    }
}
