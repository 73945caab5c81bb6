import CBERTKernels

/// A Linear weight W [n, k] rounded to IEEE half precision (nearest even) and packed once for fp16-weight products
/// (`GEMM.fp16`, `gemm_fp16.c`): half the memory of fp32 at 11 significant bits. The activations stay fp32; each
/// product widens the weights (F16C `vcvtph2ps`, or in C) and sums in fp32.
package final class FP16Matrix: @unchecked Sendable {
    /// Input features (the reduction length).
    package let k: Int
    /// Output features.
    package let n: Int
    let packed: UnsafeMutablePointer<UInt16>

    /// Rounds a float weight `w` [n, k] (row stride `ldw`) to halves and packs it.
    package init(n: Int, k: Int, weight w: UnsafePointer<Float>, ldw: Int) {
        precondition(n > 0 && k > 0 && ldw >= k, "FP16Matrix: a weight [\(n), \(k)] with row stride \(ldw)")
        (self.k, self.n) = (k, n)
        let count = bert_fp16_packed_count(Int32(k), Int32(n))
        packed = UnsafeMutableRawPointer.allocate(byteCount: count * 2, alignment: 64).bindMemory(to: UInt16.self, capacity: count)
        bert_fp16_pack_b(Int32(k), Int32(n), w, Int32(ldw), packed)
    }

    /// Bytes held.
    package var byteCount: Int { bert_fp16_packed_count(Int32(k), Int32(n)) * 2 }

    /// The weights as the products use them: W [n, k] row-major, each value the fp32 of its half (for tests).
    package var widened: [Float] {
        [Float](unsafeUninitializedCapacity: n * k) { buffer, count in
            bert_fp16_unpack_b(Int32(k), Int32(n), packed, buffer.baseAddress!, Int32(k))
            count = n * k
        }
    }

    deinit { packed.deallocate() }
}

/// The fp16-weight product kernels, chosen at run time by CPU feature (`gemm_fp16.c`).
package enum FP16Kernel: Int32, CaseIterable, Sendable {
    /// Plain C: any CPU, arm64 included.
    case portable = 0
    /// F16C `vcvtph2ps` with AVX2 + FMA (Ivy Bridge and Zen on: every AVX2 x86).
    case f16c = 1

    /// Whether this CPU can run it.
    package var isSupported: Bool { bert_fp16_kind_supported(rawValue) != 0 }
}

extension GEMM {
    /// The fp16 kernel in use: the best this CPU has, or the one `BERT_FP16_KERNEL` (f16c, portable) names.
    package static var fp16Kernel: FP16Kernel { FP16Kernel(rawValue: bert_fp16_kind()) ?? .portable }

    /// Uses `kernel` from now on if the CPU supports it (tests run every path); returns the kernel in use.
    @discardableResult
    package static func selectFP16Kernel(_ kernel: FP16Kernel) -> FP16Kernel {
        FP16Kernel(rawValue: bert_fp16_set_kind(kernel.rawValue)) ?? .portable
    }

    /// C[m, n] = A[m, k] · Wᵀ (+ bias [n]) with fp16 weights widened to fp32 and fp32 sums; overwrites C. A is read in
    /// place. The columns are split across threads.
    package static func fp16(m: Int, a: UnsafePointer<Float>, lda: Int, b: FP16Matrix, bias: UnsafePointer<Float>?,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0 else { return }
        let (n, k) = (b.n, b.k)
        forEachColumnRun(n: n, panel: 16, work: m * n * k, threshold: parallelThreshold / 2) { columns in
            bert_fp16_gemm_packed(Int32(m), Int32(columns.lowerBound), Int32(columns.upperBound), Int32(k), a, Int32(lda), b.packed, bias,
                                  c, Int32(ldc))
        }
    }
}
