import CBERTKernels

/// The two products of attention for one (sequence, head) at inference, on this thread: scores S = Q·Kᵀ and
/// context O = P·V, with Q, K, V read in place at any row stride (column slices of the fused q/k/v output).
///
/// With a packed kernel in use (`GEMM.packedKernel`: AVX-512, or AVX2 when chosen) they run our own tiles (`kernel`), which
/// pack only Kᵀ (and, for AVX2, copy V) into `scratch` instead of packing both operands as a BLAS does on every
/// call; otherwise (arm64, `BERT_KERNELS=portable`, `BERT_GEMM_KERNEL=none`) they are `GEMM.sgemmSingleThreaded`.
package enum AttentionProducts {
    /// The tiles in use: `GEMM.packedKernel`, except that `BERT_ATTENTION_KERNEL=avx2` or `selectWideTiles(false)`
    /// runs the AVX2 tiles under an AVX-512 packed kernel; `.none`: the BLAS path.
    package static var kernel: PackedKernel { PackedKernel(rawValue: bert_attention_kind()) ?? .none }

    /// Whether the own kernels run, rather than the BLAS path.
    package static var ownKernel: Bool { bert_attention_kind() != PackedKernel.none.rawValue }

    /// With an AVX-512 packed kernel, runs the AVX-512 tiles (`true`) or the AVX2 ones (tests, benches); returns
    /// the tiles in use.
    @discardableResult
    package static func selectWideTiles(_ wide: Bool) -> PackedKernel {
        PackedKernel(rawValue: bert_attention_set_wide(wide ? 1 : 0)) ?? .none
    }

    /// Floats of scratch `scores` and `context` need for `keys` keys of `headDim` (taken whichever path runs,
    /// so a kernel chosen between taking and using it still fits).
    package static func scratchCount(keys: Int, headDim: Int) -> Int {
        guard fits(keys), fits(headDim) else { return 0 }
        return bert_attention_scratch_count(Int32(keys), Int32(headDim))
    }

    /// s[queries, keys] (row stride lds) = q[queries, headDim] · k[keys, headDim]ᵀ (row strides ldq, ldk).
    /// `scratch` holds `scratchCount(keys:headDim:)` floats.
    package static func scores(queries: Int, keys: Int, headDim: Int, q: UnsafePointer<Float>, ldq: Int,
                               k: UnsafePointer<Float>, ldk: Int, scratch: UnsafeMutablePointer<Float>,
                               s: UnsafeMutablePointer<Float>, lds: Int) {
        if ownKernel, fits(queries), fits(keys), fits(headDim), fits(ldq), fits(ldk), fits(lds) {
            bert_attention_scores(Int32(queries), Int32(keys), Int32(headDim), q, Int32(ldq), k, Int32(ldk), scratch,
                                  s, Int32(lds))
        } else {
            GEMM.sgemmSingleThreaded(transA: false, transB: true, m: queries, n: keys, k: headDim, a: q, lda: ldq,
                                     b: k, ldb: ldk, c: s, ldc: lds)
        }
    }

    /// o[queries, headDim] (row stride ldo) = p[queries, keys] · v[keys, headDim] (row strides ldp, ldv).
    /// `scratch` holds `scratchCount(keys:headDim:)` floats.
    package static func context(queries: Int, keys: Int, headDim: Int, p: UnsafePointer<Float>, ldp: Int,
                                v: UnsafePointer<Float>, ldv: Int, scratch: UnsafeMutablePointer<Float>,
                                o: UnsafeMutablePointer<Float>, ldo: Int) {
        if ownKernel, fits(queries), fits(keys), fits(headDim), fits(ldp), fits(ldv), fits(ldo) {
            bert_attention_context(Int32(queries), Int32(keys), Int32(headDim), p, Int32(ldp), v, Int32(ldv), scratch,
                                   o, Int32(ldo))
        } else {
            GEMM.sgemmSingleThreaded(transA: false, transB: false, m: queries, n: headDim, k: keys, a: p, lda: ldp,
                                     b: v, ldb: ldv, c: o, ldc: ldo)
        }
    }

    /// The C kernels take 32-bit sizes (and round keys up to 32); anything larger keeps the BLAS path.
    @inline(__always) private static func fits(_ size: Int) -> Bool { size >= 0 && size <= Int(Int32.max) / 64 }
}
