import CBERTKernels

/// Vectorised element-wise and row-wise kernels on raw buffers, split across cores for large inputs.
/// Shapes are given in words; callers guarantee buffer sizes.
package enum Kernels {
    /// Claims the pages of `count` floats at `p` for this process by a first access that writes them unchanged
    /// (`bert_claim_pages`): on a copy-on-write file mapping only those pages become resident, where a first read
    /// would map the neighbouring pages of the file too. Harmless on ordinary memory.
    package static func claimPages(_ p: UnsafeMutablePointer<Float>, count: Int) {
        bert_claim_pages(p, count * MemoryLayout<Float>.stride)
    }

    /// Elements per thread below which a kernel stays on one core.
    static let parallelGrain = 1 << 15

    /// Runs an element-wise kernel over `n` elements in parallel chunks.
    @inline(__always)
    static func elementwise(_ n: Int, _ f: (Int, Int) -> Void) {
        Parallel.forEachChunk(n, minimumChunk: parallelGrain) { r in f(r.lowerBound, r.count) }
    }

    /// Runs a row kernel over `rows` rows of `cols` in parallel chunks.
    @inline(__always)
    static func rowwise(_ rows: Int, cols: Int, _ f: (Int, Int) -> Void) {
        Parallel.forEachChunk(rows, minimumChunk: max(1, parallelGrain / max(cols, 1))) { r in f(r.lowerBound, r.count) }
    }

    /// y = GELU(x), erf form; `n` elements.
    package static func geluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        elementwise(n) { o, c in bert_gelu_erf_forward(x + o, y + o, c) }
    }
    /// dx = dy · GELU'(x), erf form.
    package static func geluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        elementwise(n) { o, c in bert_gelu_erf_backward(x + o, dy + o, dx + o, c) }
    }
    /// y = GELU(x), tanh approximation.
    package static func geluTanhForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        elementwise(n) { o, c in bert_gelu_tanh_forward(x + o, y + o, c) }
    }
    /// dx = dy · GELU'(x), tanh approximation.
    package static func geluTanhBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        elementwise(n) { o, c in bert_gelu_tanh_backward(x + o, dy + o, dx + o, c) }
    }
    /// y = tanh(x).
    package static func tanhForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        elementwise(n) { o, c in bert_tanh_forward(x + o, y + o, c) }
    }
    /// dx = dy · (1 − y²).
    package static func tanhBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        elementwise(n) { o, c in bert_tanh_backward(y + o, dy + o, dx + o, c) }
    }
    /// y = exp(x).
    package static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        elementwise(n) { o, c in bert_exp(x + o, y + o, c) }
    }

    /// y[r,:] = softmax(x[r,:]·scale + mask[r / maskRowDivisor, :]) over `rows` rows of `cols`; mask optional.
    package static func softmaxForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                      scale: Float = 1, mask: UnsafePointer<Float>? = nil, maskRowDivisor: Int = 1) {
        rowwise(rows, cols: cols) { r, c in
            // The mask row of row r is r / divisor; offset the mask so chunk-local rows map to the right one.
            if let mask {
                let first = r / maskRowDivisor
                let local = r - first * maskRowDivisor
                // bert_softmax_forward computes (row / div) from the chunk-local row index; handle the phase
                // by splitting the chunk at mask-row boundaries.
                var row = r, done = 0
                var m = first
                var phase = local
                while done < c {
                    let take = min(c - done, maskRowDivisor - phase)
                    bert_softmax_forward(x + row * cols, y + row * cols, take, cols, scale, mask + m * cols, take)
                    row += take; done += take; m += 1; phase = 0
                }
            } else {
                bert_softmax_forward(x + r * cols, y + r * cols, c, cols, scale, nil, 1)
            }
        }
    }
    /// In-place row softmax of `rows` × `cols` with one additive mask row shared by all rows, on this thread.
    package static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, scale: Float, mask: UnsafePointer<Float>?) {
        bert_softmax_forward(x, x, rows, cols, scale, mask, Swift.max(rows, 1))
    }

    /// dx = scale · y ⊙ (dy − Σ dy⊙y) per row.
    package static func softmaxBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                       rows: Int, cols: Int, scale: Float = 1) {
        rowwise(rows, cols: cols) { r, c in bert_softmax_backward(y + r * cols, dy + r * cols, dx + r * cols, c, cols, scale) }
    }
    /// y = log_softmax(x) per row.
    package static func logSoftmaxForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        rowwise(rows, cols: cols) { r, c in bert_log_softmax_forward(x + r * cols, y + r * cols, c, cols) }
    }

    /// Layer norm over the last axis of `rows` × `cols`; writes mean and 1/σ per row when given.
    package static func layerNormForward(_ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                        _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>?,
                                        rstd: UnsafeMutablePointer<Float>?, rows: Int, cols: Int, eps: Float) {
        rowwise(rows, cols: cols) { r, c in
            bert_layernorm_forward(x + r * cols, gamma, beta, y + r * cols, mean.map { $0 + r }, rstd.map { $0 + r }, c, cols, eps)
        }
    }

    /// Layer norm backward: writes dx; ADDS into dgamma and dbeta. Single-threaded over the parameter sums so
    /// the accumulation order is fixed; dx rows are independent.
    package static func layerNormBackward(_ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                         rstd: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                         dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?,
                                         rows: Int, cols: Int) {
        bert_layernorm_backward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols)
    }
}
