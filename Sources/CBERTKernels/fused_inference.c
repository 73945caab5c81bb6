// Fused inference epilogues: what follows a bias-free GEMM in an encoder layer, done in one pass over the rows
// instead of three (bias copy, residual add, layer norm) or two (bias copy, activation).
#include "CBERTKernels.h"
#include "simd_dispatch.h"
#include "vmath.h"
#include <math.h>

#define SQRT1_2 0.70710678118654752f

BERT_SIMD
void bert_bias_gelu_erf_rows(float *x, const float *bias, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        for (size_t j = 0; j < cols; j++) {
            const float v = xr[j] + bias[j];
            xr[j] = 0.5f * v * (1.0f + bert_verf(v * SQRT1_2));
        }
    }
}

BERT_SIMD
void bert_bias_rows(float *x, const float *bias, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        for (size_t j = 0; j < cols; j++) xr[j] += bias[j];
    }
}

BERT_SIMD
void bert_bias_residual_layernorm_rows(float *x, const float *bias, const float *residual, const float *gamma,
                                       const float *beta, size_t rows, size_t cols, float eps) {
    float lanes[16], dev[16];
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        const float *rr = residual + r * cols;
        for (int l = 0; l < 16; l++) lanes[l] = 0;
        size_t j = 0;
        for (; j + 16 <= cols; j += 16)
            for (int l = 0; l < 16; l++) { const float v = (xr[j + l] + bias[j + l]) + rr[j + l]; xr[j + l] = v; lanes[l] += v; }
        float total = 0;
        for (; j < cols; j++) { const float v = (xr[j] + bias[j]) + rr[j]; xr[j] = v; total += v; }
        for (int l = 0; l < 16; l++) total += lanes[l];
        const float mu = total / (float)cols;
        for (int l = 0; l < 16; l++) dev[l] = 0;
        float sq = 0;
        for (j = 0; j + 16 <= cols; j += 16)
            for (int l = 0; l < 16; l++) { const float d = xr[j + l] - mu; dev[l] += d * d; }
        for (; j < cols; j++) { const float d = xr[j] - mu; sq += d * d; }
        for (int l = 0; l < 16; l++) sq += dev[l];
        const float rs = 1.0f / sqrtf(sq / (float)cols + eps);
        for (j = 0; j < cols; j++) xr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
    }
}
