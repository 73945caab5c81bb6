// Row kernels written with x86 intrinsics for the hot inference loops whose compiler-vectorised C (the portable
// loops of softmax_layernorm.c and activations.c) leaves speed on the table:
// - the attention softmax: rows of ~128 scores, where the portable per-row horizontal max/sum (lane accumulators
//   kept in memory) and the division cost as much as the exponentials; here Cephes' exp of vmath.h with 2^n by
//   vscalefps (AVX-512) or exponent bits (AVX2), its argument ≤ 0 (a row minus its maximum), and horizontal max
//   and sum by register shuffles (a fixed order, so results are deterministic);
// - bias + GELU(erf): erf by a rational function (ERF_P/ERF_Q below, no exp, no division: a reciprocal estimate
//   and one Newton step) instead of A&S 7.1.26 with its exp and division;
// - bias + residual + LayerNorm: the same three passes over each row, accumulators in registers.
// Each entry returns 0 when this CPU (or BERT_KERNELS=portable) has neither AVX-512 nor AVX2+FMA, and the caller
// runs the portable loop. RowKernelTests compares every path this CPU has with Float64 formulas.
#include "CBERTKernels.h"
#include <math.h>
#include <stddef.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define ROWS512 __attribute__((target("avx512f,avx512dq,fma")))
#define ROWS256 __attribute__((target("avx2,fma")))

enum { ROWS_NONE = 0, ROWS_AVX2 = 1, ROWS_AVX512 = 2 };

// -1 until first asked; threads that race compute the same value.
static int rows_kind_cached = -1;

int bert_vector_rows_kind(void) {
    int kind = __atomic_load_n(&rows_kind_cached, __ATOMIC_ACQUIRE);
    if (kind >= 0) return kind;
    const int ceiling = bert_kernels_ceiling();
    if (ceiling == BERT_KERNELS_PORTABLE) kind = ROWS_NONE;
    else if (ceiling == BERT_KERNELS_BEST && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        kind = ROWS_AVX512;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) kind = ROWS_AVX2;
    else kind = ROWS_NONE;
    __atomic_store_n(&rows_kind_cached, kind, __ATOMIC_RELEASE);
    return kind;
}

int bert_vector_rows_set_kind(int kind) {
    if (kind < ROWS_NONE || kind > ROWS_AVX512) return bert_vector_rows_kind();
    const int supported = kind == ROWS_NONE ? 1
                        : kind == ROWS_AVX2 ? __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                                            : __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    if (supported) __atomic_store_n(&rows_kind_cached, kind, __ATOMIC_RELEASE);
    return bert_vector_rows_kind();
}

#include "row_constants.h"

// ---- AVX-512 ----------------------------------------------------------------------------------------------------

/// exp(x) for x ≤ 0 (NaN stays NaN): Cephes' reduction and polynomial, 2^n by vscalefps; 0 below EXP_LOWEST.
static inline __attribute__((always_inline)) ROWS512 __m512 exp512(__m512 x) {
    const __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(EXP_LOWEST), _CMP_NLT_UQ);
    x = _mm512_max_ps(_mm512_set1_ps(EXP_LOWEST), x);
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_LO), r);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_fmadd_ps(y, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_maskz_mov_ps(live, _mm512_scalef_ps(y, n));
}

static inline ROWS512 __mmask16 tail512(size_t left) { return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1); }

