// Raw-buffer kernels for swift-bert. Row-major, fp32, no allocation.
// Each function documents its shapes; callers guarantee sizes (the Swift layer checks them).
#ifndef CBERT_KERNELS_H
#define CBERT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- MPI (mpi_loader.c) ------------------------------------------------------------------
/// Loads Open MPI's libmpi.so.40 (or `BERT_MPI_LIBRARY`) once; 1 when every needed symbol was found.
int bert_mpi_load(void);
/// Why `bert_mpi_load` failed (dlerror or the missing symbol); empty after success.
const char *bert_mpi_load_failure(void);
/// The library path that was loaded.
const char *bert_mpi_library(void);
/// MPI_Init_thread(MPI_THREAD_FUNNELED) unless MPI is already initialised; -1 when the library is not loaded.
int bert_mpi_init(int *provided);
/// MPI_Comm_rank / MPI_Comm_size on MPI_COMM_WORLD.
int bert_mpi_rank(int *rank);
int bert_mpi_size(int *size);
/// In-place MPI_Allreduce(MPI_SUM) over MPI_COMM_WORLD.
int bert_mpi_allreduce_sum_float(float *buffer, int count);
int bert_mpi_allreduce_sum_double(double *buffer, int count);
/// In-place MPI_Iallreduce(MPI_SUM); `request` receives the MPI_Request to wait on.
int bert_mpi_iallreduce_sum_float(float *buffer, int count, void **request);
/// MPI_Wait / MPI_Test on a request (status ignored).
int bert_mpi_wait(void **request);
int bert_mpi_test(void **request, int *done);
/// MPI_Bcast of doubles from `root`.
int bert_mpi_bcast_double(double *buffer, int count, int root);
int bert_mpi_bcast_float(float *buffer, int count, int root);
int bert_mpi_barrier(void);
/// MPI_Abort(MPI_COMM_WORLD, code): ends every rank of the job.
void bert_mpi_abort(int code);
/// MPI_Finalize unless already finalised.
int bert_mpi_finalize(void);
/// MPI_Get_processor_name into `name` (capacity at least 256, MPI_MAX_PROCESSOR_NAME).
int bert_mpi_processor_name(char *name, int capacity);
/// MPI_Error_string into `text` (capacity at least 256).
void bert_mpi_error_string(int code, char *text, int capacity);

// ---- GEMM backend -------------------------------------------------------------------------
/// Backends the GEMM dispatcher can use.
typedef enum { BERT_BLAS_BUILTIN = 0, BERT_BLAS_OPENBLAS = 1, BERT_BLAS_BLIS = 2, BERT_BLAS_ACCELERATE = 3 } bert_blas_backend;

