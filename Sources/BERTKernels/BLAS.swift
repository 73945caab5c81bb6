import CBERTKernels

/// The matrix-multiply backend in use, chosen once per process (see `blas_loader.c` for why it is dlopened).
public enum BLAS {
    /// Which library performs GEMM.
    public enum Backend: Sendable { case builtin, openBLAS, blis, accelerate }

    /// The backend, loading it on first use.
    public static var backend: Backend {
        switch bert_blas_init() {
        case BERT_BLAS_OPENBLAS: return .openBLAS
        case BERT_BLAS_BLIS: return .blis
        case BERT_BLAS_ACCELERATE: return .accelerate
        default: return .builtin
        }
    }

    /// A description of the backends for logs and `bert-dev bench`, e.g. "OpenBLAS (libopenblas.so.0), core
    /// SkylakeX; packed weights: avx2" — the BLAS, and the kernel inference uses for packed weights.
    public static var description: String {
        let packed = PackedKernel(rawValue: bert_gemm_packed_kind()) ?? .none
        return String(cString: bert_blas_description()) + "; packed weights: \(packed)"
    }
}
