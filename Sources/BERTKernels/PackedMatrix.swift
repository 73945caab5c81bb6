import CBERTKernels

/// A right-hand GEMM operand op(B) [k, n] packed once in the layout the packed kernels read (`GEMM.packed`; the
/// AVX-512 and AVX2 kernels share it), for weights reused across many products: inference stops paying the
/// per-call packing a BLAS does.
package final class PackedMatrix: @unchecked Sendable {
    /// Rows of op(B) (the reduction length).
    package let k: Int
    /// Columns of op(B) (output features).
    package let n: Int
    let buffer: UnsafeMutablePointer<Float>

    /// Packs op(B): `b` is [n, k] with row stride `ldb` when `transposed` (a Linear weight), else [k, n].
    /// Returns nil when this CPU has no kernel for packed operands (`GEMM.packedSupported` is false).
    package init?(transposed: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int) {
        guard GEMM.packedSupported, k > 0, n > 0 else { return nil }
        self.k = k
        self.n = n
        let count = bert_gemm_packed_count(Int32(k), Int32(n))
        // 64-byte aligned: the kernel loads whole cache lines of each panel.
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Float>.size, alignment: 64)
            .bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        bert_gemm_pack_b(transposed ? 1 : 0, Int32(k), Int32(n), b, Int32(ldb), buffer)
    }

    /// Bytes held.
    package var byteCount: Int { bert_gemm_packed_count(Int32(k), Int32(n)) * MemoryLayout<Float>.size }

    deinit { buffer.deallocate() }
}

/// The kernels for products with a `PackedMatrix`, chosen at run time by CPU feature.
package enum PackedKernel: Int32, CaseIterable, Sendable {
    /// No packed kernel: products take the BLAS path.
    case none = 0
    /// AVX2 + FMA, 6×16 tiles (e.g. AMD Zen 3).
    case avx2 = 1
    /// AVX-512F + VL, 12×32 tiles.
    case avx512 = 2
    /// NEON on arm64, 6×16 tiles over 16-column panels of its own (`gemm_packed_neon.c`): the default on Linux arm64
    /// (then `packedSupported` is true there); opt-in on Apple (`BERT_GEMM_KERNEL=neon`), where Accelerate is.
    case neon = 3

    /// Whether this CPU can run it.
    package var isSupported: Bool { bert_gemm_packed_kind_supported(rawValue) != 0 }
}

extension GEMM {
    /// Whether products with a `PackedMatrix` run here (x86-64 with AVX-512F+VL, or AVX2+FMA when
    /// `BERT_GEMM_KERNEL=avx2` asks for it; not with `BERT_GEMM_KERNEL=none`).
    package static let packedSupported: Bool = bert_gemm_packed_supported() != 0

    /// The packed kernel in use: AVX-512 when the CPU has it, or the one `BERT_GEMM_KERNEL` (avx512, avx2, none) names.
    package static var packedKernel: PackedKernel { PackedKernel(rawValue: bert_gemm_packed_kind()) ?? .none }

    /// Uses `kernel` from now on if the CPU supports it (tests run every path); returns the kernel in use.
    @discardableResult
    package static func selectPackedKernel(_ kernel: PackedKernel) -> PackedKernel {
        PackedKernel(rawValue: bert_gemm_packed_set_kind(kernel.rawValue)) ?? .none
    }

    /// C[m, n] = A[m, k] · op(B) from a packed op(B), overwriting C; the columns are split across threads.
    package static func packed(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0 else { return }
        let (n, k) = (b.n, b.k)
        forEachColumnRun(n: n, panel: 32, work: m * n * k, threshold: parallelThreshold) { columns in
            bert_gemm_packed(Int32(m), Int32(columns.lowerBound), Int32(columns.upperBound), Int32(k), a, Int32(lda), b.buffer, Int32(n),
                             c, Int32(ldc))
        }
    }
}
