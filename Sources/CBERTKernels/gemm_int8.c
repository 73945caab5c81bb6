// Dynamic int8 products for inference: C[:, n0:n1] = dequant(A_u8 · W_s8ᵀ) (+ bias), the arithmetic of ONNX
// Runtime's MatMulInteger after DynamicQuantizeLinear (onnxruntime/core/mlas/lib/qgemm.cpp) but with one scale
// and zero point per row of A instead of per tensor (finer, for the same cost):
//   A[i, :] ≈ sa[i] · (qa[i, :] − za[i]),  qa ∈ [0, 255]  (asymmetric u8, the range always holds 0)
//   W[j, :] ≈ sw[j] · qw[j, :],            qw ∈ [−127, 127] (symmetric s8 per output channel, never −128)
//   C[i, j] = sa[i] · sw[j] · (Σ_k qa[i, k] qw[j, k] − za[i] · Σ_k qw[j, k]) + bias[j]
// Σ_k is exact in int32 (|Σ| ≤ k · 255 · 127 < 2^31 for k < 66 000). The weights are packed once: per 32-column
// panel, per group of 4 k, 32 columns × 4 consecutive k bytes (the operand order of vpdpbusd, which sums 4 u8×s8
// products per 32-bit lane), K padded to a multiple of 4 with zero weights. Kernels, chosen by CPU feature:
// - AVX-512 VNNI: 12 rows × 32 columns in 24 registers, one vpdpbusd per row and 16 columns per 4 k;
// - AVX2: vpmaddubsw would add two u8×s8 products into a saturating s16 (255 · 127 · 2 = 64 770 overflows 32 767),
//   so both operands are widened to 16 bits instead, per call into thread-local scratch (each block of A rows into
//   6-row tiles, each weight panel as it comes), and vpmaddwd sums k pairs into int32 exactly: 6 rows × 8 columns,
//   two multiplies per 32 products; the same integers as every other path (tests compare them with an int64 loop);
// - AVX-VNNI (the VEX form of vpdpbusd: Alder Lake and later, Zen 5; 16 ymm registers): 6 rows × 16 columns per half
//   panel, one vpdpbusd per row and 8 columns per 4 k. Its twin `vnni256` is the same code with the EVEX encoding
//   (AVX-512 VL + VNNI), so a CPU without AVX-VNNI (Zen 4) still runs and tests every line of it;
// - arm64: sdot or widening NEON kernels (gemm_int8_neon.c);
// - portable C (every other CPU).
#include "CBERTKernels.h"
#include "simd_dispatch.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <pthread.h>
#endif

#define QNR 32   // columns per packed panel
#define QMR 12   // rows of the widest tile; A carries rows padded to a multiple of it
#define QMC 96   // rows of A walked per panel sweep, so they stay in L2 while the panels stream past

size_t bert_qgemm_depth(int k) { return (size_t)(k + 3) / 4 * 4; }
size_t bert_qgemm_padded_columns(int n) { return (size_t)(n + QNR - 1) / QNR * QNR; }
size_t bert_qgemm_padded_rows(int m) { return (size_t)(m + QMR - 1) / QMR * QMR; }
size_t bert_qgemm_packed_bytes(int k, int n) { return bert_qgemm_depth(k) * bert_qgemm_padded_columns(n); }

BERT_SIMD
void bert_quantize_weights_s8(const float *w, int n, int k, int ldw, int8_t *q, float *scale) {
    for (int j = 0; j < n; j++) {
        const float *row = w + (size_t)j * ldw;
        float largest = 0;
        for (int p = 0; p < k; p++) largest = fmaxf(largest, fabsf(row[p]));
        const float s = largest / 127.0f, inverse = largest > 0 ? 127.0f / largest : 0;
        scale[j] = s;
        for (int p = 0; p < k; p++) {
            const float v = nearbyintf(row[p] * inverse);
            q[(size_t)j * k + p] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
        }
    }
}

void bert_qgemm_pack_b(int k, int n, const int8_t *q, int ldq, int8_t *dst, int32_t *colsum) {
    const size_t kp = bert_qgemm_depth(k), np = bert_qgemm_padded_columns(n);
    memset(dst, 0, kp * np);
    memset(colsum, 0, np * sizeof(int32_t));
    for (int j = 0; j < n; j++) {
        int8_t *panel = dst + (size_t)(j / QNR) * kp * QNR;
        const int8_t *row = q + (size_t)j * ldq;
        int32_t sum = 0;
        for (int p = 0; p < k; p++) {
            panel[((size_t)(p / 4) * QNR + j % QNR) * 4 + p % 4] = row[p];
            sum += row[p];
        }
        colsum[j] = sum;
    }
}

