// fp16 weights for inference: C[:, n0:n1] = A · Wᵀ (+ bias) where W was rounded once to IEEE half precision
// (nearest even) and packed, and A stays fp32, read in place. Each product widens the weights to fp32 on the fly and
// sums in fp32, so the weights take half the memory of fp32 at 11 significant bits (bf16 keeps 8) and the
// activations lose nothing. Packing: per 16-column panel, per k, the 16 columns' halves side by side (K unpadded).
// Kernels, chosen by CPU feature:
// - F16C (+ AVX2, FMA): 6 rows × 16 columns, two `vcvtph2ps` per k widen 16 weights into two ymm, 12 FMAs;
// - portable C (arm64 included), the same conversion in software.
// Every kernel reads the same packed halves, so they differ only in the order (and fusing) of the fp32 sums.
#include "CBERTKernels.h"
#include <stdlib.h>
#include <string.h>

#define HNR 16  // columns per packed panel
#define HMR 6   // rows of the F16C tile

uint16_t bert_fp16_from_float(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    const uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    const uint32_t a = u & 0x7FFFFFFFu;
    if (a > 0x7F800000u) return sign | 0x7E00u;   // NaN stays a (quiet) NaN
    if (a >= 0x477FF000u) return sign | 0x7C00u;  // 65520 and up (halfway past the largest half, 65504) → infinity
    const int e = (int)(a >> 23) - 127;
    if (e >= -14) {  // a normal half: keep 10 of the 23 fraction bits, round the 13 dropped ones to nearest, ties to even
        uint32_t h = ((uint32_t)(e + 15) << 10) | ((a & 0x7FFFFFu) >> 13);
        const uint32_t rest = a & 0x1FFFu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++;  // a carry into the exponent is the right result
        return sign | (uint16_t)h;
    }
    if (e < -25) return sign;  // below half the smallest subnormal (2^-24): ±0
    // A subnormal half counts units of 2^-24: the 24-bit significand m (value m · 2^(e-23)) shifted right by -(e+1).
    const uint32_t m = (a & 0x7FFFFFu) | 0x800000u;
    const int s = -(e + 1);
    uint32_t h = m >> s;
    const uint32_t rest = m & ((1u << s) - 1), halfway = 1u << (s - 1);
    if (rest > halfway || (rest == halfway && (h & 1u))) h++;
    return sign | (uint16_t)h;
}

float bert_fp16_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
    uint32_t u;
    if (e == 0x1F) {
        u = sign | 0x7F800000u | (m << 13);  // infinity, NaN
    } else if (e != 0) {
        u = sign | ((e + 112) << 23) | (m << 13);  // 112 = 127 − 15
    } else {
        const float f = (float)m * 0x1p-24f;  // subnormal (or zero): exact in fp32
        memcpy(&u, &f, 4);
        u |= sign;
    }
    float x;
    memcpy(&x, &u, 4);
    return x;
}

size_t bert_fp16_packed_count(int k, int n) { return (size_t)k * ((size_t)(n + HNR - 1) / HNR * HNR); }

void bert_fp16_pack_b(int k, int n, const float *w, int ldw, uint16_t *dst) {
    memset(dst, 0, bert_fp16_packed_count(k, n) * sizeof(uint16_t));
    for (int j = 0; j < n; j++) {
        uint16_t *panel = dst + (size_t)(j / HNR) * k * HNR + j % HNR;
        for (int p = 0; p < k; p++) panel[(size_t)p * HNR] = bert_fp16_from_float(w[(size_t)j * ldw + p]);
    }
}

void bert_fp16_unpack_b(int k, int n, const uint16_t *packed, float *w, int ldw) {
    for (int j = 0; j < n; j++) {
        const uint16_t *panel = packed + (size_t)(j / HNR) * k * HNR + j % HNR;
        for (int p = 0; p < k; p++) w[(size_t)j * ldw + p] = bert_fp16_to_float(panel[(size_t)p * HNR]);
    }
}

/// One product's operands (see bert_fp16_gemm_packed).
typedef struct {
    int k;
    const float *a;
    int lda;
    const uint16_t *packed;
    const float *bias;
    float *c;
    int ldc;
} fp16_operands;

// Rows i0..<i0+mr (mr ≤ HMR) of one panel (columns j0..<j0+nr, nr ≤ 16): each k's 16 weights are widened once for
// all the rows.
static void htile_portable(const fp16_operands *g, int i0, int mr, int j0, int nr) {
    const uint16_t *bp = g->packed + (size_t)(j0 / HNR) * g->k * HNR;
    float sums[HMR][HNR] = {{0}};
    for (int p = 0; p < g->k; p++) {
        float w[HNR];
        for (int j = 0; j < HNR; j++) w[j] = bert_fp16_to_float(bp[(size_t)p * HNR + j]);
        for (int i = 0; i < mr; i++) {
            const float x = g->a[(size_t)(i0 + i) * g->lda + p];
            for (int j = 0; j < HNR; j++) sums[i][j] += x * w[j];
        }
    }
    for (int i = 0; i < mr; i++) {
        float *out = g->c + (size_t)(i0 + i) * g->ldc + j0;
        for (int j = 0; j < nr; j++) out[j] = g->bias ? sums[i][j] + g->bias[j0 + j] : sums[i][j];
    }
}

