// Row-wise softmax, log-softmax and layer norm, forward and backward.
#include "CBERTKernels.h"
#include "simd_dispatch.h"
#include "vmath.h"
#include <math.h>

// Reductions use LANES independent accumulators so the loops vectorise without -ffast-math (strict IEEE order
// would otherwise force a scalar loop); the lane results are combined in a fixed order, so results are
// deterministic.
#define LANES 16

static inline float lane_sum(const float *acc) {
    float s = 0.0f;
    for (int l = 0; l < LANES; l++) s += acc[l];
    return s;
}

BERT_SIMD
static float row_max(const float *x, size_t n) {
    float acc[LANES];
    for (int l = 0; l < LANES; l++) acc[l] = -INFINITY;
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
    float m = -INFINITY;
    for (int l = 0; l < LANES; l++) m = acc[l] > m ? acc[l] : m;
    for (; j < n; j++) m = x[j] > m ? x[j] : m;
    return m;
}

/// y = exp(y - m) in place; returns the sum.
BERT_SIMD
static float exp_shift_sum(float *y, size_t n, float m) {
    float acc[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) { const float e = bert_vexp(y[j + l] - m); y[j + l] = e; acc[l] += e; }
    float s = lane_sum(acc);
    for (; j < n; j++) { const float e = bert_vexp(y[j] - m); y[j] = e; s += e; }
    return s;
}

BERT_SIMD
static float dot(const float *a, const float *b, size_t n) {
    float acc[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) acc[l] += a[j + l] * b[j + l];
    float s = lane_sum(acc);
    for (; j < n; j++) s += a[j] * b[j];
    return s;
}

BERT_SIMD
static float sum(const float *a, size_t n) {
    float acc[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) acc[l] += a[j + l];
    float s = lane_sum(acc);
    for (; j < n; j++) s += a[j];
    return s;
}

BERT_SIMD
static float sum_sq_dev(const float *a, size_t n, float mu) {
    float acc[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) { const float d = a[j + l] - mu; acc[l] += d * d; }
    float s = lane_sum(acc);
    for (; j < n; j++) { const float d = a[j] - mu; s += d * d; }
    return s;
}

BERT_SIMD
static void softmax_forward_portable(const float *x, float *y, size_t rows, size_t cols, float scale,
                                     const float *mask, size_t mask_row_div) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        const float *m = mask ? mask + (r / mask_row_div) * cols : NULL;
        if (m) for (size_t j = 0; j < cols; j++) yr[j] = xr[j] * scale + m[j];
        else for (size_t j = 0; j < cols; j++) yr[j] = xr[j] * scale;
        const float mx = row_max(yr, cols);
        const float inv = 1.0f / exp_shift_sum(yr, cols, mx);
        for (size_t j = 0; j < cols; j++) yr[j] *= inv;
    }
}

BERT_SIMD
void bert_softmax_backward(const float *y, const float *dy, float *dx, size_t rows, size_t cols, float scale) {
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y + r * cols, *gr = dy + r * cols;
        float *dr = dx + r * cols;
        const float d = dot(yr, gr, cols);
        for (size_t j = 0; j < cols; j++) dr[j] = scale * yr[j] * (gr[j] - d);
    }
}

void bert_log_softmax_forward(const float *x, float *y, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float mx = -INFINITY;
        for (size_t j = 0; j < cols; j++) mx = xr[j] > mx ? xr[j] : mx;
        double total = 0.0;
        for (size_t j = 0; j < cols; j++) total += exp((double)(xr[j] - mx));
        const float lse = mx + (float)log(total);
        for (size_t j = 0; j < cols; j++) yr[j] = xr[j] - lse;
    }
}

BERT_SIMD
void bert_layernorm_forward(const float *x, const float *gamma, const float *beta, float *y,
                            float *mean, float *rstd, size_t rows, size_t cols, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        const float mu = sum(xr, cols) / (float)cols;
        const float v = sum_sq_dev(xr, cols, mu);
        const float rs = 1.0f / sqrtf(v / (float)cols + eps);
        for (size_t j = 0; j < cols; j++) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
        if (mean) mean[r] = mu;
        if (rstd) rstd[r] = rs;
    }
}

void bert_softmax_forward(const float *x, float *y, size_t rows, size_t cols, float scale,
                          const float *mask, size_t mask_row_div) {
    if (bert_softmax_rows_vector(x, y, rows, cols, scale, mask, mask_row_div)) return;  // rows_x86.c
    softmax_forward_portable(x, y, rows, cols, scale, mask, mask_row_div);
}

// In place, one pointer (see activations.c): the bias and residual are added, then the row is normalised with the
// same reductions as bert_layernorm_forward.
BERT_SIMD
static void bias_residual_layernorm_rows_portable(float *x, const float *bias, const float *residual, const float *gamma,
                                                  const float *beta, size_t rows, size_t cols, float eps) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        const float *rr = residual + r * cols;
        for (size_t j = 0; j < cols; j++) xr[j] = (xr[j] + bias[j]) + rr[j];
        const float mu = sum(xr, cols) / (float)cols;
        const float rs = 1.0f / sqrtf(sum_sq_dev(xr, cols, mu) / (float)cols + eps);
        for (size_t j = 0; j < cols; j++) xr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
    }
}

void bert_bias_residual_layernorm_rows(float *x, const float *bias, const float *residual, const float *gamma,
                                       const float *beta, size_t rows, size_t cols, float eps) {
    if (bert_bias_residual_layernorm_rows_vector(x, bias, residual, gamma, beta, rows, cols, eps, NULL)) return;  // rows_x86.c
    bias_residual_layernorm_rows_portable(x, bias, residual, gamma, beta, rows, cols, eps);
}

BERT_SIMD
void bert_layernorm_backward(const float *x, const float *gamma, const float *mean, const float *rstd,
                             const float *dy, float *dx, float *dgamma, float *dbeta, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols, *gr = dy + r * cols;
        float *dr = dx + r * cols;
        const float mu = mean[r], rs = rstd[r];
        float sum_g = 0.0f, sum_gx = 0.0f;
        for (size_t j = 0; j < cols; j++) {
            const float xhat = (xr[j] - mu) * rs;
            const float g = gr[j] * gamma[j];
            sum_g += g;
            sum_gx += g * xhat;
            if (dgamma) dgamma[j] += gr[j] * xhat;
            if (dbeta) dbeta[j] += gr[j];
        }
        const float mg = sum_g / (float)cols, mgx = sum_gx / (float)cols;
        for (size_t j = 0; j < cols; j++) {
            const float xhat = (xr[j] - mu) * rs;
            dr[j] = rs * (gr[j] * gamma[j] - mg - xhat * mgx);
        }
    }
}