// Portable row quantisation (and the reference for the vector one: both give the same bytes).
BERT_SIMD
static void quantize_rows_portable(const float *x, int m, int k, int ldx, uint8_t *q, int ldq, float *scale, int32_t *zero,
                                   const float *ranges) {
    for (int i = 0; i < m; i++) {
        const float *row = x + (size_t)i * ldx;
        uint8_t *out = q + (size_t)i * ldq;
        float lo = 0, hi = 0;  // the range holds 0 so that zero padding and exact zeros stay exact (as ORT)
        if (ranges) { lo = fminf(0, ranges[2 * i]); hi = fmaxf(0, ranges[2 * i + 1]); }
        else for (int p = 0; p < k; p++) { lo = fminf(lo, row[p]); hi = fmaxf(hi, row[p]); }
        const float s = hi > lo ? (hi - lo) / 255.0f : 1.0f;
        const float inverse = 1.0f / s;
        const float z = fminf(255.0f, fmaxf(0.0f, nearbyintf(-lo * inverse)));
        scale[i] = s;
        zero[i] = (int32_t)z;
        for (int p = 0; p < k; p++) {
            const float v = nearbyintf(row[p] * inverse) + z;
            out[p] = (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v);
        }
        for (int p = k; p < ldq; p++) out[p] = (uint8_t)z;  // padding meets zero weights; any value would do
    }
}

/// One product's operands (see bert_qgemm_packed).
typedef struct {
    int kp;
    const uint8_t *a;
    int lda;
    const float *ascale;
    const int32_t *azero;
    const int8_t *packed;
    const float *wscale;
    const int32_t *colsum;
    const float *bias;
    float *c;
    int ldc;
} qgemm_operands;

/// C[i0 + i, j0 + j] for i < mr, j < nr from the int32 sums of one row (the portable epilogue).
static inline void dequantise_row(const qgemm_operands *g, int i, int j0, int nr, const int32_t *sums) {
    const float sa = g->ascale[i];
    const int32_t za = g->azero[i];
    float *out = g->c + (size_t)i * g->ldc + j0;
    for (int j = 0; j < nr; j++) {
        const float v = sa * g->wscale[j0 + j] * (float)(sums[j] - za * g->colsum[j0 + j]);
        out[j] = g->bias ? v + g->bias[j0 + j] : v;
    }
}

// Portable: the same packed layout, read one group of 4 k at a time; the column loop is written so the compiler
// vectorises it (NEON on arm64, SSE2 at least on x86).
static void qtile_portable(const qgemm_operands *g, int i0, int mr, int j0, int nr) {
    const int8_t *bp = g->packed + (size_t)(j0 / QNR) * g->kp * QNR;
    for (int i = i0; i < i0 + mr; i++) {
        const uint8_t *row = g->a + (size_t)i * g->lda;
        int32_t sums[QNR] = {0};
        for (int p = 0; p < g->kp; p += 4) {
            const int8_t *group = bp + (size_t)p * QNR;
            const int32_t a0 = row[p], a1 = row[p + 1], a2 = row[p + 2], a3 = row[p + 3];
            for (int j = 0; j < QNR; j++)
                sums[j] += a0 * group[j * 4] + a1 * group[j * 4 + 1] + a2 * group[j * 4 + 2] + a3 * group[j * 4 + 3];
        }
        dequantise_row(g, i, j0, nr, sums);
    }
}

typedef void (*qtile_function)(const qgemm_operands *g, int i0, int mr, int j0, int nr);

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define QAVX2 __attribute__((target("avx2,fma")))

static inline int32_t four_bytes(const uint8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }

// R × 32 with vpdpbusd (R = 12, 8 or 4, a constant in each instance); rows past mr read the zero-padded rows of A
// and are not written.
static inline __attribute__((always_inline)) VNNI void qtile_vnni_rows(const qgemm_operands *g, int i0, int mr, int j0,
                                                                       int nr, const int R) {
    __m512i acc[QMR][2];
    for (int i = 0; i < R; i++) { acc[i][0] = _mm512_setzero_si512(); acc[i][1] = _mm512_setzero_si512(); }
    const int8_t *bp = g->packed + (size_t)(j0 / QNR) * g->kp * QNR;
    const uint8_t *a = g->a + (size_t)i0 * g->lda;
    const size_t lda = (size_t)g->lda;
    for (int p = 0; p < g->kp; p += 4) {
        const __m512i b0 = _mm512_load_si512((const void *)bp), b1 = _mm512_load_si512((const void *)(bp + 64));
#pragma GCC unroll 12
        for (int i = 0; i < R; i++) {
            const __m512i av = _mm512_set1_epi32(four_bytes(a + i * lda + p));
            acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], av, b0);
            acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], av, b1);
        }
        bp += 4 * QNR;
    }
    const __mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? 0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
    const __m512 ws0 = _mm512_loadu_ps(g->wscale + j0), ws1 = _mm512_loadu_ps(g->wscale + j0 + 16);
    const __m512i cs0 = _mm512_loadu_si512((const void *)(g->colsum + j0));
    const __m512i cs1 = _mm512_loadu_si512((const void *)(g->colsum + j0 + 16));
    const __m512 bias0 = g->bias ? _mm512_maskz_loadu_ps(m0, g->bias + j0) : _mm512_setzero_ps();
    const __m512 bias1 = g->bias ? _mm512_maskz_loadu_ps(m1, g->bias + j0 + 16) : _mm512_setzero_ps();
