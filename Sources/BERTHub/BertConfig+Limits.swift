import Foundation

extension BertConfig {
    /// Upper bounds on the sizes a config may ask for, far above any published BERT-family model (the largest
    /// vocabularies hold about 250,000 tokens, the widest layers 4,096 and 16,384 units, the deepest stacks 48
    /// layers) yet low enough that a typo or a hostile file is refused before anything is allocated.
    package enum Limits {
        /// `vocab_size`.
        package static let vocabSize = 1 << 24
        /// `hidden_size`, and ALBERT's `embedding_size`.
        package static let hiddenSize = 1 << 16
        /// `intermediate_size`.
        package static let intermediateSize = 1 << 18
        /// `num_hidden_layers`, `num_hidden_groups` and `inner_group_num`.
        package static let layers = 1 << 10
        /// `max_position_embeddings`.
        package static let positions = 1 << 20
        /// `type_vocab_size`.
        package static let typeVocabSize = 1 << 16
        /// Parameters of the encoder and its embeddings: 2³³ floats are 32 GiB of fp32 weights.
        package static let parameters = 1 << 33
    }

    /// The encoder's parameter count (embeddings, every layer as built — ALBERT's shared ones once — pooler), or nil when it does not fit in an
    /// `Int`. Counted in overflow-checked arithmetic, so it is safe on any values.
    package var parameterCount: Int? {
        let embedding = embeddingSize ?? hiddenSize
        let h = hiddenSize, i = intermediateSize
        // Terms of products, each [a, b, ...] contributing a·b·...: the embedding tables and their layer norm, the
        // ALBERT projection and the pooler (weight and bias each), then one layer (query, key, value and attention
        // output with biases, the two feed-forward matrices with biases, two layer norms).
        let tables: [[Int]] = [
            [vocabSize, embedding], [maxPositionEmbeddings, embedding], [typeVocabSize, embedding], [2, embedding],
            embedding == h ? [0] : [embedding, h], embedding == h ? [0] : [h], [h, h], [h],
        ]
        let layer: [[Int]] = [[4, h, h], [4, h], [2, h, i], [1, i], [1, h], [4, h]]
        guard let fixed = Self.sum(tables), let perLayer = Self.sum(layer) else { return nil }
        // ALBERT stores groups × inner_group_num layers however deep it runs them.
        let (albertLayers, o0) = numHiddenGroups.multipliedReportingOverflow(by: innerGroupNum)
        let stored = modelType == .albert ? albertLayers : numHiddenLayers
        let (stack, o1) = perLayer.multipliedReportingOverflow(by: stored)
        let (total, o2) = fixed.addingReportingOverflow(stack)
        return o0 || o1 || o2 ? nil : total
    }

    /// Checks every size against `Limits` and the parameter count against `Limits.parameters`; `validate` calls
    /// this, and so does every model constructor, before allocating.
    /// - Throws: `BERTHubError.valueTooLarge` naming the key, or `.modelTooLarge`, each naming `file`.
    package func validateLimits(file: String = "config.json") throws {
        let distil = modelType == .distilbert
        var bounded: [(String, Int, Int)] = [
            ("vocab_size", vocabSize, Limits.vocabSize),
            (distil ? "dim" : "hidden_size", hiddenSize, Limits.hiddenSize),
            (distil ? "hidden_dim" : "intermediate_size", intermediateSize, Limits.intermediateSize),
            (distil ? "n_layers" : "num_hidden_layers", numHiddenLayers, Limits.layers),
            ("max_position_embeddings", maxPositionEmbeddings, Limits.positions),
            ("type_vocab_size", typeVocabSize, Limits.typeVocabSize),
            ("num_hidden_groups", numHiddenGroups, Limits.layers), ("inner_group_num", innerGroupNum, Limits.layers),
        ]
        if let e = embeddingSize { bounded.append(("embedding_size", e, Limits.hiddenSize)) }
        for (key, value, limit) in bounded where value > limit {
            throw BERTHubError.valueTooLarge(file: file, key: key, value: value, limit: limit)
        }
        let count = parameterCount
        guard let count, count <= Limits.parameters else {
            throw BERTHubError.modelTooLarge(file: file, parameters: count, limit: Limits.parameters)
        }
    }

    /// Σ of the products of `terms`, or nil on overflow.
    private static func sum(_ terms: [[Int]]) -> Int? {
        var total = 0
        for term in terms {
            var product = 1
            for factor in term {
                let (p, overflow) = product.multipliedReportingOverflow(by: Swift.max(factor, 0))
                if overflow { return nil }
                product = p
            }
            let (t, overflow) = total.addingReportingOverflow(product)
            if overflow { return nil }
            total = t
        }
        return total
    }
}
