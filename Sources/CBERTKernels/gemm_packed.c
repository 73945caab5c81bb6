// Products with weights packed ahead of time (inference): C[:, n0:n1] = A · op(B)[:, n0:n1], where op(B) [K, N] was
// packed once by bert_gemm_pack_b: per 256-deep block of K (block at row offset pc), 32-column panels of kc rows.
// Rows of A are read in place and broadcast against the panel:
// - AVX-512: twelve rows × two 16-float vectors, a 12×32 tile of C in 24 registers;
// - AVX2+FMA (e.g. AMD Zen 3): six rows × two 8-float vectors of one half of a panel, a 6×16 tile in 12 of the
//   16 registers (BLIS's Haswell shape), run twice per panel; the packed layout is the same. Opt-in
//   (BERT_GEMM_KERNEL=avx2) until it beats the BLAS path: see bert_gemm_packed_kind.
// Packing the weights once removes the per-call packing a BLAS does, which dominates at small M. Other CPUs keep
// the BLAS path (bert_gemm_packed_kind returns 0).
#include "CBERTKernels.h"
#include <stdlib.h>
#include <string.h>

#define MR 12
#define NR 32
#define KC 256

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f,avx512vl,fma")))
#define AVX2 __attribute__((target("avx2,fma")))
#define MR2 6

static int kind_supported(int kind) {
    switch (kind) {
    case BERT_GEMM_PACKED_AVX512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    case BERT_GEMM_PACKED_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case BERT_GEMM_PACKED_NONE: return 1;
    default: return 0;
    }
}

// -1 until first asked; then the kernel in use, read and written atomically (threads that race to choose compute the
// same value).
static int current_kind = -1;

int bert_gemm_packed_kind(void) {
    const int chosen = __atomic_load_n(&current_kind, __ATOMIC_ACQUIRE);
    if (chosen >= 0) return chosen;
    {
        // AVX2 is opt-in: measured on Zen 4 with OpenBLAS's Haswell kernels (a stand-in for an AVX2-only CPU),
        // BERT-base 1×128 took 149 ms with it against 133 ms on the BLAS path, because each 16-column half pass
        // reads only half of every 32-float panel row. It needs a 16-wide packing before it can be the default.
        int kind = kind_supported(BERT_GEMM_PACKED_AVX512) ? BERT_GEMM_PACKED_AVX512 : BERT_GEMM_PACKED_NONE;
        const int ceiling = bert_kernels_ceiling();  // BERT_KERNELS=avx2 runs what an AVX2-only CPU could opt into
        if (ceiling == BERT_KERNELS_AVX2) kind = kind_supported(BERT_GEMM_PACKED_AVX2) ? BERT_GEMM_PACKED_AVX2 : BERT_GEMM_PACKED_NONE;
        if (ceiling == BERT_KERNELS_PORTABLE) kind = BERT_GEMM_PACKED_NONE;
        const char *forced = getenv("BERT_GEMM_KERNEL");  // avx512 | avx2 | none: a slower path, for tests and benches
        if (forced) {
            int wanted = !strcmp(forced, "avx512") ? BERT_GEMM_PACKED_AVX512 : !strcmp(forced, "avx2") ? BERT_GEMM_PACKED_AVX2
                       : !strcmp(forced, "none") ? BERT_GEMM_PACKED_NONE : -1;
            if (wanted >= 0 && kind_supported(wanted)) kind = wanted;
        }
        __atomic_store_n(&current_kind, kind, __ATOMIC_RELEASE);
        return kind;
    }
}

int bert_gemm_packed_kind_supported(int kind) { return kind_supported(kind); }

int bert_gemm_packed_set_kind(int kind) {
    if (kind_supported(kind)) __atomic_store_n(&current_kind, kind, __ATOMIC_RELEASE);
    return bert_gemm_packed_kind();
}

int bert_gemm_packed_supported(void) { return bert_gemm_packed_kind() != BERT_GEMM_PACKED_NONE; }

static size_t panels_of(int n) { return (size_t)(n + NR - 1) / NR; }

size_t bert_gemm_packed_count(int k, int n) { return (size_t)k * panels_of(n) * NR; }

void bert_gemm_pack_b(int transB, int k, int n, const float *b, int ldb, float *dst) {
    const size_t np = panels_of(n);
    memset(dst, 0, bert_gemm_packed_count(k, n) * sizeof(float));
    for (int pc = 0; pc < k; pc += KC) {
        const int kc = k - pc < KC ? k - pc : KC;
        float *block = dst + (size_t)pc * np * NR;
        for (size_t q = 0; q < np; q++) {
            float *panel = block + q * (size_t)kc * NR;
            const int j0 = (int)q * NR, jn = n - j0 < NR ? n - j0 : NR;
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < jn; j++)
                    panel[p * NR + j] = transB ? b[(size_t)(j0 + j) * ldb + pc + p] : b[(size_t)(pc + p) * ldb + j0 + j];
        }
    }
}

