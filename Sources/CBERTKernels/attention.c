// The two products of attention for inference, per (sequence, head): scores S = Q·Kᵀ and context O = P·V, where
// Q, K and V are column slices of the fused q/k/v output (rows read in place, any row stride) and P the softmaxed
// scores. A BLAS packs both operands on every call; here only Kᵀ is packed (a register transpose of n × d floats
// into 32- or 16-key panels), V is copied to contiguous rows, and nearly all the time goes to the FMA tiles:
// - AVX-512: up to twelve rows of Q (or P) broadcast against two 16-float vectors, a 12×32 tile in 24 registers;
// - AVX2+FMA: six rows against two 8-float vectors, a 6×16 tile in 12 registers, over 16-key panels of Kᵀ.
// Each tile accumulates over the whole depth (d for scores, n for context) in registers and is written once.
// The kernel follows bert_gemm_packed_kind (BERT_KERNELS / BERT_GEMM_KERNEL; BERT_ATTENTION_KERNEL=avx2 runs the
// AVX2 tiles under an AVX-512 kind, =none the BLAS path); without one (arm64, portable) the products call bert_sgemm.
#include "CBERTKernels.h"
#include <stdlib.h>
#include <string.h>

static int round_up(int x, int to) { return (x + to - 1) / to * to; }

size_t bert_attention_scratch_count(int n, int d) {
    return n > 0 && d > 0 ? (size_t)round_up(n, 32) * (size_t)d : 0;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// dst[n, d] (contiguous) = src[n, d] (row stride ld).
static void copy_rows(int n, int d, const float *src, size_t ld, float *dst) {
    for (int r = 0; r < n; r++) memcpy(dst + (size_t)r * d, src + (size_t)r * ld, sizeof(float) * (size_t)d);
}
#define A512 __attribute__((target("avx512f,avx512vl,fma")))
#define A256 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

// ---- AVX-512 -------------------------------------------------------------------------------------------------

// r[i] = column i of the 16×16 block whose rows were r[0..15].
INLINE A512 void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int h = 0; h < 16; h += 8)
        for (int i = 0; i < 4; i++) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0x88);
            t[h + 4 + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0xDD);
        }
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xDD);
    }
}

// K [n, d] (row stride ldk) into 32-key panels of Kᵀ: key j, dimension p at dst[(j / 32) · 32d + p · 32 + j % 32].
// Key columns past n in the last panel are left unwritten (and never read: see scores512).
static A512 void pack_kt512(int n, int d, const float *k, size_t ldk, float *dst) {
    for (int j0 = 0; j0 < n; j0 += 16) {
        const int nj = n - j0 < 16 ? n - j0 : 16;
        float *panel = dst + (size_t)(j0 / 32) * 32 * d + j0 % 32;
        for (int p0 = 0; p0 < d; p0 += 16) {
            const int np = d - p0 < 16 ? d - p0 : 16;
            const __mmask16 cm = (__mmask16)(np == 16 ? 0xFFFF : (1u << np) - 1);
            __m512 r[16];
            for (int i = 0; i < 16; i++)
                r[i] = i < nj ? _mm512_maskz_loadu_ps(cm, k + (size_t)(j0 + i) * ldk + p0) : _mm512_setzero_ps();
            transpose16(r);
            for (int p = 0; p < np; p++) _mm512_storeu_ps(panel + (size_t)(p0 + p) * 32, r[p]);
        }
    }
}

// C[R, 32] = A[R, kd] · B[kd, 32]: row i of A at a + i · lda, row p of B at b + p · ldb. lm0/lm1 mask the loads
// of B's two 16-float halves, sm0/sm1 the stores, unless `full` says all are whole. R and `full` are constants in
// every instance, so the rows unroll into 24 accumulators.
INLINE A512 void tile512(const int R, const int full, int kd, const float *a, size_t lda, const float *b, size_t ldb,
                         __mmask16 lm0, __mmask16 lm1, __mmask16 sm0, __mmask16 sm1, float *c, size_t ldc) {
    __m512 acc0[12], acc1[12];
#pragma GCC unroll 12
    for (int i = 0; i < R; i++) { acc0[i] = _mm512_setzero_ps(); acc1[i] = _mm512_setzero_ps(); }
    for (int p = 0; p < kd; p++) {
        const __m512 b0 = full ? _mm512_loadu_ps(b) : _mm512_maskz_loadu_ps(lm0, b);
        const __m512 b1 = full ? _mm512_loadu_ps(b + 16) : _mm512_maskz_loadu_ps(lm1, b + 16);
#pragma GCC unroll 12
        for (int i = 0; i < R; i++) {
            const __m512 av = _mm512_set1_ps(a[(size_t)i * lda + p]);
            acc0[i] = _mm512_fmadd_ps(av, b0, acc0[i]);
            acc1[i] = _mm512_fmadd_ps(av, b1, acc1[i]);
        }
        b += ldb;
    }
#pragma GCC unroll 12
    for (int i = 0; i < R; i++) {
        if (full) {
            _mm512_storeu_ps(c + (size_t)i * ldc, acc0[i]);
            _mm512_storeu_ps(c + (size_t)i * ldc + 16, acc1[i]);
        } else {
            _mm512_mask_storeu_ps(c + (size_t)i * ldc, sm0, acc0[i]);
            _mm512_mask_storeu_ps(c + (size_t)i * ldc + 16, sm1, acc1[i]);
        }
    }
}

