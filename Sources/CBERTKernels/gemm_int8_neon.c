// Dynamic int8 products on arm64 (NEON): bert_qgemm_packed's arithmetic (gemm_int8.c) on its packed layout — per
// 32-column panel, per group of 4 k, 32 columns × 4 consecutive k bytes — which is also the operand order of `sdot`
// (ARMv8.2 dot product: each 32-bit lane sums 4 s8×s8 products). Both kernels multiply signed bytes, so the u8
// activations are shifted to s8 on the way in, qa − 128 (an exclusive or with 0x80), and the shift is folded into
// the zero-point term of the epilogue:
//   Σ_k qa·qw = Σ_k (qa − 128)·qw + 128·colsum,  so  Σ_k qa·qw − za·colsum = Σ_k (qa − 128)·qw + (128 − za)·colsum.
// - sdot (BERT_QGEMM_SDOT, CPUs with the dot product: Cortex-A55/A76 and later, Neoverse, Apple M1 and later): a 4-row
//   × 16-column tile (half a panel) in 16 registers; each row's 16 activation bytes (four groups of 4 k) are one
//   register and `sdot v.4s, w.16b, a.4b[g]` takes group g from its lane (six rows would need 24 sums, 6 rows, the
//   0x80 constant and the weights in flight: clang spills inside the loop);
// - widening (BERT_QGEMM_NEON, every ARMv8.0 CPU, e.g. Cortex-A53/A72): `smull` multiplies 8 byte pairs into 16-bit
//   products, `smlal` adds the next group's products (|2 · 128 · 127| = 32 512 fits in 16 bits because weights
//   are never −128) and `sadalp` adds adjacent 16-bit pairs into the int32 sums: a 4-row × 8-column tile.
// Both give the exact int32 sums of the portable loop and the same floats (the epilogue is its arithmetic in the
// same order); tests compare them with an int64 loop under qemu-aarch64 (scripts/test-arm64.sh).
#include "neon_kernels.h"

#if defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__))
#include <arm_neon.h>
#include <string.h>

#if defined(__clang__)
#define DOTPROD __attribute__((target("dotprod")))
#else
#define DOTPROD __attribute__((target("+dotprod")))
#endif

#define QNR 32  // columns per packed panel (gemm_int8.c)
#define QMC 96  // rows of A walked per panel sweep (gemm_int8.c)

int bert_qgemm_neon_supported(int kind) {
    if (kind == BERT_QGEMM_NEON) return 1;
    if (kind == BERT_QGEMM_SDOT) return (bert_cpu_features() & BERT_CPU_DOTPROD) != 0;
    return 0;
}

/// One product's operands; `sums` non-NULL asks for the raw int32 sums (the tests) instead of C.
typedef struct {
    int kp;
    const uint8_t *a;
    int lda;
    const int8_t *packed;
    const int32_t *colsum;
    const float *ascale;
    const int32_t *azero;
    const float *wscale;
    const float *bias;
    float *c;
    int ldc;
    int32_t *sums;
    int lds, n0;
} neon_operands;

static inline int32_t four_bytes(const uint8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }

// Columns jc .. jc + live − 1 (live ≤ 4) of row i from their shifted sums Σ (qa − 128)·qw: C as the portable
// epilogue computes it, sa · sw · (float)(Σ qa·qw − za·colsum) + bias, or the raw sums.
static inline void finish4(const neon_operands *g, int i, int jc, int live, int32x4_t shifted) {
    const int32x4_t cs = vld1q_s32(g->colsum + jc);  // colsum and wscale are padded to whole panels
    if (g->sums) {
        int32_t out[4];
        vst1q_s32(out, vmlaq_n_s32(shifted, cs, 128));
        memcpy(g->sums + (size_t)i * g->lds + (jc - g->n0), out, (size_t)live * sizeof(int32_t));
        return;
    }
    const float32x4_t x = vcvtq_f32_s32(vmlaq_n_s32(shifted, cs, 128 - g->azero[i]));
    float32x4_t v = vmulq_f32(vmulq_n_f32(vld1q_f32(g->wscale + jc), g->ascale[i]), x);
    float *row = g->c + (size_t)i * g->ldc + jc;
    if (live == 4) {
        if (g->bias) v = vaddq_f32(v, vld1q_f32(g->bias + jc));
        vst1q_f32(row, v);
    } else {
        float out[4];
        vst1q_f32(out, v);
        for (int j = 0; j < live; j++) row[j] = g->bias ? out[j] + g->bias[jc + j] : out[j];
    }
}

