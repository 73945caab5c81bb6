import CBERTKernels

/// A Linear weight W [n, k] quantised to int8 for dynamic int8 products (`GEMM.quantized`): symmetric per output
/// channel, W[j, :] ≈ scale[j] · q[j, :] with q in [-127, 127] (PyTorch's `quantize_dynamic` weight observer and
/// ONNX Runtime's per-channel `quantize_dynamic` use the same scheme), packed once for the kernel (`gemm_int8.c`).
/// Holds only the packed form (one byte per weight, in panels of 32 output channels); `values` unpacks it. A
/// matrix may be a view of whole panels of another (`columns`), sharing its memory.
package final class QuantizedMatrix: @unchecked Sendable {
    /// Input features (the reduction length).
    package let k: Int
    /// Output features.
    package let n: Int
    let packed: UnsafeMutablePointer<Int8>
    /// Scales and Σ_k q[j, k], each padded with zeros to a multiple of 32 columns for the kernel's vector loads.
    let paddedScales: UnsafeMutablePointer<Float>
    let columnSums: UnsafeMutablePointer<Int32>
    /// The matrix whose memory a view reads (nil: this one owns its memory).
    private let base: QuantizedMatrix?

    /// Output channels per packed panel.
    static let panelWidth = Int(bert_qgemm_padded_columns(1))

    /// Quantises a float weight `w` [n, k] (row stride `ldw`).
    package convenience init(n: Int, k: Int, weight w: UnsafePointer<Float>, ldw: Int) {
        let (values, scales) = Self.quantize(n: n, k: k, weight: w, ldw: ldw)
        self.init(n: n, k: k, values: values, scales: scales)
    }

    /// The int8 values [n, k] and scales [n] of a float weight `w` [n, k] (row stride `ldw`), without packing.
    package static func quantize(n: Int, k: Int, weight w: UnsafePointer<Float>, ldw: Int) -> (values: [Int8], scales: [Float]) {
        precondition(n > 0 && k > 0 && ldw >= k, "QuantizedMatrix: a weight [\(n), \(k)] with row stride \(ldw)")
        var values = [Int8](repeating: 0, count: n * k)
        var scales = [Float](repeating: 0, count: n)
        values.withUnsafeMutableBufferPointer { q in
            scales.withUnsafeMutableBufferPointer { s in
                bert_quantize_weights_s8(w, Int32(n), Int32(k), Int32(ldw), q.baseAddress!, s.baseAddress!)
            }
        }
        return (values, scales)
    }

    /// Takes weights already quantised (a quantised checkpoint): `values` [n, k], `scales` [n].
    package convenience init(n: Int, k: Int, values: [Int8], scales: [Float]) {
        precondition(n > 0 && k > 0 && values.count == n * k && scales.count == n, "QuantizedMatrix: sizes disagree")
        self.init(allocatingN: n, k: k)
        scales.withUnsafeBufferPointer { paddedScales.update(from: $0.baseAddress!, count: n) }
        values.withUnsafeBufferPointer { bert_qgemm_pack_b(Int32(k), Int32(n), $0.baseAddress!, Int32(k), packed, columnSums) }
    }

    /// Uninitialised packed memory for [n, k]; scales zeroed.
    private init(allocatingN n: Int, k: Int) {
        (self.k, self.n, base) = (k, n, nil)
        let bytes = bert_qgemm_packed_bytes(Int32(k), Int32(n))
        let columns = bert_qgemm_padded_columns(Int32(n))
        // 64-byte aligned: the VNNI kernel loads whole cache lines of each panel.
        packed = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64).bindMemory(to: Int8.self, capacity: bytes)
        paddedScales = UnsafeMutablePointer<Float>.allocate(capacity: columns)
        paddedScales.initialize(repeating: 0, count: columns)
        columnSums = UnsafeMutablePointer<Int32>.allocate(capacity: columns)
        columnSums.initialize(repeating: 0, count: columns)
    }

    private init(viewing base: QuantizedMatrix, columns: Range<Int>) {
        let panel = columns.lowerBound / Self.panelWidth
        (k, n, self.base) = (base.k, columns.count, base)
        packed = base.packed + panel * base.panelBytes
        paddedScales = base.paddedScales + columns.lowerBound
        columnSums = base.columnSums + columns.lowerBound
    }

    /// Bytes of one packed panel (32 output channels over the padded depth).
    var panelBytes: Int { bert_qgemm_depth(Int32(k)) * Self.panelWidth }

    /// The matrices stacked by output channel, [Σ n, k] (rows of the first, then of the second, ...), as one GEMM
    /// over stacked q/k/v weights needs. Panels are copied as they are when every part but the last fills whole
    /// panels (BERT's widths); otherwise the parts are unpacked and packed again. All parts must share `k`.
    package static func stacking(_ parts: [QuantizedMatrix]) -> QuantizedMatrix {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.k == parts[0].k }, "QuantizedMatrix.stacking: depths disagree")
        let k = parts[0].k, n = parts.reduce(0) { $0 + $1.n }
        guard parts.dropLast().allSatisfy({ $0.n % panelWidth == 0 }) else {
            return QuantizedMatrix(n: n, k: k, values: parts.flatMap(\.values), scales: parts.flatMap(\.scales))
        }
        let out = QuantizedMatrix(allocatingN: n, k: k)
        var column = 0
        for part in parts {
            let panels = (part.n + panelWidth - 1) / panelWidth
            (out.packed + column / panelWidth * out.panelBytes).update(from: part.packed, count: panels * part.panelBytes)
            (out.paddedScales + column).update(from: part.paddedScales, count: part.n)
            (out.columnSums + column).update(from: part.columnSums, count: part.n)
            column += part.n
        }
        return out
    }

    /// Output channels `range` as a matrix sharing this one's memory, when the range starts on a panel boundary
    /// and ends on one or at `n`; nil otherwise.
    package func columns(_ range: Range<Int>) -> QuantizedMatrix? {
        let w = Self.panelWidth
        guard range.lowerBound >= 0, range.upperBound <= n, !range.isEmpty, range.lowerBound % w == 0,
              range.upperBound % w == 0 || range.upperBound == n else { return nil }
        return QuantizedMatrix(viewing: self, columns: range)
    }

    /// The int8 weights [n, k], row-major, unpacked from the panels.
    package var values: [Int8] {
        let w = Self.panelWidth, panel = panelBytes
        return [Int8](unsafeUninitializedCapacity: n * k) { out, count in
            for j in 0..<n {
                let column = packed + j / w * panel + j % w * 4
                for p in 0..<k { out[j * k + p] = column[p / 4 * w * 4 + p % 4] }
            }
            count = n * k
        }
    }

    /// One scale per output feature [n].
    package var scales: [Float] { Array(UnsafeBufferPointer(start: paddedScales, count: n)) }

    /// Bytes the packed weights, scales and sums hold (a view holds none of its own).
    package var byteCount: Int {
        base != nil ? 0 : bert_qgemm_packed_bytes(Int32(k), Int32(n)) + bert_qgemm_padded_columns(Int32(n)) * 8
    }

    deinit {
        guard base == nil else { return }
        packed.deallocate()
        paddedScales.deallocate()
        columnSums.deallocate()
    }
}

