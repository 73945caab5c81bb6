import BERTKernels

extension Tensor {
    /// Embedding lookup: rows of `self` ([vocab, dim]) picked by `ids` laid out as `idsShape` → idsShape + [dim].
    /// The gradient scatters back into the rows (repeated ids accumulate, in id order).
    public func embedding(ids: [Int], shape idsShape: [Int]) throws -> Tensor {
        guard rank == 2 else { throw TensorError.invalidShape(op: "embedding", shape: shape, expected: "[vocab, dim]") }
        guard Tensor.count(of: idsShape) == ids.count else {
            throw TensorError.invalidShape(op: "embedding ids", shape: idsShape, expected: "\(ids.count) ids")
        }
        let (vocab, dim) = (shape[0], shape[1])
        for id in ids where id < 0 || id >= vocab { throw TensorError.indexOutOfRange(op: "embedding", index: id, bound: vocab) }
        let table = contiguousData()
        let out = Tensor.empty(idsShape + [dim])
        let o = out.storage.pointer, t = table.pointer
        let claim = table.storage.isFileMapping  // a table mapped from its checkpoint: hold only the rows looked up
        for (i, id) in ids.enumerated() {
            if claim { Kernels.claimPages(t + id * dim, count: dim) }
            (o + i * dim).update(from: t + id * dim, count: dim)
        }
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), gw = Tensor.zeros([vocab, dim])
            let gp = gc.pointer, w = gw.pointer
            for (i, id) in ids.enumerated() {
                let dst = w + id * dim, src = gp + i * dim
                for j in 0..<dim { dst[j] += src[j] }
            }
            return [gw]
        }
    }

    /// `torch.gather(self, dim, index)`: out[i][j][k] = self[i][index[i][j][k]][k] for dim 1, and so on.
    /// `index` has `indexShape`, the same rank as self, and no larger than self outside `dim`.
    public func gather(dim: Int, index: [Int], shape indexShape: [Int]) throws -> Tensor {
        let d = try Tensor.normalize(dim, rank: rank, op: "gather")
        guard indexShape.count == rank, Tensor.count(of: indexShape) == index.count,
              zip(indexShape, shape).enumerated().allSatisfy({ $0.offset == d || $0.element.0 <= $0.element.1 }) else {
            throw TensorError.shapeMismatch(op: "gather", lhs: shape, rhs: indexShape)
        }
        for i in index where i < 0 || i >= shape[d] { throw TensorError.indexOutOfRange(op: "gather", index: i, bound: shape[d]) }
        let out = Tensor.empty(indexShape)
        let o = out.storage.pointer, base = storage.pointer
        var pos = [Int](repeating: 0, count: rank)
        var sourceOffsets = [Int](repeating: 0, count: index.count)
        for n in 0..<index.count {
            var off = offset
            for k in 0..<rank { off += (k == d ? index[n] : pos[k]) * strides[k] }
            sourceOffsets[n] = off - offset
            o[n] = base[off]
            var k = rank - 1
            while k >= 0 { pos[k] += 1; if pos[k] < indexShape[k] { break }; pos[k] = 0; k -= 1 }
        }
        let srcShape = shape, srcStrides = strides
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), gs = Tensor.zeros(srcShape)
            // Offsets were computed with the source strides; map them to the contiguous gradient's layout.
            let view = Tensor(storage: gs.storage, shape: srcShape, strides: gs.strides)
            let gp = gc.pointer, w = view.storage.pointer
            if srcStrides == gs.strides {
                for n in 0..<sourceOffsets.count { w[sourceOffsets[n]] += gp[n] }
            } else {
                var pos = [Int](repeating: 0, count: srcShape.count)
                for n in 0..<index.count {
                    var off = 0
                    for k in 0..<srcShape.count { off += (k == d ? index[n] : pos[k]) * gs.strides[k] }
                    w[off] += gp[n]
                    var k = srcShape.count - 1
                    while k >= 0 { pos[k] += 1; if pos[k] < indexShape[k] { break }; pos[k] = 0; k -= 1 }
                }
            }
            return [gs]
        }
    }
}
