import BERTKernels

/// An fp32 tensor: row-major storage viewed through a shape, strides and an offset, in PyTorch's dimension
/// order. A class, as in PyTorch: parameters have identity (their `.grad` accumulates in place) and views share
/// storage. Ops return new tensors; inside `GradientTape.record` they are also recorded for `backward`.
public final class Tensor: CustomStringConvertible {
    /// Sizes per dimension, outermost first.
    public let shape: [Int]
    /// Elements to step per dimension.
    package let strides: [Int]
    /// First element's index in `storage`.
    package let offset: Int
    /// The buffer this tensor views (replaced only by `replaceStorage(with:)`, when a checkpoint is mapped).
    package private(set) var storage: TensorStorage
    /// Whether gradients flow to this tensor (parameters, and results of recorded ops on them).
    package var requiresGrad: Bool
    /// The accumulated gradient of a leaf tensor after `GradientTape.backward`.
    package var grad: Tensor?

    /// A view of `storage`.
    package init(storage: TensorStorage, shape: [Int], strides: [Int]? = nil, offset: Int = 0, requiresGrad: Bool = false) {
        self.storage = storage
        self.shape = shape
        self.strides = strides ?? Tensor.contiguousStrides(shape)
        self.offset = offset
        self.requiresGrad = requiresGrad
    }

    /// A tensor holding `scalars` (row-major) with `shape`. Throws if the counts differ.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) throws {
        let n = Tensor.count(of: shape)
        guard n == scalars.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidShape(op: "Tensor(shape:scalars:)", shape: shape, expected: "\(scalars.count) elements")
        }
        let s = TensorStorage(count: n)
        scalars.withUnsafeBufferPointer { s.pointer.update(from: $0.baseAddress!, count: n) }
        self.init(storage: s, shape: shape, requiresGrad: requiresGrad)
    }

    /// A new contiguous tensor whose contents the caller fills (uninitialised).
    package static func empty(_ shape: [Int]) -> Tensor {
        Tensor(storage: TensorStorage(count: count(of: shape)), shape: shape)
    }

    /// Zeros of `shape` whose memory becomes resident only when written (see `TensorStorage(lazilyZeroedCount:)`),
    /// for parameters that a checkpoint load will overwrite or replace.
    package static func lazyZeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(storage: TensorStorage(lazilyZeroedCount: count(of: shape)), shape: shape, requiresGrad: requiresGrad)
    }

    /// Points this tensor at `newStorage`, which must hold exactly its elements in row-major order; every holder of
    /// this tensor (tied weights included) sees the new buffer. Only for a contiguous tensor that is the whole of
    /// its storage (so no view of the old buffer can be left behind); the loader uses it to adopt a buffer mapped
    /// from a checkpoint file instead of copying it.
    /// - Throws: `TensorError.invalidShape` when the tensor is a view or the counts differ.
    package func replaceStorage(with newStorage: TensorStorage) throws {
        guard offset == 0, isContiguous, storage.count == count, newStorage.count == count else {
            throw TensorError.invalidShape(op: "replaceStorage", shape: shape, expected: "a contiguous tensor owning its \(count)-element storage")
        }
        storage = newStorage
    }

    /// Zeros of `shape`.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(storage: TensorStorage(count: count(of: shape), zeroed: true), shape: shape, requiresGrad: requiresGrad)
    }

    /// `value` everywhere.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = empty(shape)
        t.storage.pointer.update(repeating: value, count: t.count)
        return t
    }

    /// A 0-dimensional tensor.
    public static func scalar(_ value: Float) -> Tensor { full([], value) }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { Tensor.count(of: shape) }
    /// Whether elements are laid out row-major without gaps from `offset`.
    package var isContiguous: Bool { strides == Tensor.contiguousStrides(shape) || count <= 1 }

    /// Pointer to the first element (valid while `self` lives).
    package var pointer: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// The elements in row-major order (a copy).
    public var scalars: [Float] {
        let c = contiguousData()
        return Array(UnsafeBufferPointer(start: c.pointer, count: count))
    }

    /// The single element of a one-element tensor.
    public var item: Float { scalars[0] }

    /// Size of dimension `dim` (negative counts from the end).
    public func size(_ dim: Int) -> Int { shape[dim < 0 ? dim + rank : dim] }

    /// Runs `body` on the contiguous elements (copying first if this is a strided view).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let c = contiguousData()
        return try body(UnsafeBufferPointer(start: c.pointer, count: count))
    }

    /// Writes into this tensor's elements in place; it must be contiguous (parameters and fresh tensors are).
    package func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(isContiguous, "in-place access needs a contiguous tensor")
        return try body(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    /// The same values as a contiguous tensor: `self` when already contiguous, else a copy (no gradient link;
    /// use `contiguous()` inside differentiable code).
    func contiguousData() -> Tensor {
        if isContiguous { return self }
        let out = Tensor.empty(shape)
        copyStrided(into: out.storage.pointer)
        return out
    }

    /// Copies the viewed elements in row-major order to `dst`.
    func copyStrided(into dst: UnsafeMutablePointer<Float>) {
        let n = count
        if n == 0 { return }
        let src = storage.pointer
        if rank == 0 { dst[0] = src[offset]; return }
        // Innermost dimension as a strided run; outer dimensions by an odometer.
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var base = offset
        var o = 0
        while o < n {
            if innerStride == 1 {
                (dst + o).update(from: src + base, count: inner)
            } else {
                for j in 0..<inner { dst[o + j] = src[base + j * innerStride] }
            }
            o += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                base += strides[d]
                if index[d] < shape[d] { break }
                base -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// A detached copy: same values, new storage, no gradient history.
    public func copy() -> Tensor {
        let out = Tensor.empty(shape)
        copyStrided(into: out.storage.pointer)
        return out
    }

    /// The same storage without gradient history.
    package func detached() -> Tensor { Tensor(storage: storage, shape: shape, strides: strides, offset: offset) }

    public var description: String {
        let v = scalars
        let shown = v.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(v.count > 8 ? ", ..." : "")])"
    }

    /// Row-major strides of `shape`.
    package static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) { strides[d] = acc; acc *= shape[d] }
        return strides
    }

    /// Product of `shape`.
    package static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// `dim` normalised to `0..<rank`, or a typed error.
    static func normalize(_ dim: Int, rank: Int, op: String) throws -> Int {
        let d = dim < 0 ? dim + rank : dim
        guard d >= 0, d < Swift.max(rank, 1) else { throw TensorError.invalidDimension(op: op, dim: dim, rank: rank) }
        return d
    }
}
