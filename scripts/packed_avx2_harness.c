// AVX2+FMA packed fp32 GEMM micro-harness: tile shapes, panel widths and loop orders on BERT's shapes, one thread,
// against OpenBLAS sgemm (dlopened; run with OPENBLAS_CORETYPE=Haswell for what an AVX2-only CPU gets) and the ymm
// FMA peak measured here.
//
//   clang -O2 -o /tmp/packed_avx2 scripts/packed_avx2_harness.c -ldl -lm && OPENBLAS_CORETYPE=Haswell /tmp/packed_avx2
//
// C[:, n0:n1] = A[m, k] · B[k, n], B packed per KC-deep block into W-wide panels of kc rows; A rows read in place.
// Variants: "row" = row group outer, panels inner (the AVX-512 order), optionally per block of NC columns (so the
// kc × NC block of B fits a 512 KB L2); "BLIS order" = per block of MC rows, per panel, row groups inner (the B
// micro-panel, kc × W floats, stays in L1; the MC × kc rows of A in L2). Timed in CPU time of the thread (the
// machine is shared), best of N. "masked C stores": vmaskmovps for every tile's C rows (slow on AMD), "plain":
// only at the right edge.
#include <dlfcn.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AVX2 __attribute__((target("avx2,fma")))

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);  // CPU time of this thread: the machine is shared
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// ---- peak: 12 independent ymm FMA chains
static AVX2 __attribute__((noinline)) float peak_loop(long iterations) {
    __m256 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
    for (long it = 0; it < iterations; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
        __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]), "+x"(acc[4]), "+x"(acc[5]));
    }
    __m256 s = acc[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, acc[i]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}

// ---- tiles: MRv rows × NV 8-float vectors; panel width W (floats per k step)
typedef void (*tile_fn)(int kc, const float *a, size_t rs, size_t cs, const float *bp, int w, float *c, int ldc, int mr,
                        int nr, int accumulate);

#define DEFINE_TILE(NAME, MRV, NV)                                                                                     \
    static AVX2 void NAME(int kc, const float *a, size_t rs, size_t cs, const float *bp, int w, float *c, int ldc,    \
                          int mr, int nr, int accumulate) {                                                             \
        __m256 acc[MRV][NV];                                                                                            \
        for (int i = 0; i < MRV; i++)                                                                                   \
            _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[i][v] = _mm256_setzero_ps();                                               \
        for (int p = 0; p < kc; p++) {                                                                                  \
            __m256 b[NV];                                                                                               \
            _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) b[v] = _mm256_load_ps(bp + 8 * v);                                             \
            const float *ap = a + (size_t)p * cs;                                                                       \
            _Pragma("GCC unroll 8") for (int i = 0; i < MRV; i++) {                                                     \
                const __m256 av = _mm256_broadcast_ss(ap + i * rs);                                                     \
                _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(av, b[v], acc[i][v]);                          \
            }                                                                                                           \
            bp += w;                                                                                                    \
        }                                                                                                               \
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);                                               \
        __m256i mask[NV];                                                                                               \
        for (int v = 0; v < NV; v++) mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8 * v), lanes);                \
        for (int i = 0; i < mr; i++) {                                                                                  \
            float *row = c + (size_t)i * ldc;                                                                           \
            for (int v = 0; v < NV; v++) {                                                                              \
                __m256 r = acc[i][v];                                                                                   \
                if (accumulate) r = _mm256_add_ps(r, _mm256_maskload_ps(row + 8 * v, mask[v]));                        \
                _mm256_maskstore_ps(row + 8 * v, mask[v], r);                                                           \
            }                                                                                                           \
        }                                                                                                               \
    }

DEFINE_TILE(tile6x16, 6, 2)
DEFINE_TILE(tile4x24, 4, 3)
DEFINE_TILE(tile5x16, 5, 2)
DEFINE_TILE(tile8x8, 8, 1)


// 6x16, rows read with unit step along k (cs = 1 always; the tail rows copied with the same layout), k unrolled by 4,
// the C rows prefetched.
static AVX2 void tile6x16u(int kc, const float *a, size_t rs, size_t cs, const float *bp, int w, float *c, int ldc,
                           int mr, int nr, int accumulate) {
    (void)cs;
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
           c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + (size_t)i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + (size_t)i * ldc + 15), _MM_HINT_T0);
    }
    const float *a0 = a, *a1 = a + rs, *a2 = a + 2 * rs, *a3 = a + 3 * rs, *a4 = a + 4 * rs, *a5 = a + 5 * rs;