static ROWS512 void softmax_rows512(const float *x, float *y, size_t rows, size_t cols, float scale, const float *mask,
                                   size_t mask_row_div) {
    const __m512 vs = _mm512_set1_ps(scale), lowest = _mm512_set1_ps(-INFINITY);
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        const float *mr = mask ? mask + (r / mask_row_div) * cols : NULL;
        __m512 vmax = lowest;
        for (size_t j = 0; j < cols; j += 16) {
            const __mmask16 t = tail512(cols - j);
            __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(t, xr + j), vs);
            if (mr) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(t, mr + j));
            _mm512_mask_storeu_ps(yr + j, t, v);
            vmax = _mm512_mask_max_ps(vmax, t, vmax, v);
        }
        const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
        __m512 vsum = _mm512_setzero_ps();
        for (size_t j = 0; j < cols; j += 16) {
            const __mmask16 t = tail512(cols - j);
            const __m512 e = exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(t, yr + j), m));
            _mm512_mask_storeu_ps(yr + j, t, e);
            vsum = _mm512_mask_add_ps(vsum, t, vsum, e);
        }
        const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(vsum));
        for (size_t j = 0; j < cols; j += 16) {
            const __mmask16 t = tail512(cols - j);
            _mm512_mask_storeu_ps(yr + j, t, _mm512_mul_ps(_mm512_maskz_loadu_ps(t, yr + j), inv));
        }
    }
}

/// GELU(v) = v/2 · (1 + erf(v/√2)), erf(z) by ERF_RATIONAL on z clamped to [−4, 4].
static inline __attribute__((always_inline)) ROWS512 __m512 gelu512(__m512 v) {
    const __m512 half = _mm512_mul_ps(v, _mm512_set1_ps(0.5f));
    const __m512 z = _mm512_min_ps(_mm512_set1_ps(4.0f), _mm512_max_ps(_mm512_set1_ps(-4.0f), _mm512_mul_ps(v, _mm512_set1_ps(SQRT1_2))));
    const __m512 w = _mm512_mul_ps(z, z);
    __m512 p = _mm512_set1_ps(ERF_P5);
    p = _mm512_fmadd_ps(p, w, _mm512_set1_ps(ERF_P4));
    p = _mm512_fmadd_ps(p, w, _mm512_set1_ps(ERF_P3));
    p = _mm512_fmadd_ps(p, w, _mm512_set1_ps(ERF_P2));
    p = _mm512_fmadd_ps(p, w, _mm512_set1_ps(ERF_P1));
    p = _mm512_fmadd_ps(p, w, _mm512_set1_ps(ERF_P0));
    __m512 q = _mm512_set1_ps(ERF_Q5);
    q = _mm512_fmadd_ps(q, w, _mm512_set1_ps(ERF_Q4));
    q = _mm512_fmadd_ps(q, w, _mm512_set1_ps(ERF_Q3));
    q = _mm512_fmadd_ps(q, w, _mm512_set1_ps(ERF_Q2));
    q = _mm512_fmadd_ps(q, w, _mm512_set1_ps(ERF_Q1));
    q = _mm512_fmadd_ps(q, w, _mm512_set1_ps(1.0f));
    __m512 t = _mm512_rcp14_ps(q);
    t = _mm512_mul_ps(t, _mm512_fnmadd_ps(q, t, _mm512_set1_ps(2.0f)));
    // Clamped to [−1, 1]: near ±4 the rational overshoots 1 by 2e-7, which GELU(v) would scale by v/2 for v ≪ 0.
    const __m512 erf = _mm512_min_ps(_mm512_set1_ps(1.0f), _mm512_max_ps(_mm512_set1_ps(-1.0f), _mm512_mul_ps(_mm512_mul_ps(z, p), t)));
    return _mm512_fmadd_ps(half, erf, half);
}

static ROWS512 void bias_gelu_rows512(float *x, const float *bias, size_t rows, size_t cols, float *ranges) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
        for (size_t j = 0; j < cols; j += 16) {
            const __mmask16 t = tail512(cols - j);
            const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(t, xr + j), _mm512_maskz_loadu_ps(t, bias + j));
            const __m512 g = gelu512(v);  // dead lanes: GELU(0) = 0, inside the range already
            _mm512_mask_storeu_ps(xr + j, t, g);
            lo = _mm512_min_ps(lo, g);
            hi = _mm512_max_ps(hi, g);
        }
        if (ranges) { ranges[2 * r] = _mm512_reduce_min_ps(lo); ranges[2 * r + 1] = _mm512_reduce_max_ps(hi); }
    }
}

