// The CPU features the kernels dispatch on, for `bert info` and benchmark reports.
#include "CBERTKernels.h"
#include <stdlib.h>
#include <string.h>

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
#endif
    return bits;
}

int bert_kernels_ceiling(void) {
    const char *ceiling = getenv("BERT_KERNELS");
    if (ceiling && !strcmp(ceiling, "avx2")) return BERT_KERNELS_AVX2;
    if (ceiling && !strcmp(ceiling, "portable")) return BERT_KERNELS_PORTABLE;
    return BERT_KERNELS_BEST;
}
