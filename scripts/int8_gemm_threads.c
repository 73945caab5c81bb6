// The int8 GEMM (Sources/CBERTKernels/gemm_int8.c) on one BERT shape, single-threaded, split over two threads that
// spin between runs, and split over two through libdispatch's dispatch_apply_f (what DispatchQueue.concurrentPerform
// does): the best and median of REPS runs, with GAP microseconds of busy work between runs (a forward pass's
// serial glue). Shows the kernel's rate against the vpdpbusd peak (scripts/int8_peak.c) and what a fork-join costs.
//
//   S=Sources/CBERTKernels; L=/opt/swift/usr/lib/swift
//   clang -O2 -fblocks -I$S/include -I$L -o /tmp/qthreads scripts/int8_gemm_threads.c $S/gemm_int8.c -lm -lpthread \
//       -L$L/linux -ldispatch -lBlocksRuntime -Wl,-rpath,$L/linux
//   /tmp/qthreads 128 768 768 300 50      # M N K REPS GAP
#include "CBERTKernels.h"
#include <dispatch/dispatch.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int bert_kernels_ceiling(void) { return BERT_KERNELS_BEST; }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int m, n, k, kp, half;
static uint8_t *qa;
static float *as, *ws, *c;
static int32_t *az, *cs;
static int8_t *packed;
static atomic_int go, done;
static int reps;

static void product(int n0, int n1) { bert_qgemm_packed(m, n0, n1, kp, qa, kp, as, az, packed, ws, cs, NULL, c, n); }
static void apply_body(void *context, size_t i) { (void)context; if (i == 0) product(0, half); else product(half, n); }

static void *spinning_worker(void *unused) {
    (void)unused;
    for (int r = 0; r < reps; r++) {
        while (atomic_load(&go) <= r) {}
        product(half, n);
        atomic_fetch_add(&done, 1);
    }
    return NULL;
}

static int ascending(const void *x, const void *y) { const double a = *(const double *)x, b = *(const double *)y; return a < b ? -1 : a > b; }

static void report(const char *label, double *t) {
    qsort(t, reps, sizeof(double), ascending);
    printf("%-28s %d x %d x %d: best %.3f ms (%.0f GOP/s), median %.3f ms\n", label, m, n, k, t[0] * 1e3,
           2.0 * m * n * k / t[0] / 1e9, t[reps / 2] * 1e3);
}

static void gap(double seconds) { const double g = now(); while (now() - g < seconds) {} }

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s M N K REPS [GAP_US]\n", argv[0]); return 2; }
    m = atoi(argv[1]); n = atoi(argv[2]); k = atoi(argv[3]); reps = atoi(argv[4]);
    const double pause = argc > 5 ? atof(argv[5]) * 1e-6 : 0;
    if (m <= 0 || n <= 0 || k <= 0 || reps <= 0) { fprintf(stderr, "M, N, K and REPS must be positive\n"); return 2; }
    kp = (int)bert_qgemm_depth(k);
    half = (n / 32 + 1) / 2 * 32;
    if (half > n) half = n;
    const size_t mp = bert_qgemm_padded_rows(m), np = bert_qgemm_padded_columns(n);
    float *w = malloc(sizeof(float) * n * k), *a = malloc(sizeof(float) * m * k);
    c = malloc(sizeof(float) * m * n);
    for (long i = 0; i < (long)n * k; i++) w[i] = (rand() % 2001 - 1000) / 10000.0f;
    for (long i = 0; i < (long)m * k; i++) a[i] = (rand() % 2001 - 1000) / 500.0f;
    int8_t *q = malloc((size_t)n * k);
    ws = calloc(np, sizeof(float));
    bert_quantize_weights_s8(w, n, k, k, q, ws);
    packed = aligned_alloc(64, (bert_qgemm_packed_bytes(k, n) + 63) / 64 * 64);
    cs = calloc(np, sizeof(int32_t));
    bert_qgemm_pack_b(k, n, q, k, packed, cs);
    qa = calloc(mp * kp, 1);
    as = malloc(sizeof(float) * m);
    az = malloc(sizeof(int32_t) * m);
    bert_quantize_rows_u8(a, m, k, k, qa, kp, as, az);
    double *t = malloc(sizeof(double) * reps);

    for (int r = 0; r < reps; r++) { gap(pause); const double s = now(); product(0, n); t[r] = now() - s; }
    report("one thread", t);

    pthread_t thread;
    pthread_create(&thread, NULL, spinning_worker, NULL);
    for (int r = 0; r < reps; r++) {
        gap(pause);
        const double s = now();
        atomic_store(&go, r + 1);
        product(0, half);
        while (atomic_load(&done) <= r) {}
        t[r] = now() - s;
    }
    pthread_join(thread, NULL);
    report("two spinning threads", t);

    for (int r = 0; r < reps; r++) {
        gap(pause);
        const double s = now();
        dispatch_apply_f(2, DISPATCH_APPLY_AUTO, NULL, apply_body);
        t[r] = now() - s;
    }
    report("two through dispatch_apply", t);
    return 0;
}
