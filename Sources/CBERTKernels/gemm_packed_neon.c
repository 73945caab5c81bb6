// Products with weights packed ahead of time on arm64 (NEON): gemm_packed.c's API (bert_gemm_packed_kind, _set_kind,
// _kind_supported, _supported, bert_gemm_packed_count, bert_gemm_pack_b, bert_gemm_packed) for aarch64, where that
// file compiles none of it. C[:, n0:n1] = A · op(B)[:, n0:n1] with op(B) [K, N] packed once by bert_gemm_pack_b:
// per 256-deep block of K, 16-column panels of kc rows (a panel is 16 KiB: it stays in L1 while the rows of A stream
// past it). Rows of A are read in place, four k at a time (one 128-bit load per row), and each k is broadcast from its
// lane by `fmla v.4s, b.4s, a.s[k]`: a 6×16 tile of C in 24 of the 32 vector registers, 6 for the rows of A and the
// rest for the panel row in flight (clang's code for it keeps everything in registers: no spills in the loop); the
// last m % 6 rows take a tile of that many rows, so nothing past A is read and no padding rows are computed.
// Linux on arm64 (Graviton, Ampere, ...) uses it by default; on Apple Accelerate (the AMX units) stays the default
// and BERT_GEMM_KERNEL=neon opts in. BERT_GEMM_KERNEL=none or BERT_KERNELS=portable take the BLAS path.
// Tested under qemu-aarch64 by scripts/test-arm64.sh (Tests/NativeKernels/arm64_kernels_test.c).
#include "CBERTKernels.h"

#if defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__))
#include <arm_neon.h>
#include <stdlib.h>
#include <string.h>

#define NMR 6    // rows of A per tile
#define NNR 16   // columns per packed panel (and per tile): four 4-float vectors
#define NKC 256  // depth of a packed block

static int kind_supported(int kind) { return kind == BERT_GEMM_PACKED_NEON || kind == BERT_GEMM_PACKED_NONE; }

// -1 until first asked; then the kernel in use, read and written atomically (threads that race to choose compute the
// same value).
static int current_kind = -1;

int bert_gemm_packed_kind(void) {
    const int chosen = __atomic_load_n(&current_kind, __ATOMIC_ACQUIRE);
    if (chosen >= 0) return chosen;
#if defined(__APPLE__)
    int kind = BERT_GEMM_PACKED_NONE;  // Accelerate's sgemm runs on the AMX units: faster than any NEON loop
#else
    int kind = BERT_GEMM_PACKED_NEON;
#endif
    if (bert_kernels_ceiling() == BERT_KERNELS_PORTABLE) kind = BERT_GEMM_PACKED_NONE;
    const char *forced = getenv("BERT_GEMM_KERNEL");  // neon | none
    if (forced) {
        const int wanted = !strcmp(forced, "neon") ? BERT_GEMM_PACKED_NEON : !strcmp(forced, "none") ? BERT_GEMM_PACKED_NONE : -1;
        if (wanted >= 0) kind = wanted;
    }
    __atomic_store_n(&current_kind, kind, __ATOMIC_RELEASE);
    return kind;
}

int bert_gemm_packed_kind_supported(int kind) { return kind_supported(kind); }

int bert_gemm_packed_set_kind(int kind) {
    if (kind_supported(kind)) __atomic_store_n(&current_kind, kind, __ATOMIC_RELEASE);
    return bert_gemm_packed_kind();
}

int bert_gemm_packed_supported(void) { return bert_gemm_packed_kind() != BERT_GEMM_PACKED_NONE; }

static size_t panels_of(int n) { return (size_t)(n + NNR - 1) / NNR; }

size_t bert_gemm_packed_count(int k, int n) { return (size_t)k * panels_of(n) * NNR; }

void bert_gemm_pack_b(int transB, int k, int n, const float *b, int ldb, float *dst) {
    const size_t np = panels_of(n);
    memset(dst, 0, bert_gemm_packed_count(k, n) * sizeof(float));
    for (int pc = 0; pc < k; pc += NKC) {
        const int kc = k - pc < NKC ? k - pc : NKC;
        float *block = dst + (size_t)pc * np * NNR;
        for (size_t q = 0; q < np; q++) {
            float *panel = block + q * (size_t)kc * NNR;
            const int j0 = (int)q * NNR, jn = n - j0 < NNR ? n - j0 : NNR;
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < jn; j++)
                    panel[p * NNR + j] = transB ? b[(size_t)(j0 + j) * ldb + pc + p] : b[(size_t)(pc + p) * ldb + j0 + j];
        }
    }
}

