import BERTKernels

/// Inference-only fused ops that overwrite a temporary in place: the epilogues of an encoder layer's linear
/// layers in one pass over the rows. They build no autograd record; callers use them only when no tape is
/// recording (`GradientTape.isRecording`) and only on tensors they just made (a bias-free `linear` output).
extension Tensor {
    /// Overwrites this contiguous tensor with GELU_erf(self + bias) over the last dimension (what
    /// `adding(bias).gelu()` computes) and returns it.
    /// With `quantizingInto`, each row is then also quantised into it (an int8 product's input, one row at a time
    /// while it is in cache; it must hold this tensor's rows × last dimension).
    @discardableResult
    package func formBiasGELU(_ bias: Tensor, quantizingInto q: QuantizedActivations? = nil) throws -> Tensor {
        let cols = try checkedInPlaceRows(bias, op: "formBiasGELU")
        let rows = count / Swift.max(cols, 1)
        if let q {
            try checkQuantizedRows(q, rows: rows, cols: cols, op: "formBiasGELU")
            Kernels.biasGELUQuantizeRows(pointer, bias: bias.contiguousData().pointer, rows: rows, cols: cols, into: q)
        } else {
            Kernels.biasGELURows(pointer, bias: bias.contiguousData().pointer, rows: rows, cols: cols)
        }
        return self
    }

    /// Overwrites this contiguous tensor with self + bias over the last dimension and returns it.
    @discardableResult
    package func formBias(_ bias: Tensor) throws -> Tensor {
        let cols = try checkedInPlaceRows(bias, op: "formBias")
        Kernels.biasRows(pointer, bias: bias.contiguousData().pointer, rows: count / Swift.max(cols, 1), cols: cols)
        return self
    }

    /// Overwrites this contiguous tensor with LayerNorm((self + bias) + residual) over the last dimension
    /// (`weight`, `layerNormBias`, `eps`) and returns it: a linear layer's bias, the residual connection and the
    /// layer norm after it, in one pass. With `quantizingInto`, each row is then also quantised into it (as
    /// `formBiasGELU`).
    @discardableResult
    package func formBiasResidualLayerNorm(bias: Tensor, residual: Tensor, weight: Tensor, layerNormBias: Tensor,
                                          eps: Float, quantizingInto q: QuantizedActivations? = nil) throws -> Tensor {
        let cols = try checkedInPlaceRows(bias, op: "formBiasResidualLayerNorm")
        guard residual.shape == shape else {
            throw TensorError.shapeMismatch(op: "formBiasResidualLayerNorm residual", lhs: shape, rhs: residual.shape)
        }
        for p in [weight, layerNormBias] where p.shape != [cols] {
            throw TensorError.shapeMismatch(op: "formBiasResidualLayerNorm", lhs: shape, rhs: p.shape)
        }
        let rows = count / Swift.max(cols, 1)
        let (b, r) = (bias.contiguousData(), residual.contiguousData())
        let (g, beta) = (weight.contiguousData(), layerNormBias.contiguousData())
        if let q {
            try checkQuantizedRows(q, rows: rows, cols: cols, op: "formBiasResidualLayerNorm")
            Kernels.biasResidualLayerNormQuantizeRows(pointer, bias: b.pointer, residual: r.pointer, gamma: g.pointer,
                                                      beta: beta.pointer, rows: rows, cols: cols, eps: eps, into: q)
        } else {
            Kernels.biasResidualLayerNormRows(pointer, bias: b.pointer, residual: r.pointer, gamma: g.pointer, beta: beta.pointer,
                                              rows: rows, cols: cols, eps: eps)
        }
        return self
    }

    /// Throws unless `q` holds `rows` rows of `cols` values.
    private func checkQuantizedRows(_ q: QuantizedActivations, rows: Int, cols: Int, op: String) throws {
        guard q.m == rows, q.k == cols else { throw TensorError.shapeMismatch(op: "\(op) quantized rows", lhs: shape, rhs: [q.m, q.k]) }
    }

    /// Checks that this tensor can be overwritten row by row and that `bias` spans its last dimension.
    private func checkedInPlaceRows(_ bias: Tensor, op: String) throws -> Int {
        let cols = shape.last ?? 0
        guard isContiguous else { throw TensorError.invalidShape(op: op, shape: shape, expected: "a contiguous tensor") }
        guard bias.shape == [cols] else { throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: bias.shape) }
        return cols
    }
}