typedef void (*tile512_fn)(int, const float *, size_t, const float *, size_t, __mmask16, __mmask16, __mmask16,
                           __mmask16, float *, size_t);
#define TILE512(R)                                                                                                   \
    static A512 void tile512_##R(int kd, const float *a, size_t lda, const float *b, size_t ldb, __mmask16 lm0,      \
                                 __mmask16 lm1, __mmask16 sm0, __mmask16 sm1, float *c, size_t ldc) {                \
        tile512(R, 0, kd, a, lda, b, ldb, lm0, lm1, sm0, sm1, c, ldc);                                               \
    }                                                                                                                \
    static A512 void tile512_full_##R(int kd, const float *a, size_t lda, const float *b, size_t ldb, __mmask16 lm0, \
                                      __mmask16 lm1, __mmask16 sm0, __mmask16 sm1, float *c, size_t ldc) {           \
        tile512(R, 1, kd, a, lda, b, ldb, lm0, lm1, sm0, sm1, c, ldc);                                               \
    }
TILE512(1) TILE512(2) TILE512(3) TILE512(4) TILE512(5) TILE512(6)
TILE512(7) TILE512(8) TILE512(9) TILE512(10) TILE512(11) TILE512(12)
static const tile512_fn tiles512[2][13] = {
    {0, tile512_1, tile512_2, tile512_3, tile512_4, tile512_5, tile512_6, tile512_7, tile512_8, tile512_9, tile512_10,
     tile512_11, tile512_12},
    {0, tile512_full_1, tile512_full_2, tile512_full_3, tile512_full_4, tile512_full_5, tile512_full_6, tile512_full_7,
     tile512_full_8, tile512_full_9, tile512_full_10, tile512_full_11, tile512_full_12}};

static __mmask16 first(int count) { return (__mmask16)(count >= 16 ? 0xFFFF : count <= 0 ? 0 : (1u << count) - 1); }

static A512 void scores512(int m, int n, int d, const float *q, size_t ldq, const float *k, size_t ldk, float *packed,
                           float *s, size_t lds) {
    pack_kt512(n, d, k, ldk, packed);
    for (int i = 0; i < m; i += 12) {
        const int mr = m - i < 12 ? m - i : 12;
        for (int j = 0; j < n; j += 32) {
            const int nr = n - j < 32 ? n - j : 32;
            // A half panel past n was never packed: mask its loads off.
            tiles512[nr == 32][mr](d, q + (size_t)i * ldq, ldq, packed + (size_t)j * d, 32, 0xFFFF, nr > 16 ? 0xFFFF : 0,
                         first(nr), first(nr - 16), s + (size_t)i * lds + j, lds);
        }
    }
}

// V is copied to contiguous rows first (a memcpy per row, n · d floats): read in place at the fused q/k/v row stride,
// its rows fall into a few L1 sets, and out of cache (a new q/k/v every layer, as in a forward pass) both products at
// 128 × 128 × 64 ran at 83 GFLOP/s against 91 with the copy (`bert-dev bench attention`, one thread, Zen 4).
static A512 void context512(int m, int n, int d, const float *p, size_t ldp, const float *v, size_t ldv, float *vc,
                            float *o, size_t ldo) {
    copy_rows(n, d, v, ldv, vc);
    v = vc;
    ldv = (size_t)d;
    for (int i = 0; i < m; i += 12) {
        const int mr = m - i < 12 ? m - i : 12;
        for (int j = 0; j < d; j += 32) {
            const __mmask16 m0 = first(d - j), m1 = first(d - j - 16);
            tiles512[d - j >= 32][mr](n, p + (size_t)i * ldp, ldp, v + j, ldv, m0, m1, m0, m1, o + (size_t)i * ldo + j, ldo);
        }
    }
}

// ---- AVX2 + FMA ----------------------------------------------------------------------------------------------

INLINE A256 void transpose8(__m256 r[8]) {
    __m256 t[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm256_permute2f128_ps(r[i], r[4 + i], 0x20);
        t[4 + i] = _mm256_permute2f128_ps(r[i], r[4 + i], 0x31);
    }
    for (int i = 0; i < 8; i++) r[i] = t[i];
}