/// x[r, :] = LayerNorm((x[r, :] + bias) + residual[r, :]): the sum, then the squared deviations from the mean, then
/// the normalised row (the passes of bert_bias_residual_layernorm_rows, each over a row still in L1).
static ROWS512 void bias_residual_layernorm_rows512(float *x, const float *bias, const float *residual, const float *gamma,
                                                    const float *beta, size_t rows, size_t cols, float eps, float *ranges) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        const float *rr = residual + r * cols;
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        size_t j = 0;
        for (; j + 32 <= cols; j += 32) {
            const __m512 a = _mm512_add_ps(_mm512_add_ps(_mm512_loadu_ps(xr + j), _mm512_loadu_ps(bias + j)), _mm512_loadu_ps(rr + j));
            const __m512 b = _mm512_add_ps(_mm512_add_ps(_mm512_loadu_ps(xr + j + 16), _mm512_loadu_ps(bias + j + 16)),
                                           _mm512_loadu_ps(rr + j + 16));
            _mm512_storeu_ps(xr + j, a);
            _mm512_storeu_ps(xr + j + 16, b);
            s0 = _mm512_add_ps(s0, a);
            s1 = _mm512_add_ps(s1, b);
        }
        for (; j < cols; j += 16) {
            const __mmask16 t = tail512(cols - j);
            const __m512 a = _mm512_add_ps(_mm512_add_ps(_mm512_maskz_loadu_ps(t, xr + j), _mm512_maskz_loadu_ps(t, bias + j)),
                                           _mm512_maskz_loadu_ps(t, rr + j));
            _mm512_mask_storeu_ps(xr + j, t, a);
            s0 = _mm512_add_ps(s0, a);
        }
        const float mu = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1)) / (float)cols;
        const __m512 vmu = _mm512_set1_ps(mu);
        __m512 q0 = _mm512_setzero_ps(), q1 = _mm512_setzero_ps();
        for (j = 0; j + 32 <= cols; j += 32) {
            const __m512 a = _mm512_sub_ps(_mm512_loadu_ps(xr + j), vmu), b = _mm512_sub_ps(_mm512_loadu_ps(xr + j + 16), vmu);
            q0 = _mm512_fmadd_ps(a, a, q0);
            q1 = _mm512_fmadd_ps(b, b, q1);
        }
        for (; j < cols; j += 16) {
            const __mmask16 t = tail512(cols - j);
            const __m512 a = _mm512_maskz_sub_ps(t, _mm512_maskz_loadu_ps(t, xr + j), vmu);
            q0 = _mm512_fmadd_ps(a, a, q0);
        }
        const float rs = 1.0f / sqrtf(_mm512_reduce_add_ps(_mm512_add_ps(q0, q1)) / (float)cols + eps);
        const __m512 vrs = _mm512_set1_ps(rs);
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
        for (j = 0; j < cols; j += 16) {
            const __mmask16 t = tail512(cols - j);
            const __m512 a = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(t, xr + j), vmu), vrs);
            const __m512 y = _mm512_maskz_fmadd_ps(t, a, _mm512_maskz_loadu_ps(t, gamma + j), _mm512_maskz_loadu_ps(t, beta + j));
            _mm512_mask_storeu_ps(xr + j, t, y);
            lo = _mm512_min_ps(lo, y);
            hi = _mm512_max_ps(hi, y);
        }
        if (ranges) { ranges[2 * r] = _mm512_reduce_min_ps(lo); ranges[2 * r + 1] = _mm512_reduce_max_ps(hi); }
    }
}

// ---- AVX2 + FMA (Haswell, Zen 1–3) ------------------------------------------------------------------------------

