/// The k best (row, score) pairs seen so far: a min-heap on score whose root is the entry to beat. Ties keep the
/// earlier row (lower position), so results are deterministic.
struct TopK {
    let k: Int
    private(set) var heap: [(row: Int, score: Float)] = []

    init(_ k: Int) { self.k = max(k, 0); heap.reserveCapacity(self.k) }

    /// The score a new row must beat to enter (−∞ until k rows are in).
    var threshold: Float { heap.count < k ? -.infinity : heap[0].score }

    /// `a` ranks below `b`: lower score, or equal score and a later row.
    private static func worse(_ a: (row: Int, score: Float), _ b: (row: Int, score: Float)) -> Bool {
        a.score != b.score ? a.score < b.score : a.row > b.row
    }

    mutating func offer(row: Int, score: Float) {
        guard k > 0 else { return }
        let item = (row: row, score: score)
        if heap.count < k {
            heap.append(item)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard Self.worse(heap[i], heap[parent]) else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        } else if Self.worse(heap[0], item) {
            heap[0] = item
            var i = 0
            while true {
                let left = 2 * i + 1, right = left + 1
                var smallest = i
                if left < heap.count, Self.worse(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, Self.worse(heap[right], heap[smallest]) { smallest = right }
                if smallest == i { break }
                heap.swapAt(i, smallest)
                i = smallest
            }
        }
    }

    /// Best first.
    func sorted() -> [(row: Int, score: Float)] { heap.sorted { Self.worse($1, $0) } }
}

/// Dot product of two `n`-float rows, 16 lanes at a time with four accumulators (the scan is memory-bound; this
/// keeps the arithmetic well below the bandwidth).
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    var i = 0
    while i + 64 <= n {
        s0 += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        s1 += ra.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD16<Float>.self)
        s2 += ra.loadUnaligned(fromByteOffset: 4 * (i + 32), as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 32), as: SIMD16<Float>.self)
        s3 += ra.loadUnaligned(fromByteOffset: 4 * (i + 48), as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * (i + 48), as: SIMD16<Float>.self)
        i += 64
    }
    while i + 16 <= n {
        s0 += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        i += 16
    }
    var sum = ((s0 + s1) + (s2 + s3)).sum()
    while i < n { sum += a[i] * b[i]; i += 1 }
    return sum
}

/// Σ q[d] · c[d] over int8 codes, 16 lanes at a time (the int8 scan's inner product before the affine offset).
@inline(__always)
func dotCodes(_ q: UnsafePointer<Float>, _ c: UnsafePointer<Int8>, _ n: Int) -> Float {
    var s0 = SIMD16<Float>(), s1 = SIMD16<Float>()
    let rq = UnsafeRawPointer(q), rc = UnsafeRawPointer(c)
    var i = 0
    while i + 32 <= n {
        s0 += rq.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
            * SIMD16<Float>(rc.loadUnaligned(fromByteOffset: i, as: SIMD16<Int8>.self))
        s1 += rq.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD16<Float>.self)
            * SIMD16<Float>(rc.loadUnaligned(fromByteOffset: i + 16, as: SIMD16<Int8>.self))
        i += 32
    }
    var sum = (s0 + s1).sum()
    while i < n { sum += q[i] * Float(c[i]); i += 1 }
    return sum
}
