// The arm64 NEON kernels against references, built for aarch64 and run under qemu-aarch64 by scripts/test-arm64.sh
// (no arm64 machine here; Swift cannot be cross-compiled, so the kernels are tested from C):
// - fp32 packed GEMM (gemm_packed_neon.c) against a float64 loop and the portable bert_sgemm_builtin, on BERT's
//   shapes and the tile edges of every dimension, transB both ways, column ranges n0..n1, with sentinels around C;
// - int8 (gemm_int8_neon.c, sdot and widening) against an int64 loop (the int32 sums exactly), the portable kernel
//   (the same floats, bit for bit) and a float64 dequantised reference, including the saturation extremes
//   (qa 0 / 255 against qw ±127);
// - the row kernels (rows_neon.c: softmax, bias + GELU, bias + residual + LayerNorm) against float64 formulas and the
//   portable loops, their value ranges exactly;
// - the CPU feature detection: `--dotprod 1|0` says whether the emulated CPU has the ARMv8.2 dot product;
// - with `--kinds PACKED QGEMM ROWS`, only which kernels the environment (BERT_KERNELS, BERT_GEMM_KERNEL,
//   BERT_QGEMM_KERNEL) makes the first calls choose.
// Prints one line per failure (at most a few per check) and "arm64 kernel tests: N passed, F failed"; exit 1 on any
// failure. Speed means nothing under emulation: nothing here is timed.
#include "CBERTKernels.h"
#include "neon_kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0, failed = 0;

static void check(int ok, const char *what) {
    if (ok) { passed++; return; }
    failed++;
    if (failed <= 40) printf("FAIL: %s\n", what);
}

static uint32_t seed = 12345;
static uint32_t next_random(void) { seed = seed * 1664525u + 1013904223u; return seed >> 8; }
static float uniform(void) { return (float)(next_random() % 2000001) / 1000000.0f - 1.0f; }  // [-1, 1]

static const int sizes[] = {1, 3, 4, 5, 7, 8, 11, 12, 13, 31, 32, 33, 64, 127, 128, 129, 384, 768};
#define SIZE_COUNT ((int)(sizeof sizes / sizeof sizes[0]))
static const float sentinel = 12345.0f;

// ---- fp32 packed GEMM ----------------------------------------------------------------------------------------------

// C[:, n0:n1] with the packed kernel in use against float64 and the portable GEMM; C has two sentinel columns past N
// and a sentinel row past M, and columns outside [n0, n1) must keep their sentinel too.
static void fp32_case(int m, int n, int k, int trans_b, int n0, int n1) {
    char what[160];
    snprintf(what, sizeof what, "fp32 packed m=%d n=%d k=%d transB=%d columns %d..%d", m, n, k, trans_b, n0, n1);
    const int lda = k + 3, ldb = (trans_b ? k : n) + 1, ldc = n + 2;
    float *a = malloc(sizeof(float) * (size_t)m * lda);
    float *b = malloc(sizeof(float) * (size_t)(trans_b ? n : k) * ldb);
    float *c = malloc(sizeof(float) * (size_t)(m + 1) * ldc);
    float *portable = malloc(sizeof(float) * (size_t)m * n);
    float *packed = malloc(sizeof(float) * (bert_gemm_packed_count(k, n) + 1));
    for (size_t i = 0; i < (size_t)m * lda; i++) a[i] = uniform();
    for (size_t i = 0; i < (size_t)(trans_b ? n : k) * ldb; i++) b[i] = uniform();
    for (size_t i = 0; i < (size_t)(m + 1) * ldc; i++) c[i] = sentinel;
    packed[bert_gemm_packed_count(k, n)] = sentinel;
    bert_gemm_pack_b(trans_b, k, n, b, ldb, packed);
    int ok_pack = packed[bert_gemm_packed_count(k, n)] == sentinel;
    bert_gemm_packed(m, n0, n1, k, a, lda, packed, n, c, ldc);
    bert_sgemm_builtin(0, trans_b, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, portable, n);
    double worst = 0, worst_portable = 0;
    int untouched = 1;
    for (int i = 0; i <= m; i++)
        for (int j = 0; j < ldc; j++) {
            const float got = c[(size_t)i * ldc + j];
            if (i == m || j < n0 || j >= n1) { untouched &= got == sentinel; continue; }
            double exact = 0, size = 0;
            for (int p = 0; p < k; p++) {
                const double x = a[(size_t)i * lda + p], y = trans_b ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
                exact += x * y;
                size += fabs(x * y);
            }
            const double bound = 1e-6 * size + 1e-30;  // fp32 sums of k terms: a few ulps of Σ|a·b| each way
            const double error = fabs(got - exact) / bound, between = fabs(got - portable[(size_t)i * n + j]) / bound;
            if (!(error <= worst)) worst = error;  // NaN counts as the worst
            if (!(between <= worst_portable)) worst_portable = between;
        }
    char line[240];
    snprintf(line, sizeof line, "%s: packing wrote past its count", what);
    check(ok_pack, line);
    snprintf(line, sizeof line, "%s: worst error %.3g × bound against float64", what, worst);
    check(worst <= 1.0, line);
    snprintf(line, sizeof line, "%s: worst difference %.3g × bound against the portable GEMM", what, worst_portable);
    check(worst_portable <= 2.0, line);
    snprintf(line, sizeof line, "%s: wrote outside C[0:m, n0:n1]", what);
    check(untouched, line);
    free(a); free(b); free(c); free(portable); free(packed);
}

