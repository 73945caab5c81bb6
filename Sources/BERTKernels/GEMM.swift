import CBERTKernels
import Foundation

/// Row-major single-precision matrix multiply, dispatched to the fastest BLAS found (see `BLAS`).
public enum GEMM {
    nonisolated(unsafe) private static var threadsApplied = false

    /// The BLAS library always runs single-threaded: we split each product across cores ourselves. One thread
    /// pool (Dispatch) then serves GEMM and the element-wise kernels alike, instead of OpenBLAS's spinning
    /// threads competing with ours between calls, and batched products (attention) run one batch per core.
    /// `BERT_GEMM_THREADING=blas` hands threading back to the BLAS library instead (for comparison).
    static func setThreads(_ n: Int) {
        bert_blas_set_threads(Int32(blasThreading ? n : 1))
        threadsApplied = true
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
        if !threadsApplied { setThreads(Threads.count) }
        let builtin = forceBuiltin || BLAS.backend == .builtin
        if builtin, m >= 8, Threads.count > 1 {
            // The built-in kernel is single-threaded: split rows of C across cores.
            Parallel.forEachChunk(m, minimumChunk: 4) { rows in
                let aRow = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
                bert_sgemm_builtin(transA ? 1 : 0, transB ? 1 : 0, Int32(rows.count), Int32(n), Int32(k), alpha,
                                   aRow, Int32(lda), b, Int32(ldb), beta, c + rows.lowerBound * ldc, Int32(ldc))
            }
            return
        }
        if builtin {
            bert_sgemm_builtin(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
                               Int32(ldb), beta, c, Int32(ldc))
            return
        }
        let threads = Threads.count
        if threads > 1, !blasThreading, m * n * k >= parallelThreshold {
            // Split the larger of M and N into one block per thread (multiples of 16 keep kernels aligned).
            if m >= n || n < 32 * threads {
                let per = ((m + threads - 1) / threads + 15) / 16 * 16
                let blocks = (m + per - 1) / per
                DispatchQueue.concurrentPerform(iterations: blocks) { i in
                    let lo = i * per, rows = min(per, m - lo)
                    guard rows > 0 else { return }
                    bert_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(rows), Int32(n), Int32(k), alpha,
                               transA ? a + lo : a + lo * lda, Int32(lda), b, Int32(ldb), beta, c + lo * ldc, Int32(ldc))
                }
            } else {
                let per = ((n + threads - 1) / threads + 15) / 16 * 16
                let blocks = (n + per - 1) / per
                DispatchQueue.concurrentPerform(iterations: blocks) { i in
                    let lo = i * per, cols = min(per, n - lo)
                    guard cols > 0 else { return }
                    bert_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(cols), Int32(k), alpha, a, Int32(lda),
                               transB ? b + lo * ldb : b + lo, Int32(ldb), beta, c + lo, Int32(ldc))
                }
            }
            return
        }
        bert_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                   beta, c, Int32(ldc))
    }

    /// Runs `count` independent products (one per batch) across cores, each single-threaded.
    public static func batched(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 || Threads.count == 1 { for i in 0..<count { body(i) }; return }
        Parallel.forEachChunk(count) { r in
            for i in r { body(i) }
        }
    }

    /// One product on the calling thread only (inside an already parallel loop).
    public static func sgemmSingleThreaded(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                           beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if !threadsApplied { setThreads(Threads.count) }
        if BLAS.backend == .builtin {
            bert_sgemm_builtin(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        } else {
            bert_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// The portable kernel alone, single-threaded (tests compare it with the BLAS path).
    public static func sgemmBuiltin(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        bert_sgemm_builtin(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
                           Int32(ldb), beta, c, Int32(ldc))
    }
}
