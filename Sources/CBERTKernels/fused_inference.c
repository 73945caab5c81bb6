// Fused inference epilogues: what follows a bias-free GEMM in an encoder layer, row by row while the row is in
// L1, instead of whole-tensor passes for the bias, the residual and the layer norm or activation. The activation
// and the layer norm are the project's own kernels (activations.c, softmax_layernorm.c), applied in place.
#include "CBERTKernels.h"
#include "simd_dispatch.h"

BERT_SIMD
void bert_bias_rows(float *x, const float *bias, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols;
        for (size_t j = 0; j < cols; j++) xr[j] += bias[j];
    }
}

void bert_bias_gelu_erf_rows(float *x, const float *bias, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        bert_bias_rows(x + r * cols, bias, 1, cols);
        bert_gelu_erf_forward(x + r * cols, x + r * cols, cols);
    }
}

BERT_SIMD
static void add_bias_residual(float *x, const float *bias, const float *residual, size_t cols) {
    for (size_t j = 0; j < cols; j++) x[j] = (x[j] + bias[j]) + residual[j];
}

void bert_bias_residual_layernorm_rows(float *x, const float *bias, const float *residual, const float *gamma,
                                       const float *beta, size_t rows, size_t cols, float eps) {
    for (size_t r = 0; r < rows; r++) {
        add_bias_residual(x + r * cols, bias, residual + r * cols, cols);
        bert_layernorm_forward(x + r * cols, gamma, beta, x + r * cols, NULL, NULL, 1, cols, eps);
    }
}
