import BERTTensor

extension Pretrained {
    /// The config and tensor source a masked-LM model loads `source` with, decoding as `transformers` 5 does:
    /// logits = transform(x) · decoderᵀ + decoder bias, where
    /// - the decoder weight is the checkpoint's own (`cls.predictions.decoder.weight`, `lm_head.decoder.weight`,
    ///   `vocab_projector.weight`, `predictions.decoder.weight`) when `tie_word_embeddings` is false, or when the
    ///   file stores one that differs from its word embeddings (transformers then keeps both); else the word
    ///   embeddings (tied). An untied config makes `BertForMaskedLM` load the decoder as a parameter of its own.
    /// - the decoder bias is the file's `….decoder.bias` when it has one and the decoder is untied or the two
    ///   biases differ (transformers reads `decoder.bias` in the forward pass and unties such a pair); else `….bias`.
    ///   The returned source then serves `decoder.bias` under the `bias` name (and hides the unused one).
    package static func maskedLM(_ config: BertConfig, source: TensorSource) throws -> (config: BertConfig, source: TensorSource) {
        let layout = MaskedLMHeadLayout(config.family)
        let names = Set(source.tensorNames)
        var resolved = config
        let decoder = layout.decoderWeightKey
        if config.tieWordEmbeddings, names.contains(decoder) {
            let embeddings = ["", config.family.baseKey + "."].map { $0 + "embeddings.word_embeddings.weight" }.first(where: names.contains)
            let equal = try embeddings.map { try source.shape(of: decoder) == source.shape(of: $0) && source.floats(decoder) == source.floats($0) }
            if equal != true { resolved.tieWordEmbeddings = false }
        }
        guard !layout.key.isEmpty else { return (resolved, source) }  // DistilBERT: vocab_projector.bias is the only bias
        let bias = layout.key + "." + layout.bias, decoderBias = layout.key + ".decoder.bias"
        guard names.contains(decoderBias) else { return (resolved, source) }
        let differs = try !names.contains(bias) || source.floats(bias) != source.floats(decoderBias)
        guard !resolved.tieWordEmbeddings || differs else { return (resolved, source) }
        return (resolved, RenamedTensorSource(source, serving: decoderBias, as: bias))
    }
}

/// A tensor source that serves one tensor under another name (hiding both originals' names): how a checkpoint's
/// `decoder.bias` reaches a model whose parameter is named `bias`.
package struct RenamedTensorSource: TensorSource {
    let base: TensorSource
    let stored: String, served: String

    /// `base` with `stored` readable as `served`; `served`'s own tensor, if any, is no longer visible.
    package init(_ base: TensorSource, serving stored: String, as served: String) {
        (self.base, self.stored, self.served) = (base, stored, served)
    }

    private func original(_ name: String) -> String { name == served ? stored : name }

    package var tensorNames: [String] { base.tensorNames.filter { $0 != stored && $0 != served } + [served] }
    package var sourceDescription: String { base.sourceDescription }
    package func shape(of name: String) throws -> [Int] { try base.shape(of: original(name)) }
    package func floats(_ name: String) throws -> [Float] { try base.floats(original(name)) }
    package func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try base.copyFloats(original(name), into: destination)
    }
    package func lentStorage(_ name: String) throws -> TensorStorage? { try base.lentStorage(original(name)) }
    package func finishedReading(_ name: String) { base.finishedReading(original(name)) }
}