#pragma GCC unroll 12
    for (int i = 0; i < R; i++) {
        if (i >= mr) break;
        const __m512i za = _mm512_set1_epi32(g->azero[i0 + i]);
        const __m512 sa = _mm512_set1_ps(g->ascale[i0 + i]);
        float *row = g->c + (size_t)(i0 + i) * g->ldc + j0;
        const __m512 v0 = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[i][0], _mm512_mullo_epi32(za, cs0)));
        const __m512 v1 = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[i][1], _mm512_mullo_epi32(za, cs1)));
        _mm512_mask_storeu_ps(row, m0, _mm512_fmadd_ps(v0, _mm512_mul_ps(sa, ws0), bias0));
        _mm512_mask_storeu_ps(row + 16, m1, _mm512_fmadd_ps(v1, _mm512_mul_ps(sa, ws1), bias1));
    }
}

static VNNI void qtile_vnni12(const qgemm_operands *g, int i0, int mr, int j0, int nr) { qtile_vnni_rows(g, i0, mr, j0, nr, 12); }
static VNNI void qtile_vnni8(const qgemm_operands *g, int i0, int mr, int j0, int nr) { qtile_vnni_rows(g, i0, mr, j0, nr, 8); }
static VNNI void qtile_vnni4(const qgemm_operands *g, int i0, int mr, int j0, int nr) { qtile_vnni_rows(g, i0, mr, j0, nr, 4); }

// The narrowest tile that holds mr rows: a short last group (128 = 10 · 12 + 8 rows) computes no padding rows.
static VNNI void qtile_vnni(const qgemm_operands *g, int i0, int mr, int j0, int nr) {
    if (mr > 8) qtile_vnni12(g, i0, mr, j0, nr);
    else if (mr > 4) qtile_vnni8(g, i0, mr, j0, nr);
    else qtile_vnni4(g, i0, mr, j0, nr);
}

// Row quantisation with AVX-512: fminf/nearbyintf keep the compiler from vectorising the portable loop. The same
// arithmetic, 16 lanes at a time: min/max are exact in any order, vrndscaleps rounds to nearest even as nearbyintf
// does in the default mode, and the clamp and conversion are exact on integral values in [0, 255].
static __attribute__((target("avx512f,avx512bw,avx512vl"))) void quantize_rows_avx512(const float *x, int m, int k, int ldx, uint8_t *q,
                                                                                int ldq, float *scale, int32_t *zero,
                                                                                const float *ranges) {
    for (int i = 0; i < m; i++) {
        const float *row = x + (size_t)i * ldx;
        uint8_t *out = q + (size_t)i * ldq;
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
        int p = ranges ? k : 0;  // a known range skips the first pass
        if (ranges) { lo = _mm512_set1_ps(fminf(0, ranges[2 * i])); hi = _mm512_set1_ps(fmaxf(0, ranges[2 * i + 1])); }
        for (; p + 16 <= k; p += 16) {
            const __m512 v = _mm512_loadu_ps(row + p);
            lo = _mm512_min_ps(lo, v);
            hi = _mm512_max_ps(hi, v);
        }
        if (p < k) {
            const __mmask16 tail = (__mmask16)((1u << (k - p)) - 1);
            const __m512 v = _mm512_maskz_loadu_ps(tail, row + p);  // zeros: the range holds 0 anyway
            lo = _mm512_min_ps(lo, v);
            hi = _mm512_max_ps(hi, v);
        }
        const float l = _mm512_reduce_min_ps(lo), h = _mm512_reduce_max_ps(hi);
        const float s = h > l ? (h - l) / 255.0f : 1.0f;
        const float inverse = 1.0f / s;
        const float z = fminf(255.0f, fmaxf(0.0f, nearbyintf(-l * inverse)));
        scale[i] = s;
        zero[i] = (int32_t)z;
        const __m512 vi = _mm512_set1_ps(inverse), vz = _mm512_set1_ps(z), top = _mm512_set1_ps(255.0f);
        const __m512 bottom = _mm512_setzero_ps();
        for (p = 0; p < k; p += 16) {
            const __mmask16 live = k - p >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - p)) - 1);
            const __m512 v = _mm512_maskz_loadu_ps(live, row + p);
            __m512 r = _mm512_add_ps(_mm512_roundscale_ps(_mm512_mul_ps(v, vi), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), vz);
            r = _mm512_min_ps(_mm512_max_ps(r, bottom), top);
            _mm_mask_storeu_epi8(out + p, live, _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(r)));
        }
        if (ldq > k) memset(out + k, (int)z, (size_t)(ldq - k));  // padding meets zero weights; any value would do
    }
}