static void fp32_tests(void) {
    check(bert_gemm_packed_kind_supported(BERT_GEMM_PACKED_NEON) && bert_gemm_packed_kind_supported(BERT_GEMM_PACKED_NONE),
          "fp32: the NEON and none kinds are supported");
    check(!bert_gemm_packed_kind_supported(BERT_GEMM_PACKED_AVX512) && !bert_gemm_packed_kind_supported(BERT_GEMM_PACKED_AVX2),
          "fp32: the x86 kinds are not supported on arm64");
    check(bert_gemm_packed_kind() == BERT_GEMM_PACKED_NEON, "fp32: Linux arm64 chooses the NEON kind by default");
    check(bert_gemm_packed_set_kind(BERT_GEMM_PACKED_AVX512) == BERT_GEMM_PACKED_NEON, "fp32: an x86 kind is refused");
    check(bert_gemm_packed_set_kind(BERT_GEMM_PACKED_NONE) == BERT_GEMM_PACKED_NONE && !bert_gemm_packed_supported(),
          "fp32: none can be selected");
    check(bert_gemm_packed_set_kind(BERT_GEMM_PACKED_NEON) == BERT_GEMM_PACKED_NEON && bert_gemm_packed_supported(),
          "fp32: NEON can be selected again");
    const int few[] = {1, 7, 33, 129};
    for (int t = 0; t < 2; t++)
        for (int s = 0; s < SIZE_COUNT; s++)
            for (int f = 0; f < 4; f++) {
                const int x = sizes[s], y = few[f], z = few[(f + 1) % 4];
                fp32_case(x, y, z, t, 0, y);  // every M
                fp32_case(y, x, z, t, 0, x);  // every N
                fp32_case(z, y, x, t, 0, y);  // every K (257 crosses no block; 768 crosses two)
            }
    // BERT's products (MiniLM: hidden 384, FFN 1536; base: 768, 3072), a sequence of 128 and single rows, and K past
    // one 256-deep block with a ragged last block.
    const int shapes[][3] = {{128, 384, 384}, {128, 1536, 384}, {128, 384, 1536}, {13, 768, 768}, {1, 3072, 768},
                             {1, 768, 3072}, {8, 768, 768}, {33, 129, 257}, {5, 31, 513}};
    for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
        for (int t = 0; t < 2; t++) fp32_case(shapes[s][0], shapes[s][1], shapes[s][2], t, 0, shapes[s][1]);
    // Column ranges as the threads split them: n0 a multiple of 32, n1 anywhere past it.
    const int ranges[][5] = {{12, 129, 64, 32, 64}, {12, 129, 64, 96, 129}, {7, 768, 384, 32, 100}, {6, 33, 5, 32, 33},
                             {13, 384, 31, 0, 17}, {5, 100, 300, 64, 96}};
    for (int r = 0; r < (int)(sizeof ranges / sizeof ranges[0]); r++)
        for (int t = 0; t < 2; t++) fp32_case(ranges[r][0], ranges[r][1], ranges[r][2], t, ranges[r][3], ranges[r][4]);
}

