// The arm64 int8 kernels (gemm_int8_neon.c) as gemm_int8.c's dispatch and the arm64 kernel tests call them; not part
// of CBERTKernels.h (Swift never calls them directly).
#ifndef CBERT_NEON_KERNELS_H
#define CBERT_NEON_KERNELS_H
#include "CBERTKernels.h"

/// 1 when this CPU runs `kind` (BERT_QGEMM_NEON: every arm64 CPU; BERT_QGEMM_SDOT: with the ARMv8.2 dot product).
int bert_qgemm_neon_supported(int kind);
/// bert_qgemm_packed with the NEON kernel `kind` (BERT_QGEMM_NEON or BERT_QGEMM_SDOT), same operands and result.
void bert_qgemm_packed_neon(int kind, int m, int n0, int n1, int kp, const uint8_t *a, int lda, const float *ascale,
                            const int32_t *azero, const int8_t *packed, const float *wscale, const int32_t *colsum,
                            const float *bias, float *c, int ldc);
/// The int32 sums Σ_k a[i, k] w[j, k] that kernel `kind` computes for i < m, j in [n0, n1) (written at
/// sums[i · lds + j − n0]), before the zero point and scales are applied: what the tests compare with an int64 loop.
void bert_qgemm_neon_sums(int kind, int m, int n0, int n1, int kp, const uint8_t *a, int lda, const int8_t *packed,
                          const int32_t *colsum, int32_t *sums, int lds);
#endif
