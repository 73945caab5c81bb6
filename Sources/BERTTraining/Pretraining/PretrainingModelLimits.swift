import BERTModels
import Foundation

/// Checks a pre-training model shape before anything is allocated, so `--layers 0` or `--hidden-size 100000`
/// fail at once with a message instead of at the first save or in the kernel's OOM killer.
package enum PretrainingModelLimits {
    /// Bytes each parameter costs while training: the weight, its gradient and AdamW's two moments (fp32).
    package static let trainingBytesPerParameter = 16

    /// Checks every size of `config`, that its positions and vocabulary cover the data (`sequenceLength` tokens,
    /// ids below `dataVocabularySize`), and that training fits in `memoryBytes`; returns the parameter count.
    /// - Throws: `TrainingError.invalidModelShape` for the first unusable size, `.modelTooLarge` past memory.
    @discardableResult
    package static func check(_ config: BertConfig, sequenceLength: Int, dataVocabularySize: Int,
                             memoryBytes: UInt64 = ProcessInfo.processInfo.physicalMemory) throws -> Int {
        func require(_ ok: Bool, _ field: String, _ value: Int, _ requirement: String) throws {
            if !ok { throw TrainingError.invalidModelShape(field: field, value: value, requirement: requirement) }
        }
        try require(config.numHiddenLayers >= 1, "num_hidden_layers", config.numHiddenLayers, "at least 1")
        try require(config.hiddenSize >= 1, "hidden_size", config.hiddenSize, "at least 1")
        try require(config.numAttentionHeads >= 1, "num_attention_heads", config.numAttentionHeads, "at least 1")
        try require(config.hiddenSize % config.numAttentionHeads == 0, "hidden_size", config.hiddenSize,
                    "a multiple of num_attention_heads (\(config.numAttentionHeads))")
        try require(config.intermediateSize >= 1, "intermediate_size", config.intermediateSize, "at least 1")
        // DistilBERT has no token types (MLM-only instances carry type 0 throughout).
        try require(config.typeVocabSize >= 1 || config.modelType == .distilbert, "type_vocab_size", config.typeVocabSize, "at least 1")
        try require(config.vocabSize >= dataVocabularySize, "vocab_size", config.vocabSize,
                    "at least the data's vocabulary size (\(dataVocabularySize))")
        try require(config.maxPositionEmbeddings >= sequenceLength, "max_position_embeddings", config.maxPositionEmbeddings,
                    "at least the data's sequence length (\(sequenceLength))")
        // The same per-size bounds as a config.json gets, so one table says what is absurd.
        try config.validateLimits(file: "the model options")
        let count = parameterCount(config)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: trainingBytesPerParameter)
        if overflow || UInt64(bytes) > memoryBytes {
            let shape = "hidden \(config.hiddenSize), \(config.numHiddenLayers) layers, intermediate \(config.intermediateSize), "
                + "vocabulary \(config.vocabSize)"
            throw TrainingError.modelTooLarge(description: "a model of \(shape)", parameters: count == .max ? "more than 9e18" : approximate(Double(count)),
                                              bytesNeeded: overflow ? "more than 9 EB" : byteCount(Double(bytes)),
                                              bytesAvailable: byteCount(Double(memoryBytes)))
        }
        return count
    }

    /// BertForPreTraining's parameters: the encoder as `BertConfig.parameterCount` counts it (embeddings, layers,
    /// pooler), plus the MLM transform, its layer norm and output bias (the decoder is tied) and the NSP classifier;
    /// saturating at `Int.max` instead of overflowing.
    package static func parameterCount(_ c: BertConfig) -> Int {
        func mul(_ a: Int, _ b: Int) -> Int { let (r, o) = a.multipliedReportingOverflow(by: b); return o ? .max : r }
        func add(_ xs: Int...) -> Int { xs.reduce(0) { let (r, o) = $0.addingReportingOverflow($1); return o ? .max : r } }
        let h = c.hiddenSize
        let heads = add(mul(h, h), h, mul(2, h), c.vocabSize, mul(2, h), 2)
        return add(c.parameterCount ?? .max, heads)
    }

    static func approximate(_ x: Double) -> String { x < 1e6 ? String(Int(x)) : String(format: "%.1e", x) }

    static func byteCount(_ b: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var v = b, u = 0
        while v >= 1000, u < units.count - 1 { v /= 1000; u += 1 }
        return String(format: "%.1f %@", v, units[u])
    }
}
