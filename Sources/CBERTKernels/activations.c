// Element-wise activations, forward and backward.
#include "CBERTKernels.h"
#include "simd_dispatch.h"
#include "vmath.h"

#define SQRT1_2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f
#define SQRT_2_OVER_PI 0.79788456080286536f

static inline float gelu_erf(float v) { return 0.5f * v * (1.0f + bert_verf(v * SQRT1_2)); }

BERT_SIMD
void bert_gelu_erf_forward(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = gelu_erf(x[i]);
}

// In place, one pointer: a loop over separate x and y would fall back to scalar code when they alias.
BERT_SIMD
static void bias_gelu_erf_rows_portable(float *x, const float *bias, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        for (size_t j = 0; j < cols; j++) xr[j] = gelu_erf(xr[j] + bias[j]);
    }
}

void bert_bias_gelu_erf_rows(float *x, const float *bias, size_t rows, size_t cols) {
    if (bert_bias_gelu_rows_vector(x, bias, rows, cols, NULL)) return;  // rows_x86.c
    bias_gelu_erf_rows_portable(x, bias, rows, cols);
}

BERT_SIMD
void bert_bias_rows(float *x, const float *bias, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        for (size_t j = 0; j < cols; j++) xr[j] += bias[j];
    }
}

BERT_SIMD
void bert_gelu_erf_backward(const float *x, const float *dy, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const float v = x[i];
        const float cdf = 0.5f * (1.0f + bert_verf(v * SQRT1_2));
        const float pdf = INV_SQRT_2PI * bert_vexp(-0.5f * v * v);
        dx[i] = dy[i] * (cdf + v * pdf);
    }
}

BERT_SIMD
void bert_gelu_tanh_forward(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const float v = x[i];
        y[i] = 0.5f * v * (1.0f + bert_vtanh(SQRT_2_OVER_PI * (v + 0.044715f * v * v * v)));
    }
}

BERT_SIMD
void bert_gelu_tanh_backward(const float *x, const float *dy, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const float v = x[i];
        const float t = bert_vtanh(SQRT_2_OVER_PI * (v + 0.044715f * v * v * v));
        const float dinner = SQRT_2_OVER_PI * (1.0f + 3.0f * 0.044715f * v * v);
        dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * dinner);
    }
}

BERT_SIMD
void bert_tanh_forward(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = bert_vtanh(x[i]);
}

BERT_SIMD
void bert_tanh_backward(const float *y, const float *dy, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

BERT_SIMD
void bert_exp(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = bert_vexp(x[i]);
}
