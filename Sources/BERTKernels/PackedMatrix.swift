import CBERTKernels

/// A right-hand GEMM operand op(B) [k, n] packed once in the layout of the packed kernel in use when it was made
/// (`kernel`: 32-column panels for AVX-512, 16-column panels for AVX2), for weights reused across many products:
/// inference stops paying the per-call packing a BLAS does. `GEMM.packed` always runs it with that kernel's tiles,
/// whichever kernel is selected since.
package final class PackedMatrix: @unchecked Sendable {
    /// Rows of op(B) (the reduction length).
    package let k: Int
    /// Columns of op(B) (output features).
    package let n: Int
    /// The kernel whose layout this copy holds (the one in use when packing, or the best this CPU has when
    /// none was).
    package let kernel: PackedKernel
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
        kernel = PackedKernel(rawValue: bert_gemm_packed_layout(buffer)) ?? .none
    }

    /// Bytes held.
    package var byteCount: Int { bert_gemm_packed_count(Int32(k), Int32(n)) * MemoryLayout<Float>.size }

    /// The most rows the AVX2 layout is run for: beyond, OpenBLAS's own packing (of A too) paid off on the AVX2
    /// stand-in (MiniLM batch 32, hundreds of rows), while up to 128 rows the packed road won (MiniLM 1 × 128 by ~10 %).
    package static let avx2RowLimit = 256

    /// Whether a product of `rows` rows should run on this copy rather than the BLAS path: always with the
    /// AVX-512 and NEON layouts, with the AVX2 one up to `avx2RowLimit` rows.
    package func isFaster(rows: Int) -> Bool { kernel != .avx2 || rows <= Self.avx2RowLimit }

    deinit { buffer.deallocate() }
}

/// The kernels for products with a `PackedMatrix`, chosen at run time by CPU feature.
package enum PackedKernel: Int32, CaseIterable, Sendable {
    /// No packed kernel: products take the BLAS path.
    case none = 0
    /// AVX2 + FMA, 6×16 tiles over 16-column panels (e.g. AMD Zen 3; the default without AVX-512, for products of
    /// up to `PackedMatrix.avx2RowLimit` rows).
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
    /// Whether products with a `PackedMatrix` run here (x86-64 with AVX-512F+VL or AVX2+FMA, arm64 Linux; not with
    /// `BERT_GEMM_KERNEL=none` or `BERT_KERNELS=portable`).
    package static let packedSupported: Bool = bert_gemm_packed_supported() != 0

    /// The packed kernel in use: AVX-512 when the CPU has it, else AVX2+FMA, or the one `BERT_GEMM_KERNEL` (avx512,
    /// avx2, none) or `BERT_KERNELS` (avx2, portable) names.
    package static var packedKernel: PackedKernel { PackedKernel(rawValue: bert_gemm_packed_kind()) ?? .none }

    /// Uses `kernel` from now on for matrices packed after this (and for attention) if the CPU supports it (tests
    /// run every path); returns the kernel in use.
    @discardableResult
    package static func selectPackedKernel(_ kernel: PackedKernel) -> PackedKernel {
        PackedKernel(rawValue: bert_gemm_packed_set_kind(kernel.rawValue)) ?? .none
    }

    /// C[m, n] = A[m, k] · op(B) from a packed op(B), overwriting C; the columns are split across threads.
    package static func packed(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0 else { return }
        let (n, k) = (b.n, b.k)
        forEachColumnRun(n: n, panel: 32, work: m * n * k, threshold: parallelThreshold) { columns in
            packed(m: m, a: a, lda: lda, b: b, columns: columns, c: c, ldc: ldc)
        }
    }

    /// C[:, columns] = A[m, k] · op(B)[:, columns] on this thread, leaving C's other columns alone; `columns` starts
    /// at a multiple of 32 (the runs `packed` splits a product into).
    package static func packed(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix, columns: Range<Int>,
                               c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(columns.lowerBound % 32 == 0 && columns.lowerBound >= 0 && columns.upperBound <= b.n,
                     "columns \(columns) of \(b.n): must start at a multiple of 32")
        guard m > 0, !columns.isEmpty else { return }
        bert_gemm_packed(Int32(m), Int32(columns.lowerBound), Int32(columns.upperBound), Int32(b.k), a, Int32(lda), b.buffer,
                         Int32(b.n), c, Int32(ldc))
    }
}
