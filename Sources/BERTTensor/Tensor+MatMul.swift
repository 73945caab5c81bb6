import BERTKernels

/// How a 2-D (per batch) view is handed to GEMM without copying: transposed or not, and its leading dimension.
struct GEMMOperand {
    let tensor: Tensor
    let transposed: Bool
    let ld: Int

    /// Uses `t`'s last two dimensions as a matrix, copying only when neither they nor their transpose are
    /// unit-stride along rows.
    init(_ t: Tensor) {
        let r = t.rank
        let rows = t.shape[r - 2], cols = t.shape[r - 1]
        let sr = t.strides[r - 2], sc = t.strides[r - 1]
        if sc == 1 && (sr >= Swift.max(cols, 1) || rows == 1) { tensor = t; transposed = false; ld = Swift.max(sr, cols, 1) }
        else if sr == 1 && (sc >= Swift.max(rows, 1) || cols == 1) { tensor = t; transposed = true; ld = Swift.max(sc, rows, 1) }
        else { let c = t.copy(); tensor = c; transposed = false; ld = Swift.max(cols, 1) }
    }
}

extension Tensor {
    /// Matrix product with PyTorch `matmul` semantics for rank ≥ 2: [..., M, K] · [..., K, N] → [..., M, N],
    /// batch dimensions broadcast. Transposed views are passed to BLAS as transposes, not copied.
    public func matmul(_ other: Tensor) throws -> Tensor {
        guard rank >= 2, other.rank >= 2 else {
            throw TensorError.invalidShape(op: "matmul", shape: rank < 2 ? shape : other.shape, expected: "rank ≥ 2")
        }
        let m = shape[rank - 2], k = shape[rank - 1], k2 = other.shape[other.rank - 2], n = other.shape[other.rank - 1]
        guard k == k2 else { throw TensorError.shapeMismatch(op: "matmul", lhs: shape, rhs: other.shape) }
        let batchA = Array(shape.dropLast(2)), batchB = Array(other.shape.dropLast(2))
        let batch = try Tensor.broadcastShape(batchA, batchB, op: "matmul")
        let out = Tensor.empty(batch + [m, n])
        let o = out.storage.pointer

        if other.rank == 2, rank > 2, isContiguous {
            // Fold the batch into rows: one large GEMM.
            let rows = count / Swift.max(k, 1)
            let b = GEMMOperand(other)
            GEMM.sgemm(transA: false, transB: b.transposed, m: rows, n: n, k: k, a: pointer, lda: Swift.max(k, 1),
                       b: b.tensor.pointer, ldb: b.ld, c: o, ldc: Swift.max(n, 1))
        } else {
            let a = GEMMOperand(self), b = GEMMOperand(other)
            let aStrides = a.tensor.broadcastStrides(to: batch + [m, k]), bStrides = b.tensor.broadcastStrides(to: batch + [k, n])
            let batches = Tensor.count(of: batch)
            let pa = a.tensor.pointer, pb = b.tensor.pointer
            GEMM.batched(batches) { i in
                var rem = i, offA = 0, offB = 0
                for d in stride(from: batch.count - 1, through: 0, by: -1) {
                    let idx = rem % batch[d]; rem /= batch[d]
                    offA += idx * aStrides[d]; offB += idx * bStrides[d]
                }
                if k == 0 { (o + i * m * n).update(repeating: 0, count: m * n); return }
                GEMM.sgemm(transA: a.transposed, transB: b.transposed, m: m, n: n, k: k,
                           a: pa + offA, lda: a.ld, b: pb + offB, ldb: b.ld,
                           c: o + i * m * n, ldc: Swift.max(n, 1))
            }
        }
        let (lhs, rhs) = (self.detached(), other.detached())
        return out.recorded(from: [self, other]) { g in
            let ga = try g.matmul(rhs.transposed(-1, -2)).sumToShape(lhs.shape)
            let gb: Tensor
            if rhs.rank == 2, lhs.rank > 2 {
                let a2 = try lhs.contiguousData().reshaped([-1, k]), g2 = try g.reshaped([-1, n])
                gb = try a2.transposed(0, 1).matmul(g2)
            } else {
                gb = try lhs.transposed(-1, -2).matmul(g).sumToShape(rhs.shape)
            }
            return [ga, gb]
        }
    }

    /// A fully connected layer as `torch.nn.functional.linear`: [..., in] · weight[out, in]ᵀ + bias[out] → [..., out].
    public func linear(weight: Tensor, bias: Tensor?) throws -> Tensor {
        guard weight.rank == 2, rank >= 1, shape[rank - 1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(op: "linear", lhs: shape, rhs: weight.shape)
        }
        let inF = weight.shape[1], outF = weight.shape[0]
        if let bias, bias.shape != [outF] { throw TensorError.shapeMismatch(op: "linear bias", lhs: [outF], rhs: bias.shape) }
        let x = contiguousData(), w = weight.contiguousData()
        let rows = count / Swift.max(inF, 1)
        let out = Tensor.empty(Array(shape.dropLast()) + [outF])
        let o = out.storage.pointer
        var beta: Float = 0
        if let bias {
            let b = bias.contiguousData().pointer
            for r in 0..<rows { (o + r * outF).update(from: b, count: outF) }
            beta = 1
        }
        if inF == 0 { if bias == nil { o.update(repeating: 0, count: out.count) } }
        else {
            GEMM.sgemm(transA: false, transB: true, m: rows, n: outF, k: inF, a: x.pointer, lda: inF,
                       b: w.pointer, ldb: inF, beta: beta, c: o, ldc: outF)
        }
        let hasBias = bias != nil
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return out.recorded(from: inputs) { g in
            let gc = g.contiguousData()
            let gx = Tensor.empty(x.shape)
            GEMM.sgemm(transA: false, transB: false, m: rows, n: inF, k: outF, a: gc.pointer, lda: outF,
                       b: w.pointer, ldb: inF, c: gx.storage.pointer, ldc: inF)
            let gw = Tensor.empty([outF, inF])
            GEMM.sgemm(transA: true, transB: false, m: outF, n: inF, k: rows, a: gc.pointer, lda: outF,
                       b: x.pointer, ldb: inF, c: gw.storage.pointer, ldc: inF)
            var grads: [Tensor?] = [gx, gw]
            if hasBias { grads.append(try gc.sumToShape([outF])) }
            return grads
        }
    }
}
