// bfloat16 products for inference: C[:, n0:n1] = bf16(A) · bf16(W)ᵀ (+ bias) with fp32 sums, as PyTorch's CPU
// bf16 Linear computes (mkldnn / oneDNN: operands rounded to bf16, products summed in fp32). A bf16 is the top half
// of an fp32; rounding to nearest even keeps 8 significant bits. bf16 × bf16 is exact in fp32, so the paths differ
// only in the order of the fp32 sums. The weights are packed once: per 32-column panel, per pair of k, 32 columns ×
// 2 consecutive k (the operand order of vdpbf16ps, which adds 2 bf16 products per fp32 lane), K padded to even
// with zeros. Kernels, chosen by CPU feature:
// - AVX512_BF16: 12 rows × 32 columns, one vdpbf16ps per row and 16 columns per 2 k;
// - AVX2+FMA (or AVX-512 without BF16): each bf16 pair widened to two fp32 vectors (a shift and a mask), 4 rows × 16
//   columns of FMAs — the weights stay half the memory, the arithmetic is fp32;
// - portable C (arm64 included).
#include "CBERTKernels.h"
#include <stdlib.h>
#include <string.h>

#define BNR 32  // columns per packed panel
#define BMR 12  // rows of the widest tile; converted A carries rows padded to a multiple of it

static inline uint16_t to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x40);  // NaN stays a (quiet) NaN
    u += 0x7FFFu + ((u >> 16) & 1);                                              // round to nearest, ties to even
    return (uint16_t)(u >> 16);
}

static inline float from_bf16(uint16_t h) {
    const uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, 4);
    return x;
}

size_t bert_bf16_depth(int k) { return (size_t)(k + 1) / 2 * 2; }
size_t bert_bf16_packed_count(int k, int n) { return bert_bf16_depth(k) * ((size_t)(n + BNR - 1) / BNR * BNR); }
size_t bert_bf16_padded_rows(int m) { return (size_t)(m + BMR - 1) / BMR * BMR; }

void bert_bf16_round(const float *x, uint16_t *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = to_bf16(x[i]);
}

void bert_bf16_widen(const uint16_t *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = from_bf16(x[i]);
}

void bert_bf16_pack_b(int k, int n, const uint16_t *w, int ldw, uint16_t *dst) {
    const size_t kp = bert_bf16_depth(k);
    memset(dst, 0, bert_bf16_packed_count(k, n) * sizeof(uint16_t));
    for (int j = 0; j < n; j++) {
        uint16_t *panel = dst + (size_t)(j / BNR) * kp * BNR;
        for (int p = 0; p < k; p++) panel[((size_t)(p / 2) * BNR + j % BNR) * 2 + p % 2] = w[(size_t)j * ldw + p];
    }
}

void bert_bf16_convert_rows(const float *x, int m, int k, int ldx, uint16_t *y, int ldy) {
    for (int i = 0; i < m; i++) {
        bert_bf16_round(x + (size_t)i * ldx, y + (size_t)i * ldy, (size_t)k);
        for (int p = k; p < ldy; p++) y[(size_t)i * ldy + p] = 0;
    }
}

/// One product's operands (see bert_bf16_gemm_packed).
typedef struct {
    int kp;
    const uint16_t *a;
    int lda;
    const uint16_t *packed;
    const float *bias;
    float *c;
    int ldc;
} bf16_operands;

static void btile_portable(const bf16_operands *g, int i0, int mr, int j0, int nr) {
    const uint16_t *bp = g->packed + (size_t)(j0 / BNR) * g->kp * BNR;
    for (int i = i0; i < i0 + mr; i++) {
        const uint16_t *row = g->a + (size_t)i * g->lda;
        float sums[BNR] = {0};
        for (int p = 0; p < g->kp; p += 2) {
            const uint16_t *pair = bp + (size_t)p * BNR;
            const float a0 = from_bf16(row[p]), a1 = from_bf16(row[p + 1]);
            for (int j = 0; j < BNR; j++) sums[j] += a0 * from_bf16(pair[2 * j]) + a1 * from_bf16(pair[2 * j + 1]);
        }
        float *out = g->c + (size_t)i * g->ldc + j0;
        for (int j = 0; j < nr; j++) out[j] = g->bias ? sums[j] + g->bias[j0 + j] : sums[j];
    }
}