/// The int8 product kernels, chosen at run time by CPU feature (`gemm_int8.c`).
package enum QuantizedKernel: Int32, CaseIterable, Sendable {
    /// Plain C: any CPU.
    case portable = 0
    /// AVX2 `vpmaddwd` on activations and weights widened to 16 bits (exact int32 pair sums, no saturation).
    case avx2 = 1
    /// AVX-512 VNNI `vpdpbusd`.
    case vnni = 2
    /// AVX-VNNI: `vpdpbusd` on 256-bit registers in its VEX encoding (Alder Lake and later, Zen 5).
    case avxvnni = 3
    /// The AVX-VNNI kernel's code in the AVX-512 (VL + VNNI) encoding: what tests run of it on CPUs without AVX-VNNI.
    case vnni256 = 4
    /// arm64 without the dot product (ARMv8.0): NEON `smull`/`smlal` into 16 bits, `sadalp` into int32 (`gemm_int8_neon.c`).
    case neon = 5
    /// arm64 with the ARMv8.2 dot product (`asimddp`): NEON `sdot` on activations shifted to s8 (`gemm_int8_neon.c`).
    case sdot = 6

    /// Whether this CPU can run it.
    package var isSupported: Bool { bert_qgemm_kind_supported(rawValue) != 0 }

    /// The fastest kernel this CPU runs (what is chosen when nothing limits the choice).
    package static var best: QuantizedKernel { [.vnni, .avxvnni, .avx2, .sdot, .neon, .portable].first(where: \.isSupported)! }
}

extension GEMM {
    /// The int8 kernel in use: the best this CPU has, or the one `BERT_QGEMM_KERNEL` (vnni, avxvnni, vnni256, avx2,
    /// sdot, neon, portable) names.
    package static var quantizedKernel: QuantizedKernel { QuantizedKernel(rawValue: bert_qgemm_kind()) ?? .portable }

    /// Uses `kernel` from now on if the CPU supports it (tests run every path); returns the kernel in use.
    @discardableResult
    package static func selectQuantizedKernel(_ kernel: QuantizedKernel) -> QuantizedKernel {
        QuantizedKernel(rawValue: bert_qgemm_set_kind(kernel.rawValue)) ?? .portable
    }

    /// C[m, n] = A[m, k] · Wᵀ (+ bias [n]) with W int8 and A quantised per row to u8 on the way in (dynamic
    /// quantisation); overwrites C. The columns are split across threads.
    package static func quantized(m: Int, a: UnsafePointer<Float>, lda: Int, b: QuantizedMatrix, bias: UnsafePointer<Float>?,
                                  c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0 else { return }
        let rows = QuantizedActivations(m: m, k: b.k)
        rows.quantize(a, lda: lda)
        withExtendedLifetime(rows) { quantized(m: m, rows: rows.rows, b: b, bias: bias, c: c, ldc: ldc) }
    }

