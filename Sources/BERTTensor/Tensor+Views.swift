extension Tensor {
    /// The same elements with a new shape; one entry may be -1 (inferred). A view when `self` is contiguous,
    /// else a copy.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var shape = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        let inferred = newShape.firstIndex(of: -1)
        if let i = inferred {
            guard known > 0, count % known == 0, newShape.filter({ $0 == -1 }).count == 1 else {
                throw TensorError.invalidShape(op: "reshape", shape: newShape, expected: "a shape with \(count) elements")
            }
            shape[i] = count / known
        }
        guard Tensor.count(of: shape) == count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.shapeMismatch(op: "reshape", lhs: self.shape, rhs: newShape)
        }
        let base = contiguousData()
        let out = Tensor(storage: base.storage, shape: shape, offset: base.offset)
        let original = self.shape
        return out.recorded(from: [self]) { g in [try g.reshaped(original)] }
    }

    /// Swaps two dimensions (a view). [.., a, .., b, ..] → [.., b, .., a, ..].
    public func transposed(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        let a = try Tensor.normalize(dim0, rank: rank, op: "transpose"), b = try Tensor.normalize(dim1, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permuted(order)
    }

    /// Reorders dimensions (a view): result dimension i is input dimension `dims[i]`.
    public func permuted(_ dims: [Int]) throws -> Tensor {
        let order = try dims.map { try Tensor.normalize($0, rank: rank, op: "permute") }
        guard order.count == rank, Set(order).count == rank else {
            throw TensorError.invalidArgument(op: "permute", message: "\(dims) is not a permutation of \(rank) dimensions")
        }
        let out = Tensor(storage: storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in order.enumerated() { inverse[d] = i }
        return out.recorded(from: [self]) { g in [try g.permuted(inverse)] }
    }

    /// A contiguous copy when `self` is a strided view (differentiable), else `self`.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        return copy().recorded(from: [self]) { g in [g] }
    }

    /// Elements `start..<end` along `dim` (a view). Negative bounds count from the end, as in Python.
    public func slice(dim: Int, start: Int, end: Int) throws -> Tensor {
        let d = try Tensor.normalize(dim, rank: rank, op: "slice")
        let n = shape[d]
        let lo = start < 0 ? start + n : start, hi = end < 0 ? end + n : min(end, n)
        guard lo >= 0, lo <= hi, hi <= n else {
            throw TensorError.invalidArgument(op: "slice", message: "range \(start)..<\(end) is outside 0..<\(n) of dimension \(dim) in shape \(shape)")
        }
        var s = shape
        s[d] = hi - lo
        let out = Tensor(storage: storage, shape: s, strides: strides, offset: offset + lo * strides[d])
        let full = shape
        return out.recorded(from: [self]) { g in
            let gi = Tensor.zeros(full)
            let view = Tensor(storage: gi.storage, shape: g.shape, strides: gi.strides, offset: lo * gi.strides[d])
            view.assign(g)
            return [gi]
        }
    }

    /// Index `index` along `dim`, dropping that dimension (a view).
    public func select(dim: Int, index: Int) throws -> Tensor {
        let d = try Tensor.normalize(dim, rank: rank, op: "select")
        guard index >= -shape[d], index < shape[d] else { throw TensorError.indexOutOfRange(op: "select", index: index, bound: shape[d]) }
        let i = index < 0 ? index + shape[d] : index
        var s = shape
        s.remove(at: d)
        return try slice(dim: d, start: i, end: i + 1).reshaped(s)
    }

    /// Adds a dimension of size 1 at `dim`.
    public func unsqueezed(_ dim: Int) throws -> Tensor {
        let d = dim < 0 ? dim + rank + 1 : dim
        guard d >= 0, d <= rank else { throw TensorError.invalidDimension(op: "unsqueeze", dim: dim, rank: rank) }
        var s = shape
        s.insert(1, at: d)
        return try reshaped(s)
    }

    /// Copies `src`'s values into this (possibly strided) view, element for element. No gradient record.
    func assign(_ src: Tensor) {
        precondition(src.shape == shape)
        let c = src.contiguousData()
        let p = c.pointer, base = storage.pointer
        let n = count
        if n == 0 { return }
        if isContiguous { pointer.update(from: p, count: n); return }
        var index = [Int](repeating: 0, count: rank)
        for i in 0..<n {
            var off = offset
            for d in 0..<rank { off += index[d] * strides[d] }
            base[off] = p[i]
            var d = rank - 1
            while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
        }
    }

    /// Joins tensors along `dim`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], dim: Int) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: "concat", message: "no tensors") }
        let d = try normalize(dim, rank: first.rank, op: "concat")
        var shape = first.shape
        shape[d] = 0
        for t in tensors {
            var a = t.shape, b = first.shape
            guard a.count == b.count else { throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape) }
            a[d] = 0; b[d] = 0
            guard a == b else { throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape) }
            shape[d] += t.shape[d]
        }
        let out = Tensor.empty(shape)
        var at = 0
        var sizes: [Int] = []
        for t in tensors {
            let view = Tensor(storage: out.storage, shape: t.shape, strides: out.strides, offset: at * out.strides[d])
            view.assign(t)
            at += t.shape[d]
            sizes.append(t.shape[d])
        }
        return out.recorded(from: tensors) { g in
            var start = 0
            return try sizes.map { n in
                defer { start += n }
                return try g.slice(dim: d, start: start, end: start + n).contiguous()
            }
        }
    }

    /// Splits along `dim` into pieces of the given sizes (views), which must add up to the dimension.
    public func split(sizes: [Int], dim: Int) throws -> [Tensor] {
        let d = try Tensor.normalize(dim, rank: rank, op: "split")
        guard sizes.reduce(0, +) == shape[d], sizes.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: "split", message: "sizes \(sizes) do not add up to \(shape[d]) (dimension \(dim) of \(shape))")
        }
        var start = 0
        return try sizes.map { n in
            defer { start += n }
            return try slice(dim: d, start: start, end: start + n)
        }
    }
}
