import BERTKernels

extension Tensor {
    /// Softmax over the last dimension. Any shape [..., n].
    public func softmax() -> Tensor {
        let x = contiguousData()
        let cols = shape.last ?? 1, rows = count / Swift.max(cols, 1)
        let out = Tensor.empty(shape)
        Kernels.softmaxForward(x.pointer, out.storage.pointer, rows: rows, cols: cols)
        let y = out.detached()
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(y.shape)
            Kernels.softmaxBackward(y.pointer, gc.pointer, dx.storage.pointer, rows: rows, cols: cols)
            return [dx]
        }
    }

    /// softmax(self · scale + mask) over the last dimension, fused as attention uses it.
    /// self: [batch, heads, queries, keys]; mask: additive, [batch, 1, 1, keys] (or nil). No gradient to the mask.
    package func maskedSoftmax(scale: Float, mask: Tensor?) throws -> Tensor {
        guard rank == 4 else { throw TensorError.invalidShape(op: "maskedSoftmax", shape: shape, expected: "[batch, heads, queries, keys]") }
        let (b, h, q, k) = (shape[0], shape[1], shape[2], shape[3])
        let x = contiguousData()
        let out = Tensor.empty(shape)
        var m: Tensor?
        if let mask {
            guard mask.shape == [b, 1, 1, k] else { throw TensorError.shapeMismatch(op: "maskedSoftmax mask", lhs: [b, 1, 1, k], rhs: mask.shape) }
            m = mask.contiguousData()
        }
        Kernels.softmaxForward(x.pointer, out.storage.pointer, rows: b * h * q, cols: k, scale: scale,
                               mask: m.map { UnsafePointer($0.pointer) }, maskRowDivisor: h * q)
        let y = out.detached()
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(y.shape)
            Kernels.softmaxBackward(y.pointer, gc.pointer, dx.storage.pointer, rows: b * h * q, cols: k, scale: scale)
            return [dx]
        }
    }

    /// log(softmax(x)) over the last dimension, computed stably. Any shape [..., n].
    public func logSoftmax() -> Tensor {
        let x = contiguousData()
        let cols = shape.last ?? 1, rows = count / Swift.max(cols, 1)
        let out = Tensor.empty(shape)
        Kernels.logSoftmaxForward(x.pointer, out.storage.pointer, rows: rows, cols: cols)
        let y = out.detached()
        return out.recorded(from: [self]) { g in
            // d/dx = g − softmax · Σg
            let gc = g.contiguousData(), dx = Tensor.empty(y.shape)
            let yp = y.pointer, gp = gc.pointer, o = dx.storage.pointer
            for r in 0..<rows {
                var s: Float = 0
                for j in 0..<cols { s += gp[r * cols + j] }
                for j in 0..<cols { o[r * cols + j] = gp[r * cols + j] - Foundation_exp(yp[r * cols + j]) * s }
            }
            return [dx]
        }
    }

    /// Layer normalisation over the last dimension: [..., n] with weight [n] and bias [n].
    public func layerNorm(weight: Tensor, bias: Tensor, eps: Float) throws -> Tensor {
        let cols = shape.last ?? 0
        guard weight.shape == [cols], bias.shape == [cols] else {
            throw TensorError.shapeMismatch(op: "layerNorm", lhs: shape, rhs: weight.shape == [cols] ? bias.shape : weight.shape)
        }
        let rows = count / Swift.max(cols, 1)
        let x = contiguousData(), w = weight.contiguousData(), b = bias.contiguousData()
        let out = Tensor.empty(shape)
        let stats = Tensor.empty([2, rows])
        Kernels.layerNormForward(x.pointer, gamma: w.pointer, beta: b.pointer, out.storage.pointer,
                                 mean: stats.pointer, rstd: stats.pointer + rows, rows: rows, cols: cols, eps: eps)
        return out.recorded(from: [self, weight, bias]) { g in
            let gc = g.contiguousData()
            let dx = Tensor.empty(x.shape), dw = Tensor.zeros([cols]), db = Tensor.zeros([cols])
            Kernels.layerNormBackward(x.pointer, gamma: w.pointer, mean: stats.pointer, rstd: stats.pointer + rows,
                                      dy: gc.pointer, dx: dx.storage.pointer, dgamma: dw.pointer, dbeta: db.pointer,
                                      rows: rows, cols: cols)
            return [dx, dw, db]
        }
    }
}
