import BERTKernels

extension Tensor {
    /// Scaled dot-product attention: softmax(q·kᵀ·scale + mask)·v.
    /// q, k, v: [batch, heads, sequence, headDim] (strided views are fine); mask: additive [batch, 1, 1, keys].
    /// Returns the context [batch, heads, sequence, headDim] and, when `keepProbabilities` or a tape is recording,
    /// the attention probabilities [batch, heads, queries, keys]. Dropout on the probabilities applies when
    /// `dropout` > 0.
    ///
    /// Without a tape this runs fused: each (batch, head) pair computes its scores in a per-thread scratch
    /// buffer, so the [batch, heads, queries, keys] tensor never exists, and writes its context straight into a
    /// [batch, sequence, heads, headDim] buffer (returned as a permuted view, so merging heads is free). Its two
    /// products are `AttentionProducts` (own kernels where a packed kernel runs, else the BLAS).
    package static func attention(query q: Tensor, key k: Tensor, value v: Tensor, mask: Tensor?, scale: Float,
                                 dropout: Float = 0, keepProbabilities: Bool = false,
                                 generator: inout SeededGenerator) throws -> (context: Tensor, probabilities: Tensor?) {
        guard q.rank == 4, k.rank == 4, v.rank == 4 else {
            throw TensorError.invalidShape(op: "attention", shape: q.shape, expected: "[batch, heads, sequence, headDim]")
        }
        guard k.shape == v.shape, q.shape[0] == k.shape[0], q.shape[1] == k.shape[1], q.shape[3] == k.shape[3] else {
            throw TensorError.shapeMismatch(op: "attention", lhs: q.shape, rhs: k.shape)
        }
        let recording = GradientTape.current != nil && (q.requiresGrad || k.requiresGrad || v.requiresGrad)
        if recording || keepProbabilities || dropout > 0 || q.strides[3] != 1 || k.strides[3] != 1 || v.strides[3] != 1 {
            let scores = try q.matmul(k.transposed(-1, -2))
            let probs = try scores.maskedSoftmax(scale: scale, mask: mask)
            let dropped = try probs.dropout(dropout, generator: &generator)
            return (try dropped.matmul(v), probs)
        }
        return (try fusedAttention(q, k, v, mask: mask, scale: scale), nil)
    }

    /// The tape-free fused path of `attention`.
    static func fusedAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, scale: Float) throws -> Tensor {
        let (b, h, sq, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let sk = k.shape[2]
        var maskData: Tensor?
        if let mask {
            guard mask.shape == [b, 1, 1, sk] else { throw TensorError.shapeMismatch(op: "attention mask", lhs: [b, 1, 1, sk], rhs: mask.shape) }
            maskData = mask.contiguousData()
        }
        // Output laid out [b, sq, h, d]; returned as the [b, h, sq, d] view.
        let out = Tensor.empty([b, sq, h, d])
        let o = out.pointer
        let (qp, kp, vp) = (q.pointer, k.pointer, v.pointer)
        let (qs, ks, vs) = (q.strides, k.strides, v.strides)
        let maskPointer = maskData?.pointer
        let pairs = b * h
        // One block per chunk (scores, then the kernels' scratch), taken here: the same buffers every pass, however
        // the chunks overlap in time.
        let chunks = Parallel.chunkCount(pairs)
        let scoreCount = (sq * sk + 15) / 16 * 16
        let block = scoreCount + AttentionProducts.scratchCount(keys: sk, headDim: d)
        let scratch = TensorStorage(count: Swift.max(1, chunks * block))
        Parallel.forEachChunk(pairs, chunks: chunks) { chunk, range in
            let s = scratch.pointer + chunk * block, work = s + scoreCount
            for pair in range {
                let bi = pair / h, hi = pair % h
                let qb = qp + bi * qs[0] + hi * qs[1], kb = kp + bi * ks[0] + hi * ks[1], vb = vp + bi * vs[0] + hi * vs[1]
                AttentionProducts.scores(queries: sq, keys: sk, headDim: d, q: qb, ldq: qs[2], k: kb, ldk: ks[2],
                                         scratch: work, s: s, lds: sk)
                Kernels.softmaxRows(s, rows: sq, cols: sk, scale: scale, mask: maskPointer.map { UnsafePointer($0 + bi * sk) })
                AttentionProducts.context(queries: sq, keys: sk, headDim: d, p: s, ldp: sk, v: vb, ldv: vs[2],
                                          scratch: work, o: o + bi * sq * h * d + hi * d, ldo: h * d)
            }
        }
        return Tensor(storage: out.storage, shape: [b, h, sq, d], strides: [sq * h * d, d, h * d, 1], offset: out.offset)
    }
}
