import BERTKernels

/// Element-wise binary operators, specialised per operator so the inner loops vectorise.
protocol BinaryOperator { static func apply(_ a: Float, _ b: Float) -> Float }
enum AddOp: BinaryOperator { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubOp: BinaryOperator { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulOp: BinaryOperator { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivOp: BinaryOperator { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }

extension Tensor {
    /// The NumPy/PyTorch broadcast of two shapes, or a shape-mismatch error naming both.
    package static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            guard da == db || da == 1 || db == 1 else { throw TensorError.shapeMismatch(op: op, lhs: a, rhs: b) }
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Strides that read `self` as if expanded to `shape` (0 along broadcast dimensions).
    func broadcastStrides(to shape: [Int]) -> [Int] {
        let r = shape.count
        var s = [Int](repeating: 0, count: r)
        for i in 0..<rank {
            let d = i + (r - rank)
            s[d] = self.shape[i] == 1 && shape[d] != 1 ? 0 : strides[i]
        }
        return s
    }

    /// out = a ∘ b with broadcasting.
    static func binary<Op: BinaryOperator>(_ a: Tensor, _ b: Tensor, _: Op.Type, op: String) throws -> Tensor {
        let shape = try broadcastShape(a.shape, b.shape, op: op)
        let out = Tensor.empty(shape)
        let n = out.count
        if n == 0 { return out }
        let o = out.storage.pointer
        if a.shape == b.shape, a.isContiguous, b.isContiguous {
            let pa = a.pointer, pb = b.pointer
            Parallel.forEachChunk(n, minimumChunk: 1 << 16) { r in
                for i in r { o[i] = Op.apply(pa[i], pb[i]) }
            }
            return out
        }
        let sa = a.broadcastStrides(to: shape), sb = b.broadcastStrides(to: shape)
        let pa = a.storage.pointer + a.offset, pb = b.storage.pointer + b.offset
        let rank = shape.count
        if rank == 0 { o[0] = Op.apply(pa[0], pb[0]); return out }
        let inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1]
        let outer = n / inner
        Parallel.forEachChunk(outer, minimumChunk: Swift.max(1, (1 << 16) / Swift.max(inner, 1))) { rows in
            for row in rows {
                var rem = row, offA = 0, offB = 0
                for d in stride(from: rank - 2, through: 0, by: -1) {
                    let idx = rem % shape[d]; rem /= shape[d]
                    offA += idx * sa[d]; offB += idx * sb[d]
                }
                let dst = o + row * inner, xa = pa + offA, xb = pb + offB
                if ia == 1 && ib == 1 { for j in 0..<inner { dst[j] = Op.apply(xa[j], xb[j]) } }
                else if ia == 1 && ib == 0 { let v = xb[0]; for j in 0..<inner { dst[j] = Op.apply(xa[j], v) } }
                else if ia == 0 && ib == 1 { let v = xa[0]; for j in 0..<inner { dst[j] = Op.apply(v, xb[j]) } }
                else { for j in 0..<inner { dst[j] = Op.apply(xa[j * ia], xb[j * ib]) } }
            }
        }
        return out
    }