// ---- sdot: 4 rows × 16 columns -----------------------------------------------------------------------------------
#define SMR 4

// acc[i][v] += the 4 k of group `lane` of row i · columns 4v .. 4v + 3 of the group at bp; one column vector at a
// time.
#define SDOT_STEP(lane)                                                                                                 \
    do {                                                                                                                \
        for (int v = 0; v < 4; v++) {                                                                                   \
            const int8x16_t b = vld1q_s8(bp + 16 * v);                                                                  \
            for (int i = 0; i < SMR; i++) acc[i][v] = vdotq_laneq_s32(acc[i][v], b, av[i], lane);                       \
        }                                                                                                               \
        bp += 4 * QNR;                                                                                                  \
    } while (0)

// Rows i0 .. i0 + mr − 1 (four rows of A are read: A is padded to 12-row groups), columns jc .. jc + nr − 1 (jc a
// multiple of 16, nr ≤ 16).
static DOTPROD void tile_sdot(const neon_operands *g, int i0, int mr, int jc, int nr) {
    int32x4_t acc[SMR][4];
    for (int i = 0; i < SMR; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_s32(0);
    const int8_t *bp = g->packed + (size_t)(jc / QNR) * g->kp * QNR + (size_t)(jc % QNR) * 4;
    const uint8_t *a = g->a + (size_t)i0 * g->lda;
    const size_t lda = (size_t)g->lda;
    const uint8x16_t flip = vdupq_n_u8(0x80);
    int p = 0;
    for (; p + 16 <= g->kp; p += 16) {
        int8x16_t av[SMR];
        for (int i = 0; i < SMR; i++) av[i] = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(a + i * lda + p), flip));
        SDOT_STEP(0);
        SDOT_STEP(1);
        SDOT_STEP(2);
        SDOT_STEP(3);
    }
    for (; p < g->kp; p += 4) {  // the last kp % 16 / 4 groups: each row's 4 bytes in every lane
        int8x16_t av[SMR];
        for (int i = 0; i < SMR; i++)
            av[i] = vreinterpretq_s8_u32(vdupq_n_u32((uint32_t)four_bytes(a + i * lda + p) ^ 0x80808080u));
        SDOT_STEP(0);
    }
    for (int i = 0; i < mr; i++)
        for (int v = 0; v < 4 && 4 * v < nr; v++) finish4(g, i0 + i, jc + 4 * v, nr - 4 * v < 4 ? nr - 4 * v : 4, acc[i][v]);
}
#undef SDOT_STEP

// ---- widening (ARMv8.0): 4 rows × 8 columns ---------------------------------------------------------------------
#define WMR 4

// The 4 activation bytes of a group, shifted to s8, in every 32-bit lane.
static inline int8x16_t group_of(const uint8_t *p) {
    return vreinterpretq_s8_u32(vdupq_n_u32((uint32_t)four_bytes(p) ^ 0x80808080u));
}