// ---- int8 ----------------------------------------------------------------------------------------------------------

typedef enum { RANDOM, ALL_LOW, ALL_HIGH, ALTERNATING } fill;

// One product with every int8 kernel this CPU has: raw sums against int64, C against the portable kernel (bit for
// bit) and a float64 dequantised reference; sentinels as in fp32_case.
static void int8_case(int m, int n, int k, int n0, int n1, fill af, fill wf, int with_bias) {
    char what[200];
    snprintf(what, sizeof what, "int8 m=%d n=%d k=%d columns %d..%d fill a%d w%d bias %d", m, n, k, n0, n1, af, wf, with_bias);
    const int kp = (int)bert_qgemm_depth(k), rows = (int)bert_qgemm_padded_rows(m), lda = kp + 4, ldc = n + 2;
    const size_t np = bert_qgemm_padded_columns(n);
    uint8_t *qa = calloc((size_t)rows * lda, 1);
    int8_t *qw = malloc((size_t)n * k), *packed = malloc(bert_qgemm_packed_bytes(k, n));
    int32_t *colsum = malloc(np * sizeof(int32_t)), *azero = malloc((size_t)rows * sizeof(int32_t));
    int32_t *sums = malloc((size_t)m * n * sizeof(int32_t));
    float *ascale = malloc((size_t)rows * sizeof(float)), *wscale = malloc(np * sizeof(float)), *bias = malloc((size_t)n * sizeof(float));
    float *c = malloc((size_t)(m + 1) * ldc * sizeof(float)), *portable = malloc((size_t)(m + 1) * ldc * sizeof(float));
    int64_t *exact = malloc((size_t)m * n * sizeof(int64_t));
    for (int i = 0; i < m; i++) {
        for (int p = 0; p < k; p++)
            qa[(size_t)i * lda + p] = af == ALL_LOW ? 0 : af == ALL_HIGH ? 255 : af == ALTERNATING ? ((i + p) % 2 ? 255 : 0)
                                                                                              : (uint8_t)(next_random() % 256);
        azero[i] = af == ALL_LOW ? 0 : af == ALL_HIGH ? 255 : (int32_t)(next_random() % 256);
        for (int p = k; p < lda; p++) qa[(size_t)i * lda + p] = (uint8_t)azero[i];  // padding as quantize_rows writes it
        ascale[i] = 0.001f + (float)(next_random() % 1000) / 100000.0f;
    }
    for (int j = 0; j < n; j++)
        for (int p = 0; p < k; p++)
            qw[(size_t)j * k + p] = wf == ALL_LOW ? -127 : wf == ALL_HIGH ? 127 : wf == ALTERNATING ? ((j + p) % 3 ? 127 : -127)
                                                                                             : (int8_t)((int)(next_random() % 255) - 127);
    for (size_t j = 0; j < np; j++) wscale[j] = 0.001f + (float)(next_random() % 1000) / 100000.0f;
    for (int j = 0; j < n; j++) bias[j] = uniform();
    bert_qgemm_pack_b(k, n, qw, k, packed, colsum);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            int64_t s = 0;
            for (int p = 0; p < k; p++) s += (int64_t)qa[(size_t)i * lda + p] * qw[(size_t)j * k + p];
            exact[(size_t)i * n + j] = s;
        }
    const float *b = with_bias ? bias : NULL;
    for (size_t i = 0; i < (size_t)(m + 1) * ldc; i++) portable[i] = sentinel;
    check(bert_qgemm_set_kind(BERT_QGEMM_PORTABLE) == BERT_QGEMM_PORTABLE, "int8: the portable kernel can be selected");
    bert_qgemm_packed(m, n0, n1, kp, qa, lda, ascale, azero, packed, wscale, colsum, b, portable, ldc);
    const int kinds[] = {BERT_QGEMM_NEON, BERT_QGEMM_SDOT};
    for (int q = 0; q < 2; q++) {
        const int kind = kinds[q];
        if (!bert_qgemm_neon_supported(kind)) continue;
        const char *name = kind == BERT_QGEMM_SDOT ? "sdot" : "neon";
        char line[300];
        // The raw sums, exactly.
        for (size_t i = 0; i < (size_t)m * n; i++) sums[i] = (int32_t)0x7eadbeef;
        bert_qgemm_neon_sums(kind, m, n0, n1, kp, qa, lda, packed, colsum, sums, n);
        int exact_sums = 1;
        for (int i = 0; i < m; i++)
            for (int j = n0; j < n1; j++) exact_sums &= sums[(size_t)i * n + (j - n0)] == exact[(size_t)i * n + j];
        snprintf(line, sizeof line, "%s %s: int32 sums differ from the int64 loop", what, name);
        check(exact_sums, line);
        // The dequantised product through gemm_int8.c's dispatch.
        check(bert_qgemm_set_kind(kind) == kind, "int8: a supported NEON kernel can be selected");
        for (size_t i = 0; i < (size_t)(m + 1) * ldc; i++) c[i] = sentinel;
        bert_qgemm_packed(m, n0, n1, kp, qa, lda, ascale, azero, packed, wscale, colsum, b, c, ldc);
        int same = 1, untouched = 1;
        double worst = 0;
        for (int i = 0; i <= m; i++)
            for (int j = 0; j < ldc; j++) {
                const float got = c[(size_t)i * ldc + j];
                if (i == m || j < n0 || j >= n1) { untouched &= got == sentinel; continue; }
                same &= memcmp(&got, &portable[(size_t)i * ldc + j], sizeof got) == 0;
                const double integer = (double)(exact[(size_t)i * n + j] - (int64_t)azero[i] * colsum[j]);
                const double want = (double)ascale[i] * wscale[j] * integer + (b ? b[j] : 0);
                const double bound = 1e-6 * ((double)ascale[i] * wscale[j] * fabs(integer) + (b ? fabs(b[j]) : 0)) + 1e-30;
                const double error = fabs(got - want) / bound;
                if (!(error <= worst)) worst = error;
            }
        snprintf(line, sizeof line, "%s %s: C differs from the portable kernel's", what, name);
        check(same, line);
        snprintf(line, sizeof line, "%s %s: worst error %.3g × bound against float64", what, name, worst);
        check(worst <= 1.0, line);
        snprintf(line, sizeof line, "%s %s: wrote outside C[0:m, n0:n1]", what, name);
        check(untouched, line);
    }
    free(qa); free(qw); free(packed); free(colsum); free(azero); free(sums); free(ascale); free(wscale); free(bias);
    free(c); free(portable); free(exact);
}