typedef void (*btile_function)(const bf16_operands *g, int i0, int mr, int j0, int nr);

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define BAVX2 __attribute__((target("avx2,fma")))

static inline int32_t two_halves(const uint16_t *p) { int32_t v; memcpy(&v, p, 4); return v; }

static BF16 void btile_avx512bf16(const bf16_operands *g, int i0, int mr, int j0, int nr) {
    __m512 acc[BMR][2];
    for (int i = 0; i < BMR; i++) { acc[i][0] = _mm512_setzero_ps(); acc[i][1] = _mm512_setzero_ps(); }
    const uint16_t *bp = g->packed + (size_t)(j0 / BNR) * g->kp * BNR;
    const uint16_t *a = g->a + (size_t)i0 * g->lda;
    const size_t lda = (size_t)g->lda;
    for (int p = 0; p < g->kp; p += 2) {
        const __m512bh b0 = (__m512bh)_mm512_load_si512((const void *)bp);
        const __m512bh b1 = (__m512bh)_mm512_load_si512((const void *)(bp + 32));
#pragma GCC unroll 12
        for (int i = 0; i < BMR; i++) {
            const __m512bh av = (__m512bh)_mm512_set1_epi32(two_halves(a + i * lda + p));
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
        }
        bp += 2 * BNR;
    }
    const __mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? 0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
    const __m512 bias0 = g->bias ? _mm512_maskz_loadu_ps(m0, g->bias + j0) : _mm512_setzero_ps();
    const __m512 bias1 = g->bias ? _mm512_maskz_loadu_ps(m1, g->bias + j0 + 16) : _mm512_setzero_ps();
#pragma GCC unroll 12
    for (int i = 0; i < BMR; i++) {
        if (i >= mr) break;
        float *row = g->c + (size_t)(i0 + i) * g->ldc + j0;
        _mm512_mask_storeu_ps(row, m0, _mm512_add_ps(acc[i][0], bias0));
        _mm512_mask_storeu_ps(row + 16, m1, _mm512_add_ps(acc[i][1], bias1));
    }
}