// One 12×32 tile over kc: row i of A at k = p is a[i * rs + p * cs] (rs = lda, cs = 1 for rows read in place;
// rs = 1, cs = MR for a packed copy). C = acc (first block) or C + acc (later blocks); only mr rows and nr
// columns are written.
static AVX512 void tile(int kc, const float *a, size_t rs, size_t cs, const float *bp, float *c, int ldc, int mr, int nr,
                        int accumulate) {
    __m512 acc[MR][2];
    for (int i = 0; i < MR; i++) { acc[i][0] = _mm512_setzero_ps(); acc[i][1] = _mm512_setzero_ps(); }
    for (int i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + (size_t)i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + (size_t)i * ldc + 16), _MM_HINT_T0);
    }
    for (int p = 0; p < kc; p++) {
        const __m512 b0 = _mm512_load_ps(bp), b1 = _mm512_load_ps(bp + 16);
        const float *ap = a + (size_t)p * cs;
#pragma GCC unroll 12
        for (int i = 0; i < MR; i++) {
            const __m512 av = _mm512_set1_ps(ap[i * rs]);
            acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
        }
        bp += NR;
    }
    const __mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? 0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
        if (i >= mr) break;
        float *row = c + (size_t)i * ldc;
        __m512 r0 = acc[i][0], r1 = acc[i][1];
        if (accumulate) {
            r0 = _mm512_add_ps(r0, _mm512_maskz_loadu_ps(m0, row));
            r1 = _mm512_add_ps(r1, _mm512_maskz_loadu_ps(m1, row + 16));
        }
        _mm512_mask_storeu_ps(row, m0, r0);
        _mm512_mask_storeu_ps(row + 16, m1, r1);
    }
}

// One 6×16 tile over kc from one half of a 32-wide panel (bp already offset to the half): as tile(), with AVX2.
static AVX2 void tile2(int kc, const float *a, size_t rs, size_t cs, const float *bp, float *c, int ldc, int mr, int nr,
                       int accumulate) {
    __m256 acc[MR2][2];
    for (int i = 0; i < MR2; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
    for (int p = 0; p < kc; p++) {
        const __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
        const float *ap = a + (size_t)p * cs;
#pragma GCC unroll 6
        for (int i = 0; i < MR2; i++) {
            const __m256 av = _mm256_broadcast_ss(ap + i * rs);
            acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
        }
        bp += NR;
    }
    // Lane j of a mask is all ones when column j (or 8 + j) is written.
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), lanes);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8), lanes);
    for (int i = 0; i < mr; i++) {
        float *row = c + (size_t)i * ldc;
        __m256 r0 = acc[i][0], r1 = acc[i][1];
        if (accumulate) {
            r0 = _mm256_add_ps(r0, _mm256_maskload_ps(row, m0));
            r1 = _mm256_add_ps(r1, _mm256_maskload_ps(row + 8, m1));
        }
        _mm256_maskstore_ps(row, m0, r0);
        _mm256_maskstore_ps(row + 8, m1, r1);
    }
}

/// One tile function: C[mr, nr] (=|+=) A-rows · the panel columns at bp, over kc (see tile and tile2).
typedef void (*tile_function)(int kc, const float *a, size_t rs, size_t cs, const float *bp, float *c, int ldc, int mr,
                              int nr, int accumulate);

// Walks C in tiles of `rows` × `columns` (columns divides the 32-wide panel): per 256-deep block of K, per group of
// rows of A (the last, short group copied zero-padded so a tile never reads past A), per panel and part of a panel.
static void packed_tiles(int rows, int columns, tile_function run, int m, int n0, int n1, int k, const float *a, int lda,
                         const float *packed, int n, float *c, int ldc) {
    float ap[KC * MR] __attribute__((aligned(64)));  // rows <= MR
    const size_t np = panels_of(n);
    for (int pc = 0; pc < k; pc += KC) {
        const int kc = k - pc < KC ? k - pc : KC;
        const float *block = packed + (size_t)pc * np * NR;
        for (int ic = 0; ic < m; ic += rows) {
            const int mr = m - ic < rows ? m - ic : rows;
            const float *arows = a + (size_t)ic * lda + pc;
            size_t rs = (size_t)lda, cs = 1;
            if (mr < rows) {
                for (int p = 0; p < kc; p++)
                    for (int i = 0; i < rows; i++) ap[p * rows + i] = i < mr ? arows[(size_t)i * lda + p] : 0.0f;
                arows = ap;
                rs = 1;
                cs = (size_t)rows;
            }
            for (int j = n0; j < n1; j += NR) {
                const float *panel = block + (size_t)(j / NR) * kc * NR;
                for (int h = 0; h < NR && j + h < n1; h += columns) {
                    const int nr = n1 - j - h < columns ? n1 - j - h : columns;
                    run(kc, arows, rs, cs, panel + h, c + (size_t)ic * ldc + j + h, ldc, mr, nr, pc > 0);
                }
            }
        }
    }
}

void bert_gemm_packed(int m, int n0, int n1, int k, const float *a, int lda, const float *packed, int n,
                      float *c, int ldc) {
    if (bert_gemm_packed_kind() == BERT_GEMM_PACKED_AVX2) {
        packed_tiles(MR2, 16, tile2, m, n0, n1, k, a, lda, packed, n, c, ldc);
    } else {
        packed_tiles(MR, NR, tile, m, n0, n1, k, a, lda, packed, n, c, ldc);
    }
}
#elif !(defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__)))
// Neither x86-64 nor arm64 (whose kernel is gemm_packed_neon.c): no packed kernel, products take the BLAS path.
int bert_gemm_packed_kind(void) { return BERT_GEMM_PACKED_NONE; }
int bert_gemm_packed_set_kind(int kind) { (void)kind; return BERT_GEMM_PACKED_NONE; }
int bert_gemm_packed_kind_supported(int kind) { return kind == BERT_GEMM_PACKED_NONE; }
int bert_gemm_packed_supported(void) { return 0; }
size_t bert_gemm_packed_count(int k, int n) { (void)k; (void)n; return 0; }
void bert_gemm_pack_b(int transB, int k, int n, const float *b, int ldb, float *dst) {
    (void)transB; (void)k; (void)n; (void)b; (void)ldb; (void)dst;
}
void bert_gemm_packed(int m, int n0, int n1, int k, const float *a, int lda, const float *packed, int n,
                      float *c, int ldc) {
    (void)m; (void)n0; (void)n1; (void)k; (void)a; (void)lda; (void)packed; (void)n; (void)c; (void)ldc;
}
#endif