#define STEP(P)                                                                                                        \
    {                                                                                                                  \
        const __m256 b0 = _mm256_load_ps(bp + (P) * 16), b1 = _mm256_load_ps(bp + (P) * 16 + 8);                      \
        __m256 av = _mm256_broadcast_ss(a0 + (P));                                                                     \
        c00 = _mm256_fmadd_ps(av, b0, c00), c01 = _mm256_fmadd_ps(av, b1, c01);                                        \
        av = _mm256_broadcast_ss(a1 + (P));                                                                            \
        c10 = _mm256_fmadd_ps(av, b0, c10), c11 = _mm256_fmadd_ps(av, b1, c11);                                        \
        av = _mm256_broadcast_ss(a2 + (P));                                                                            \
        c20 = _mm256_fmadd_ps(av, b0, c20), c21 = _mm256_fmadd_ps(av, b1, c21);                                        \
        av = _mm256_broadcast_ss(a3 + (P));                                                                            \
        c30 = _mm256_fmadd_ps(av, b0, c30), c31 = _mm256_fmadd_ps(av, b1, c31);                                        \
        av = _mm256_broadcast_ss(a4 + (P));                                                                            \
        c40 = _mm256_fmadd_ps(av, b0, c40), c41 = _mm256_fmadd_ps(av, b1, c41);                                        \
        av = _mm256_broadcast_ss(a5 + (P));                                                                            \
        c50 = _mm256_fmadd_ps(av, b0, c50), c51 = _mm256_fmadd_ps(av, b1, c51);                                        \
    }
    int p = 0;
    for (; p + 4 <= kc; p += 4) {
        STEP(0) STEP(1) STEP(2) STEP(3)
        bp += 64, a0 += 4, a1 += 4, a2 += 4, a3 += 4, a4 += 4, a5 += 4;
    }
    for (; p < kc; p++) {
        STEP(0)
        bp += 16, a0++, a1++, a2++, a3++, a4++, a5++;
    }
#undef STEP
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), lanes);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8), lanes);
    __m256 acc[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int i = 0; i < mr; i++) {
        float *row = c + (size_t)i * ldc;
        __m256 r0 = acc[i][0], r1 = acc[i][1];
        if (accumulate) {
            r0 = _mm256_add_ps(r0, _mm256_maskload_ps(row, m0));
            r1 = _mm256_add_ps(r1, _mm256_maskload_ps(row + 8, m1));
        }
        _mm256_maskstore_ps(row, m0, r0);
        _mm256_maskstore_ps(row + 8, m1, r1);
    }
}


// As tile6x16, with plain loads and stores for a full tile (vmaskmovps is slow on AMD: masked only at the edges).
static AVX2 void tile6x16f(int kc, const float *a, size_t rs, size_t cs, const float *bp, int w, float *c, int ldc,
                           int mr, int nr, int accumulate) {
    __m256 acc[6][2];
    for (int i = 0; i < 6; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int p = 0; p < kc; p++) {
        const __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
        const float *ap = a + (size_t)p * cs;
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++) {
            const __m256 av = _mm256_broadcast_ss(ap + i * rs);
            acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
        }
        bp += w;
    }
    if (nr == 16) {
        for (int i = 0; i < mr; i++) {
            float *row = c + (size_t)i * ldc;
            __m256 r0 = acc[i][0], r1 = acc[i][1];
            if (accumulate) r0 = _mm256_add_ps(r0, _mm256_loadu_ps(row)), r1 = _mm256_add_ps(r1, _mm256_loadu_ps(row + 8));
            _mm256_storeu_ps(row, r0);
            _mm256_storeu_ps(row + 8, r1);
        }
        return;
    }
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), lanes);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8), lanes);
    for (int i = 0; i < mr; i++) {
        float *row = c + (size_t)i * ldc;
        __m256 r0 = acc[i][0], r1 = acc[i][1];
        if (accumulate) r0 = _mm256_add_ps(r0, _mm256_maskload_ps(row, m0)), r1 = _mm256_add_ps(r1, _mm256_maskload_ps(row + 8, m1));
        _mm256_maskstore_ps(row, m0, r0);
        _mm256_maskstore_ps(row + 8, m1, r1);
    }
}

// ---- packing: per KC block, W-wide panels of kc rows
static size_t packed_count(int k, int n, int w) { return (size_t)k * ((n + w - 1) / w) * w; }

static void pack(int k, int n, const float *b, int w, int KC, float *dst) {
    const size_t np = (n + w - 1) / w;
    memset(dst, 0, packed_count(k, n, w) * sizeof(float));
    for (int pc = 0; pc < k; pc += KC) {
        const int kc = k - pc < KC ? k - pc : KC;
        float *block = dst + (size_t)pc * np * w;
        for (size_t q = 0; q < np; q++) {
            float *panel = block + q * (size_t)kc * w;
            const int j0 = (int)q * w, jn = n - j0 < w ? n - j0 : w;
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < jn; j++) panel[p * w + j] = b[(size_t)(pc + p) * n + j0 + j];
        }
    }
}

