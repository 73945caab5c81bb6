import CBERTKernels

extension Kernels {
    /// x[r, :] = GELU_erf(x[r, :] + bias) in place, rows in parallel.
    package static func biasGELURows(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, cols: Int) {
        rowwise(rows, cols: cols) { r, c in bert_bias_gelu_erf_rows(x + r * cols, bias, c, cols) }
    }

    /// x[r, :] += bias in place, rows in parallel.
    package static func biasRows(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, cols: Int) {
        rowwise(rows, cols: cols) { r, c in bert_bias_rows(x + r * cols, bias, c, cols) }
    }

    /// x[r, :] = LayerNorm((x[r, :] + bias) + residual[r, :]) in place, rows in parallel.
    package static func biasResidualLayerNormRows(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
                                                 residual: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
                                                 beta: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float) {
        rowwise(rows, cols: cols) { r, c in
            bert_bias_residual_layernorm_rows(x + r * cols, bias, residual + r * cols, gamma, beta, c, cols, eps)
        }
    }

    /// x[r, :] = GELU_erf(x[r, :] + bias) in place and each row then quantised into `q` (rows × cols, `q.m == rows`,
    /// `q.k == cols`), one row at a time while it is in cache; rows in parallel. The same bytes as
    /// `biasGELURows` followed by `q.quantize(x)`.
    package static func biasGELUQuantizeRows(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, cols: Int,
                                             into q: QuantizedActivations) {
        precondition(q.m == rows && q.k == cols, "biasGELUQuantizeRows: \(rows) × \(cols) into \(q.m) × \(q.k)")
        rowwise(rows, cols: cols) { r, c in
            withRowRange { range in
                for i in r..<(r + c) {
                    if bert_bias_gelu_rows_vector(x + i * cols, bias, 1, cols, range) != 0 {
                        q.quantize(i..<(i + 1), of: x, lda: cols, knownRanges: range)
                    } else {
                        bert_bias_gelu_erf_rows(x + i * cols, bias, 1, cols)
                        q.quantize(i..<(i + 1), of: x, lda: cols)
                    }
                }
            }
        }
    }

    /// x[r, :] = LayerNorm((x[r, :] + bias) + residual[r, :]) in place and each row then quantised into `q`, one row
    /// at a time while it is in cache; rows in parallel. The same floats as `biasResidualLayerNormRows`, the same
    /// bytes as quantising them afterwards.
    package static func biasResidualLayerNormQuantizeRows(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
                                                          residual: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
                                                          beta: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float,
                                                          into q: QuantizedActivations) {
        precondition(q.m == rows && q.k == cols, "biasResidualLayerNormQuantizeRows: \(rows) × \(cols) into \(q.m) × \(q.k)")
        rowwise(rows, cols: cols) { r, c in
            withRowRange { range in
                for i in r..<(r + c) {
                    if bert_bias_residual_layernorm_rows_vector(x + i * cols, bias, residual + i * cols, gamma, beta, 1, cols, eps,
                                                                range) != 0 {
                        q.quantize(i..<(i + 1), of: x, lda: cols, knownRanges: range)
                    } else {
                        bert_bias_residual_layernorm_rows(x + i * cols, bias, residual + i * cols, gamma, beta, 1, cols, eps)
                        q.quantize(i..<(i + 1), of: x, lda: cols)
                    }
                }
            }
        }
    }

    /// Room on the stack for one row's min and max (what the vector row kernels report for the quantiser).
    private static func withRowRange(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        var range: (Float, Float) = (0, 0)
        withUnsafeMutableBytes(of: &range) { body($0.baseAddress!.assumingMemoryBound(to: Float.self)) }
    }
}
