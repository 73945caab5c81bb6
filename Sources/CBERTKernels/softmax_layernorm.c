// Row-wise softmax, log-softmax and layer norm, forward and backward.
#include "CBERTKernels.h"
#include "simd_dispatch.h"
#include "vmath.h"
#include <math.h>

BERT_SIMD
void bert_softmax_forward(const float *x, float *y, size_t rows, size_t cols, float scale,
                          const float *mask, size_t mask_row_div) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        const float *m = mask ? mask + (r / mask_row_div) * cols : NULL;
        float mx = -INFINITY;
        for (size_t j = 0; j < cols; j++) {
            const float v = xr[j] * scale + (m ? m[j] : 0.0f);
            yr[j] = v;
            mx = v > mx ? v : mx;
        }
        float sum = 0.0f;
        for (size_t j = 0; j < cols; j++) { const float e = bert_vexp(yr[j] - mx); yr[j] = e; sum += e; }
        const float inv = 1.0f / sum;
        for (size_t j = 0; j < cols; j++) yr[j] *= inv;
    }
}

BERT_SIMD
void bert_softmax_backward(const float *y, const float *dy, float *dx, size_t rows, size_t cols, float scale) {
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y + r * cols, *gr = dy + r * cols;
        float *dr = dx + r * cols;
        float dot = 0.0f;
        for (size_t j = 0; j < cols; j++) dot += yr[j] * gr[j];
        for (size_t j = 0; j < cols; j++) dr[j] = scale * yr[j] * (gr[j] - dot);
    }
}

void bert_log_softmax_forward(const float *x, float *y, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float mx = -INFINITY;
        for (size_t j = 0; j < cols; j++) mx = xr[j] > mx ? xr[j] : mx;
        double sum = 0.0;
        for (size_t j = 0; j < cols; j++) sum += exp((double)(xr[j] - mx));
        const float lse = mx + (float)log(sum);
        for (size_t j = 0; j < cols; j++) yr[j] = xr[j] - lse;
    }
}

BERT_SIMD
void bert_layernorm_forward(const float *x, const float *gamma, const float *beta, float *y,
                            float *mean, float *rstd, size_t rows, size_t cols, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float s = 0.0f;
        for (size_t j = 0; j < cols; j++) s += xr[j];
        const float mu = s / (float)cols;
        float v = 0.0f;
        for (size_t j = 0; j < cols; j++) { const float d = xr[j] - mu; v += d * d; }
        const float rs = 1.0f / sqrtf(v / (float)cols + eps);
        for (size_t j = 0; j < cols; j++) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
        if (mean) mean[r] = mu;
        if (rstd) rstd[r] = rs;
    }
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