// Row quantisation with AVX2 (for the AVX2 and AVX-VNNI kernels): the AVX-512 routine's arithmetic on 8 lanes, the
// tail of each row in scalar code; the same bytes as the portable loop.
static QAVX2 __attribute__((target("sse4.1"))) void quantize_rows_avx2(const float *x, int m, int k, int ldx, uint8_t *q,
                                                                      int ldq, float *scale, int32_t *zero,
                                                                      const float *ranges) {
    for (int i = 0; i < m; i++) {
        const float *row = x + (size_t)i * ldx;
        uint8_t *out = q + (size_t)i * ldq;
        __m256 lo8 = _mm256_setzero_ps(), hi8 = _mm256_setzero_ps();
        int p = ranges ? k : 0;  // a known range skips the first pass
        if (ranges) { lo8 = _mm256_set1_ps(fminf(0, ranges[2 * i])); hi8 = _mm256_set1_ps(fmaxf(0, ranges[2 * i + 1])); }
        for (; p + 8 <= k; p += 8) {
            const __m256 v = _mm256_loadu_ps(row + p);
            lo8 = _mm256_min_ps(lo8, v);
            hi8 = _mm256_max_ps(hi8, v);
        }
        float lanes_lo[8], lanes_hi[8];
        _mm256_storeu_ps(lanes_lo, lo8);
        _mm256_storeu_ps(lanes_hi, hi8);
        float l = 0, h = 0;
        for (int j = 0; j < 8; j++) { l = fminf(l, lanes_lo[j]); h = fmaxf(h, lanes_hi[j]); }
        for (int t = p; t < k; t++) { l = fminf(l, row[t]); h = fmaxf(h, row[t]); }
        const float s = h > l ? (h - l) / 255.0f : 1.0f;
        const float inverse = 1.0f / s;
        const float z = fminf(255.0f, fmaxf(0.0f, nearbyintf(-l * inverse)));
        scale[i] = s;
        zero[i] = (int32_t)z;
        const __m256 vi = _mm256_set1_ps(inverse), vz = _mm256_set1_ps(z), top = _mm256_set1_ps(255.0f);
        const __m256 bottom = _mm256_setzero_ps();
        for (p = 0; p + 8 <= k; p += 8) {
            const __m256 v = _mm256_loadu_ps(row + p);
            __m256 r = _mm256_add_ps(_mm256_round_ps(_mm256_mul_ps(v, vi), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), vz);
            r = _mm256_min_ps(_mm256_max_ps(r, bottom), top);
            const __m256i words = _mm256_cvttps_epi32(r);
            const __m128i halves = _mm_packus_epi32(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
            _mm_storel_epi64((__m128i *)(out + p), _mm_packus_epi16(halves, halves));
        }
        for (; p < k; p++) {
            const float v = nearbyintf(row[p] * inverse) + z;
            out[p] = (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v);
        }
        if (ldq > k) memset(out + k, (int)z, (size_t)(ldq - k));  // padding meets zero weights; any value would do
    }
}

// The AVX2 epilogue for `mr` rows of 16 columns from jc (nr of them live): int32 sums → fp32, as `dequantise_row`.
static inline __attribute__((always_inline)) QAVX2 void dequantise_ymm(const qgemm_operands *g, int i0, int mr, int jc, int nr, __m256i acc[][2]) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), lanes);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8), lanes);
    const __m256 ws0 = _mm256_loadu_ps(g->wscale + jc), ws1 = _mm256_loadu_ps(g->wscale + jc + 8);
    const __m256i cs0 = _mm256_loadu_si256((const void *)(g->colsum + jc));
    const __m256i cs1 = _mm256_loadu_si256((const void *)(g->colsum + jc + 8));
    const __m256 bias0 = g->bias ? _mm256_maskload_ps(g->bias + jc, m0) : _mm256_setzero_ps();
    const __m256 bias1 = g->bias ? _mm256_maskload_ps(g->bias + jc + 8, m1) : _mm256_setzero_ps();
    for (int i = 0; i < mr; i++) {
        const __m256i za = _mm256_set1_epi32(g->azero[i0 + i]);
        const __m256 sa = _mm256_set1_ps(g->ascale[i0 + i]);
        float *row = g->c + (size_t)(i0 + i) * g->ldc + jc;
        const __m256 v0 = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[i][0], _mm256_mullo_epi32(za, cs0)));
        const __m256 v1 = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[i][1], _mm256_mullo_epi32(za, cs1)));
        _mm256_maskstore_ps(row, m0, _mm256_fmadd_ps(v0, _mm256_mul_ps(sa, ws0), bias0));
        _mm256_maskstore_ps(row + 8, m1, _mm256_fmadd_ps(v1, _mm256_mul_ps(sa, ws1), bias1));
    }
}