// Lanes [0, count) of an AVX2 mask set.
static A256 __m256i lanes(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// As pack_kt512 with 16-key panels: key j, dimension p at dst[(j / 16) · 16d + p · 16 + j % 16].
static A256 void pack_kt256(int n, int d, const float *k, size_t ldk, float *dst) {
    for (int j0 = 0; j0 < n; j0 += 8) {
        const int nj = n - j0 < 8 ? n - j0 : 8;
        float *panel = dst + (size_t)(j0 / 16) * 16 * d + j0 % 16;
        for (int p0 = 0; p0 < d; p0 += 8) {
            const int np = d - p0 < 8 ? d - p0 : 8;
            const __m256i cm = lanes(np);
            __m256 r[8];
            for (int i = 0; i < 8; i++)
                r[i] = i < nj ? _mm256_maskload_ps(k + (size_t)(j0 + i) * ldk + p0, cm) : _mm256_setzero_ps();
            transpose8(r);
            for (int p = 0; p < np; p++) _mm256_storeu_ps(panel + (size_t)(p0 + p) * 16, r[p]);
        }
    }
}

// As tile512 with AVX2: C[R, 16] = A[R, kd] · B[kd, 16]. `full` (a constant) says every load and store is whole:
// masked loads and stores (vmaskmovps) are slow on AMD cores, so the whole tiles, nearly all, avoid them.
INLINE A256 void tile256(const int R, const int full, int kd, const float *a, size_t lda, const float *b, size_t ldb,
                         __m256i lm0, __m256i lm1, __m256i sm0, __m256i sm1, float *c, size_t ldc) {
    __m256 acc0[6], acc1[6];
#pragma GCC unroll 12
    for (int i = 0; i < R; i++) { acc0[i] = _mm256_setzero_ps(); acc1[i] = _mm256_setzero_ps(); }
    for (int p = 0; p < kd; p++) {
        const __m256 b0 = full ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, lm0);
        const __m256 b1 = full ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, lm1);
#pragma GCC unroll 12
        for (int i = 0; i < R; i++) {
            const __m256 av = _mm256_broadcast_ss(a + (size_t)i * lda + p);
            acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
            acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
        }
        b += ldb;
    }
#pragma GCC unroll 12
    for (int i = 0; i < R; i++) {
        if (full) {
            _mm256_storeu_ps(c + (size_t)i * ldc, acc0[i]);
            _mm256_storeu_ps(c + (size_t)i * ldc + 8, acc1[i]);
        } else {
            _mm256_maskstore_ps(c + (size_t)i * ldc, sm0, acc0[i]);
            _mm256_maskstore_ps(c + (size_t)i * ldc + 8, sm1, acc1[i]);
        }
    }
}

typedef void (*tile256_fn)(int, const float *, size_t, const float *, size_t, __m256i, __m256i, __m256i, __m256i,
                           float *, size_t);
#define TILE256(R)                                                                                                   \
    static A256 void tile256_##R(int kd, const float *a, size_t lda, const float *b, size_t ldb, __m256i lm0,        \
                                 __m256i lm1, __m256i sm0, __m256i sm1, float *c, size_t ldc) {                      \
        tile256(R, 0, kd, a, lda, b, ldb, lm0, lm1, sm0, sm1, c, ldc);                                               \
    }                                                                                                                \
    static A256 void tile256_full_##R(int kd, const float *a, size_t lda, const float *b, size_t ldb, __m256i lm0,   \
                                      __m256i lm1, __m256i sm0, __m256i sm1, float *c, size_t ldc) {                 \
        tile256(R, 1, kd, a, lda, b, ldb, lm0, lm1, sm0, sm1, c, ldc);                                               \
    }
TILE256(1) TILE256(2) TILE256(3) TILE256(4) TILE256(5) TILE256(6)
static const tile256_fn tiles256[2][7] = {
    {0, tile256_1, tile256_2, tile256_3, tile256_4, tile256_5, tile256_6},
    {0, tile256_full_1, tile256_full_2, tile256_full_3, tile256_full_4, tile256_full_5, tile256_full_6}};

static A256 void scores256(int m, int n, int d, const float *q, size_t ldq, const float *k, size_t ldk, float *packed,
                           float *s, size_t lds) {
    pack_kt256(n, d, k, ldk, packed);
    const __m256i all = _mm256_set1_epi32(-1);
    for (int i = 0; i < m; i += 6) {
        const int mr = m - i < 6 ? m - i : 6;
        for (int j = 0; j < n; j += 16) {
            const int nr = n - j < 16 ? n - j : 16;
            tiles256[nr == 16][mr](d, q + (size_t)i * ldq, ldq, packed + (size_t)j * d, 16, all,
                         nr > 8 ? all : _mm256_setzero_si256(), lanes(nr), lanes(nr - 8), s + (size_t)i * lds + j, lds);
        }
    }
}