static inline __attribute__((always_inline)) ROWS256 __m256 exp256(__m256 x) {
    const __m256 live = _mm256_cmp_ps(x, _mm256_set1_ps(EXP_LOWEST), _CMP_NLT_UQ);
    x = _mm256_max_ps(_mm256_set1_ps(EXP_LOWEST), x);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_LO), r);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    // n ∈ [−126, 0]: 2^n from the exponent bits. NaN lanes keep NaN (their n converts to INT_MIN; y is NaN).
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(live, _mm256_mul_ps(y, _mm256_castsi256_ps(bits)));
}

static inline ROWS256 float reduce_max256(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

static inline ROWS256 float reduce_add256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// AVX2 has no cheap masked store (vmaskmovps stores are slow on AMD), so the last partial vector of a row goes
// through an 8-float buffer padded with −∞ (max and exp ignore it: exp(−∞) = 0).
static ROWS256 void softmax_rows256(const float *x, float *y, size_t rows, size_t cols, float scale, const float *mask,
                                   size_t mask_row_div) {
    const __m256 vs = _mm256_set1_ps(scale);
    const size_t full = cols / 8 * 8, left = cols - full;
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        const float *mr = mask ? mask + (r / mask_row_div) * cols : NULL;
        float tail[8] __attribute__((aligned(32)));
        for (size_t l = 0; l < 8; l++) tail[l] = l < left ? xr[full + l] * scale + (mr ? mr[full + l] : 0.0f) : -INFINITY;
        __m256 vmax = _mm256_load_ps(tail);
        for (size_t j = 0; j < full; j += 8) {
            __m256 v = _mm256_mul_ps(_mm256_loadu_ps(xr + j), vs);
            if (mr) v = _mm256_add_ps(v, _mm256_loadu_ps(mr + j));
            _mm256_storeu_ps(yr + j, v);
            vmax = _mm256_max_ps(vmax, v);
        }
        const __m256 m = _mm256_set1_ps(reduce_max256(vmax));
        const __m256 et = left ? exp256(_mm256_sub_ps(_mm256_load_ps(tail), m)) : _mm256_setzero_ps();
        __m256 vsum = et;
        for (size_t j = 0; j < full; j += 8) {
            const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(yr + j), m));
            _mm256_storeu_ps(yr + j, e);
            vsum = _mm256_add_ps(vsum, e);
        }
        const __m256 inv = _mm256_set1_ps(1.0f / reduce_add256(vsum));
        for (size_t j = 0; j < full; j += 8) _mm256_storeu_ps(yr + j, _mm256_mul_ps(_mm256_loadu_ps(yr + j), inv));
        _mm256_store_ps(tail, _mm256_mul_ps(et, inv));
        for (size_t l = 0; l < left; l++) yr[full + l] = tail[l];
    }
}

static inline __attribute__((always_inline)) ROWS256 __m256 gelu256(__m256 v) {
    const __m256 half = _mm256_mul_ps(v, _mm256_set1_ps(0.5f));
    const __m256 z = _mm256_min_ps(_mm256_set1_ps(4.0f), _mm256_max_ps(_mm256_set1_ps(-4.0f), _mm256_mul_ps(v, _mm256_set1_ps(SQRT1_2))));
    const __m256 w = _mm256_mul_ps(z, z);
    __m256 p = _mm256_set1_ps(ERF_P5);
    p = _mm256_fmadd_ps(p, w, _mm256_set1_ps(ERF_P4));
    p = _mm256_fmadd_ps(p, w, _mm256_set1_ps(ERF_P3));
    p = _mm256_fmadd_ps(p, w, _mm256_set1_ps(ERF_P2));
    p = _mm256_fmadd_ps(p, w, _mm256_set1_ps(ERF_P1));
    p = _mm256_fmadd_ps(p, w, _mm256_set1_ps(ERF_P0));
    __m256 q = _mm256_set1_ps(ERF_Q5);
    q = _mm256_fmadd_ps(q, w, _mm256_set1_ps(ERF_Q4));
    q = _mm256_fmadd_ps(q, w, _mm256_set1_ps(ERF_Q3));
    q = _mm256_fmadd_ps(q, w, _mm256_set1_ps(ERF_Q2));
    q = _mm256_fmadd_ps(q, w, _mm256_set1_ps(ERF_Q1));
    q = _mm256_fmadd_ps(q, w, _mm256_set1_ps(1.0f));
    __m256 t = _mm256_rcp_ps(q);
    t = _mm256_mul_ps(t, _mm256_fnmadd_ps(q, t, _mm256_set1_ps(2.0f)));
    const __m256 erf = _mm256_min_ps(_mm256_set1_ps(1.0f), _mm256_max_ps(_mm256_set1_ps(-1.0f), _mm256_mul_ps(_mm256_mul_ps(z, p), t)));
    return _mm256_fmadd_ps(half, erf, half);
}

