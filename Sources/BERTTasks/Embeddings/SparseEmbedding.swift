import BERTModels
import BERTNN
import BERTTensor
import Foundation

/// The non-zero entries of a sparse (SPLADE) embedding: vocabulary ids in ascending order and their weights, as
/// sentence-transformers' `SparseEncoder.encode` returns them in a sparse tensor (and TEI's `/embed_sparse` as
/// `{index, value}` pairs).
public struct SparseEmbedding: Equatable, Sendable {
    /// Vocabulary ids with a non-zero weight, ascending.
    public var indices: [Int]
    /// Their weights (all positive for SPLADE).
    public var values: [Float]
    /// The full width (the vocabulary size).
    public var dimension: Int

    /// An embedding from its entries (`indices` ascending, as `values`' ids).
    public init(indices: [Int], values: [Float], dimension: Int) {
        (self.indices, self.values, self.dimension) = (indices, values, dimension)
    }

    /// The non-zero entries of `dense`; with `maxActiveDimensions`, only that many of the largest (sentence-
    /// transformers' `max_active_dims`: the top k values by size, ties broken by the lower index).
    public init(dense: [Float], maxActiveDimensions: Int? = nil) {
        var kept = dense.indices.filter { dense[$0] != 0 }
        if let k = maxActiveDimensions, k < kept.count {
            kept = Array(kept.sorted { dense[$0] != dense[$1] ? dense[$0] > dense[$1] : $0 < $1 }.prefix(max(k, 0))).sorted()
        }
        (indices, values, dimension) = (kept, kept.map { dense[$0] }, dense.count)
    }

    /// The vector with its zeros.
    public var dense: [Float] {
        var v = [Float](repeating: 0, count: dimension)
        for (i, x) in zip(indices, values) { v[i] = x }
        return v
    }

    /// The dot product (SparseEncoder's default similarity).
    public func dot(_ other: SparseEmbedding) -> Float {
        var (i, j, sum) = (0, 0, Float(0))
        while i < indices.count, j < other.indices.count {
            if indices[i] == other.indices[j] {
                sum += values[i] * other.values[j]
                (i, j) = (i + 1, j + 1)
            } else if indices[i] < other.indices[j] { i += 1 } else { j += 1 }
        }
        return sum
    }
}

extension SentenceTransformer {
    /// SPLADE vectors of `texts` as sentence-transformers' `SparseEncoder.encode` gives them: for each text, every
    /// vocabulary id's max (or sum) over the text's tokens of log(1 + ReLU(logit)). `prompt` / `promptName` as in
    /// `encode`; `maxActiveDimensions` keeps the largest k entries (`max_active_dims`).
    /// - Throws: `ModelError.invalidInput` when the model is not a SPLADE SparseEncoder.
    public func encodeSparse(_ texts: [String], batchSize: Int = 32, prompt: String? = nil, promptName: String? = nil,
                             maxActiveDimensions: Int? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> [SparseEmbedding] {
        guard splade != nil else {
            throw ModelError.invalidInput("this model is not a SPLADE SparseEncoder (modules.json: MLMTransformer → SpladePooling); "
                + "use encode for dense vectors")
        }
        if let k = maxActiveDimensions, k < 1 {
            throw ModelError.invalidInput("max active dimensions \(k) must be at least 1")
        }
        return try encode(texts, batchSize: batchSize, normalize: false, prompt: prompt, promptName: promptName, progress: progress)
            .map { SparseEmbedding(dense: $0, maxActiveDimensions: maxActiveDimensions) }
    }

    /// Logits held at once while pooling: 8 Mi floats (32 MB), 274 tokens at BERT's 30,522-token vocabulary, 33 at
    /// XLM-R's 250,002.
    static let spladeLogitBudget = 1 << 23

    /// [batch, vocab] SPLADE vectors of a tokenised batch (SpladePooling.forward): each attended token's MLM
    /// logits through log1p(relu(x)) (twice for `log1p_relu`), then max or sum over the row's tokens. Padding
    /// contributes nothing, as sentence-transformers multiplies it by the attention mask before the ReLU.
    static func spladeVectors(_ input: EncoderInput, model: BertForMaskedLM, config: SpladePoolingConfig) throws -> Tensor {
        let vocab = model.bert.config.vocabSize
        let hidden = try model.bert.lastHiddenStateSkippingPadding(input).reshaped([input.batch * input.length, -1])
        var out = [Float](repeating: 0, count: input.batch * vocab)
        var rows: [Int] = []
        for r in 0..<input.batch {
            for p in 0..<input.length where input.attentionMask[r * input.length + p] == 1 { rows.append(r * input.length + p) }
        }
        let tokensPerChunk = max(1, spladeLogitBudget / max(vocab, 1))
        for start in stride(from: 0, to: rows.count, by: tokensPerChunk) {
            let chunk = Array(rows[start..<min(start + tokensPerChunk, rows.count)])
            let logits = try model.predictions(hidden.embedding(ids: chunk, shape: [chunk.count])).scalars
            for (i, row) in chunk.enumerated() {
                let base = (row / input.length) * vocab
                for v in 0..<vocab {
                    var x = log1p(max(logits[i * vocab + v], 0))
                    if config.activation == .log1pRelu { x = log1p(x) }
                    switch config.strategy {
                    case .max: out[base + v] = max(out[base + v], x)
                    case .sum: out[base + v] += x
                    }
                }
            }
        }
        return try Tensor(shape: [input.batch, vocab], scalars: out)
    }
}