    /// Sums `self` down to `shape`, undoing a broadcast (the gradient of a broadcast operand).
    /// [..., broadcast dims ...] → `shape`. Accumulates in a fixed order.
    package func sumToShape(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        _ = try Tensor.broadcastShape(target, shape, op: "sumToShape")
        let src = contiguousData()
        let out = Tensor.zeros(target)
        let o = out.storage.pointer, p = src.pointer
        let n = count
        if n == 0 { return out }
        // Fast path: target is the trailing block of self (a bias): column sums.
        let tc = out.count
        if target.count <= rank, Array(shape.suffix(target.count)) == target || (target.allSatisfy { $0 == 1 }) {
            if target.allSatisfy({ $0 == 1 }) {
                var s: Float = 0
                for i in 0..<n { s += p[i] }
                o[0] = s
                return out
            }
            let rows = n / tc
            for r in 0..<rows { let row = p + r * tc; for j in 0..<tc { o[j] += row[j] } }
            return out
        }
        let tStrides = Tensor(storage: out.storage, shape: target).broadcastStrides(to: shape)
        var index = [Int](repeating: 0, count: rank)
        for i in 0..<n {
            var off = 0
            for d in 0..<rank { off += index[d] * tStrides[d] }
            o[off] += p[i]
            var d = rank - 1
            while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }

    /// self + other, broadcasting. Shapes: any two broadcastable shapes → their broadcast.
    public func adding(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.binary(self, other, AddOp.self, op: "add")
        let (sa, sb) = (shape, other.shape)
        return out.recorded(from: [self, other]) { g in [try g.sumToShape(sa), try g.sumToShape(sb)] }
    }

    /// self − other, broadcasting.
    public func subtracting(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.binary(self, other, SubOp.self, op: "sub")
        let (sa, sb) = (shape, other.shape)
        return out.recorded(from: [self, other]) { g in [try g.sumToShape(sa), try g.scaled(by: -1).sumToShape(sb)] }
    }

    /// self ⊙ other, broadcasting.
    public func multiplying(_ other: Tensor) throws -> Tensor {
        let out = try Tensor.binary(self, other, MulOp.self, op: "mul")
        let (a, b) = (self.detached(), other.detached())
        return out.recorded(from: [self, other]) { g in
            [try Tensor.binary(g, b, MulOp.self, op: "mul").sumToShape(a.shape),
             try Tensor.binary(g, a, MulOp.self, op: "mul").sumToShape(b.shape)]
        }
    }

    /// self ⊘ other, broadcasting.
    public func dividing(by other: Tensor) throws -> Tensor {
        let out = try Tensor.binary(self, other, DivOp.self, op: "div")
        let (a, b) = (self.detached(), other.detached())
        return out.recorded(from: [self, other]) { g in
            let ga = try Tensor.binary(g, b, DivOp.self, op: "div")
            // d(a/b)/db = −a/b² = −(a/b)/b
            let q = try Tensor.binary(Tensor.binary(g, a, MulOp.self, op: "div"), b, DivOp.self, op: "div")
            let gb = try Tensor.binary(q, b, DivOp.self, op: "div").scaled(by: -1)
            return [try ga.sumToShape(a.shape), try gb.sumToShape(b.shape)]
        }
    }

    /// self · factor. Any shape.
    public func scaled(by factor: Float) -> Tensor {
        let src = contiguousData()
        let out = Tensor.empty(shape)
        let p = src.pointer, o = out.storage.pointer
        Parallel.forEachChunk(count, minimumChunk: 1 << 16) { r in for i in r { o[i] = p[i] * factor } }
        return out.recorded(from: [self]) { g in [g.scaled(by: factor)] }
    }

    /// self + value. Any shape.
    public func adding(_ value: Float) -> Tensor {
        let src = contiguousData()
        let out = Tensor.empty(shape)
        let p = src.pointer, o = out.storage.pointer
        for i in 0..<count { o[i] = p[i] + value }
        return out.recorded(from: [self]) { g in [g] }
    }

    /// self += other in place (same shape; no gradient record). Used to accumulate gradients.
    package func addInPlace(_ other: Tensor, scale: Float = 1) throws {
        guard shape == other.shape else { throw TensorError.shapeMismatch(op: "addInPlace", lhs: shape, rhs: other.shape) }
        let src = other.contiguousData()
        let p = src.pointer, o = pointer
        precondition(isContiguous)
        Parallel.forEachChunk(count, minimumChunk: 1 << 16) { r in for i in r { o[i] += scale * p[i] } }
    }
}

/// Operators for readable model code; they throw on shape mismatch like the named methods.
public func + (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.adding(rhs) }
/// Element-wise difference with broadcasting.
public func - (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.subtracting(rhs) }
/// Element-wise product with broadcasting.
public func * (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.multiplying(rhs) }
/// Element-wise quotient with broadcasting.
public func / (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.dividing(by: rhs) }
/// Scaling by a constant.
public func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.scaled(by: rhs) }