typedef struct {
    const char *name;
    tile_fn tile;
    int mr, cols;  // tile rows and columns
    int w;         // panel width of the packing (cols, or 32 with cols = 16: the old half passes)
    int KC;
    int order;  // 0 row, 1 blis
    int MC;
    int packA;  // 1: every row group copied interleaved (a[p * R + i]) before its panels: one stream of broadcasts
    int rowtail;  // 1: the tail rows copied as rows (rs = kc, cs = 1)
    int NC;  // row order: columns per block (0: all), so the kc x NC block of B stays in L2
} variant;

static float apad[1024 * 8] __attribute__((aligned(64)));
static float agrp[1024 * 8] __attribute__((aligned(64)));

static void run(const variant *v, int m, int n0, int n1, int k, const float *a, int lda, const float *packed, int n,
                float *c, int ldc) {
    const int w = v->w, R = v->mr;
    const size_t np = (n + w - 1) / w;
    for (int pc = 0; pc < k; pc += v->KC) {
        const int kc = k - pc < v->KC ? k - pc : v->KC;
        const float *block = packed + (size_t)pc * np * w;
        // tail rows padded once per block
        const int full = m / R * R, tail = m - full;
        if (tail)
            for (int p = 0; p < kc; p++)
                for (int i = 0; i < R; i++) {
                    const float x = i < tail ? a[(size_t)(full + i) * lda + pc + p] : 0.0f;
                    if (v->rowtail) apad[i * kc + p] = x; else apad[p * R + i] = x;
                }
        const int MC = v->order == 0 ? R : v->MC, NC = v->order == 0 && v->NC ? v->NC : n1 - n0;
        for (int jc = n0; jc < n1; jc += NC) {
        const int jn = n1 - jc < NC ? n1 : jc + NC;
        for (int ic0 = 0; ic0 < m; ic0 += MC) {
            const int icn = m - ic0 < MC ? m : ic0 + MC;
            for (int j = jc; j < jn; j += w) {
                const float *panel = block + (size_t)(j / w) * kc * w;
                for (int h = 0; h < w && j + h < jn; h += v->cols) {
                    const int nr = jn - j - h < v->cols ? jn - j - h : v->cols;
                    for (int ic = ic0; ic < icn; ic += R) {
                        const int mr = m - ic < R ? m - ic : R;
                        if (v->packA && mr == R && h == 0 && j == jc) {
                            for (int p = 0; p < kc; p++)
                                for (int i = 0; i < R; i++) agrp[p * R + i] = a[(size_t)(ic + i) * lda + pc + p];
                        }
                        if (v->packA && mr == R)
                            v->tile(kc, agrp, 1, R, panel + h, w, c + (size_t)ic * ldc + j + h, ldc, mr, nr, pc > 0);
                        else if (mr < R)
                            v->tile(kc, apad, v->rowtail ? (size_t)kc : 1, v->rowtail ? 1 : R, panel + h, w, c + (size_t)ic * ldc + j + h, ldc, mr, nr, pc > 0);
                        else
                            v->tile(kc, a + (size_t)ic * lda + pc, lda, 1, panel + h, w, c + (size_t)ic * ldc + j + h,
                                    ldc, mr, nr, pc > 0);
                    }
                }
            }
        }
        }
    }
}

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *,
                         int);