#define QMRW 6  // rows of the AVX2 tile

// ---- AVX2: the widened operands -------------------------------------------------------------------------------
// Per call, the AVX2 kernel works on 16-bit copies of both operands, made in thread-local scratch (no allocation
// after a thread's first call of a given size): a block of A rows, 6-row tiles with each group of 4 k's 6 × 4 values
// together (48 bytes, read by six broadcasts at fixed offsets), and one 32-column weight panel at a time in the
// packed layout's order with each byte sign-extended (vpmovsxbw once per block instead of once per 6-row tile).
// The packed int8 matrix itself is unchanged, so switching kernels after packing is always safe.
#define QAVX2_BLOCK_BYTES (384 * 1024)  // widened A rows per block (in L2 while the panels pass)

typedef struct { void *p; size_t bytes; } qavx2_scratch;
static pthread_key_t qavx2_key;
static int qavx2_key_made;
static pthread_once_t qavx2_once = PTHREAD_ONCE_INIT;
static void qavx2_free(void *s) { if (s) { free(((qavx2_scratch *)s)->p); free(s); } }
static void qavx2_make_key(void) { qavx2_key_made = pthread_key_create(&qavx2_key, qavx2_free) == 0; }

/// This thread's scratch of at least `bytes` (64-byte aligned), or NULL when there is no memory for it.
static void *qavx2_scratch_bytes(size_t bytes) {
    pthread_once(&qavx2_once, qavx2_make_key);
    if (!qavx2_key_made) return NULL;
    qavx2_scratch *s = pthread_getspecific(qavx2_key);
    if (!s) {
        if (!(s = calloc(1, sizeof *s))) return NULL;
        if (pthread_setspecific(qavx2_key, s)) { free(s); return NULL; }
    }
    if (s->bytes < bytes) {
        void *p = NULL;
        if (posix_memalign(&p, 64, bytes)) return NULL;
        free(s->p);
        s->p = p;
        s->bytes = bytes;
    }
    return s->p;
}

// Rows [0, rows) of u8 A (rows a multiple of 6) widened into 6-row tiles: tile t at wide + 6 t kp, its group p/4 of
// 4 k's as rows 0–5 × 4 values.
static QAVX2 void widen_tiles(const uint8_t *a, int lda, int rows, int kp, uint16_t *wide) {
    for (int i = 0; i < rows; i += QMRW) {
        uint16_t *tile = wide + (size_t)i * kp;
        for (int r = 0; r < QMRW; r++) {
            const uint8_t *src = a + (size_t)(i + r) * lda;
            int p = 0;
            for (; p + 16 <= kp; p += 16) {  // 4 groups: one 64-bit store each
                const __m256i v = _mm256_cvtepu8_epi16(_mm_loadu_si128((const void *)(src + p)));
                const __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
                uint16_t *d = tile + ((size_t)(p / 4) * QMRW + r) * 4;
                _mm_storel_epi64((void *)d, lo);
                _mm_storel_epi64((void *)(d + 4 * QMRW), _mm_unpackhi_epi64(lo, lo));
                _mm_storel_epi64((void *)(d + 8 * QMRW), hi);
                _mm_storel_epi64((void *)(d + 12 * QMRW), _mm_unpackhi_epi64(hi, hi));
            }
            for (; p < kp; p++) tile[((size_t)(p / 4) * QMRW + r) * 4 + p % 4] = src[p];
        }
    }
}

// One 32-column panel (kp · 32 bytes, a multiple of 128) sign-extended to 16 bits in the same order; the next panel's
// lines are fetched into L2 on the way, so the panel after this one is there when its turn comes.
static QAVX2 void widen_panel(const int8_t *src, int kp, int16_t *dst, const int8_t *next) {
    const size_t count = (size_t)kp * QNR;
    for (size_t t = 0; t < count; t += 64) {
        if (next) _mm_prefetch((const char *)(next + t), _MM_HINT_T1);
        for (size_t u = t; u < t + 64; u += 16)
            _mm256_store_si256((void *)(dst + u), _mm256_cvtepi8_epi16(_mm_loadu_si128((const void *)(src + u))));
    }
}

