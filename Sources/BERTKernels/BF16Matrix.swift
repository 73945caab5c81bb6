import CBERTKernels

/// A Linear weight W [n, k] rounded to bfloat16 and packed once for bf16 products (`GEMM.bf16`, `gemm_bf16.c`):
/// half the memory of fp32, `vdpbf16ps` on CPUs with AVX512_BF16, widened to fp32 on the fly elsewhere.
package final class BF16Matrix: @unchecked Sendable {
    /// Input features (the reduction length).
    package let k: Int
    /// Output features.
    package let n: Int
    let packed: UnsafeMutablePointer<UInt16>

    /// Rounds a float weight `w` [n, k] (row stride `ldw`) to bf16 (nearest even) and packs it.
    package init(n: Int, k: Int, weight w: UnsafePointer<Float>, ldw: Int) {
        precondition(n > 0 && k > 0 && ldw >= k, "BF16Matrix: a weight [\(n), \(k)] with row stride \(ldw)")
        (self.k, self.n) = (k, n)
        var rounded = [UInt16](repeating: 0, count: n * k)
        rounded.withUnsafeMutableBufferPointer { r in
            for j in 0..<n { bert_bf16_round(w + j * ldw, r.baseAddress! + j * k, k) }
        }
        let count = bert_bf16_packed_count(Int32(k), Int32(n))
        // 64-byte aligned: the AVX512_BF16 kernel loads whole cache lines of each panel.
        packed = UnsafeMutableRawPointer.allocate(byteCount: count * 2, alignment: 64).bindMemory(to: UInt16.self, capacity: count)
        rounded.withUnsafeBufferPointer { bert_bf16_pack_b(Int32(k), Int32(n), $0.baseAddress!, Int32(k), packed) }
    }

    /// Bytes held.
    package var byteCount: Int { bert_bf16_packed_count(Int32(k), Int32(n)) * 2 }

    deinit { packed.deallocate() }
}

/// The bf16 product kernels, chosen at run time by CPU feature (`gemm_bf16.c`).
package enum BF16Kernel: Int32, CaseIterable, Sendable {
    /// Plain C: any CPU, arm64 included.
    case portable = 0
    /// AVX2 + FMA: bf16 widened to fp32 in registers.
    case avx2 = 1
    /// AVX512_BF16 `vdpbf16ps`.
    case avx512bf16 = 2

    /// Whether this CPU can run it.
    package var isSupported: Bool { bert_bf16_kind_supported(rawValue) != 0 }
}

extension GEMM {
    /// The bf16 kernel in use: the best this CPU has, or the one `BERT_BF16_KERNEL` (avx512bf16, avx2, portable) names.
    package static var bf16Kernel: BF16Kernel { BF16Kernel(rawValue: bert_bf16_kind()) ?? .portable }

    /// Uses `kernel` from now on if the CPU supports it (tests run every path); returns the kernel in use.
    @discardableResult
    package static func selectBF16Kernel(_ kernel: BF16Kernel) -> BF16Kernel {
        BF16Kernel(rawValue: bert_bf16_set_kind(kernel.rawValue)) ?? .portable
    }

    /// C[m, n] = bf16(A[m, k]) · Wᵀ (+ bias [n]) with fp32 sums; overwrites C. The columns are split across threads.
    package static func bf16(m: Int, a: UnsafePointer<Float>, lda: Int, b: BF16Matrix, bias: UnsafePointer<Float>?,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0 else { return }
        let (n, k) = (b.n, b.k)
        let depth = bert_bf16_depth(Int32(k)), rows = bert_bf16_padded_rows(Int32(m))
        let converted = UnsafeMutablePointer<UInt16>.allocate(capacity: rows * depth)
        defer { converted.deallocate() }
        // Rows past m are read by the widest tile and never written back: zero them so the reads are defined.
        (converted + m * depth).initialize(repeating: 0, count: (rows - m) * depth)
        bert_bf16_convert_rows(a, Int32(m), Int32(k), Int32(lda), converted, Int32(depth))
        forEachColumnRun(n: n, panel: 32, work: m * n * k, threshold: parallelThreshold / 2) { columns in
            bert_bf16_gemm_packed(Int32(m), Int32(columns.lowerBound), Int32(columns.upperBound), Int32(depth), converted, Int32(depth),
                                  b.packed, bias, c, Int32(ldc))
        }
    }
}
