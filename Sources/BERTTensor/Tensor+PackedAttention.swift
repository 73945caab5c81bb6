import BERTKernels

extension Tensor {
    /// Attention over packed sequences of different lengths, for inference: the rows of `query`, `key` and
    /// `value` ([tokens, heads · headDim]) hold several sequences one after another, `sequences` gives each one's
    /// rows, and each token attends to the tokens of its own sequence only, with no padding anywhere. Equal to
    /// `attention` on the padded batch with its padding mask, at every real token.
    ///
    /// Builds no autograd record (use `attention` under a tape). Each (sequence, head) pair computes its scores
    /// in per-thread scratch; pairs are dealt to threads in turn so long and short sequences share out evenly.
    /// Returns the context [tokens, heads · headDim].
    package static func packedAttention(query q: Tensor, key k: Tensor, value v: Tensor, sequences: [Range<Int>],
                                       heads: Int, scale: Float) throws -> Tensor {
        guard q.rank == 2 else {
            throw TensorError.invalidShape(op: "packedAttention", shape: q.shape, expected: "[tokens, heads · headDim]")
        }
        guard k.shape == q.shape, v.shape == q.shape else {
            throw TensorError.shapeMismatch(op: "packedAttention", lhs: q.shape, rhs: k.shape == q.shape ? v.shape : k.shape)
        }
        let (tokens, width) = (q.shape[0], q.shape[1])
        guard heads > 0, width % heads == 0 else {
            throw TensorError.invalidShape(op: "packedAttention", shape: q.shape, expected: "width divisible by \(heads) heads")
        }
        for r in sequences where r.lowerBound < 0 || r.upperBound > tokens {
            throw TensorError.indexOutOfRange(op: "packedAttention sequence", index: r.upperBound, bound: tokens)
        }
        let d = width / heads
        let (qc, kc, vc) = (q.rowContiguous(), k.rowContiguous(), v.rowContiguous())
        let (qp, kp, vp) = (qc.pointer, kc.pointer, vc.pointer)
        let (qs, ks, vs) = (qc.strides[0], kc.strides[0], vc.strides[0])
        let out = Tensor.empty([tokens, width])
        let o = out.pointer
        let longest = sequences.map(\.count).max() ?? 0
        let pairs = sequences.count * heads
        let workers = Swift.max(1, Swift.min(Threads.count, pairs))
        // One block per worker (scores, then the kernels' scratch), taken here: the same buffers every pass, however
        // the workers overlap in time.
        let scoreCount = (longest * longest + 15) / 16 * 16
        let block = Swift.max(1, scoreCount + AttentionProducts.scratchCount(keys: longest, headDim: d))
        let scratch = TensorStorage(count: workers * block)
        Parallel.forEachChunk(workers) { range in
            for worker in range {
                let s = scratch.pointer + worker * block, work = s + scoreCount
                var pair = worker
                while pair < pairs {
                    let rows = sequences[pair / heads], head = pair % heads
                    let n = rows.count
                    if n > 0 {
                        let column = head * d
                        AttentionProducts.scores(queries: n, keys: n, headDim: d, q: qp + rows.lowerBound * qs + column,
                                                 ldq: qs, k: kp + rows.lowerBound * ks + column, ldk: ks, scratch: work,
                                                 s: s, lds: n)
                        Kernels.softmaxRows(s, rows: n, cols: n, scale: scale, mask: nil)
                        AttentionProducts.context(queries: n, keys: n, headDim: d, p: s, ldp: n,
                                                  v: vp + rows.lowerBound * vs + column, ldv: vs, scratch: work,
                                                  o: o + rows.lowerBound * width + column, ldo: width)
                    }
                    pair += workers
                }
            }
        }
        return out
    }

    /// This 2-D tensor with unit column stride (itself when it already has one).
    func rowContiguous() -> Tensor {
        rank == 2 && strides[1] == 1 && strides[0] >= shape[1] ? self : contiguousData()
    }
}