static A256 void context256(int m, int n, int d, const float *p, size_t ldp, const float *v, size_t ldv, float *vc,
                            float *o, size_t ldo) {
    // As context512: V's 16-column slices in place are one cache line per row at the fused q/k/v row stride, all
    // in a few L1 sets; the contiguous copy ran ~20 % faster even with V in cache.
    copy_rows(n, d, v, ldv, vc);
    v = vc;
    ldv = (size_t)d;
    for (int i = 0; i < m; i += 6) {
        const int mr = m - i < 6 ? m - i : 6;
        for (int j = 0; j < d; j += 16) {
            const __m256i m0 = lanes(d - j), m1 = lanes(d - j - 8);
            tiles256[d - j >= 16][mr](n, p + (size_t)i * ldp, ldp, v + j, ldv, m0, m1, m0, m1, o + (size_t)i * ldo + j, ldo);
        }
    }
}

// -1 until first asked; then 1 when an AVX-512 packed kind runs the 12×32 AVX-512 tiles, 0 when it runs the AVX2 ones,
// 2 when the BLAS path runs under any kind (BERT_ATTENTION_KERNEL=none, for benches).
static int wide_tiles = -1;

static int wide(void) {
    int w = __atomic_load_n(&wide_tiles, __ATOMIC_ACQUIRE);
    if (w < 0) {
        const char *forced = getenv("BERT_ATTENTION_KERNEL");  // avx2: the 6×16 tiles under an AVX-512 packed kind
        w = forced && !strcmp(forced, "none") ? 2 : !(forced && !strcmp(forced, "avx2"));
        __atomic_store_n(&wide_tiles, w, __ATOMIC_RELEASE);
    }
    return w;
}

int bert_attention_kind(void) {
    const int kind = bert_gemm_packed_kind(), w = wide();
    if (w == 2) return BERT_GEMM_PACKED_NONE;
    return kind == BERT_GEMM_PACKED_AVX512 && !w ? BERT_GEMM_PACKED_AVX2 : kind;
}

int bert_attention_set_wide(int w) {
    __atomic_store_n(&wide_tiles, w ? 1 : 0, __ATOMIC_RELEASE);
    return bert_attention_kind();
}

void bert_attention_scores(int m, int n, int d, const float *q, int ldq, const float *k, int ldk, float *scratch,
                           float *s, int lds) {
    if (m <= 0 || n <= 0) return;
    switch (bert_attention_kind()) {
    case BERT_GEMM_PACKED_AVX512: scores512(m, n, d, q, (size_t)ldq, k, (size_t)ldk, scratch, s, (size_t)lds); return;
    case BERT_GEMM_PACKED_AVX2: scores256(m, n, d, q, (size_t)ldq, k, (size_t)ldk, scratch, s, (size_t)lds); return;
    default: bert_sgemm(0, 1, m, n, d, 1.0f, q, ldq, k, ldk, 0.0f, s, lds);
    }
}

void bert_attention_context(int m, int n, int d, const float *p, int ldp, const float *v, int ldv, float *scratch,
                            float *o, int ldo) {
    if (m <= 0 || d <= 0) return;
    switch (bert_attention_kind()) {
    case BERT_GEMM_PACKED_AVX512: context512(m, n, d, p, (size_t)ldp, v, (size_t)ldv, scratch, o, (size_t)ldo); return;
    case BERT_GEMM_PACKED_AVX2: context256(m, n, d, p, (size_t)ldp, v, (size_t)ldv, scratch, o, (size_t)ldo); return;
    default: bert_sgemm(0, 0, m, d, n, 1.0f, p, ldp, v, ldv, 0.0f, o, ldo);
    }
}
#else
int bert_attention_kind(void) { return BERT_GEMM_PACKED_NONE; }
int bert_attention_set_wide(int w) { (void)w; return BERT_GEMM_PACKED_NONE; }

void bert_attention_scores(int m, int n, int d, const float *q, int ldq, const float *k, int ldk, float *scratch,
                           float *s, int lds) {
    (void)scratch;
    if (m > 0 && n > 0) bert_sgemm(0, 1, m, n, d, 1.0f, q, ldq, k, ldk, 0.0f, s, lds);
}

void bert_attention_context(int m, int n, int d, const float *p, int ldp, const float *v, int ldv, float *scratch,
                            float *o, int ldo) {
    if (m > 0 && d > 0) bert_sgemm(0, 0, m, d, n, 1.0f, p, ldp, v, ldv, 0.0f, o, ldo);
}
#endif