static void int8_tests(int dotprod) {
    check(bert_qgemm_neon_supported(BERT_QGEMM_NEON) && bert_qgemm_kind_supported(BERT_QGEMM_NEON),
          "int8: the widening NEON kernel runs on every arm64 CPU");
    check(bert_qgemm_neon_supported(BERT_QGEMM_SDOT) == dotprod && bert_qgemm_kind_supported(BERT_QGEMM_SDOT) == dotprod,
          dotprod ? "int8: sdot is detected on a CPU with the dot product" : "int8: sdot is not offered without the dot product");
    check(((bert_cpu_features() & BERT_CPU_DOTPROD) != 0) == dotprod && (bert_cpu_features() & BERT_CPU_NEON),
          "cpu features: neon, and asimddp exactly when the CPU has it");
    check(bert_qgemm_kind() == (dotprod ? BERT_QGEMM_SDOT : BERT_QGEMM_NEON), "int8: the best NEON kernel is the default");
    check(!bert_qgemm_kind_supported(BERT_QGEMM_VNNI) && !bert_qgemm_kind_supported(BERT_QGEMM_AVX2),
          "int8: the x86 kernels are not offered on arm64");
    const int few[] = {1, 7, 33, 129};
    for (int s = 0; s < SIZE_COUNT; s++)
        for (int f = 0; f < 4; f++) {
            const int x = sizes[s], y = few[f], z = few[(f + 1) % 4];
            int8_case(x, y, z, 0, y, RANDOM, RANDOM, f % 2);  // every M
            int8_case(y, x, z, 0, x, RANDOM, RANDOM, f % 2);  // every N
            int8_case(z, y, x, 0, y, RANDOM, RANDOM, f % 2);  // every K
        }
    const int shapes[][3] = {{128, 384, 384}, {128, 1536, 384}, {128, 384, 1536}, {8, 768, 768}, {1, 3072, 768}, {97, 65, 771}};
    for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
        int8_case(shapes[s][0], shapes[s][1], shapes[s][2], 0, shapes[s][1], RANDOM, RANDOM, 1);
    // The extremes: qa − 128 = −128 or 127 against qw = ±127 in every 16-bit lane of the widening kernel, and sums
    // near the int32 limit's use (k = 3072: 255 · 127 · 3072 ≈ 9.9e7).
    const fill extremes[] = {ALL_LOW, ALL_HIGH, ALTERNATING};
    for (int x = 0; x < 3; x++)
        for (int y = 0; y < 3; y++) {
            int8_case(13, 33, 768, 0, 33, extremes[x], extremes[y], 1);
            int8_case(7, 40, 3072, 0, 40, extremes[x], extremes[y], 0);
            int8_case(12, 32, 5, 0, 32, extremes[x], extremes[y], 0);
        }
    const int ranges[][5] = {{12, 129, 64, 32, 64}, {12, 129, 64, 96, 129}, {7, 768, 384, 32, 100}, {13, 384, 31, 0, 17},
                             {100, 100, 300, 64, 96}};
    for (int r = 0; r < (int)(sizeof ranges / sizeof ranges[0]); r++)
        int8_case(ranges[r][0], ranges[r][1], ranges[r][2], ranges[r][3], ranges[r][4], RANDOM, RANDOM, 1);
}

