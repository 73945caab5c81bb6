import Dispatch
import Foundation

/// The vectors an index scans, held in memory in row order (row = position, parallel to `rowids`), as float32
/// (exact), int8 codes per dimension, or sign bits. Quantised forms rank candidates; the index re-scores them.
package struct InMemoryVectors {
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
    package init(dimension: Int, quantization: VectorQuantization, ranges: (min: [Float], max: [Float])? = nil) {
        self.dimension = dimension
        self.quantization = quantization
        if quantization == .int8, let ranges {
            minimum = ranges.min
            step = zip(ranges.min, ranges.max).map { lo, hi in hi > lo ? (hi - lo) / 255 : 1 }
        }
    }

    package var count: Int { rowids.count }

    package mutating func append(rowid: Int64, vector: [Float]) {
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
    /// to `allowed` rowids when given. Large scans are split into contiguous row ranges scored on all cores, each
    /// keeping its own top k; the merge keeps TopK's tie rule (earlier row first), so results do not depend on the
    /// thread count.
    package func best(_ query: [Float], k: Int, allowed: Set<Int64>?) -> [(row: Int, score: Float)] {
        switch quantization {
        case .none:
            return floats.withUnsafeBufferPointer { rows in
                query.withUnsafeBufferPointer { q in
                    let rowsBase = rows.baseAddress!, qBase = q.baseAddress!
                    return scan(k: k, allowed: allowed) { range, top in
                        for r in range where allowed?.contains(rowids[r]) ?? true {
                            let s = dot(qBase, rowsBase + r * dimension, dimension)
                            if s > top.threshold || top.heap.count < k { top.offer(row: r, score: s) }
                        }
                    }
                }
            }
        case .int8:
            // q · (min + (c + 128) step) = q · min + Σ (q step)(c + 128)
            var offset: Float = 0
            var scaled = [Float](repeating: 0, count: dimension)
            for d in 0..<dimension { offset += query[d] * (minimum[d] + 128 * step[d]); scaled[d] = query[d] * step[d] }
            return codes.withUnsafeBufferPointer { rows in
                scaled.withUnsafeBufferPointer { scaledQuery in
                    let rowsBase = rows.baseAddress!, qBase = scaledQuery.baseAddress!
                    return scan(k: k, allowed: allowed) { range, top in
                        for r in range where allowed?.contains(rowids[r]) ?? true {
                            let s = offset + dotCodes(qBase, rowsBase + r * dimension, dimension)
                            if s > top.threshold || top.heap.count < k { top.offer(row: r, score: s) }
                        }
                    }
                }
            }
        case .binary:
            var q = [UInt64](repeating: 0, count: words)
            for d in 0..<dimension where query[d] > 0 { q[d / 64] |= 1 << UInt64(d % 64) }
            return bits.withUnsafeBufferPointer { rows in
                q.withUnsafeBufferPointer { qWords in
                    let rowsBase = rows.baseAddress!, words = words
                    return scan(k: k, allowed: allowed) { range, top in
                        for r in range where allowed?.contains(rowids[r]) ?? true {
                            var distance = 0
                            for w in 0..<words { distance += (rowsBase[r * words + w] ^ qWords[w]).nonzeroBitCount }
                            let s = Float(dimension - 2 * distance)
                            if s > top.threshold || top.heap.count < k { top.offer(row: r, score: s) }
                        }
                    }
                }
            }
        }
    }

    /// Runs `body` over contiguous row ranges (one per core when the scan is large enough to pay for the threads)
    /// and merges the partial top-k lists.
    private func scan(k: Int, allowed: Set<Int64>?,
                      _ body: (Range<Int>, inout TopK) -> Void) -> [(row: Int, score: Float)] {
        let parts = Swift.min(ScanThreads.count, Swift.max(1, count / Self.rowsPerThread))
        if parts == 1 {
            var top = TopK(k)
            body(0..<count, &top)
            return top.sorted()
        }
        var partial = [TopK](repeating: TopK(k), count: parts)
        partial.withUnsafeMutableBufferPointer { tops in
            let tops = UnsafeSendable(tops)
            withoutActuallyEscaping(body) { body in
                let body = UnsafeSendable(body)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    let lower = count * part / parts, upper = count * (part + 1) / parts
                    body.value(lower..<upper, &tops.value[part])
                }
            }
        }
        var merged = TopK(k)
        for top in partial { for item in top.heap { merged.offer(row: item.row, score: item.score) } }
        return merged.sorted()
    }

    /// Below this many rows per thread the scan stays on the calling thread (waking threads costs more).
    private static let rowsPerThread = 32_768
}

/// How many threads a scan uses: the active processors, or `BERT_SEARCH_THREADS` when set (benchmarks).
enum ScanThreads {
    static let count: Int = {
        if let text = ProcessInfo.processInfo.environment["BERT_SEARCH_THREADS"], let n = Int(text), n > 0 { return n }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
}

/// Carries a value the caller knows is used safely across threads (disjoint buffer slots, a closure that only
/// reads shared state) into `concurrentPerform`.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
