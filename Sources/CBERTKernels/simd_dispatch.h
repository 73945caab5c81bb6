// Function multiversioning: on x86-64 Linux a hot loop is compiled for AVX-512, AVX2 and baseline, and the
// loader picks the best at run time, so no -march flag is needed and the binary still runs on older CPUs.
#ifndef CBERT_SIMD_DISPATCH_H
#define CBERT_SIMD_DISPATCH_H
#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define BERT_SIMD __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))
#else
#define BERT_SIMD
#endif
#endif
