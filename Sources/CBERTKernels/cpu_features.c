// The CPU features the kernels dispatch on, for `bert info` and benchmark reports.
#include "CBERTKernels.h"
#include <stdlib.h>
#include <string.h>
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#elif defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>
#endif

unsigned bert_cpu_features(void) {
    unsigned bits = 0;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (__builtin_cpu_supports("avx2")) bits |= BERT_CPU_AVX2;
    if (__builtin_cpu_supports("fma")) bits |= BERT_CPU_FMA;
    if (__builtin_cpu_supports("f16c")) bits |= BERT_CPU_F16C;
    if (__builtin_cpu_supports("avx512f")) bits |= BERT_CPU_AVX512F;
    if (__builtin_cpu_supports("avx512bw")) bits |= BERT_CPU_AVX512BW;
    if (__builtin_cpu_supports("avx512vl")) bits |= BERT_CPU_AVX512VL;
    if (__builtin_cpu_supports("avx512vnni")) bits |= BERT_CPU_AVX512VNNI;
    if (__builtin_cpu_supports("avx512bf16")) bits |= BERT_CPU_AVX512BF16;
    if (__builtin_cpu_supports("avxvnni")) bits |= BERT_CPU_AVXVNNI;
#elif defined(__aarch64__)
    bits |= BERT_CPU_NEON;  // every arm64 CPU has Advanced SIMD
#if defined(__linux__)
    if (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) bits |= BERT_CPU_DOTPROD;  // ARMv8.2 sdot/udot ("asimddp")
#elif defined(__APPLE__)
    int dot = 0;
    size_t size = sizeof dot;
    if (sysctlbyname("hw.optional.arm.FEAT_DotProd", &dot, &size, NULL, 0) == 0 && dot) bits |= BERT_CPU_DOTPROD;
#endif
#endif
    return bits;
}

int bert_kernels_ceiling(void) {
    const char *ceiling = getenv("BERT_KERNELS");
    if (ceiling && !strcmp(ceiling, "avx2")) return BERT_KERNELS_AVX2;
    if (ceiling && !strcmp(ceiling, "portable")) return BERT_KERNELS_PORTABLE;
    return BERT_KERNELS_BEST;
}