// 6 rows × 8 columns (a quarter panel) with vpmaddwd on the widened operands: per group of 4 k's, the 8 columns'
// weights are two registers of 4 columns × 4 k's, each row's 4 activations one register of (a0, a1, a2, a3) repeated
// (a 64-bit broadcast load at a fixed offset in the tile), and vpmaddwd sums each column's k pairs exactly into
// int32 (|a·w + a'·w'| ≤ 2 · 255 · 127); the two pair sums of each column are added in the epilogue (vphaddd).
static QAVX2 void qtile_avx2_wide(const qgemm_operands *g, const uint16_t *tile, const int16_t *panel, int i0, int mr,
                                  int jc, int nr) {
    __m256i acc[QMRW][2];
    for (int i = 0; i < QMRW; i++) { acc[i][0] = _mm256_setzero_si256(); acc[i][1] = _mm256_setzero_si256(); }
    const int groups = g->kp / 4;
#pragma GCC unroll 2
    for (int t = 0; t < groups; t++) {
        const __m256i w0 = _mm256_load_si256((const void *)panel), w1 = _mm256_load_si256((const void *)(panel + 16));
#pragma GCC unroll 6
        for (int i = 0; i < QMRW; i++) {
            long long four;
            memcpy(&four, tile + 4 * i, sizeof four);
            const __m256i av = _mm256_set1_epi64x(four);
            acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(av, w0));
            acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(av, w1));
        }
        panel += 4 * QNR;
        tile += 4 * QMRW;
    }
    // Columns 0–3 then 4–7, each with two pair sums: add them, columns back in order, then the epilogue of
    // dequantise_row for 8 columns (plain stores when all 8 are live: masked ones are slow on AMD).
    const __m256 ws = _mm256_loadu_ps(g->wscale + jc);
    const __m256i cs = _mm256_loadu_si256((const void *)(g->colsum + jc));
    const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256 bias = g->bias ? _mm256_maskload_ps(g->bias + jc, live) : _mm256_setzero_ps();
    for (int i = 0; i < mr; i++) {
        const __m256i sum = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[i][0], acc[i][1]), 0xD8);
        const __m256i za = _mm256_set1_epi32(g->azero[i0 + i]);
        const __m256 v = _mm256_cvtepi32_ps(_mm256_sub_epi32(sum, _mm256_mullo_epi32(za, cs)));
        const __m256 out = _mm256_fmadd_ps(v, _mm256_mul_ps(_mm256_set1_ps(g->ascale[i0 + i]), ws), bias);
        float *row = g->c + (size_t)(i0 + i) * g->ldc + jc;
        if (nr == 8) _mm256_storeu_ps(row, out);
        else _mm256_maskstore_ps(row, live, out);
    }
}

// Rows per block of A: as many 6-row tiles as fit QAVX2_BLOCK_BYTES widened, the m rows split evenly over the blocks.
static int qavx2_block_rows(int m, int kp) {
    int most = (int)(QAVX2_BLOCK_BYTES / ((size_t)kp * 2 * QMRW)) * QMRW;
    if (most < QMRW) most = QMRW;
    const int blocks = (m + most - 1) / most;
    const int rows = (m + blocks - 1) / blocks;
    return (rows + QMRW - 1) / QMRW * QMRW;
}

/// The AVX2 product (see bert_qgemm_packed); 0 when there was no memory for the widened operands (nothing written).
static QAVX2 int qgemm_avx2(const qgemm_operands *g, int m, int n0, int n1) {
    const int kp = g->kp, block = qavx2_block_rows(m, kp);
    const size_t tile_bytes = ((size_t)block * kp * 2 + 63) / 64 * 64;
    uint8_t *scratch = qavx2_scratch_bytes(tile_bytes + (size_t)kp * QNR * 2);
    if (!scratch) return 0;
    uint16_t *tiles = (uint16_t *)scratch;
    int16_t *panel = (int16_t *)(scratch + tile_bytes);
    for (int ic = 0; ic < m; ic += block) {
        const int rows = m - ic < block ? m - ic : block, count = (rows + QMRW - 1) / QMRW;
        widen_tiles(g->a + (size_t)ic * g->lda, g->lda, count * QMRW, kp, tiles);  // A holds ⌈m / 12⌉ · 12 rows
        for (int j = n0; j < n1; j += QNR) {
            const int nr = n1 - j < QNR ? n1 - j : QNR;
            const int8_t *source = g->packed + (size_t)(j / QNR) * kp * QNR;
            widen_panel(source, kp, panel, j + QNR < n1 ? source + (size_t)kp * QNR : NULL);
            for (int t = 0; t < count; t++) {
                const int i = ic + t * QMRW, mr = ic + rows - i < QMRW ? ic + rows - i : QMRW;
                for (int q = 0; q < nr; q += 8)
                    qtile_avx2_wide(g, tiles + (size_t)t * QMRW * kp, panel + q * 4, i, mr, j + q, nr - q < 8 ? nr - q : 8);
            }
        }
    }
    return 1;
}