typedef void (*htile_function)(const fp16_operands *g, int i0, int mr, int j0, int nr);

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define F16C __attribute__((target("avx2,fma,f16c")))

// `rows` rows (a constant after inlining: HMR for full tiles, 1 for the edge) × one 16-column panel.
static inline __attribute__((always_inline)) F16C void htile_f16c_rows(const fp16_operands *g, int i0, const int rows,
                                                                     int j0, int nr) {
    __m256 acc[HMR][2];
    for (int i = 0; i < rows; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
    const uint16_t *bp = g->packed + (size_t)(j0 / HNR) * g->k * HNR;
    const float *a = g->a + (size_t)i0 * g->lda;
    const size_t lda = (size_t)g->lda;
    for (int p = 0; p < g->k; p++) {
        const __m256 b0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)bp));
        const __m256 b1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(bp + 8)));
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            const __m256 x = _mm256_broadcast_ss(a + i * lda + p);
            acc[i][0] = _mm256_fmadd_ps(x, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(x, b1, acc[i][1]);
        }
        bp += HNR;
    }
    for (int i = 0; i < rows; i++) {
        float out[HNR];
        _mm256_storeu_ps(out, acc[i][0]);
        _mm256_storeu_ps(out + 8, acc[i][1]);
        float *row = g->c + (size_t)(i0 + i) * g->ldc + j0;
        for (int j = 0; j < nr; j++) row[j] = g->bias ? out[j] + g->bias[j0 + j] : out[j];
    }
}

static F16C void htile_f16c(const fp16_operands *g, int i0, int mr, int j0, int nr) {
    if (mr == HMR) {
        htile_f16c_rows(g, i0, HMR, j0, nr);
    } else {
        for (int i = 0; i < mr; i++) htile_f16c_rows(g, i0 + i, 1, j0, nr);
    }
}

static int hkind_supported(int kind) {
    switch (kind) {
    case BERT_FP16_F16C:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    case BERT_FP16_PORTABLE: return 1;
    default: return 0;
    }
}

static int best_hkind(void) { return hkind_supported(BERT_FP16_F16C) ? BERT_FP16_F16C : BERT_FP16_PORTABLE; }
#else
static void htile_f16c(const fp16_operands *g, int i0, int mr, int j0, int nr) { htile_portable(g, i0, mr, j0, nr); }
static int hkind_supported(int kind) { return kind == BERT_FP16_PORTABLE; }
static int best_hkind(void) { return BERT_FP16_PORTABLE; }
#endif

// -1 until first asked; read and written atomically (every thread that races to choose computes the same value).
static int current_hkind = -1;

int bert_fp16_kind(void) {
    int kind = __atomic_load_n(&current_hkind, __ATOMIC_ACQUIRE);
    if (kind >= 0) return kind;
    kind = best_hkind();
    if (bert_kernels_ceiling() == BERT_KERNELS_PORTABLE) kind = BERT_FP16_PORTABLE;  // F16C is within the AVX2 ceiling
    const char *forced = getenv("BERT_FP16_KERNEL");                               // f16c | portable
    if (forced) {
        const int wanted = !strcmp(forced, "f16c") ? BERT_FP16_F16C : !strcmp(forced, "portable") ? BERT_FP16_PORTABLE : -1;
        if (wanted >= 0 && hkind_supported(wanted)) kind = wanted;
    }
    __atomic_store_n(&current_hkind, kind, __ATOMIC_RELEASE);
    return kind;
}

int bert_fp16_kind_supported(int kind) { return hkind_supported(kind); }

int bert_fp16_set_kind(int kind) {
    if (hkind_supported(kind)) __atomic_store_n(&current_hkind, kind, __ATOMIC_RELEASE);
    return bert_fp16_kind();
}

void bert_fp16_gemm_packed(int m, int n0, int n1, int k, const float *a, int lda, const uint16_t *packed, const float *bias,
                           float *c, int ldc) {
    const htile_function run = bert_fp16_kind() == BERT_FP16_F16C ? htile_f16c : htile_portable;
    const fp16_operands g = {k, a, lda, packed, bias, c, ldc};
    // Blocks of 96 rows keep A's rows in cache while every panel of the block passes over them.
    for (int ic = 0; ic < m; ic += 96) {
        const int rows = m - ic < 96 ? m - ic : 96;
        for (int j = n0; j < n1; j += HNR) {
            const int nr = n1 - j < HNR ? n1 - j : HNR;
            for (int i = ic; i < ic + rows; i += HMR) run(&g, i, ic + rows - i < HMR ? ic + rows - i : HMR, j, nr);
        }
    }
}
