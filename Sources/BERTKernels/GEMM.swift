import CBERTKernels

/// Row-major single-precision matrix multiply, dispatched to the fastest BLAS found (see `BLAS`).
public enum GEMM {
    nonisolated(unsafe) private static var threadsApplied = false

    /// Sets the BLAS library's own thread count.
    static func setThreads(_ n: Int) { bert_blas_set_threads(Int32(n)); threadsApplied = true }

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
        bert_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                   beta, c, Int32(ldc))
    }

    /// The portable kernel alone, single-threaded (tests compare it with the BLAS path).
    public static func sgemmBuiltin(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        bert_sgemm_builtin(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
                           Int32(ldb), beta, c, Int32(ldc))
    }
}
