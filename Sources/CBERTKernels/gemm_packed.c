// Products with weights packed ahead of time (inference): C[:, n0:n1] = A · op(B)[:, n0:n1], where op(B) [K, N] was
// packed once by bert_gemm_pack_b in the layout of the packed kind in use at that moment, recorded in the packed
// copy's 64-byte header: per KC-deep block of K (block at row offset pc), panels of NR columns × kc rows.
// Rows of A are read in place and broadcast against the panel:
// - AVX-512: 32-column panels, KC 256; twelve rows × two 16-float vectors, a 12×32 tile of C in 24 registers;
// - AVX2+FMA (e.g. AMD Zen 3): 16-column panels, KC 256; six rows × two 8-float vectors, a 6×16 tile in 12 of the
//   16 registers (BLIS's Haswell shape), over blocks of 192 columns so that the kc × 192 block of B a row group
//   sweeps (192 KB) stays in a 512 KB L2 and a row group (6 KB) and a panel (16 KB) in a 32 KB L1.
//   scripts/packed_avx2_harness.c measured the choices. The default without AVX-512, for products of up to 256
//   rows (PackedMatrix.isFaster(rows:)): longer ones keep the BLAS path (see bert_gemm_packed_kind).
// bert_gemm_packed runs the tiles of the layout the copy holds, whatever kind is selected since (tests switch kinds),
// so a copy is never read with another kind's panel width. Packing the weights once removes the per-call packing a
// BLAS does, which dominates at small M. Other CPUs keep the BLAS path (bert_gemm_packed_kind returns 0).
#include "CBERTKernels.h"
#include <math.h>
#include <stdint.h>
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
#define NR2 16
#define KC2 256
#define NC2 192

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
        // AVX2 is the default without AVX-512, for short inputs only: with 16-column panels and plain C stores its
        // kernel reaches 104-112 GFLOP/s on BERT's shapes (OpenBLAS Haswell 101-111); in the whole model on the
        // stand-in (BERT_KERNELS=avx2 on Zen 4, 2 threads) it won MiniLM 1×128 by ~10 % but lost MiniLM batch 32
        // (hundreds of rows) in half the runs, so products of more than 256 rows keep the BLAS path
        // (PackedMatrix.isFaster(rows:); docs/quantization.md, "fp32 packed kernel for AVX2").
        int kind = kind_supported(BERT_GEMM_PACKED_AVX512) ? BERT_GEMM_PACKED_AVX512
                 : kind_supported(BERT_GEMM_PACKED_AVX2)   ? BERT_GEMM_PACKED_AVX2
                                                           : BERT_GEMM_PACKED_NONE;
        const int ceiling = bert_kernels_ceiling();  // BERT_KERNELS=avx2 runs what an AVX2-only CPU runs
        if (ceiling == BERT_KERNELS_AVX2) kind = kind_supported(BERT_GEMM_PACKED_AVX2) ? BERT_GEMM_PACKED_AVX2 : BERT_GEMM_PACKED_NONE;
        if (ceiling == BERT_KERNELS_PORTABLE) kind = BERT_GEMM_PACKED_NONE;
        const char *forced = getenv("BERT_GEMM_KERNEL");  // avx512 | avx2 | none: another path, for tests and benches
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

// The header: 16 floats (64 bytes, so the panels stay cache-line aligned) of which the first four are int32: a
// magic number, the layout's kind, k and n.
#define HEADER 16
#define MAGIC 0x4b504231  // "1BPK"

static size_t panels_of(int n, int width) { return (size_t)(n + width - 1) / width; }

// The widest layout (32-column panels) bounds every kind's, so the count does not depend on the kind in use.
size_t bert_gemm_packed_count(int k, int n) { return HEADER + (size_t)k * panels_of(n, NR) * NR; }

int bert_gemm_packed_layout(const float *packed) {
    int32_t header[4];
    memcpy(header, packed, sizeof header);
    return header[0] == MAGIC ? header[1] : -1;
}