/// Loads the fastest BLAS available (once; thread-safe). On Linux this dlopens OpenBLAS (or BLIS), setting
/// OPENBLAS_CORETYPE first when the user has not, so that OpenBLAS releases that do not know this CPU still
/// use their AVX-512/AVX2 kernels. `BERT_BLAS=builtin|openblas|blis|/path/lib.so` overrides the choice.
bert_blas_backend bert_blas_init(void);
/// A human-readable description of the loaded backend (library, core type).
const char *bert_blas_description(void);
/// Sets the BLAS library's thread count (no-op for the built-in kernel, which the Swift layer parallelises).
void bert_blas_set_threads(int n);
/// C[M,N] = alpha * op(A)[M,K] · op(B)[K,N] + beta * C, row-major; op transposes when trans != 0.
void bert_sgemm(int transA, int transB, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
/// The portable fallback GEMM (same contract); single-threaded.
void bert_sgemm_builtin(int transA, int transB, int M, int N, int K, float alpha,
                        const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

// ---- Activations (n contiguous elements) -------------------------------------------------------
/// y = x * Φ(x) with the exact erf form (PyTorch `gelu`, HF "gelu").
void bert_gelu_erf_forward(const float *x, float *y, size_t n);
/// dx = dy * dGELU/dx, erf form. `dx` may alias `dy`.
void bert_gelu_erf_backward(const float *x, const float *dy, float *dx, size_t n);
/// y = 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))) (HF "gelu_new" / "gelu_pytorch_tanh").
void bert_gelu_tanh_forward(const float *x, float *y, size_t n);
/// dx = dy * dGELU_tanh/dx. `dx` may alias `dy`.
void bert_gelu_tanh_backward(const float *x, const float *dy, float *dx, size_t n);
/// y = tanh(x).
void bert_tanh_forward(const float *x, float *y, size_t n);
/// dx = dy * (1 - y²) given y = tanh(x).
void bert_tanh_backward(const float *y, const float *dy, float *dx, size_t n);
/// y = exp(x), vectorised.
void bert_exp(const float *x, float *y, size_t n);

// ---- Softmax over the last axis ---------------------------------------------------------------
/// y[r, :] = softmax(x[r, :] * scale + mask[r / mask_row_div, :]) for r in [0, rows).
/// `mask` (may be NULL) is additive, with one row of `cols` values per `mask_row_div` consecutive rows.
/// `y` may alias `x`.
void bert_softmax_forward(const float *x, float *y, size_t rows, size_t cols, float scale,
                          const float *mask, size_t mask_row_div);
// ---- Row kernels with x86 intrinsics (rows_x86.c): softmax and bias + GELU for AVX-512 / AVX2 ----------------
/// 2 (AVX-512), 1 (AVX2+FMA) or 0 (none: the portable loops run), honouring BERT_KERNELS.
int bert_vector_rows_kind(void);
/// Uses `kind` from now on if the CPU supports it (tests run every path); returns the kind in use.
int bert_vector_rows_set_kind(int kind);
/// bert_softmax_forward's result with intrinsics; 0 (nothing written) when the CPU has no such path.
int bert_softmax_rows_vector(const float *x, float *y, size_t rows, size_t cols, float scale, const float *mask,
                             size_t mask_row_div);
/// x[r, :] = GELU_erf(x[r, :] + bias) with intrinsics; 0 (nothing written) when the CPU has no such path. With
/// `ranges` (else NULL), ranges[2r] and ranges[2r + 1] get min(0, row r) and max(0, row r) of the result.
int bert_bias_gelu_rows_vector(float *x, const float *bias, size_t rows, size_t cols, float *ranges);
/// bert_bias_residual_layernorm_rows with intrinsics; 0 (nothing written) when the CPU has no such path. `ranges`
/// as bert_bias_gelu_rows_vector's.
int bert_bias_residual_layernorm_rows_vector(float *x, const float *bias, const float *residual, const float *gamma,
                                             const float *beta, size_t rows, size_t cols, float eps, float *ranges);
/// dx[r, :] = scale * y[r, :] * (dy[r, :] - Σ dy[r, :] y[r, :]). `dx` may alias `dy`.
void bert_softmax_backward(const float *y, const float *dy, float *dx, size_t rows, size_t cols, float scale);
/// y[r, :] = log_softmax(x[r, :]). `y` may alias `x`.
void bert_log_softmax_forward(const float *x, float *y, size_t rows, size_t cols);

// ---- Layer norm over the last axis -----------------------------------------------------------
/// y = (x - mean) * rstd * gamma + beta, per row of `cols`. Writes mean[rows] and rstd[rows] when non-NULL.
void bert_layernorm_forward(const float *x, const float *gamma, const float *beta, float *y,
                            float *mean, float *rstd, size_t rows, size_t cols, float eps);
/// Backward of the above. Writes dx[rows, cols]; ADDS into dgamma[cols] and dbeta[cols] when non-NULL.
void bert_layernorm_backward(const float *x, const float *gamma, const float *mean, const float *rstd,
                             const float *dy, float *dx, float *dgamma, float *dbeta, size_t rows, size_t cols);

// ---- Products with pre-packed weights (inference; AVX-512 or AVX2+FMA: gemm_packed.c; NEON: gemm_packed_neon.c) ----
/// arm64's packed kind (gemm_packed_neon.c, its own layout; the only one there): the default on Linux, opt-in on Apple
/// where Accelerate is the default. BERT_GEMM_KERNEL=neon|none.
#define BERT_GEMM_PACKED_NEON 3
#define BERT_GEMM_PACKED_NONE 0
#define BERT_GEMM_PACKED_AVX2 1
#define BERT_GEMM_PACKED_AVX512 2
/// The packed kernel in use: AVX-512 when the CPU has it, else AVX2+FMA (which Swift runs for short products only),
/// else none (the BLAS path); BERT_GEMM_KERNEL=avx512|avx2|none selects another the CPU supports.
int bert_gemm_packed_kind(void);
/// 1 when this CPU can run `kind`.
int bert_gemm_packed_kind_supported(int kind);
/// Selects `kind` if this CPU supports it (tests run every path); returns the kind in use.
int bert_gemm_packed_set_kind(int kind);
/// 1 when this CPU runs bert_gemm_packed (a kind other than NONE), else 0 (use bert_sgemm).
int bert_gemm_packed_supported(void);
/// Floats a packed copy of op(B) [k, n] takes (in any kind's layout).
size_t bert_gemm_packed_count(int k, int n);
/// Packs op(B) [k, n] (B [n, k] with ldb when transB, else B [k, n]) into dst (bert_gemm_packed_count floats, 64-byte
/// aligned) in the layout of the kind in use (on x86, the best the CPU has when that is none); dst records it.
void bert_gemm_pack_b(int transB, int k, int n, const float *b, int ldb, float *dst);
/// The kind whose layout a packed copy holds (bert_gemm_packed runs that kind's tiles whatever kind is in use).
int bert_gemm_packed_layout(const float *packed);
/// C[:, n0:n1] = A[m, k] · op(B)[:, n0:n1] from the packed op(B) of width n; n0 a multiple of 32. Overwrites C.
void bert_gemm_packed(int m, int n0, int n1, int k, const float *a, int lda, const float *packed, int n,
                      float *c, int ldc);

// ---- Attention products (attention.c; inference, one (sequence, head) on this thread) ----------------------------
/// Floats of scratch bert_attention_scores and bert_attention_context need for n keys of head dimension d.
size_t bert_attention_scratch_count(int n, int d);
/// The tiles the two functions below run: BERT_GEMM_PACKED_AVX2 or _AVX512, or NONE (they call bert_sgemm). It
/// follows bert_gemm_packed_kind, except that BERT_ATTENTION_KERNEL=avx2 runs the AVX2 tiles under an AVX-512 kind
/// and BERT_ATTENTION_KERNEL=none the BLAS path under any.
int bert_attention_kind(void);
/// With an AVX-512 packed kind, runs the AVX-512 tiles (wide != 0) or the AVX2 ones (tests, benches); returns
/// bert_attention_kind.
int bert_attention_set_wide(int wide);
/// S[m, n] (row stride lds) = Q[m, d] · K[n, d]ᵀ (row strides ldq, ldk); Kᵀ is packed into `scratch`.
void bert_attention_scores(int m, int n, int d, const float *q, int ldq, const float *k, int ldk, float *scratch,
                           float *s, int lds);
/// O[m, d] (row stride ldo) = P[m, n] · V[n, d] (row strides ldp, ldv); `scratch` as for bert_attention_scores.
void bert_attention_context(int m, int n, int d, const float *p, int ldp, const float *v, int ldv, float *scratch,
                            float *o, int ldo);

// ---- CPU features (cpu_features.c) -------------------------------------------------------------------------
#define BERT_CPU_AVX2 1
#define BERT_CPU_FMA 2
#define BERT_CPU_F16C 4
#define BERT_CPU_AVX512F 8
#define BERT_CPU_AVX512BW 16
#define BERT_CPU_AVX512VL 32
#define BERT_CPU_AVX512VNNI 64
#define BERT_CPU_AVX512BF16 128
#define BERT_CPU_AVXVNNI 256
#define BERT_CPU_NEON 512
#define BERT_CPU_DOTPROD 1024
/// The BERT_CPU_* features this CPU has.
unsigned bert_cpu_features(void);
#define BERT_KERNELS_BEST 2
#define BERT_KERNELS_AVX2 1
#define BERT_KERNELS_PORTABLE 0
/// The widest instruction set every kernel family may use, from BERT_KERNELS: `avx2` (as on an AVX2-only CPU such
/// as Zen 3: the fp32 packed, int8 and bf16 kernels take their AVX2 paths), `portable` (plain C everywhere), anything
/// else or unset: the best the CPU has. A family's own variable (BERT_GEMM_KERNEL, ...) still overrides it.
int bert_kernels_ceiling(void);

// ---- Dynamic int8 products (inference; gemm_int8.c: AVX-512 VNNI, AVX2, portable; gemm_int8_neon.c: arm64) -----
#define BERT_QGEMM_PORTABLE 0
#define BERT_QGEMM_AVX2 1
#define BERT_QGEMM_VNNI 2
#define BERT_QGEMM_AVXVNNI 3
#define BERT_QGEMM_VNNI256 4
#define BERT_QGEMM_NEON 5
#define BERT_QGEMM_SDOT 6
/// The int8 kernel in use: AVX-512 VNNI, else AVX-VNNI, else AVX2, else portable (vnni256, AVX-VNNI's code in the
/// AVX-512 encoding, only when asked); on arm64 sdot (ARMv8.2 dot product), else neon (widening multiplies).
/// BERT_QGEMM_KERNEL=vnni|avxvnni|vnni256|avx2|sdot|neon|portable picks another the CPU supports.
int bert_qgemm_kind(void);
/// 1 when this CPU can run `kind`.
int bert_qgemm_kind_supported(int kind);
/// Selects `kind` if this CPU supports it (tests run every path); returns the kind in use.
int bert_qgemm_set_kind(int kind);
/// k rounded up to a multiple of 4: the row stride (at least) of quantised A and the depth of packed weights.
size_t bert_qgemm_depth(int k);
/// n rounded up to a multiple of 32: the length of the scale and column-sum arrays.
size_t bert_qgemm_padded_columns(int n);
/// m rounded up to a multiple of 12: the rows quantised A must hold (rows past m are read, never written back).
size_t bert_qgemm_padded_rows(int m);
/// Bytes of packed int8 weights for a [n, k] weight.
size_t bert_qgemm_packed_bytes(int k, int n);
/// q[n, k] (dense) and scale[n] from w[n, k] (row stride ldw): symmetric per output channel, q in [-127, 127].
void bert_quantize_weights_s8(const float *w, int n, int k, int ldw, int8_t *q, float *scale);
/// Packs q[n, k] (row stride ldq) into dst (bert_qgemm_packed_bytes, 64-byte aligned) and writes
/// colsum[bert_qgemm_padded_columns(n)] = Σ_k q[j, k] (0 past n).
void bert_qgemm_pack_b(int k, int n, const int8_t *q, int ldq, int8_t *dst, int32_t *colsum);
/// Per row of x[m, k] (row stride ldx): q[i, :] (row stride ldq >= k; padding set to the zero point) in [0, 255],
/// scale[i] and zero[i] with x ≈ scale · (q − zero); the range always includes 0.
void bert_quantize_rows_u8(const float *x, int m, int k, int ldx, uint8_t *q, int ldq, float *scale, int32_t *zero);
/// bert_quantize_rows_u8 with each row's range already known (ranges[2i], ranges[2i + 1]: its min and max, as a
/// fused epilogue finds them while writing the row), so one pass over the row instead of two; the same bytes.
void bert_quantize_rows_u8_in_range(const float *x, int m, int k, int ldx, uint8_t *q, int ldq, float *scale, int32_t *zero,
                                    const float *ranges);

/// Runs body(context, i) for i in [0, count) on the calling thread and the kernels' worker pool (threads − 1 workers
/// that spin briefly between jobs; thread_pool.c). Returns 0 without running anything when another call holds the
/// pool (a nested or concurrent call: the caller then runs the loop another way), 1 once every iteration is done.
int bert_pool_run(int count, int threads, void (*body)(void *context, int index), void *context);
/// C[i, n0:n1] = ascale[i] · wscale[j] · (Σ_k a[i, k] w[j, k] − azero[i] · colsum[j]) + bias[j] (bias may be NULL),
/// for i < m; `a` holds bert_qgemm_padded_rows(m) rows of kp = bert_qgemm_depth(k) bytes (stride lda); n0 a multiple
/// of 32; wscale and colsum padded to a multiple of 32. Overwrites C.
void bert_qgemm_packed(int m, int n0, int n1, int kp, const uint8_t *a, int lda, const float *ascale, const int32_t *azero,
                       const int8_t *packed, const float *wscale, const int32_t *colsum, const float *bias, float *c,
                       int ldc);

// ---- bfloat16 products (inference; gemm_bf16.c: AVX512_BF16, AVX2 widening, portable) -----------------------
#define BERT_BF16_PORTABLE 0
#define BERT_BF16_AVX2 1
#define BERT_BF16_AVX512BF16 2
/// The bf16 kernel in use: AVX512_BF16, else AVX2, else portable; BERT_BF16_KERNEL=avx512bf16|avx2|portable picks
/// another the CPU supports.
int bert_bf16_kind(void);
/// 1 when this CPU can run `kind`.
int bert_bf16_kind_supported(int kind);
/// Selects `kind` if this CPU supports it (tests run every path); returns the kind in use.
int bert_bf16_set_kind(int kind);
/// k rounded up to even: the row stride (at least) of converted A and the depth of packed weights.
size_t bert_bf16_depth(int k);
/// bf16 elements of packed weights for a [n, k] weight.
size_t bert_bf16_packed_count(int k, int n);
/// m rounded up to a multiple of 12: the rows converted A must hold (rows past m are read, never written back).
size_t bert_bf16_padded_rows(int m);
/// y = bf16(x), rounded to nearest even (NaN stays NaN).
void bert_bf16_round(const float *x, uint16_t *y, size_t n);
/// y = fp32(x), exact.
void bert_bf16_widen(const uint16_t *x, float *y, size_t n);
/// Packs bf16 w[n, k] (row stride ldw) into dst (bert_bf16_packed_count elements, 64-byte aligned).
void bert_bf16_pack_b(int k, int n, const uint16_t *w, int ldw, uint16_t *dst);
/// y[i, :] = bf16(x[i, :]) for i < m, zero from k to ldy.
void bert_bf16_convert_rows(const float *x, int m, int k, int ldx, uint16_t *y, int ldy);
/// C[i, n0:n1] = Σ_k a[i, k] w[j, k] (fp32 sums of bf16 products) + bias[j] (bias may be NULL) for i < m; `a` holds
/// bert_bf16_padded_rows(m) rows of kp = bert_bf16_depth(k) elements (stride lda); n0 a multiple of 32. Overwrites C.
void bert_bf16_gemm_packed(int m, int n0, int n1, int kp, const uint16_t *a, int lda, const uint16_t *packed,
                           const float *bias, float *c, int ldc);

// ---- fp16 weights (inference; gemm_fp16.c: F16C widening, portable) -------------------------------------------
#define BERT_FP16_PORTABLE 0
#define BERT_FP16_F16C 1
/// The fp16 kernel in use: F16C (with AVX2 and FMA), else portable; BERT_FP16_KERNEL=f16c|portable picks another the
/// CPU supports.
int bert_fp16_kind(void);
/// 1 when this CPU can run `kind`.
int bert_fp16_kind_supported(int kind);
/// Selects `kind` if this CPU supports it (tests run every path); returns the kind in use.
int bert_fp16_set_kind(int kind);
/// x rounded to IEEE half precision, nearest even (NaN stays NaN; 65520 and above become infinity).
uint16_t bert_fp16_from_float(float x);
/// h as fp32, exact.
float bert_fp16_to_float(uint16_t h);
/// Halves of packed weights for a [n, k] weight.
size_t bert_fp16_packed_count(int k, int n);
/// Rounds w[n, k] (row stride ldw) to halves and packs them into dst (bert_fp16_packed_count elements, 64-byte aligned).
void bert_fp16_pack_b(int k, int n, const float *w, int ldw, uint16_t *dst);
/// The packed halves back as fp32 w[n, k] (row stride ldw), exact.
void bert_fp16_unpack_b(int k, int n, const uint16_t *packed, float *w, int ldw);
/// C[i, n0:n1] = Σ_k a[i, k] w[j, k] (fp32 a, fp16 w widened, fp32 sums) + bias[j] (bias may be NULL) for i < m; a read
/// in place (row stride lda); n0 a multiple of 16. Overwrites C.
void bert_fp16_gemm_packed(int m, int n0, int n1, int k, const float *a, int lda, const uint16_t *packed, const float *bias,
                           float *c, int ldc);

// ---- Fused inference epilogues (after a bias-free GEMM; in place, per row of `cols`; activations.c and
//      softmax_layernorm.c, beside the kernels whose arithmetic they share) ------------------------------
/// x = GELU_erf(x + bias).
void bert_bias_gelu_erf_rows(float *x, const float *bias, size_t rows, size_t cols);
/// x = x + bias.
void bert_bias_rows(float *x, const float *bias, size_t rows, size_t cols);
/// x = LayerNorm((x + bias) + residual) with gamma, beta and eps.
void bert_bias_residual_layernorm_rows(float *x, const float *bias, const float *residual, const float *gamma,
                                       const float *beta, size_t rows, size_t cols, float eps);

// ---- Memory (pages.c) ----------------------------------------------------------------------------
/// Makes the first access to every page of [p, p + bytes) a write that leaves the bytes as they are (an atomic OR
/// of 0 per page). On a copy-on-write file mapping the system then copies just those pages, where a first read
/// would also map the file's neighbouring pages (fault-around, large folios) into the process.
void bert_claim_pages(void *p, size_t bytes);

// ---- Thread-local autograd tape pointer (used by BERTTensor) ------------------------------------
/// The gradient tape recording on the calling thread, or NULL.
void *bert_current_tape(void);
/// Sets the calling thread's recording tape.
void bert_set_current_tape(void *tape);

#ifdef __cplusplus
}
#endif
#endif