    /// The product from activations already quantised (tests drive the kernel with chosen integers this way).
    package static func quantized(m: Int, rows a: QuantizedRows, b: QuantizedMatrix, bias: UnsafePointer<Float>?,
                                  c: UnsafeMutablePointer<Float>, ldc: Int) {
        let (n, k) = (b.n, b.k)
        forEachColumnRun(n: n, panel: 32, work: m * n * k, threshold: parallelThreshold / 2) { columns in
            bert_qgemm_packed(Int32(m), Int32(columns.lowerBound), Int32(columns.upperBound), Int32(a.depth), a.values, Int32(a.depth),
                              a.scales, a.zeros, b.packed, b.paddedScales, b.columnSums, bias, c, Int32(ldc))
        }
    }
}

/// Activations quantised per row: `values` holds `bert_qgemm_padded_rows(m)` rows of `depth` bytes
/// (`bert_qgemm_depth(k)`), A[i, :] ≈ scales[i] · (values[i, :] − zeros[i]).
package struct QuantizedRows: @unchecked Sendable {
    package let values: UnsafePointer<UInt8>
    package let depth: Int
    package let scales: UnsafePointer<Float>
    package let zeros: UnsafePointer<Int32>

    package init(values: UnsafePointer<UInt8>, depth: Int, scales: UnsafePointer<Float>, zeros: UnsafePointer<Int32>) {
        (self.values, self.depth, self.scales, self.zeros) = (values, depth, scales, zeros)
    }
}

/// Activations quantised per row to u8 for `GEMM.quantized(m:rows:...)`, owning their memory: `m` rows of `k`
/// values, stored as `bert_qgemm_padded_rows(m)` rows of `bert_qgemm_depth(k)` bytes (the rows past `m` zero, as the
/// widest tile reads them). Filled by `GEMM.quantized` itself or by a fused epilogue that quantises each row while
/// it is still in cache (`Kernels.biasGELUQuantizeRows`, `Kernels.biasResidualLayerNormQuantizeRows`).
package final class QuantizedActivations: @unchecked Sendable {
    /// Rows and values per row.
    package let m: Int, k: Int
    /// Bytes per stored row.
    package let depth: Int
    let values: UnsafeMutablePointer<UInt8>
    let scales: UnsafeMutablePointer<Float>
    let zeros: UnsafeMutablePointer<Int32>

    /// Room for `m` rows of `k` values (m, k > 0); the padding rows are zeroed.
    package init(m: Int, k: Int) {
        precondition(m > 0 && k > 0, "QuantizedActivations: \(m) rows of \(k)")
        (self.m, self.k) = (m, k)
        depth = bert_qgemm_depth(Int32(k))
        let rows = bert_qgemm_padded_rows(Int32(m))
        values = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * depth)
        (values + m * depth).initialize(repeating: 0, count: (rows - m) * depth)
        scales = UnsafeMutablePointer<Float>.allocate(capacity: m)
        zeros = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    }

    deinit {
        values.deallocate()
        scales.deallocate()
        zeros.deallocate()
    }

    /// The rows as the kernel reads them.
    package var rows: QuantizedRows { QuantizedRows(values: values, depth: depth, scales: scales, zeros: zeros) }

    /// Quantises rows `range` of `a` (row stride `lda`) on this thread: A[i, :] ≈ scale[i] · (u8[i, :] − zero[i]).
    func quantize(_ range: Range<Int>, of a: UnsafePointer<Float>, lda: Int) {
        guard !range.isEmpty else { return }
        let i = range.lowerBound
        bert_quantize_rows_u8(a + i * lda, Int32(range.count), Int32(k), Int32(lda), values + i * depth, Int32(depth),
                              scales + i, zeros + i)
    }

    /// As `quantize(_:of:lda:)` with each row's min and max already known (`ranges[2r]`, `ranges[2r + 1]` for the
    /// range's r-th row, as a fused epilogue finds them): one pass over the rows instead of two, the same bytes.
    func quantize(_ range: Range<Int>, of a: UnsafePointer<Float>, lda: Int, knownRanges ranges: UnsafePointer<Float>) {
        guard !range.isEmpty else { return }
        let i = range.lowerBound
        bert_quantize_rows_u8_in_range(a + i * lda, Int32(range.count), Int32(k), Int32(lda), values + i * depth, Int32(depth),
                                       scales + i, zeros + i, ranges)
    }

    /// Quantises every row of `a` [m, k] (row stride `lda`), rows in parallel (at least 16 Ki values each).
    package func quantize(_ a: UnsafePointer<Float>, lda: Int) {
        Parallel.forEachChunk(m, minimumChunk: max(1, (1 << 14) / k)) { quantize($0, of: a, lda: lda) }
    }
}