// acc[i][v] += a[i][lane] · the panel row at bp (columns 4v .. 4v + 3), for the R rows; one column vector at a
// time, so that 24 sums, 6 rows and the vector in flight fit in the 32 registers (no spills).
#define STEP(lane)                                                                                                      \
    do {                                                                                                                \
        for (int v = 0; v < 4; v++) {                                                                                   \
            const float32x4_t b = vld1q_f32(bp + 4 * v);                                                                \
            for (int i = 0; i < R; i++) acc[i][v] = vfmaq_laneq_f32(acc[i][v], b, av[i], lane);                         \
        }                                                                                                               \
        bp += NNR;                                                                                                      \
    } while (0)

// One R×16 tile over kc (R ≤ 6, a constant in each instance, so only R rows of A are read): row i of A is
// a + i · lda; C = acc (first block) or C + acc (later blocks); only nr columns are written.
static inline __attribute__((always_inline)) void tile_rows(int kc, const float *a, size_t lda, const float *bp, float *c,
                                                            int ldc, int nr, int accumulate, const int R) {
    float32x4_t acc[NMR][4];
    for (int i = 0; i < R; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_f32(0);
    int p = 0;
    for (; p + 4 <= kc; p += 4) {
        float32x4_t av[NMR];
        for (int i = 0; i < R; i++) av[i] = vld1q_f32(a + i * lda + p);
        STEP(0);
        STEP(1);
        STEP(2);
        STEP(3);
    }
    for (; p < kc; p++) {  // the last kc % 4 rows of the panel, one broadcast at a time
        float32x4_t av[NMR];
        for (int i = 0; i < R; i++) av[i] = vld1q_dup_f32(a + i * lda + p);
        STEP(0);
    }
    for (int i = 0; i < R; i++) {
        float *row = c + (size_t)i * ldc;
        if (nr == NNR) {
            for (int v = 0; v < 4; v++) {
                const float32x4_t r = accumulate ? vaddq_f32(acc[i][v], vld1q_f32(row + 4 * v)) : acc[i][v];
                vst1q_f32(row + 4 * v, r);
            }
        } else {  // a short last panel: through a buffer, so no lane past nr is read or written
            float out[NNR];
            for (int v = 0; v < 4; v++) vst1q_f32(out + 4 * v, acc[i][v]);
            for (int j = 0; j < nr; j++) row[j] = accumulate ? out[j] + row[j] : out[j];
        }
    }
}
#undef STEP

/// One tile of `rows` rows (see tile_rows).
typedef void (*tile_function)(int kc, const float *a, size_t lda, const float *bp, float *c, int ldc, int nr, int accumulate);
#define TILE(R)                                                                                                         \
    static void tile##R(int kc, const float *a, size_t lda, const float *bp, float *c, int ldc, int nr, int accumulate) { \
        tile_rows(kc, a, lda, bp, c, ldc, nr, accumulate, R);                                                           \
    }
TILE(1)
TILE(2)
TILE(3)
TILE(4)
TILE(5)
TILE(6)
#undef TILE
static const tile_function tiles[NMR + 1] = {NULL, tile1, tile2, tile3, tile4, tile5, tile6};

void bert_gemm_packed(int m, int n0, int n1, int k, const float *a, int lda, const float *packed, int n, float *c,
                      int ldc) {
    const size_t np = panels_of(n);
    for (int pc = 0; pc < k; pc += NKC) {
        const int kc = k - pc < NKC ? k - pc : NKC;
        const float *block = packed + (size_t)pc * np * NNR;
        for (int j = n0; j < n1; j += NNR) {  // n0 is a multiple of 32, so of NNR
            const float *panel = block + (size_t)(j / NNR) * kc * NNR;
            const int nr = n1 - j < NNR ? n1 - j : NNR;
            for (int ic = 0; ic < m; ic += NMR) {  // the last group of m % 6 rows with a tile of that many rows
                const int mr = m - ic < NMR ? m - ic : NMR;
                tiles[mr](kc, a + (size_t)ic * lda + pc, (size_t)lda, panel, c + (size_t)ic * ldc + j, ldc, nr, pc > 0);
            }
        }
    }
}
#endif