static ROWS256 void bias_gelu_rows256(float *x, const float *bias, size_t rows, size_t cols, float *ranges) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
        size_t j = 0;
        for (; j + 8 <= cols; j += 8) {
            const __m256 g = gelu256(_mm256_add_ps(_mm256_loadu_ps(xr + j), _mm256_loadu_ps(bias + j)));
            _mm256_storeu_ps(xr + j, g);
            lo = _mm256_min_ps(lo, g);
            hi = _mm256_max_ps(hi, g);
        }
        if (j < cols) {  // the last partial vector through a buffer (see softmax_rows256); GELU(0) = 0 past the row
            float tail[8] __attribute__((aligned(32))) = {0};
            for (size_t l = 0; j + l < cols; l++) tail[l] = xr[j + l] + bias[j + l];
            const __m256 g = gelu256(_mm256_load_ps(tail));
            _mm256_store_ps(tail, g);
            lo = _mm256_min_ps(lo, g);
            hi = _mm256_max_ps(hi, g);
            for (size_t l = 0; j + l < cols; l++) xr[j + l] = tail[l];
        }
        if (ranges) { ranges[2 * r] = -reduce_max256(_mm256_sub_ps(_mm256_setzero_ps(), lo)); ranges[2 * r + 1] = reduce_max256(hi); }
    }
}

static ROWS256 void bias_residual_layernorm_rows256(float *x, const float *bias, const float *residual, const float *gamma,
                                                    const float *beta, size_t rows, size_t cols, float eps, float *ranges) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        const float *rr = residual + r * cols;
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        size_t j = 0;
        for (; j + 16 <= cols; j += 16) {
            const __m256 a = _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(xr + j), _mm256_loadu_ps(bias + j)), _mm256_loadu_ps(rr + j));
            const __m256 b = _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(xr + j + 8), _mm256_loadu_ps(bias + j + 8)),
                                           _mm256_loadu_ps(rr + j + 8));
            _mm256_storeu_ps(xr + j, a);
            _mm256_storeu_ps(xr + j + 8, b);
            s0 = _mm256_add_ps(s0, a);
            s1 = _mm256_add_ps(s1, b);
        }
        float tail_sum = 0.0f;
        for (; j < cols; j++) { xr[j] = (xr[j] + bias[j]) + rr[j]; tail_sum += xr[j]; }
        const float mu = (reduce_add256(_mm256_add_ps(s0, s1)) + tail_sum) / (float)cols;
        const __m256 vmu = _mm256_set1_ps(mu);
        __m256 q0 = _mm256_setzero_ps(), q1 = _mm256_setzero_ps();
        for (j = 0; j + 16 <= cols; j += 16) {
            const __m256 a = _mm256_sub_ps(_mm256_loadu_ps(xr + j), vmu), b = _mm256_sub_ps(_mm256_loadu_ps(xr + j + 8), vmu);
            q0 = _mm256_fmadd_ps(a, a, q0);
            q1 = _mm256_fmadd_ps(b, b, q1);
        }
        float tail_sq = 0.0f;
        for (; j < cols; j++) { const float d = xr[j] - mu; tail_sq += d * d; }
        const float rs = 1.0f / sqrtf((reduce_add256(_mm256_add_ps(q0, q1)) + tail_sq) / (float)cols + eps);
        const __m256 vrs = _mm256_set1_ps(rs);
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
        for (j = 0; j + 8 <= cols; j += 8) {
            const __m256 a = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + j), vmu), vrs);
            const __m256 y = _mm256_fmadd_ps(a, _mm256_loadu_ps(gamma + j), _mm256_loadu_ps(beta + j));
            _mm256_storeu_ps(xr + j, y);
            lo = _mm256_min_ps(lo, y);
            hi = _mm256_max_ps(hi, y);
        }
        float l = -reduce_max256(_mm256_sub_ps(_mm256_setzero_ps(), lo)), h = reduce_max256(hi);
        for (; j < cols; j++) {
            xr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
            l = fminf(l, xr[j]);
            h = fmaxf(h, xr[j]);
        }
        if (ranges) { ranges[2 * r] = l; ranges[2 * r + 1] = h; }
    }
}