// ---- row kernels (rows_neon.c) -------------------------------------------------------------------------------------

static double worse(double worst, double error) { return error <= worst ? worst : error; }  // NaN counts as the worst

// Softmax (scale; for several rows a mask shared by pairs of rows, with −∞ and −10000 entries), bias + GELU and bias + residual +
// LayerNorm with the row kernel `kind`, against float64 formulas; the ranges must be exactly each row's min(0, ·) and
// max(0, ·). Returns the outputs in out[3][rows · cols] for the comparison between kinds.
static void rows_case(int kind, size_t rows, size_t cols, float *out[3]) {
    char what[160], line[240];
    snprintf(what, sizeof what, "rows kind %d rows=%zu cols=%zu", kind, rows, cols);
    check(bert_vector_rows_set_kind(kind) == kind, "rows: a supported row kernel can be selected");
    const size_t count = rows * cols;
    float *x = malloc(count * sizeof(float)), *mask = malloc(((rows + 1) / 2) * cols * sizeof(float));
    float *bias = malloc(cols * sizeof(float)), *residual = malloc(count * sizeof(float)), *gamma = malloc(cols * sizeof(float));
    float *beta = malloc(cols * sizeof(float)), *ranges = malloc(2 * rows * sizeof(float));
    for (size_t i = 0; i < count; i++) { x[i] = 8 * uniform(); residual[i] = 2 * uniform(); }
    for (size_t i = 0; i < (rows + 1) / 2 * cols; i++) mask[i] = i % 7 == 3 ? -10000.0f : i % 11 == 5 && i % cols ? -INFINITY : 0.0f;
    for (size_t j = 0; j < cols; j++) { bias[j] = uniform(); gamma[j] = 1 + 0.5f * uniform(); beta[j] = 0.2f * uniform(); }
    // Softmax.
    const float scale = 0.125f;
    const int masked = rows > 1;  // single rows without a mask (the mask-free path), pairs of rows sharing one
    bert_softmax_forward(x, out[0], rows, cols, scale, masked ? mask : NULL, 2);
    double worst = 0;
    for (size_t r = 0; r < rows; r++) {
        double m = -INFINITY, total = 0;
        for (size_t j = 0; j < cols; j++) { const double v = (double)x[r * cols + j] * scale + (masked ? mask[(r / 2) * cols + j] : 0.0f); if (v > m) m = v; }
        for (size_t j = 0; j < cols; j++) total += exp((double)x[r * cols + j] * scale + (masked ? mask[(r / 2) * cols + j] : 0.0f) - m);
        for (size_t j = 0; j < cols; j++) {
            const double want = exp((double)x[r * cols + j] * scale + (masked ? mask[(r / 2) * cols + j] : 0.0f) - m) / total;
            worst = worse(worst, fabs(out[0][r * cols + j] - want) / (1e-6 * want + 1e-9));
        }
    }
    snprintf(line, sizeof line, "%s: softmax worst error %.3g × bound against float64", what, worst);
    check(worst <= 1.0, line);
    // Bias + GELU, in place, with ranges.
    for (size_t i = 0; i < count; i++) out[1][i] = x[i];
    if (kind) check(bert_bias_gelu_rows_vector(out[1], bias, rows, cols, ranges), "rows: the GELU kernel runs");
    else bert_bias_gelu_erf_rows(out[1], bias, rows, cols);
    worst = 0;
    int exact_ranges = 1;
    for (size_t r = 0; r < rows; r++) {
        float lo = 0, hi = 0;
        for (size_t j = 0; j < cols; j++) {
            const double v = (double)(x[r * cols + j] + bias[j]), want = 0.5 * v * (1 + erf(v / sqrt(2.0)));
            const float got = out[1][r * cols + j];
            worst = worse(worst, fabs(got - want) / (1e-6 * (1 + fabs(v))));
            lo = fminf(lo, got);
            hi = fmaxf(hi, got);
        }
        if (kind) exact_ranges &= ranges[2 * r] == lo && ranges[2 * r + 1] == hi;
    }
    snprintf(line, sizeof line, "%s: bias + GELU worst error %.3g × bound against float64", what, worst);
    check(worst <= 1.0, line);
    snprintf(line, sizeof line, "%s: bias + GELU ranges are not the rows' min(0, ·) and max(0, ·)", what);
    check(exact_ranges, line);
    // Bias + residual + LayerNorm, in place, with ranges.
    const float eps = 1e-12f;
    for (size_t i = 0; i < count; i++) out[2][i] = x[i];
    if (kind) check(bert_bias_residual_layernorm_rows_vector(out[2], bias, residual, gamma, beta, rows, cols, eps, ranges), "rows: the LayerNorm kernel runs");
    else bert_bias_residual_layernorm_rows(out[2], bias, residual, gamma, beta, rows, cols, eps);
    worst = 0;
    exact_ranges = 1;
    for (size_t r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (size_t j = 0; j < cols; j++) mean += (double)x[r * cols + j] + bias[j] + residual[r * cols + j];
        mean /= (double)cols;
        for (size_t j = 0; j < cols; j++) { const double d = (double)x[r * cols + j] + bias[j] + residual[r * cols + j] - mean; var += d * d; }
        const double rs = 1 / sqrt(var / (double)cols + eps);
        float lo = 0, hi = 0;
        for (size_t j = 0; j < cols; j++) {
            const double normal = ((double)x[r * cols + j] + bias[j] + residual[r * cols + j] - mean) * rs;
            const double want = normal * gamma[j] + beta[j];
            const float got = out[2][r * cols + j];
            worst = worse(worst, fabs(got - want) / (1e-5 * (1 + fabs(normal))));
            lo = fminf(lo, got);
            hi = fmaxf(hi, got);
        }
        if (kind) exact_ranges &= ranges[2 * r] == lo && ranges[2 * r + 1] == hi;
    }
    snprintf(line, sizeof line, "%s: bias + residual + LayerNorm worst error %.3g × bound against float64", what, worst);
    check(worst <= 1.0, line);
    snprintf(line, sizeof line, "%s: LayerNorm ranges are not the rows' min(0, ·) and max(0, ·)", what);
    check(exact_ranges, line);
    free(x); free(mask); free(bias); free(residual); free(gamma); free(beta); free(ranges);
}

