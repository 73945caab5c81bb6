// Single-thread int8 and fp32 peak of this CPU: tight loops of independent vpdpbusd (AVX-512 VNNI, 512 and 256 bits)
// and vfmadd231ps (AVX-512), enough accumulators to hide latency. One vpdpbusd on zmm = 64 u8×s8 products summed
// into 16 int32 lanes = 128 int8 ops; one vfmadd231ps on zmm = 32 fp32 flops.
//
//   clang -O2 -march=native -o /tmp/int8_peak scripts/int8_peak.c && /tmp/int8_peak
//
// (Zen 4 executes 512-bit ops as two 256-bit halves: the 512- and 256-bit rates tell whether that halves the
// per-instruction rate.)
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define ACC 12
__attribute__((noinline)) static int32_t vnni512(long iterations) {
    __m512i acc[ACC];
    for (int i = 0; i < ACC; i++) acc[i] = _mm512_set1_epi32(i);
    const __m512i a = _mm512_set1_epi32(0x01020304), b = _mm512_set1_epi32(0x01fe01fe);
    for (long it = 0; it < iterations; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < ACC; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
        __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]));
    }
    __m512i s = acc[0];
    for (int i = 1; i < ACC; i++) s = _mm512_add_epi32(s, acc[i]);
    return _mm512_reduce_add_epi32(s);
}

__attribute__((noinline)) static int32_t vnni256(long iterations) {
    __m256i acc[ACC];
    for (int i = 0; i < ACC; i++) acc[i] = _mm256_set1_epi32(i);
    const __m256i a = _mm256_set1_epi32(0x01020304), b = _mm256_set1_epi32(0x01fe01fe);
    for (long it = 0; it < iterations; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < ACC; i++) acc[i] = _mm256_dpbusd_epi32(acc[i], a, b);
        __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]));
    }
    __m256i s = acc[0];
    for (int i = 1; i < ACC; i++) s = _mm256_add_epi32(s, acc[i]);
    int32_t out[8];
    _mm256_storeu_si256((__m256i *)out, s);
    return out[0];
}

__attribute__((noinline)) static float fma512(long iterations) {
    __m512 acc[ACC];
    for (int i = 0; i < ACC; i++) acc[i] = _mm512_set1_ps((float)i);
    const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
    for (long it = 0; it < iterations; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < ACC; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]));
    }
    __m512 s = acc[0];
    for (int i = 1; i < ACC; i++) s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

int main(void) {
    // Many short trials, the fastest of each kind kept: on a shared machine the best slice is the CPU's own rate.
    const long n = 500000;
    double best512 = 1e9, best256 = 1e9, bestf = 1e9;
    long long sink = 0;
    for (int round = 0; round < 300; round++) {
        double t = now();
        sink += vnni512(n);
        double d = now() - t;
        if (d < best512) best512 = d;
        t = now();
        sink += vnni256(n);
        d = now() - t;
        if (d < best256) best256 = d;
        t = now();
        sink += (long long)fma512(n);
        d = now() - t;
        if (d < bestf) bestf = d;
    }
    printf("vpdpbusd zmm: %.1f GOP/s (%.2f G instr/s)\nvpdpbusd ymm: %.1f GOP/s (%.2f G instr/s)\n"
           "vfmadd231ps zmm: %.1f GFLOP/s (%.2f G instr/s)\n(sink %lld)\n",
           n * ACC * 128.0 / best512 / 1e9, n * ACC / best512 / 1e9, n * ACC * 64.0 / best256 / 1e9, n * ACC / best256 / 1e9,
           n * ACC * 32.0 / bestf / 1e9, n * ACC / bestf / 1e9, sink);
    return 0;
}