// 6 × 16 of one half panel with 256-bit vpdpbusd (`dpbusd` picks the encoding: AVX-VNNI's VEX or AVX-512's EVEX);
// rows past mr read the zero-padded rows of A and are not written. The epilogue is the AVX2 kernel's.
#define QMR3 6
#define DEFINE_QTILE_VNNI256(name, target, dpbusd)                                                                       \
    static target void name##_half(const qgemm_operands *g, int i0, int mr, int j0, int half, int nr) {                 \
        __m256i acc[QMR3][2];                                                                                            \
        for (int i = 0; i < QMR3; i++) { acc[i][0] = _mm256_setzero_si256(); acc[i][1] = _mm256_setzero_si256(); }       \
        const int8_t *bp = g->packed + (size_t)(j0 / QNR) * g->kp * QNR + half * 4;                                     \
        const uint8_t *a = g->a + (size_t)i0 * g->lda;                                                                   \
        const size_t lda = (size_t)g->lda;                                                                               \
        for (int p = 0; p < g->kp; p += 4) {                                                                             \
            const __m256i b0 = _mm256_loadu_si256((const void *)bp), b1 = _mm256_loadu_si256((const void *)(bp + 32));  \
            _Pragma("GCC unroll 6") for (int i = 0; i < QMR3; i++) {                                                     \
                const __m256i av = _mm256_set1_epi32(four_bytes(a + i * lda + p));                                       \
                acc[i][0] = dpbusd(acc[i][0], av, b0);                                                                   \
                acc[i][1] = dpbusd(acc[i][1], av, b1);                                                                   \
            }                                                                                                            \
            bp += 4 * QNR;                                                                                               \
        }                                                                                                                \
        dequantise_ymm(g, i0, mr, j0 + half, nr, acc);                                                                   \
    }                                                                                                                    \
    static void name(const qgemm_operands *g, int i0, int mr, int j0, int nr) {                                          \
        for (int r = 0; r < mr; r += QMR3) {                                                                             \
            const int rows = mr - r < QMR3 ? mr - r : QMR3;                                                              \
            name##_half(g, i0 + r, rows, j0, 0, nr < 16 ? nr : 16);                                                      \
            if (nr > 16) name##_half(g, i0 + r, rows, j0, 16, nr - 16);                                                  \
        }                                                                                                                \
    }

#define AVXVNNI __attribute__((target("avx2,fma,avxvnni")))
#define VNNI256 __attribute__((target("avx2,fma,avx512f,avx512vl,avx512vnni")))
#define DPBUSD_VEX(acc, a, b) _mm256_dpbusd_avx_epi32(acc, a, b)
#define DPBUSD_EVEX(acc, a, b) _mm256_dpbusd_epi32(acc, a, b)
DEFINE_QTILE_VNNI256(qtile_avxvnni, AVXVNNI, DPBUSD_VEX)
DEFINE_QTILE_VNNI256(qtile_vnni256, VNNI256, DPBUSD_EVEX)

static int qkind_supported(int kind) {
    switch (kind) {
    case BERT_QGEMM_AVXVNNI:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("avxvnni");
    case BERT_QGEMM_VNNI256:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx512f")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    case BERT_QGEMM_VNNI:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512vnni");
    case BERT_QGEMM_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case BERT_QGEMM_PORTABLE: return 1;
    default: return 0;
    }
}

// vnni256 is never chosen by itself: a CPU with its instructions has the wider AVX-512 kernel.
static int best_qkind(void) {
    return qkind_supported(BERT_QGEMM_VNNI)      ? BERT_QGEMM_VNNI
         : qkind_supported(BERT_QGEMM_AVXVNNI) ? BERT_QGEMM_AVXVNNI
         : qkind_supported(BERT_QGEMM_AVX2)    ? BERT_QGEMM_AVX2
                                               : BERT_QGEMM_PORTABLE;
}
#else
static void qtile_avxvnni(const qgemm_operands *g, int i0, int mr, int j0, int nr) { qtile_portable(g, i0, mr, j0, nr); }
static void qtile_vnni256(const qgemm_operands *g, int i0, int mr, int j0, int nr) { qtile_portable(g, i0, mr, j0, nr); }
static void qtile_vnni(const qgemm_operands *g, int i0, int mr, int j0, int nr) { qtile_portable(g, i0, mr, j0, nr); }
#if defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__))
#include "neon_kernels.h"  // arm64: sdot or widening NEON kernels (gemm_int8_neon.c)
static int qkind_supported(int kind) { return kind == BERT_QGEMM_PORTABLE || bert_qgemm_neon_supported(kind); }
static int best_qkind(void) { return qkind_supported(BERT_QGEMM_SDOT) ? BERT_QGEMM_SDOT : BERT_QGEMM_NEON; }
#else
static int qkind_supported(int kind) { return kind == BERT_QGEMM_PORTABLE; }
static int best_qkind(void) { return BERT_QGEMM_PORTABLE; }
#endif
#endif