extension Tensor {
    /// self [..., k] · W → [..., n] with a weight packed ahead of time (`PackedMatrix` of a Linear weight), no bias;
    /// inference only (no autograd record).
    package func linear(packed w: PackedMatrix) throws -> Tensor {
        try linearRows(k: w.k, n: w.n, op: "linear(packed:)") { GEMM.packed(m: $0, a: $1, lda: w.k, b: w, c: $2, ldc: w.n) }
    }

    /// self [..., k] · Wᵀ (+ bias [n], added in the kernel's epilogue) → [..., n] with an int8 weight, self
    /// quantised per row on the way in (dynamic int8, `GEMM.quantized`); inference only (no autograd record).
    package func linear(quantized w: QuantizedMatrix, bias: Tensor? = nil) throws -> Tensor {
        if let bias, bias.shape != [w.n] {
            throw TensorError.shapeMismatch(op: "linear(quantized:) bias", lhs: [w.n], rhs: bias.shape)
        }
        let b = bias?.contiguousData()
        return try withExtendedLifetime(b) {
            try linearRows(k: w.k, n: w.n, op: "linear(quantized:)") {
                GEMM.quantized(m: $0, a: $1, lda: w.k, b: w, bias: b.map { UnsafePointer($0.pointer) }, c: $2, ldc: w.n)
            }
        }
    }

    /// [leading..., n] = A · Wᵀ (+ bias [n], in the kernel's epilogue) from rows of A already quantised (`q`, by a
    /// fused epilogue); inference only.
    package static func linear(quantizedRows q: QuantizedActivations, leadingShape: [Int], weight w: QuantizedMatrix,
                               bias: Tensor? = nil) throws -> Tensor {
        guard q.k == w.k, leadingShape.reduce(1, *) == q.m else {
            throw TensorError.shapeMismatch(op: "linear(quantizedRows:)", lhs: leadingShape + [q.k], rhs: [w.n, w.k])
        }
        if let bias, bias.shape != [w.n] {
            throw TensorError.shapeMismatch(op: "linear(quantizedRows:) bias", lhs: [w.n], rhs: bias.shape)
        }
        let b = bias?.contiguousData()
        let out = Tensor.empty(leadingShape + [w.n])
        withExtendedLifetime((q, b)) {
            GEMM.quantized(m: q.m, rows: q.rows, b: w, bias: b.map { UnsafePointer($0.pointer) }, c: out.pointer, ldc: w.n)
        }
        return out
    }

    /// self [..., k] · Wᵀ → [..., n] with a bf16 weight, self rounded to bf16 on the way in, fp32 sums (`GEMM.bf16`),
    /// no bias; inference only (no autograd record).
    package func linear(bf16 w: BF16Matrix) throws -> Tensor {
        try linearRows(k: w.k, n: w.n, op: "linear(bf16:)") { GEMM.bf16(m: $0, a: $1, lda: w.k, b: w, bias: nil, c: $2, ldc: w.n) }
    }

    /// self [..., k] · Wᵀ → [..., n] with an fp16 weight widened to fp32 on the fly, self as it is, fp32 sums
    /// (`GEMM.fp16`), no bias; inference only (no autograd record).
    package func linear(fp16 w: FP16Matrix) throws -> Tensor {
        try linearRows(k: w.k, n: w.n, op: "linear(fp16:)") { GEMM.fp16(m: $0, a: $1, lda: w.k, b: w, bias: nil, c: $2, ldc: w.n) }
    }

    /// The shape check and output of a prepared-weight product: `product(rows, x, out)` fills out [rows, n] from
    /// this tensor's rows [rows, k].
    private func linearRows(k: Int, n: Int, op: String,
                            _ product: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) throws -> Tensor {
        guard rank >= 1, shape[rank - 1] == k else { throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: [n, k]) }
        let x = contiguousData()
        let out = Tensor.empty(Array(shape.dropLast()) + [n])
        product(count / Swift.max(k, 1), x.pointer, out.pointer)
        return out
    }
}