int bert_softmax_rows_vector(const float *x, float *y, size_t rows, size_t cols, float scale, const float *mask,
                             size_t mask_row_div) {
    switch (bert_vector_rows_kind()) {
    case ROWS_AVX512: softmax_rows512(x, y, rows, cols, scale, mask, mask_row_div); return 1;
    case ROWS_AVX2: softmax_rows256(x, y, rows, cols, scale, mask, mask_row_div); return 1;
    default: return 0;
    }
}

int bert_bias_residual_layernorm_rows_vector(float *x, const float *bias, const float *residual, const float *gamma,
                                             const float *beta, size_t rows, size_t cols, float eps, float *ranges) {
    switch (bert_vector_rows_kind()) {
    case ROWS_AVX512: bias_residual_layernorm_rows512(x, bias, residual, gamma, beta, rows, cols, eps, ranges); return 1;
    case ROWS_AVX2: bias_residual_layernorm_rows256(x, bias, residual, gamma, beta, rows, cols, eps, ranges); return 1;
    default: return 0;
    }
}

int bert_bias_gelu_rows_vector(float *x, const float *bias, size_t rows, size_t cols, float *ranges) {
    switch (bert_vector_rows_kind()) {
    case ROWS_AVX512: bias_gelu_rows512(x, bias, rows, cols, ranges); return 1;
    case ROWS_AVX2: bias_gelu_rows256(x, bias, rows, cols, ranges); return 1;
    default: return 0;
    }
}

#elif !(defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__)))
// Neither x86-64 nor arm64 (whose kernels are rows_neon.c): the portable loops run.
int bert_vector_rows_kind(void) { return 0; }
int bert_vector_rows_set_kind(int kind) { (void)kind; return 0; }
int bert_softmax_rows_vector(const float *x, float *y, size_t rows, size_t cols, float scale, const float *mask,
                             size_t mask_row_div) {
    (void)x; (void)y; (void)rows; (void)cols; (void)scale; (void)mask; (void)mask_row_div;
    return 0;
}
int bert_bias_residual_layernorm_rows_vector(float *x, const float *bias, const float *residual, const float *gamma,
                                             const float *beta, size_t rows, size_t cols, float eps, float *ranges) {
    (void)x; (void)bias; (void)residual; (void)gamma; (void)beta; (void)rows; (void)cols; (void)eps; (void)ranges;
    return 0;
}
int bert_bias_gelu_rows_vector(float *x, const float *bias, size_t rows, size_t cols, float *ranges) {
    (void)x; (void)bias; (void)rows; (void)cols; (void)ranges;
    return 0;
}
#endif