static void rows_tests(void) {
    check(bert_vector_rows_kind() == 3, "rows: arm64 chooses the NEON row kernels by default");
    check(bert_vector_rows_set_kind(1) == 3 && bert_vector_rows_set_kind(2) == 3, "rows: the x86 row kernels are refused");
    for (int s = 0; s < SIZE_COUNT; s++)
        for (size_t rows = 1; rows <= 3; rows += 2) {
            const size_t cols = (size_t)sizes[s], count = rows * cols;
            float *neon[3], *portable[3];
            for (int f = 0; f < 3; f++) { neon[f] = malloc(count * sizeof(float)); portable[f] = malloc(count * sizeof(float)); }
            const uint32_t start = seed;
            rows_case(3, rows, cols, neon);
            seed = start;  // the same inputs for the portable loops
            rows_case(0, rows, cols, portable);
            double worst = 0;
            for (int f = 0; f < 3; f++)
                for (size_t i = 0; i < count; i++)
                    worst = worse(worst, fabs(neon[f][i] - portable[f][i]) / (2e-6 * (1 + fabs(portable[f][i]))));
            char line[160];
            snprintf(line, sizeof line, "rows=%zu cols=%zu: NEON and portable row kernels differ by %.3g × bound", rows, cols, worst);
            check(worst <= 1.0, line);
            for (int f = 0; f < 3; f++) { free(neon[f]); free(portable[f]); }
        }
    bert_vector_rows_set_kind(3);
}

