extension Tensor {
    /// Scaled dot-product attention: softmax(q·kᵀ·scale + mask)·v.
    /// q, k, v: [batch, heads, sequence, headDim] (strided views are fine); mask: additive [batch, 1, 1, keys].
    /// Returns the context [batch, heads, sequence, headDim] and the attention probabilities
    /// [batch, heads, queries, keys]. Dropout on the probabilities applies when `dropout` > 0.
    public static func attention(query q: Tensor, key k: Tensor, value v: Tensor, mask: Tensor?, scale: Float,
                                 dropout: Float = 0, generator: inout SeededGenerator) throws -> (context: Tensor, probabilities: Tensor) {
        guard q.rank == 4, k.rank == 4, v.rank == 4 else {
            throw TensorError.invalidShape(op: "attention", shape: q.shape, expected: "[batch, heads, sequence, headDim]")
        }
        let scores = try q.matmul(k.transposed(-1, -2))
        let probs = try scores.maskedSoftmax(scale: scale, mask: mask)
        let dropped = try probs.dropout(dropout, generator: &generator)
        return (try dropped.matmul(v), probs)
    }
}
