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
}
