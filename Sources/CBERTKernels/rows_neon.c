// rows_x86.c's row kernels for arm64 (NEON, 4 lanes; every arm64 CPU has it): the attention softmax, bias + GELU(erf)
// and bias + residual + LayerNorm, with rows_x86.c's arithmetic — Cephes' exp with 2^n from the exponent bits, the
// rational erf of scripts/fit_erf.py, horizontal max and sum by `fmaxv` / `faddv` — and rows_x86.c's entry points
// (bert_vector_rows_kind ... bert_bias_gelu_rows_vector), which compile to stubs on arm64. BERT_KERNELS=portable (or
// selecting kind 0) runs the portable loops instead. Tested under qemu-aarch64 against float64 formulas and the
// portable loops (scripts/test-arm64.sh).
#include "CBERTKernels.h"

#if defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__))
#include <arm_neon.h>
#include <math.h>
#include <stddef.h>

enum { ROWS_NONE = 0, ROWS_NEON = 3 };  // 1 and 2 are rows_x86.c's AVX2 and AVX-512

static int rows_kind_cached = -1;  // -1 until first asked; threads that race compute the same value

int bert_vector_rows_kind(void) {
    int kind = __atomic_load_n(&rows_kind_cached, __ATOMIC_ACQUIRE);
    if (kind >= 0) return kind;
    kind = bert_kernels_ceiling() == BERT_KERNELS_PORTABLE ? ROWS_NONE : ROWS_NEON;
    __atomic_store_n(&rows_kind_cached, kind, __ATOMIC_RELEASE);
    return kind;
}

int bert_vector_rows_set_kind(int kind) {
    if (kind == ROWS_NONE || kind == ROWS_NEON) __atomic_store_n(&rows_kind_cached, kind, __ATOMIC_RELEASE);
    return bert_vector_rows_kind();
}

#include "row_constants.h"  // rows_x86.c's constants

/// exp(x) for x ≤ 0 (NaN stays NaN; −∞ gives 0): 0 below EXP_LOWEST.
static inline float32x4_t exp4(float32x4_t x) {
    const uint32x4_t live = vmvnq_u32(vcltq_f32(x, vdupq_n_f32(EXP_LOWEST)));  // false only below the limit
    x = vmaxq_f32(vdupq_n_f32(EXP_LOWEST), x);                                 // NaN stays NaN
    const float32x4_t n = vrndnq_f32(vmulq_n_f32(x, LOG2E));
    float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(LN2_HI));
    r = vfmsq_f32(r, n, vdupq_n_f32(LN2_LO));
    float32x4_t y = vdupq_n_f32(1.9875691500e-4f);
    y = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), y, r);
    y = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), y, r);
    y = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), y, r);
    y = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), y, r);
    y = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), y, r);
    y = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), y, vmulq_f32(r, r));
    // n ∈ [−126, 0]: 2^n from the exponent bits (a NaN lane converts to 0, and y is NaN).
    const int32x4_t bits = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
    return vreinterpretq_f32_u32(vandq_u32(live, vreinterpretq_u32_f32(vmulq_f32(y, vreinterpretq_f32_s32(bits)))));
}

// The last partial vector of a row goes through a 4-float buffer padded with −∞ (max and exp ignore it).
static void softmax_rows(const float *x, float *y, size_t rows, size_t cols, float scale, const float *mask,
                         size_t mask_row_div) {
    const size_t full = cols / 4 * 4, left = cols - full;
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        const float *mr = mask ? mask + (r / mask_row_div) * cols : NULL;
        float tail[4];
        for (size_t l = 0; l < 4; l++) tail[l] = l < left ? xr[full + l] * scale + (mr ? mr[full + l] : 0.0f) : -INFINITY;
        float32x4_t vmax = vld1q_f32(tail);
        for (size_t j = 0; j < full; j += 4) {
            float32x4_t v = vmulq_n_f32(vld1q_f32(xr + j), scale);
            if (mr) v = vaddq_f32(v, vld1q_f32(mr + j));
            vst1q_f32(yr + j, v);
            vmax = vmaxq_f32(vmax, v);
        }
        const float32x4_t m = vdupq_n_f32(vmaxvq_f32(vmax));
        const float32x4_t et = left ? exp4(vsubq_f32(vld1q_f32(tail), m)) : vdupq_n_f32(0);
        float32x4_t vsum = et;
        for (size_t j = 0; j < full; j += 4) {
            const float32x4_t e = exp4(vsubq_f32(vld1q_f32(yr + j), m));
            vst1q_f32(yr + j, e);
            vsum = vaddq_f32(vsum, e);
        }
        const float inv = 1.0f / vaddvq_f32(vsum);
        for (size_t j = 0; j < full; j += 4) vst1q_f32(yr + j, vmulq_n_f32(vld1q_f32(yr + j), inv));
        vst1q_f32(tail, vmulq_n_f32(et, inv));
        for (size_t l = 0; l < left; l++) yr[full + l] = tail[l];
    }
}