// -1 until first asked; read and written atomically (threads that race to choose compute the same value).
static int current_qkind = -1;

int bert_qgemm_kind(void) {
    const int chosen = __atomic_load_n(&current_qkind, __ATOMIC_ACQUIRE);
    if (chosen >= 0) return chosen;
    {
        int kind = best_qkind();
        const int ceiling = bert_kernels_ceiling();  // BERT_KERNELS=avx2|portable: the paths of a smaller CPU
        if (ceiling == BERT_KERNELS_AVX2 && (kind == BERT_QGEMM_VNNI || kind == BERT_QGEMM_AVXVNNI)) kind = BERT_QGEMM_AVX2;
        if (ceiling == BERT_KERNELS_PORTABLE) kind = BERT_QGEMM_PORTABLE;
        const char *forced = getenv("BERT_QGEMM_KERNEL");  // vnni | avxvnni | vnni256 | avx2 | sdot | neon | portable
        if (forced) {
            const int wanted = !strcmp(forced, "vnni") ? BERT_QGEMM_VNNI : !strcmp(forced, "avx2") ? BERT_QGEMM_AVX2
                             : !strcmp(forced, "avxvnni") ? BERT_QGEMM_AVXVNNI : !strcmp(forced, "vnni256") ? BERT_QGEMM_VNNI256
                             : !strcmp(forced, "sdot") ? BERT_QGEMM_SDOT : !strcmp(forced, "neon") ? BERT_QGEMM_NEON
                             : !strcmp(forced, "portable") ? BERT_QGEMM_PORTABLE : -1;
            if (wanted >= 0 && qkind_supported(wanted)) kind = wanted;
        }
        __atomic_store_n(&current_qkind, kind, __ATOMIC_RELEASE);
        return kind;
    }
}

int bert_qgemm_kind_supported(int kind) { return qkind_supported(kind); }

void bert_quantize_rows_u8_in_range(const float *x, int m, int k, int ldx, uint8_t *q, int ldq, float *scale, int32_t *zero,
                                    const float *ranges) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    const int kind = bert_qgemm_kind();
    if (kind == BERT_QGEMM_VNNI) { quantize_rows_avx512(x, m, k, ldx, q, ldq, scale, zero, ranges); return; }
    if (kind != BERT_QGEMM_PORTABLE) { quantize_rows_avx2(x, m, k, ldx, q, ldq, scale, zero, ranges); return; }
#endif
    quantize_rows_portable(x, m, k, ldx, q, ldq, scale, zero, ranges);
}

void bert_quantize_rows_u8(const float *x, int m, int k, int ldx, uint8_t *q, int ldq, float *scale, int32_t *zero) {
    bert_quantize_rows_u8_in_range(x, m, k, ldx, q, ldq, scale, zero, NULL);
}

int bert_qgemm_set_kind(int kind) {
    if (qkind_supported(kind)) __atomic_store_n(&current_qkind, kind, __ATOMIC_RELEASE);
    return bert_qgemm_kind();
}

void bert_qgemm_packed(int m, int n0, int n1, int kp, const uint8_t *a, int lda, const float *ascale, const int32_t *azero,
                       const int8_t *packed, const float *wscale, const int32_t *colsum, const float *bias, float *c,
                       int ldc) {
    const int kind = bert_qgemm_kind();
#if defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__))
    if (kind == BERT_QGEMM_SDOT || kind == BERT_QGEMM_NEON) {
        bert_qgemm_packed_neon(kind, m, n0, n1, kp, a, lda, ascale, azero, packed, wscale, colsum, bias, c, ldc);
        return;
    }
#endif
    const qgemm_operands g = {kp, a, lda, ascale, azero, packed, wscale, colsum, bias, c, ldc};
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (kind == BERT_QGEMM_AVX2 && qgemm_avx2(&g, m, n0, n1)) return;  // else no memory for scratch: portable
#endif
    qtile_function run = kind == BERT_QGEMM_VNNI      ? qtile_vnni
                             : kind == BERT_QGEMM_AVXVNNI ? qtile_avxvnni
                             : kind == BERT_QGEMM_VNNI256 ? qtile_vnni256
                                                          : qtile_portable;
    for (int ic = 0; ic < m; ic += QMC) {
        const int rows = m - ic < QMC ? m - ic : QMC;
        for (int j = n0; j < n1; j += QNR) {
            const int nr = n1 - j < QNR ? n1 - j : QNR;
            for (int i = ic; i < ic + rows; i += QMR) run(&g, i, ic + rows - i < QMR ? ic + rows - i : QMR, j, nr);
        }
    }
}