// Packs op(B) in `width`-column panels per `depth`-deep block of k (zero-padded to whole panels).
static void pack_panels(int width, int depth, int transB, int k, int n, const float *b, int ldb, float *dst) {
    const size_t np = panels_of(n, width);
    memset(dst, 0, (size_t)k * np * width * sizeof(float));
    for (int pc = 0; pc < k; pc += depth) {
        const int kc = k - pc < depth ? k - pc : depth;
        float *block = dst + (size_t)pc * np * width;
        for (size_t q = 0; q < np; q++) {
            float *panel = block + q * (size_t)kc * width;
            const int j0 = (int)q * width, jn = n - j0 < width ? n - j0 : width;
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < jn; j++)
                    panel[p * width + j] = transB ? b[(size_t)(j0 + j) * ldb + pc + p] : b[(size_t)(pc + p) * ldb + j0 + j];
        }
    }
}

void bert_gemm_pack_b(int transB, int k, int n, const float *b, int ldb, float *dst) {
    // The kind in use, or (when none is, e.g. BERT_GEMM_KERNEL=none chosen after PackedMatrix was found usable)
    // the best this CPU has, so the copy can always be run.
    int kind = bert_gemm_packed_kind();
    if (kind == BERT_GEMM_PACKED_NONE)
        kind = kind_supported(BERT_GEMM_PACKED_AVX512) ? BERT_GEMM_PACKED_AVX512
             : kind_supported(BERT_GEMM_PACKED_AVX2)   ? BERT_GEMM_PACKED_AVX2
                                                       : BERT_GEMM_PACKED_NONE;
    const int32_t header[4] = {MAGIC, kind, k, n};
    memset(dst, 0, HEADER * sizeof(float));
    memcpy(dst, header, sizeof header);
    if (kind == BERT_GEMM_PACKED_AVX2) pack_panels(NR2, KC2, transB, k, n, b, ldb, dst + HEADER);
    else if (kind == BERT_GEMM_PACKED_AVX512) pack_panels(NR, KC, transB, k, n, b, ldb, dst + HEADER);
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

// One 6×16 tile over kc from a 16-column panel: as tile(), with AVX2.
static AVX2 void tile2(int kc, const float *a, size_t rs, size_t cs, const float *bp, float *c, int ldc, int mr, int nr,
                       int accumulate) {
    __m256 acc[MR2][2];
    for (int i = 0; i < MR2; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
    for (int p = 0; p < kc; p++) {
        const __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
        const float *ap = a + (size_t)p * cs;
#pragma GCC unroll 6
        for (int i = 0; i < MR2; i++) {
            const __m256 av = _mm256_broadcast_ss(ap + i * rs);
            acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
        }
        bp += NR2;
    }
    if (nr == NR2) {
        // Plain loads and stores: vmaskmovps stores are slow on AMD (masked C writes cost 5-8 % of the kernel).
        for (int i = 0; i < mr; i++) {
            float *row = c + (size_t)i * ldc;
            __m256 r0 = acc[i][0], r1 = acc[i][1];
            if (accumulate) {
                r0 = _mm256_add_ps(r0, _mm256_loadu_ps(row));
                r1 = _mm256_add_ps(r1, _mm256_loadu_ps(row + 8));
            }
            _mm256_storeu_ps(row, r0);
            _mm256_storeu_ps(row + 8, r1);
        }
        return;
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

// The last rows of A when fewer than `rows` remain (m % rows of them, at row `first`), copied zero-padded to a whole
// tile (row i at k = p in ap[p * rows + i]), so a tile never reads past A.
static void pad_rows(int rows, int first, int m, int kc, const float *a, int lda, float *ap) {
    for (int p = 0; p < kc; p++)
        for (int i = 0; i < rows; i++) ap[p * rows + i] = first + i < m ? a[(size_t)(first + i) * lda + p] : 0.0f;
}

// AVX-512: per 256-deep block of K, per group of 12 rows of A, per 32-column panel.
static void packed_avx512(int m, int n0, int n1, int k, const float *a, int lda, const float *packed, int n, float *c,
                          int ldc) {
    float ap[KC * MR] __attribute__((aligned(64)));
    const size_t np = panels_of(n, NR);
    for (int pc = 0; pc < k; pc += KC) {
        const int kc = k - pc < KC ? k - pc : KC;
        const float *block = packed + (size_t)pc * np * NR;
        for (int ic = 0; ic < m; ic += MR) {
            const int mr = m - ic < MR ? m - ic : MR;
            const float *arows = a + (size_t)ic * lda + pc;
            size_t rs = (size_t)lda, cs = 1;
            if (mr < MR) {
                pad_rows(MR, ic, m, kc, a + pc, lda, ap);
                arows = ap, rs = 1, cs = MR;
            }
            for (int j = n0; j < n1; j += NR) {
                const int nr = n1 - j < NR ? n1 - j : NR;
                tile(kc, arows, rs, cs, block + (size_t)(j / NR) * kc * NR, c + (size_t)ic * ldc + j, ldc, mr, nr, pc > 0);
            }
        }
    }
}

// AVX2: per 256-deep block of K, per 192 columns, per group of 6 rows of A, per 16-column panel. A row group (6 KB)
// stays in L1 while the panels of the column block stream from L2.
static void packed_avx2(int m, int n0, int n1, int k, const float *a, int lda, const float *packed, int n, float *c,
                        int ldc) {
    float ap[KC2 * MR2] __attribute__((aligned(64)));
    const size_t np = panels_of(n, NR2);
    const int whole = m / MR2 * MR2;
    for (int pc = 0; pc < k; pc += KC2) {
        const int kc = k - pc < KC2 ? k - pc : KC2;
        const float *block = packed + (size_t)pc * np * NR2;
        if (whole < m) pad_rows(MR2, whole, m, kc, a + pc, lda, ap);
        for (int jc = n0; jc < n1; jc += NC2) {
            const int jn = n1 - jc < NC2 ? n1 : jc + NC2;
            for (int ic = 0; ic < m; ic += MR2) {
                const int mr = m - ic < MR2 ? m - ic : MR2;
                const float *arows = mr < MR2 ? ap : a + (size_t)ic * lda + pc;
                const size_t rs = mr < MR2 ? 1 : (size_t)lda, cs = mr < MR2 ? MR2 : 1;
                for (int j = jc; j < jn; j += NR2) {
                    const int nr = jn - j < NR2 ? jn - j : NR2;
                    tile2(kc, arows, rs, cs, block + (size_t)(j / NR2) * kc * NR2, c + (size_t)ic * ldc + j, ldc, mr,
                          nr, pc > 0);
                }
            }
        }
    }
}

void bert_gemm_packed(int m, int n0, int n1, int k, const float *a, int lda, const float *packed, int n,
                      float *c, int ldc) {
    int32_t header[4];
    memcpy(header, packed, sizeof header);
    const int kind = header[0] == MAGIC && header[2] == k && header[3] == n ? header[1] : -1;
    if (kind == BERT_GEMM_PACKED_AVX2 && kind_supported(kind)) {
        packed_avx2(m, n0, n1, k, a, lda, packed + HEADER, n, c, ldc);
    } else if (kind == BERT_GEMM_PACKED_AVX512 && kind_supported(kind)) {
        packed_avx512(m, n0, n1, k, a, lda, packed + HEADER, n, c, ldc);
    } else {
        // Not a copy bert_gemm_pack_b made for these k and n on this CPU: NaN, never a plausible wrong product.
        for (int i = 0; i < m; i++)
            for (int j = n0; j < n1; j++) c[(size_t)i * ldc + j] = NAN;
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

#if !(defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__)))
// One layout per kind elsewhere (no header): the copy holds the kind in use.
int bert_gemm_packed_layout(const float *packed) { (void)packed; return bert_gemm_packed_kind(); }
#endif