int main(int argc, char **argv) {
    int dotprod = -1, expected[3] = {-1, -1, -1};
    for (int i = 1; i + 1 < argc; i++) {
        if (!strcmp(argv[i], "--dotprod")) dotprod = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--kinds") && i + 3 < argc)
            for (int f = 0; f < 3; f++) expected[f] = atoi(argv[i + 1 + f]);
    }
    if (dotprod < 0) {
        fprintf(stderr, "usage: arm64_kernels_test --dotprod 1|0 [--kinds PACKED QGEMM ROWS]\n"
                        "  --dotprod: whether the CPU has the ARMv8.2 dot product\n"
                        "  --kinds: only check the kinds chosen first (under BERT_KERNELS, BERT_GEMM_KERNEL, ...)\n");
        return 2;
    }
    if (expected[0] >= 0) {  // the environment's choice, before anything else asks
        char line[160];
        snprintf(line, sizeof line, "kinds chosen: packed %d, int8 %d, rows %d; wanted %d, %d, %d", bert_gemm_packed_kind(),
                 bert_qgemm_kind(), bert_vector_rows_kind(), expected[0], expected[1], expected[2]);
        check(bert_gemm_packed_kind() == expected[0] && bert_qgemm_kind() == expected[1] && bert_vector_rows_kind() == expected[2], line);
        printf("arm64 kernel tests: %d passed, %d failed\n", passed, failed);
        return failed ? 1 : 0;
    }
    fp32_tests();
    int8_tests(dotprod);
    rows_tests();
    printf("arm64 kernel tests: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
