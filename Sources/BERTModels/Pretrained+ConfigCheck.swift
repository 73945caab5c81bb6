extension Pretrained {
    /// Checks the sizes in `config` against the shapes of the checkpoint's tensors (the member's prefix or none), so a
    /// config.json that does not belong to its weights is reported by key before a model is built from it:
    /// `vocab_size`, the embedding width, `max_position_embeddings` and `type_vocab_size` from the embedding
    /// tables, `num_hidden_layers` from the `encoder.layer.N` keys, `intermediate_size` from layer 0. Checkpoints
    /// with other key layouts are left to the loader's key walk.
    /// - Throws: `ModelError.configDisagreesWithWeights` naming the key, both values and both files.
    package static func check(_ config: BertConfig, against source: TensorSource, configFile: String) throws {
        let names = Set(source.tensorNames)
        let family = config.family
        guard let prefix = ["", family.baseKey + "."].first(where: { names.contains($0 + "embeddings.word_embeddings.weight") }) else { return }
        func rows(_ key: String) throws -> (Int, Int?)? {
            guard names.contains(prefix + key) else { return nil }
            let shape = try source.shape(of: prefix + key)
            guard let first = shape.first else { return nil }
            return (first, shape.count > 1 ? shape[1] : nil)
        }
        func expect(_ key: String, _ value: Int, equals found: Int?, tensor: String) throws {
            guard let found, found != value else { return }
            throw ModelError.configDisagreesWithWeights(key: key, config: value, weights: found, tensor: prefix + tensor,
                                                        configFile: configFile, weightsFile: source.sourceDescription)
        }
        let width = config.embeddingSize ?? config.hiddenSize
        let widthKey = config.embeddingSize != nil ? "embedding_size" : config.modelType == .distilbert ? "dim" : "hidden_size"
        let word = "embeddings.word_embeddings.weight"
        if let (vocab, columns) = try rows(word) {
            try expect("vocab_size", config.vocabSize, equals: vocab, tensor: word)
            try expect(widthKey, width, equals: columns, tensor: word)
        }
        let positions = "embeddings.position_embeddings.weight"
        try expect("max_position_embeddings", config.maxPositionEmbeddings, equals: try rows(positions)?.0, tensor: positions)
        let types = "embeddings.token_type_embeddings.weight"
        try expect("type_vocab_size", config.typeVocabSize, equals: try rows(types)?.0, tensor: types)

        guard let layerPrefix = family.layerCountPrefix.map({ prefix + $0 }) else { return }
        var layers = Set<Int>()
        for name in names where name.hasPrefix(layerPrefix) {
            if let n = Int(name.dropFirst(layerPrefix.count).prefix { $0 != "." }) { layers.insert(n) }
        }
        if let deepest = layers.max() {
            try expect(config.modelType == .distilbert ? "n_layers" : "num_hidden_layers", config.numHiddenLayers,
                       equals: deepest + 1, tensor: family.layerKey(deepest, inner: 1))
        }
        let intermediate = family.layerKey(0, inner: 1) + "." + family.layerKeys.intermediate + ".weight"
        try expect(config.modelType == .distilbert ? "hidden_dim" : "intermediate_size", config.intermediateSize,
                   equals: try rows(intermediate)?.0, tensor: intermediate)
    }
}
