import CBERTKernels
import Foundation

/// Row-major single-precision matrix multiply, dispatched to the fastest BLAS found (see `BLAS`). `sgemm` is public
/// for the benchmark package, which imports BERTKernels by name; `import BERT` does not re-export it.
public enum GEMM {
    /// Hands the thread count to the BLAS library once, before the first product (`Threads.set` does it again on change).
    private static let threadsApplied: Void = setThreads(Threads.count)

    /// The BLAS library always runs single-threaded: we split each product across cores ourselves. One thread
    /// pool (`Parallel.perform`) then serves GEMM and the element-wise kernels alike, instead of OpenBLAS's spinning
    /// threads competing with ours between calls, and batched products (attention) run one batch per core.
    /// `BERT_GEMM_THREADING=blas` hands threading back to the BLAS library instead (for comparison).
    static func setThreads(_ n: Int) {
        bert_blas_set_threads(Int32(blasThreading ? n : 1))
    }

    /// Whether the BLAS library threads each product itself (`BERT_GEMM_THREADING=blas`).
    static let blasThreading = ProcessInfo.processInfo.environment["BERT_GEMM_THREADING"] == "blas"

    /// Work (m·n·k) below which a product stays on one core.
    static let parallelThreshold = 1 << 21

    /// C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C, where op transposes when the flag is set.
    /// `lda`, `ldb`, `ldc` are row strides in elements of A, B and C as stored.
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, forceBuiltin: Bool = false) {
        guard m > 0, n > 0 else { return }
        _ = threadsApplied
        let builtin = forceBuiltin || BLAS.backend == .builtin
        let operands = Operands(transA: transA, transB: transB, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        let threads = Threads.count
        if builtin, m >= 8, threads > 1 {
            // The built-in kernel is single-threaded: split rows of C across cores.
            Parallel.forEachChunk(m, minimumChunk: 4) { rows in operands.multiply(rows: rows, columns: 0..<n, builtin: true) }
        } else if !builtin, threads > 1, !blasThreading, m * n * k >= parallelThreshold {
            // Split the larger of M and N into one block per thread (multiples of 16 keep kernels aligned).
            let splitRows = m >= n || n < 32 * threads
            let extent = splitRows ? m : n
            let per = ((extent + threads - 1) / threads + 15) / 16 * 16
            Parallel.perform(iterations: (extent + per - 1) / per) { i in
                let block = (i * per)..<min(i * per + per, extent)
                guard !block.isEmpty else { return }
                operands.multiply(rows: splitRows ? block : 0..<m, columns: splitRows ? 0..<n : block, builtin: false)
            }
        } else {
            operands.multiply(rows: 0..<m, columns: 0..<n, builtin: builtin)
        }
    }

    /// One product's operands, so a block of rows or columns of C can be computed by either kernel on one thread.
    /// Sendable because concurrent calls write disjoint blocks of C and only read A and B.
    private struct Operands: @unchecked Sendable {
        let transA: Bool, transB: Bool, k: Int, alpha: Float
        let a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int
        let beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int

        /// C[rows, columns] = alpha · op(A)[rows, :] · op(B)[:, columns] + beta · C[rows, columns].
        func multiply(rows: Range<Int>, columns: Range<Int>, builtin: Bool) {
            let aBlock = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
            let bBlock = transB ? b + columns.lowerBound * ldb : b + columns.lowerBound
            let kernel = builtin ? bert_sgemm_builtin : bert_sgemm
            kernel(transA ? 1 : 0, transB ? 1 : 0, Int32(rows.count), Int32(columns.count), Int32(k), alpha, aBlock, Int32(lda),
                   bBlock, Int32(ldb), beta, c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
        }
    }

    /// Runs `count` independent products (one per batch) across cores, each single-threaded.
    package static func batched(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 || Threads.count == 1 { for i in 0..<count { body(i) }; return }
        Parallel.forEachChunk(count) { r in
            for i in r { body(i) }
        }
    }

    /// One product on the calling thread only (inside an already parallel loop).
    package static func sgemmSingleThreaded(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                           beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        _ = threadsApplied
        Operands(transA: transA, transB: transB, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            .multiply(rows: 0..<m, columns: 0..<n, builtin: BLAS.backend == .builtin)
    }

    /// The portable kernel alone, single-threaded (tests compare it with the BLAS path).
    package static func sgemmBuiltin(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        Operands(transA: transA, transB: transB, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            .multiply(rows: 0..<m, columns: 0..<n, builtin: true)
    }
}
