/// The vectors an index scans, held in memory in row order (row = position, parallel to `rowids`), as float32
/// (exact), int8 codes per dimension, or sign bits. Quantised forms rank candidates; the index re-scores them.
struct InMemoryVectors {
    let dimension: Int
    let quantization: VectorQuantization
    private(set) var rowids: [Int64] = []
    private var floats: [Float] = []
    // int8: code c stands for minimum + (c + 128) * step in its dimension.
    private var codes: [Int8] = []
    private var minimum: [Float] = []
    private var step: [Float] = []
    // binary: one bit per dimension, `words` UInt64 per row.
    private var bits: [UInt64] = []
    private var words: Int { (dimension + 63) / 64 }

    /// `ranges` (per-dimension minimum and maximum) calibrate int8; pass nil for the other kinds.
    init(dimension: Int, quantization: VectorQuantization, ranges: (min: [Float], max: [Float])? = nil) {
        self.dimension = dimension
        self.quantization = quantization
        if quantization == .int8, let ranges {
            minimum = ranges.min
            step = zip(ranges.min, ranges.max).map { lo, hi in hi > lo ? (hi - lo) / 255 : 1 }
        }
    }

    var count: Int { rowids.count }

    mutating func append(rowid: Int64, vector: [Float]) {
        rowids.append(rowid)
        switch quantization {
        case .none:
            floats.append(contentsOf: vector)
        case .int8:
            for d in 0..<dimension {
                let c = ((vector[d] - minimum[d]) / step[d]).rounded() - 128
                codes.append(Int8(max(-128, min(127, c))))
            }
        case .binary:
            var row = [UInt64](repeating: 0, count: words)
            for d in 0..<dimension where vector[d] > 0 { row[d / 64] |= 1 << UInt64(d % 64) }
            bits.append(contentsOf: row)
        }
    }

    /// Drops the rows whose rowid is in `removed`.
    mutating func remove(_ removed: Set<Int64>) {
        guard !removed.isEmpty else { return }
        let keep = rowids.indices.filter { !removed.contains(rowids[$0]) }
        func compact<T>(_ array: [T], _ width: Int) -> [T] {
            keep.flatMap { array[($0 * width)..<(($0 + 1) * width)] }
        }
        switch quantization {
        case .none: floats = compact(floats, dimension)
        case .int8: codes = compact(codes, dimension)
        case .binary: bits = compact(bits, words)
        }
        rowids = keep.map { rowids[$0] }
    }

    /// The `k` best rows for `query` by this representation's score (exact dot product for float32), restricted
    /// to `allowed` rowids when given.
    func best(_ query: [Float], k: Int, allowed: Set<Int64>?) -> [(row: Int, score: Float)] {
        var top = TopK(k)
        switch quantization {
        case .none:
            floats.withUnsafeBufferPointer { rows in
                query.withUnsafeBufferPointer { q in
                    for r in 0..<count where allowed?.contains(rowids[r]) ?? true {
                        let s = dot(q.baseAddress!, rows.baseAddress! + r * dimension, dimension)
                        if s > top.threshold || top.heap.count < k { top.offer(row: r, score: s) }
                    }
                }
            }
        case .int8:
            // q · (min + (c + 128) step) = q · min + Σ (q step)(c + 128)
            var offset: Float = 0
            var scaled = [Float](repeating: 0, count: dimension)
            for d in 0..<dimension { offset += query[d] * (minimum[d] + 128 * step[d]); scaled[d] = query[d] * step[d] }
            codes.withUnsafeBufferPointer { rows in
                for r in 0..<count where allowed?.contains(rowids[r]) ?? true {
                    let row = rows.baseAddress! + r * dimension
                    var s: Float = 0
                    for d in 0..<dimension { s += scaled[d] * Float(row[d]) }
                    top.offer(row: r, score: offset + s)
                }
            }
        case .binary:
            var q = [UInt64](repeating: 0, count: words)
            for d in 0..<dimension where query[d] > 0 { q[d / 64] |= 1 << UInt64(d % 64) }
            bits.withUnsafeBufferPointer { rows in
                for r in 0..<count where allowed?.contains(rowids[r]) ?? true {
                    var distance = 0
                    for w in 0..<words { distance += (rows[r * words + w] ^ q[w]).nonzeroBitCount }
                    top.offer(row: r, score: Float(dimension - 2 * distance))
                }
            }
        }
        return top.sorted()
    }
}
