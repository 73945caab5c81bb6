// GEMM dispatch: Accelerate on Apple, a dlopened OpenBLAS or BLIS on Linux, the built-in kernel otherwise.
//
// Why dlopen and not a link: OpenBLAS picks its kernels in a library constructor that runs when the library is
// loaded, from OPENBLAS_CORETYPE or its own CPU table. Debian's 0.3.21 does not know recent CPUs (it takes
// Zen 4 for "Prescott" and runs sgemm five times slower), so we must set the variable before the library loads.
// Loading it ourselves also means a machine without OpenBLAS still runs (built-in kernel) instead of failing to
// start, and the library's absence is reported with the package to install.
#include "CBERTKernels.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__APPLE__)
#include <Accelerate/Accelerate.h>
#else
#include <dlfcn.h>
#endif

typedef void (*cblas_sgemm_fn)(int order, int transA, int transB, int M, int N, int K, float alpha,
                               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
typedef void (*set_threads_fn)(int n);
typedef char *(*corename_fn)(void);

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static bert_blas_backend backend = BERT_BLAS_BUILTIN;
static cblas_sgemm_fn sgemm_ptr = NULL;
static set_threads_fn set_threads_ptr = NULL;
static char description[512] = "built-in C kernel";

#if !defined(__APPLE__)
/// Chooses an OpenBLAS core type from the CPU's features when the user has not chosen one.
static void choose_openblas_coretype(void) {
    if (getenv("OPENBLAS_CORETYPE") != NULL) return;
#if defined(__x86_64__)
    __builtin_cpu_init();
    // BERT_KERNELS=avx2 stands in for an AVX2-only CPU (Zen 3): OpenBLAS takes the kernels it would take there.
    const int avx2_ceiling = bert_kernels_ceiling() == BERT_KERNELS_AVX2;
    if (!avx2_ceiling && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        setenv("OPENBLAS_CORETYPE", "Haswell", 0);
    }
#endif
}

static int try_load(const char *path, bert_blas_backend kind) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) return 0;
    cblas_sgemm_fn f = (cblas_sgemm_fn)dlsym(h, "cblas_sgemm");
    if (!f) { dlclose(h); return 0; }
    sgemm_ptr = f;
    backend = kind;
    if (kind == BERT_BLAS_OPENBLAS) {
        set_threads_ptr = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
        corename_fn core = (corename_fn)dlsym(h, "openblas_get_corename");
        snprintf(description, sizeof description, "OpenBLAS (%s), core %s", path, core ? core() : "?");
    } else {
        set_threads_ptr = (set_threads_fn)dlsym(h, "bli_thread_set_num_threads");
        snprintf(description, sizeof description, "BLIS (%s)", path);
    }
    return 1;
}
#endif

static void blas_load_once(void) {
#if defined(__APPLE__)
    backend = BERT_BLAS_ACCELERATE;
    snprintf(description, sizeof description, "Accelerate");
#else
    const char *choice = getenv("BERT_BLAS");
    if (choice && strcmp(choice, "builtin") == 0) return;
    choose_openblas_coretype();
    if (choice && strcmp(choice, "openblas") != 0 && strcmp(choice, "blis") != 0) {
        if (try_load(choice, strstr(choice, "blis") ? BERT_BLAS_BLIS : BERT_BLAS_OPENBLAS)) return;
        fprintf(stderr, "swift-bert: BERT_BLAS=%s could not be loaded (%s); using the built-in kernel\n",
                choice, dlerror());
        return;
    }
    if (!choice || strcmp(choice, "openblas") == 0) {
        static const char *names[] = {"libopenblas.so.0", "libopenblasp.so.0", "libopenblas.so", NULL};
        for (int i = 0; names[i]; i++) if (try_load(names[i], BERT_BLAS_OPENBLAS)) return;
    }
    static const char *blis[] = {"libblis.so.4", "libblis.so.3", "libblis.so", NULL};
    for (int i = 0; blis[i]; i++) if (try_load(blis[i], BERT_BLAS_BLIS)) return;
    if (!getenv("BERT_BLAS_QUIET"))
        fprintf(stderr, "swift-bert: no OpenBLAS found; matrix products use the slower built-in kernel. "
                        "Install it with: apt-get install libopenblas0-pthread\n");
#endif
}

bert_blas_backend bert_blas_init(void) {
    pthread_once(&blas_once, blas_load_once);
    return backend;
}

const char *bert_blas_description(void) {
    bert_blas_init();
    return description;
}

void bert_blas_set_threads(int n) {
    bert_blas_init();
    if (set_threads_ptr && n > 0) set_threads_ptr(n);
}

void bert_sgemm(int transA, int transB, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    bert_blas_init();
#if defined(__APPLE__)
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    if (sgemm_ptr && K > 0) {
        // CBLAS enums: RowMajor 101, NoTrans 111, Trans 112.
        sgemm_ptr(101, transA ? 112 : 111, transB ? 112 : 111, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    bert_sgemm_builtin(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

static _Thread_local void *current_tape = NULL;
void *bert_current_tape(void) { return current_tape; }
void bert_set_current_tape(void *tape) { current_tape = tape; }