#define BMR2 4
// 4 × 16 of one half panel: each 32-byte load holds 8 columns × 2 k; the low halves (k) shift up into fp32, the high
// halves (k + 1) are masked, and each meets its own broadcast activation.
static BAVX2 void btile_avx2_half(const bf16_operands *g, int i0, int mr, int j0, int half, int nr) {
    __m256 acc[BMR2][2];
    for (int i = 0; i < BMR2; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
    const uint16_t *bp = g->packed + (size_t)(j0 / BNR) * g->kp * BNR + half * 2;
    const uint16_t *a = g->a + (size_t)i0 * g->lda;
    const size_t lda = (size_t)g->lda;
    const __m256i high = _mm256_set1_epi32((int)0xFFFF0000u);
    for (int p = 0; p < g->kp; p += 2) {
        const __m256i w0 = _mm256_loadu_si256((const void *)bp), w1 = _mm256_loadu_si256((const void *)(bp + 16));
        const __m256 e0 = _mm256_castsi256_ps(_mm256_slli_epi32(w0, 16)), o0 = _mm256_castsi256_ps(_mm256_and_si256(w0, high));
        const __m256 e1 = _mm256_castsi256_ps(_mm256_slli_epi32(w1, 16)), o1 = _mm256_castsi256_ps(_mm256_and_si256(w1, high));
#pragma GCC unroll 4
        for (int i = 0; i < BMR2; i++) {
            const uint16_t *ap = a + i * lda + p;
            const __m256 x0 = _mm256_set1_ps(from_bf16(ap[0])), x1 = _mm256_set1_ps(from_bf16(ap[1]));
            acc[i][0] = _mm256_fmadd_ps(x1, o0, _mm256_fmadd_ps(x0, e0, acc[i][0]));
            acc[i][1] = _mm256_fmadd_ps(x1, o1, _mm256_fmadd_ps(x0, e1, acc[i][1]));
        }
        bp += 2 * BNR;
    }
    const int jc = j0 + half;
    for (int i = 0; i < mr; i++) {
        float out[16];
        _mm256_storeu_ps(out, acc[i][0]);
        _mm256_storeu_ps(out + 8, acc[i][1]);
        float *row = g->c + (size_t)(i0 + i) * g->ldc + jc;
        for (int j = 0; j < nr; j++) row[j] = g->bias ? out[j] + g->bias[jc + j] : out[j];
    }
}

static void btile_avx2(const bf16_operands *g, int i0, int mr, int j0, int nr) {
    for (int r = 0; r < mr; r += BMR2) {
        const int rows = mr - r < BMR2 ? mr - r : BMR2;
        btile_avx2_half(g, i0 + r, rows, j0, 0, nr < 16 ? nr : 16);
        if (nr > 16) btile_avx2_half(g, i0 + r, rows, j0, 16, nr - 16);
    }
}

static int bkind_supported(int kind) {
    switch (kind) {
    case BERT_BF16_AVX512BF16:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512bf16");
    case BERT_BF16_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case BERT_BF16_PORTABLE: return 1;
    default: return 0;
    }
}

static int best_bkind(void) {
    return bkind_supported(BERT_BF16_AVX512BF16) ? BERT_BF16_AVX512BF16
         : bkind_supported(BERT_BF16_AVX2)       ? BERT_BF16_AVX2
                                                 : BERT_BF16_PORTABLE;
}
#else
static void btile_avx512bf16(const bf16_operands *g, int i0, int mr, int j0, int nr) { btile_portable(g, i0, mr, j0, nr); }
static void btile_avx2(const bf16_operands *g, int i0, int mr, int j0, int nr) { btile_portable(g, i0, mr, j0, nr); }
static int bkind_supported(int kind) { return kind == BERT_BF16_PORTABLE; }
static int best_bkind(void) { return BERT_BF16_PORTABLE; }
#endif

// -1 until first asked; read and written atomically (threads that race to choose compute the same value).
static int current_bkind = -1;

int bert_bf16_kind(void) {
    const int chosen = __atomic_load_n(&current_bkind, __ATOMIC_ACQUIRE);
    if (chosen >= 0) return chosen;
    {
        int kind = best_bkind();
        const int ceiling = bert_kernels_ceiling();  // BERT_KERNELS=avx2|portable: the paths of a smaller CPU
        if (ceiling == BERT_KERNELS_AVX2 && kind == BERT_BF16_AVX512BF16) kind = BERT_BF16_AVX2;
        if (ceiling == BERT_KERNELS_PORTABLE) kind = BERT_BF16_PORTABLE;
        const char *forced = getenv("BERT_BF16_KERNEL");  // avx512bf16 | avx2 | portable
        if (forced) {
            const int wanted = !strcmp(forced, "avx512bf16") ? BERT_BF16_AVX512BF16 : !strcmp(forced, "avx2") ? BERT_BF16_AVX2
                             : !strcmp(forced, "portable") ? BERT_BF16_PORTABLE : -1;
            if (wanted >= 0 && bkind_supported(wanted)) kind = wanted;
        }
        __atomic_store_n(&current_bkind, kind, __ATOMIC_RELEASE);
        return kind;
    }
}

int bert_bf16_kind_supported(int kind) { return bkind_supported(kind); }

int bert_bf16_set_kind(int kind) {
    if (bkind_supported(kind)) __atomic_store_n(&current_bkind, kind, __ATOMIC_RELEASE);
    return bert_bf16_kind();
}

void bert_bf16_gemm_packed(int m, int n0, int n1, int kp, const uint16_t *a, int lda, const uint16_t *packed,
                           const float *bias, float *c, int ldc) {
    const int kind = bert_bf16_kind();
    const btile_function run = kind == BERT_BF16_AVX512BF16 ? btile_avx512bf16 : kind == BERT_BF16_AVX2 ? btile_avx2 : btile_portable;
    const bf16_operands g = {kp, a, lda, packed, bias, c, ldc};
    for (int ic = 0; ic < m; ic += 96) {
        const int rows = m - ic < 96 ? m - ic : 96;
        for (int j = n0; j < n1; j += BNR) {
            const int nr = n1 - j < BNR ? n1 - j : BNR;
            for (int i = ic; i < ic + rows; i += BMR) run(&g, i, ic + rows - i < BMR ? ic + rows - i : BMR, j, nr);
        }
    }
}