int main(int argc, char **argv) {
    const int repeats = argc > 1 ? atoi(argv[1]) : 7;
    const int half = argc > 2 ? atoi(argv[2]) : 0;  // 1: columns [0, n/2) only, as one of two threads
    // peak
    double best = 1e9;
    for (int r = 0; r < 5; r++) {
        double t = now();
        volatile float s = peak_loop(20000000);
        (void)s;
        t = now() - t;
        if (t < best) best = t;
    }
    const double peak = 20000000.0 * 12 * 16 / best / 1e9;
    printf("ymm FMA peak, one thread: %.1f GFLOP/s (= %.2f GHz x 32 FLOP/cycle)\n", peak, peak / 32);

    void *lib = dlopen("libopenblas.so.0", RTLD_NOW);
    sgemm_fn sgemm = lib ? (sgemm_fn)dlsym(lib, "cblas_sgemm") : NULL;
    void (*set_threads)(int) = lib ? (void (*)(int))dlsym(lib, "openblas_set_num_threads") : NULL;
    char *(*corename)(void) = lib ? (char *(*)(void))dlsym(lib, "openblas_get_corename") : NULL;
    if (set_threads) set_threads(1);
    if (corename) printf("OpenBLAS core: %s\n", corename());

    variant vs[] = {
        {"old: 6x16 over half of 32-col panels, row order, kc256, masked C stores", tile6x16, 6, 16, 32, 256, 0, 0, 0, 0, 0},
        {"new: 6x16 16-col panels, kc256, nc192, plain C stores (gemm_packed.c)", tile6x16f, 6, 16, 16, 256, 0, 0, 0, 0, 192},
        {"6x16 16-col, kc256, nc192, masked C stores", tile6x16, 6, 16, 16, 256, 0, 0, 0, 0, 192},
        {"6x16 16-col, kc384, nc192, masked C stores", tile6x16, 6, 16, 16, 384, 0, 0, 0, 0, 192},
        {"6x16 16-col, kc384, nc192, plain C stores", tile6x16f, 6, 16, 16, 384, 0, 0, 0, 0, 192},
        {"6x16 16-col, kc256, no column blocks, plain C stores", tile6x16f, 6, 16, 16, 256, 0, 0, 0, 0, 0},
        {"6x16 16-col, kc256, nc192, each A row group copied, masked", tile6x16, 6, 16, 16, 256, 0, 0, 1, 0, 192},
        {"6x16 k-unrolled by 4, kc384, nc192, masked", tile6x16u, 6, 16, 16, 384, 0, 0, 0, 1, 192},
        {"6x16 BLIS order (rows inner), kc384 mc120, masked", tile6x16, 6, 16, 16, 384, 1, 120, 0, 0, 0},
        {"5x16 16-col, kc384, nc192, masked", tile5x16, 5, 16, 16, 384, 0, 0, 0, 0, 192},
        {"8x8 8-col, kc384, nc192, masked", tile8x8, 8, 8, 8, 384, 0, 0, 0, 0, 192},
        {"4x24 24-col, kc384, masked (spills: 17 ymm live)", tile4x24, 4, 24, 24, 384, 0, 0, 0, 0, 0},
    };
    const int nv = sizeof vs / sizeof vs[0];
    struct { const char *label; int m, n, k; } shapes[] = {
        {"base qkv m128", 128, 2304, 768},  {"base attn m128", 128, 768, 768},   {"base inter m128", 128, 3072, 768},
        {"base out m128", 128, 768, 3072},  {"base qkv m1024", 1024, 2304, 768}, {"base inter m1024", 1024, 3072, 768},
        {"base out m1024", 1024, 768, 3072}, {"mini qkv m128", 128, 1152, 384},  {"mini inter m128", 128, 1536, 384},
        {"mini out m128", 128, 384, 1536},  {"mini inter m1024", 1024, 1536, 384}, {"mini out m1024", 1024, 384, 1536},
    };
    for (int i = 0; i < nv; i++) printf("v%d: %s\n", i, vs[i].name);
    printf("%-18s %8s", "shape", "openblas");
    for (int i = 0; i < nv; i++) printf(" |  v%-3d", i);
    printf("   (GFLOP/s, best of %d, columns %s)\n", repeats, half ? "[0, n/2)" : "all");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int m = shapes[s].m, n = shapes[s].n, k = shapes[s].k;
        const int n1 = half ? n / 2 : n;
        float *a = aligned_alloc(64, (size_t)m * k * 4), *b = aligned_alloc(64, (size_t)k * n * 4);
        float *c = aligned_alloc(64, (size_t)m * n * 4), *ref = aligned_alloc(64, (size_t)m * n * 4);
        float *packed = aligned_alloc(64, packed_count(k, n, 32) * 4 + 4096);
        for (size_t i = 0; i < (size_t)m * k; i++) a[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        for (size_t i = 0; i < (size_t)k * n; i++) b[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        const double flop = 2.0 * m * n1 * k;
        double tb = 1e9;
        if (sgemm) {
            for (int r = 0; r < repeats; r++) {
                double t = now();
                sgemm(101, 111, 111, m, n1, k, 1.0f, a, k, b, n, 0.0f, ref, n);
                t = now() - t;
                if (r && t < tb) tb = t;
            }
        }
        printf("%-18s %8.1f", shapes[s].label, flop / tb / 1e9);
        for (int i = 0; i < nv; i++) {
            pack(k, n, b, vs[i].w, vs[i].KC, packed);
            double tv = 1e9;
            for (int r = 0; r < repeats; r++) {
                double t = now();
                run(&vs[i], m, 0, n1, k, a, k, packed, n, c, n);
                t = now() - t;
                if (r && t < tv) tv = t;
            }
            double err = 0;
            for (int ii = 0; ii < m; ii++)
                for (int j = 0; j < n1; j++) err = fmax(err, fabs(c[(size_t)ii * n + j] - ref[(size_t)ii * n + j]));
            printf(" | %5.1f%s", flop / tv / 1e9, err > 1e-3 ? "!" : "");
        }
        printf("\n");
        free(a), free(b), free(c), free(ref), free(packed);
    }
    return 0;
}
