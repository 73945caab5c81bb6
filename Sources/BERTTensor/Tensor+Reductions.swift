extension Tensor {
    /// Views `self` as [outer, n, inner] around dimension `d` (contiguous copy first).
    private func around(_ d: Int) -> (Tensor, outer: Int, n: Int, inner: Int) {
        let c = contiguousData()
        let outer = shape[..<d].reduce(1, *), inner = shape[(d + 1)...].reduce(1, *)
        return (c, outer, shape[d], inner)
    }

    private func reducedShape(_ d: Int, keepDim: Bool) -> [Int] {
        var s = shape
        if keepDim { s[d] = 1 } else { s.remove(at: d) }
        return s
    }

    /// Sum over `dim` (nil: every element, giving a scalar), optionally keeping the dimension as size 1.
    public func sum(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        guard let dim else {
            let c = contiguousData()
            var s: Double = 0
            for i in 0..<count { s += Double(c.pointer[i]) }
            let full = shape
            return Tensor.scalar(Float(s)).recorded(from: [self]) { g in [Tensor.full(full, g.item)] }
        }
        let d = try Tensor.normalize(dim, rank: rank, op: "sum")
        let (c, outer, n, inner) = around(d)
        let out = Tensor.zeros(reducedShape(d, keepDim: keepDim))
        let p = c.pointer, o = out.storage.pointer
        for a in 0..<outer { for k in 0..<n { let row = p + (a * n + k) * inner; for j in 0..<inner { o[a * inner + j] += row[j] } } }
        let full = shape
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), gx = Tensor.empty(full)
            let gp = gc.pointer, w = gx.storage.pointer
            for a in 0..<outer { for k in 0..<n { (w + (a * n + k) * inner).update(from: gp + a * inner, count: inner) } }
            return [gx]
        }
    }

    /// Mean over `dim` (nil: every element).
    public func mean(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        let n: Int
        if let dim { n = shape[try Tensor.normalize(dim, rank: rank, op: "mean")] } else { n = count }
        return try sum(dim: dim, keepDim: keepDim).scaled(by: 1 / Float(Swift.max(n, 1)))
    }

    /// Maximum over `dim` (nil: every element); the gradient goes to the first maximal element.
    public func max(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        guard count > 0 else { throw TensorError.invalidShape(op: "max", shape: shape, expected: "a non-empty tensor") }
        guard let dim else {
            return try reshaped([count]).max(dim: 0)
        }
        let d = try Tensor.normalize(dim, rank: rank, op: "max")
        let (c, outer, n, inner) = around(d)
        let out = Tensor.empty(reducedShape(d, keepDim: keepDim))
        var argmax = [Int](repeating: 0, count: outer * inner)
        let p = c.pointer, o = out.storage.pointer
        for a in 0..<outer {
            for j in 0..<inner {
                var best = p[a * n * inner + j], at = 0
                for k in 1..<Swift.max(n, 1) where p[(a * n + k) * inner + j] > best { best = p[(a * n + k) * inner + j]; at = k }
                o[a * inner + j] = best
                argmax[a * inner + j] = at
            }
        }
        let full = shape
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), gx = Tensor.zeros(full)
            let gp = gc.pointer, w = gx.storage.pointer
            for a in 0..<outer { for j in 0..<inner { w[(a * n + argmax[a * inner + j]) * inner + j] = gp[a * inner + j] } }
            return [gx]
        }
    }
}
