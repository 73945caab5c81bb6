// The fallback GEMM: B is packed one K-block at a time into a contiguous row-major panel so that the inner
// loop is a unit-stride axpy the compiler vectorises. Roughly 10–30% of a tuned BLAS; correct on any shape.
#include "CBERTKernels.h"
#include "simd_dispatch.h"
#include <stdlib.h>
#include <string.h>

enum { KC = 256, NC = 2048 };

BERT_SIMD
static void axpy_rows(int rows, int kc, int nc, const float *ap, int aRowStride, int aColStride, float alpha,
                      const float *bp, float *C, int ldc) {
    for (int i = 0; i < rows; i++) {
        float *c = C + (size_t)i * ldc;
        for (int k = 0; k < kc; k++) {
            const float a = alpha * ap[(size_t)i * aRowStride + (size_t)k * aColStride];
            const float *b = bp + (size_t)k * nc;
            for (int j = 0; j < nc; j++) c[j] += a * b[j];
        }
    }
}

void bert_sgemm_builtin(int transA, int transB, int M, int N, int K, float alpha,
                        const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        if (beta == 0.0f) memset(c, 0, sizeof(float) * (size_t)N);
        else if (beta != 1.0f) for (int j = 0; j < N; j++) c[j] *= beta;
    }
    if (K <= 0 || alpha == 0.0f) return;
    float *panel = (float *)malloc(sizeof(float) * KC * NC);
    if (!panel) abort();
    const int aRowStride = transA ? 1 : lda, aColStride = transA ? lda : 1;
    for (int j0 = 0; j0 < N; j0 += NC) {
        const int nc = N - j0 < NC ? N - j0 : NC;
        for (int k0 = 0; k0 < K; k0 += KC) {
            const int kc = K - k0 < KC ? K - k0 : KC;
            for (int k = 0; k < kc; k++)
                for (int j = 0; j < nc; j++)
                    panel[(size_t)k * nc + j] = transB ? B[(size_t)(j0 + j) * ldb + (k0 + k)]
                                                       : B[(size_t)(k0 + k) * ldb + (j0 + j)];
            const float *ap = A + (size_t)k0 * aColStride;
            axpy_rows(M, kc, nc, ap, aRowStride, aColStride, alpha, panel, C + j0, ldc);
        }
    }
    free(panel);
}
