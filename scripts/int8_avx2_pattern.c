// Why the exact AVX2 int8 kernel runs at about 80 % of vpmaddwd's rate: instruction patterns in tight loops (no
// memory), 16 multiplies each, timed in thread CPU time (so a shared machine does not skew them) and reported in
// cycles at the clock a chain of dependent vpaddd implies. Our kernel's pattern is "vpmaddwd then a vpaddd that
// reads its result" (16 products per multiply, exact in int32); ONNX Runtime's is "vpmaddubsw, vpmaddwd by ones,
// vpaddd" (32 products per two multiplies, but vpmaddubsw saturates: not exact for u8 × s8).
//
//   clang -O2 -o /tmp/int8_avx2_pattern scripts/int8_avx2_pattern.c && taskset -c 1 /tmp/int8_avx2_pattern
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", \
                 "xmm12", "xmm13", "xmm14", "xmm15"
#define ITERATIONS 5000000L
#define TIMED(name, body)                                                                                              \
    static double name(void) {                                                                                         \
        const double t0 = now();                                                                                       \
        for (long t = 0; t < ITERATIONS; t++) __asm__ volatile(body ::: CLOBBERS);                                     \
        return (now() - t0) / ITERATIONS;                                                                              \
    }
#define MADD(d) "vpmaddwd %%ymm14, %%ymm15, %%ymm" #d "\n\t"
#define MADDUBS(d) "vpmaddubsw %%ymm14, %%ymm15, %%ymm" #d "\n\t"
#define MADD_ONES(d) "vpmaddwd %%ymm13, %%ymm" #d ", %%ymm" #d "\n\t"
#define ADD(t, acc) "vpaddd %%ymm" #t ", %%ymm" #acc ", %%ymm" #acc "\n\t"     // reads the multiply's result
#define ADD_OTHER(t, acc) "vpaddd %%ymm13, %%ymm" #acc ", %%ymm" #acc "\n\t"  // does not
#define CVT(t, acc) "vcvtdq2ps %%ymm" #t ", %%ymm" #acc "\n\t"
#define NONE(t, acc) ""
// 4 multiplies into temps 0–3, each followed by `op` on it into accumulators a..a+3.
#define FOUR(mul, op, a0, a1, a2, a3) mul(0) op(0, a0) mul(1) op(1, a1) mul(2) op(2, a2) mul(3) op(3, a3)
#define SIXTEEN(mul, op) FOUR(mul, op, 4, 5, 6, 7) FOUR(mul, op, 8, 9, 10, 11) FOUR(mul, op, 4, 5, 6, 7) FOUR(mul, op, 8, 9, 10, 11)

TIMED(chain, "vpaddd %%ymm1, %%ymm0, %%ymm0\n\t vpaddd %%ymm1, %%ymm0, %%ymm0\n\t vpaddd %%ymm1, %%ymm0, %%ymm0\n\t"
             "vpaddd %%ymm1, %%ymm0, %%ymm0\n\t vpaddd %%ymm1, %%ymm0, %%ymm0\n\t vpaddd %%ymm1, %%ymm0, %%ymm0\n\t"
             "vpaddd %%ymm1, %%ymm0, %%ymm0\n\t vpaddd %%ymm1, %%ymm0, %%ymm0\n\t")
TIMED(madd_only, SIXTEEN(MADD, NONE))
TIMED(madd_add_other, SIXTEEN(MADD, ADD_OTHER))
TIMED(madd_add, SIXTEEN(MADD, ADD))
TIMED(madd_cvt, SIXTEEN(MADD, CVT))
#define HALF_ADD(t, acc) ""
TIMED(madd_add_half, FOUR(MADD, NONE, 0, 0, 0, 0) FOUR(MADD, ADD, 4, 5, 6, 7) FOUR(MADD, NONE, 0, 0, 0, 0)
                         FOUR(MADD, ADD, 8, 9, 10, 11))
#define ORT(d, acc) MADDUBS(d) MADD_ONES(d) ADD(d, acc)
TIMED(ort, ORT(0, 4) ORT(1, 5) ORT(2, 6) ORT(3, 7) ORT(0, 8) ORT(1, 9) ORT(2, 10) ORT(3, 11))

int main(void) {
    for (int round = 0; round < 2; round++) {
        const double cycle = chain() / 8;
        printf("clock %.2f GHz (dependent vpaddd chain)\n", 1e-9 / cycle);
        const struct { const char *name; double (*run)(void); } p[] = {
            {"16 vpmaddwd", madd_only},
            {"16 vpmaddwd + 16 vpaddd not reading them", madd_add_other},
            {"16 vpmaddwd, each read by a vpaddd (ours)", madd_add},
            {"16 vpmaddwd, each read by a vcvtdq2ps", madd_cvt},
            {"16 vpmaddwd, 8 read by a vpaddd", madd_add_half},
            {"8 x (vpmaddubsw, vpmaddwd, vpaddd) (ORT)", ort},
        };
        for (int i = 0; i < 6; i++) {
            const double cycles = p[i].run() / cycle;
            printf("%-46s %6.2f cycles  %.2f multiplies/cycle\n", p[i].name, cycles, 16 / cycles);
        }
    }
    return 0;
}