// acc[i][q] holds, for columns 2q and 2q + 1, two partial sums each (k ≡ 0, 1 and k ≡ 2, 3 mod 4 of every group):
// lanes (c2q, c2q, c2q+1, c2q+1). Rows i0 .. i0 + mr − 1 (four rows of A are read), columns jc .. jc + nr − 1 (jc a
// multiple of 8, nr ≤ 8).
static void tile_widen(const neon_operands *g, int i0, int mr, int jc, int nr) {
    int32x4_t acc[WMR][4];
    for (int i = 0; i < WMR; i++)
        for (int q = 0; q < 4; q++) acc[i][q] = vdupq_n_s32(0);
    const int8_t *bp = g->packed + (size_t)(jc / QNR) * g->kp * QNR + (size_t)(jc % QNR) * 4;
    const uint8_t *a = g->a + (size_t)i0 * g->lda;
    const size_t lda = (size_t)g->lda;
    int p = 0;
    for (; p + 8 <= g->kp; p += 8) {  // two groups: two products per 16-bit lane before widening to 32 bits
        const int8x16_t w0 = vld1q_s8(bp), w1 = vld1q_s8(bp + 16);                  // group 1: columns 0–3, 4–7
        const int8x16_t x0 = vld1q_s8(bp + 4 * QNR), x1 = vld1q_s8(bp + 4 * QNR + 16);  // group 2
        for (int i = 0; i < WMR; i++) {
            const int8x16_t a0 = group_of(a + i * lda + p), a1 = group_of(a + i * lda + p + 4);
            acc[i][0] = vpadalq_s16(acc[i][0], vmlal_s8(vmull_s8(vget_low_s8(w0), vget_low_s8(a0)), vget_low_s8(x0), vget_low_s8(a1)));
            acc[i][1] = vpadalq_s16(acc[i][1], vmlal_high_s8(vmull_high_s8(w0, a0), x0, a1));
            acc[i][2] = vpadalq_s16(acc[i][2], vmlal_s8(vmull_s8(vget_low_s8(w1), vget_low_s8(a0)), vget_low_s8(x1), vget_low_s8(a1)));
            acc[i][3] = vpadalq_s16(acc[i][3], vmlal_high_s8(vmull_high_s8(w1, a0), x1, a1));
        }
        bp += 8 * QNR;
    }
    if (p < g->kp) {  // an odd last group
        const int8x16_t w0 = vld1q_s8(bp), w1 = vld1q_s8(bp + 16);
        for (int i = 0; i < WMR; i++) {
            const int8x16_t a0 = group_of(a + i * lda + p);
            acc[i][0] = vpadalq_s16(acc[i][0], vmull_s8(vget_low_s8(w0), vget_low_s8(a0)));
            acc[i][1] = vpadalq_s16(acc[i][1], vmull_high_s8(w0, a0));
            acc[i][2] = vpadalq_s16(acc[i][2], vmull_s8(vget_low_s8(w1), vget_low_s8(a0)));
            acc[i][3] = vpadalq_s16(acc[i][3], vmull_high_s8(w1, a0));
        }
    }
    for (int i = 0; i < mr; i++) {
        finish4(g, i0 + i, jc, nr < 4 ? nr : 4, vpaddq_s32(acc[i][0], acc[i][1]));  // columns 0–3
        if (nr > 4) finish4(g, i0 + i, jc + 4, nr - 4, vpaddq_s32(acc[i][2], acc[i][3]));  // columns 4–7
    }
}

// Per block of QMC rows, per panel, the tiles of `kind` over rows [0, m) and columns [n0, n1).
static void run(int kind, const neon_operands *g, int m, int n0, int n1) {
    const int rows_per_tile = kind == BERT_QGEMM_SDOT ? SMR : WMR, columns = kind == BERT_QGEMM_SDOT ? 16 : 8;
    for (int ic = 0; ic < m; ic += QMC) {
        const int end = m - ic < QMC ? m : ic + QMC;
        for (int j = n0; j < n1; j += QNR) {
            const int width = n1 - j < QNR ? n1 - j : QNR;
            for (int i = ic; i < end; i += rows_per_tile) {
                const int mr = end - i < rows_per_tile ? end - i : rows_per_tile;
                for (int h = 0; h < width; h += columns) {
                    const int nr = width - h < columns ? width - h : columns;
                    if (kind == BERT_QGEMM_SDOT) tile_sdot(g, i, mr, j + h, nr);
                    else tile_widen(g, i, mr, j + h, nr);
                }
            }
        }
    }
}

void bert_qgemm_packed_neon(int kind, int m, int n0, int n1, int kp, const uint8_t *a, int lda, const float *ascale,
                            const int32_t *azero, const int8_t *packed, const float *wscale, const int32_t *colsum,
                            const float *bias, float *c, int ldc) {
    const neon_operands g = {kp, a, lda, packed, colsum, ascale, azero, wscale, bias, c, ldc, NULL, 0, n0};
    run(kind, &g, m, n0, n1);
}

void bert_qgemm_neon_sums(int kind, int m, int n0, int n1, int kp, const uint8_t *a, int lda, const int8_t *packed,
                          const int32_t *colsum, int32_t *sums, int lds) {
    const neon_operands g = {kp, a, lda, packed, colsum, NULL, NULL, NULL, NULL, NULL, 0, sums, lds, n0};
    run(kind, &g, m, n0, n1);
}
#endif