static inline float32x4_t gelu4(float32x4_t v) {
    const float32x4_t half = vmulq_n_f32(v, 0.5f);
    const float32x4_t z = vminq_f32(vdupq_n_f32(4.0f), vmaxq_f32(vdupq_n_f32(-4.0f), vmulq_n_f32(v, SQRT1_2)));
    const float32x4_t w = vmulq_f32(z, z);
    float32x4_t p = vdupq_n_f32(ERF_P5);
    p = vfmaq_f32(vdupq_n_f32(ERF_P4), p, w);
    p = vfmaq_f32(vdupq_n_f32(ERF_P3), p, w);
    p = vfmaq_f32(vdupq_n_f32(ERF_P2), p, w);
    p = vfmaq_f32(vdupq_n_f32(ERF_P1), p, w);
    p = vfmaq_f32(vdupq_n_f32(ERF_P0), p, w);
    float32x4_t q = vdupq_n_f32(ERF_Q5);
    q = vfmaq_f32(vdupq_n_f32(ERF_Q4), q, w);
    q = vfmaq_f32(vdupq_n_f32(ERF_Q3), q, w);
    q = vfmaq_f32(vdupq_n_f32(ERF_Q2), q, w);
    q = vfmaq_f32(vdupq_n_f32(ERF_Q1), q, w);
    q = vfmaq_f32(vdupq_n_f32(1.0f), q, w);
    const float32x4_t erf = vminq_f32(vdupq_n_f32(1.0f), vmaxq_f32(vdupq_n_f32(-1.0f), vdivq_f32(vmulq_f32(z, p), q)));
    return vfmaq_f32(half, half, erf);
}

static void bias_gelu_rows(float *x, const float *bias, size_t rows, size_t cols, float *ranges) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        float32x4_t lo = vdupq_n_f32(0), hi = vdupq_n_f32(0);
        size_t j = 0;
        for (; j + 4 <= cols; j += 4) {
            const float32x4_t g = gelu4(vaddq_f32(vld1q_f32(xr + j), vld1q_f32(bias + j)));
            vst1q_f32(xr + j, g);
            lo = vminq_f32(lo, g);
            hi = vmaxq_f32(hi, g);
        }
        if (j < cols) {  // the last partial vector through a buffer; GELU(0) = 0 past the row
            float tail[4] = {0};
            for (size_t l = 0; j + l < cols; l++) tail[l] = xr[j + l] + bias[j + l];
            const float32x4_t g = gelu4(vld1q_f32(tail));
            vst1q_f32(tail, g);
            lo = vminq_f32(lo, g);
            hi = vmaxq_f32(hi, g);
            for (size_t l = 0; j + l < cols; l++) xr[j + l] = tail[l];
        }
        if (ranges) { ranges[2 * r] = vminvq_f32(lo); ranges[2 * r + 1] = vmaxvq_f32(hi); }
    }
}

static void bias_residual_layernorm_rows(float *x, const float *bias, const float *residual, const float *gamma,
                                         const float *beta, size_t rows, size_t cols, float eps, float *ranges) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        const float *rr = residual + r * cols;
        float32x4_t s0 = vdupq_n_f32(0), s1 = vdupq_n_f32(0);
        size_t j = 0;
        for (; j + 8 <= cols; j += 8) {
            const float32x4_t a = vaddq_f32(vaddq_f32(vld1q_f32(xr + j), vld1q_f32(bias + j)), vld1q_f32(rr + j));
            const float32x4_t b = vaddq_f32(vaddq_f32(vld1q_f32(xr + j + 4), vld1q_f32(bias + j + 4)), vld1q_f32(rr + j + 4));
            vst1q_f32(xr + j, a);
            vst1q_f32(xr + j + 4, b);
            s0 = vaddq_f32(s0, a);
            s1 = vaddq_f32(s1, b);
        }
        float tail_sum = 0.0f;
        for (; j < cols; j++) { xr[j] = (xr[j] + bias[j]) + rr[j]; tail_sum += xr[j]; }
        const float mu = (vaddvq_f32(vaddq_f32(s0, s1)) + tail_sum) / (float)cols;
        const float32x4_t vmu = vdupq_n_f32(mu);
        float32x4_t q0 = vdupq_n_f32(0), q1 = vdupq_n_f32(0);
        for (j = 0; j + 8 <= cols; j += 8) {
            const float32x4_t a = vsubq_f32(vld1q_f32(xr + j), vmu), b = vsubq_f32(vld1q_f32(xr + j + 4), vmu);
            q0 = vfmaq_f32(q0, a, a);
            q1 = vfmaq_f32(q1, b, b);
        }
        float tail_sq = 0.0f;
        for (; j < cols; j++) { const float d = xr[j] - mu; tail_sq += d * d; }
        const float rs = 1.0f / sqrtf((vaddvq_f32(vaddq_f32(q0, q1)) + tail_sq) / (float)cols + eps);
        float32x4_t lo = vdupq_n_f32(0), hi = vdupq_n_f32(0);
        for (j = 0; j + 4 <= cols; j += 4) {
            const float32x4_t a = vmulq_n_f32(vsubq_f32(vld1q_f32(xr + j), vmu), rs);
            const float32x4_t y = vfmaq_f32(vld1q_f32(beta + j), a, vld1q_f32(gamma + j));
            vst1q_f32(xr + j, y);
            lo = vminq_f32(lo, y);
            hi = vmaxq_f32(hi, y);
        }
        float l = vminvq_f32(lo), h = vmaxvq_f32(hi);
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
    if (bert_vector_rows_kind() != ROWS_NEON) return 0;
    softmax_rows(x, y, rows, cols, scale, mask, mask_row_div);
    return 1;
}

int bert_bias_residual_layernorm_rows_vector(float *x, const float *bias, const float *residual, const float *gamma,
                                             const float *beta, size_t rows, size_t cols, float eps, float *ranges) {
    if (bert_vector_rows_kind() != ROWS_NEON) return 0;
    bias_residual_layernorm_rows(x, bias, residual, gamma, beta, rows, cols, eps, ranges);
    return 1;
}

int bert_bias_gelu_rows_vector(float *x, const float *bias, size_t rows, size_t cols, float *ranges) {
    if (bert_vector_rows_kind() != ROWS_NEON) return 0;
    bias_gelu_rows(x, bias, rows, cols, ranges);
    return 1;
}
#endif
