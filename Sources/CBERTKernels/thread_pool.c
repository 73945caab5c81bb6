// A small fork-join pool for the kernels' parallel loops: `threads − 1` persistent workers that spin, then yield,
// briefly between jobs before sleeping. A forward pass runs about ten parallel loops per layer; waking a sleeping thread for each
// (what DispatchQueue.concurrentPerform does once its workers park) costs tens of microseconds, more on a virtual
// CPU that has to be woken by the host. ONNX Runtime's intra-op pool spins the same way.
//
// One caller at a time: a second caller (a nested loop, another thread) is told the pool is busy and falls back to
// Dispatch. Iterations are claimed one by one from an atomic word that also carries the job's generation, so a
// worker that wakes late can never claim an iteration of a newer job with an older job's body.
#include "CBERTKernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define POOL_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define POOL_PAUSE() __asm__ __volatile__("yield")
#else
#define POOL_PAUSE() ((void)0)
#endif

#define POOL_MAX_WORKERS 63
// An idle worker spins (pause) for POOL_SPIN_NS, then yields its core in a loop until POOL_IDLE_NS, then sleeps; a
// caller waiting for the last iterations spins for POOL_SPIN_NS, then yields. Yielding keeps a loaded machine (other
// processes on the cores) from stalling: a waiting thread must not hold the core the thread it waits for needs.
#define POOL_SPIN_NS 30000
#define POOL_IDLE_NS 1000000

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static int pool_workers = 0;                   // started (under pool_lock)
static atomic_int pool_busy = 0;               // a caller holds the pool
static atomic_int pool_sleepers = 0;
static _Atomic uint64_t pool_claim = 0;        // generation << 32 | next iteration
static atomic_int pool_finished = 0;           // iterations done in the current job
// The current job; written by the caller before it publishes the generation (release), read after (acquire).
static _Atomic(void (*)(void *, int)) job_body;
static _Atomic(void *) job_context;
static atomic_int job_count, job_helpers;

static uint64_t pool_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/// Claims and runs iterations of generation `gen` until none is left; returns how many it ran.
static int run_iterations(uint32_t gen, void (*body)(void *, int), void *context, int count) {
    int ran = 0;
    uint64_t word = atomic_load_explicit(&pool_claim, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(word >> 32) != gen || (int)(uint32_t)word >= count) return ran;
        if (atomic_compare_exchange_weak_explicit(&pool_claim, &word, word + 1, memory_order_acq_rel, memory_order_acquire)) {
            body(context, (int)(uint32_t)word);
            atomic_fetch_add_explicit(&pool_finished, 1, memory_order_release);
            ran++;
            word = atomic_load_explicit(&pool_claim, memory_order_acquire);
        }
    }
}

static void *worker_main(void *argument) {
    const int id = (int)(intptr_t)argument;  // 1 ... pool_workers
    uint32_t seen = (uint32_t)(atomic_load(&pool_claim) >> 32);
    for (;;) {
        uint64_t start = pool_now_ns();
        unsigned spins = 0;
        uint32_t gen;
        int yielding = 0;
        while ((gen = (uint32_t)(atomic_load_explicit(&pool_claim, memory_order_acquire) >> 32)) == seen) {
            if (yielding) sched_yield(); else POOL_PAUSE();
            if (++spins % 64 != 0) continue;
            const uint64_t idle = pool_now_ns() - start;
            yielding = idle > POOL_SPIN_NS;
            if (idle > POOL_IDLE_NS) {
                pthread_mutex_lock(&pool_lock);
                atomic_fetch_add(&pool_sleepers, 1);  // seq_cst: the caller reads it after publishing (seq_cst)
                while ((uint32_t)(atomic_load(&pool_claim) >> 32) == seen) pthread_cond_wait(&pool_wake, &pool_lock);
                atomic_fetch_sub(&pool_sleepers, 1);
                pthread_mutex_unlock(&pool_lock);
                start = pool_now_ns();
                yielding = 0;
            }
        }
        seen = gen;
        void (*body)(void *, int) = atomic_load_explicit(&job_body, memory_order_relaxed);
        void *context = atomic_load_explicit(&job_context, memory_order_relaxed);
        const int count = atomic_load_explicit(&job_count, memory_order_relaxed);
        const int helpers = atomic_load_explicit(&job_helpers, memory_order_relaxed);
        if (id <= helpers) run_iterations(gen, body, context, count);
    }
    return NULL;
}

int bert_pool_run(int count, int threads, void (*body)(void *context, int index), void *context) {
    if (count <= 0) return 1;
    int helpers = threads - 1;
    if (helpers > POOL_MAX_WORKERS) helpers = POOL_MAX_WORKERS;
    if (helpers <= 0 || count == 1) {
        for (int i = 0; i < count; i++) body(context, i);
        return 1;
    }
    if (atomic_exchange_explicit(&pool_busy, 1, memory_order_acquire)) return 0;
    if (pool_workers < helpers) {
        pthread_mutex_lock(&pool_lock);
        while (pool_workers < helpers) {
            pthread_t thread;
            pthread_attr_t attributes;
            pthread_attr_init(&attributes);
            pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
            const int failed = pthread_create(&thread, &attributes, worker_main, (void *)(intptr_t)(pool_workers + 1));
            pthread_attr_destroy(&attributes);
            if (failed) break;
            pool_workers++;
        }
        pthread_mutex_unlock(&pool_lock);
        if (pool_workers == 0) { atomic_store_explicit(&pool_busy, 0, memory_order_release); return 0; }
        if (helpers > pool_workers) helpers = pool_workers;
    }
    atomic_store_explicit(&job_body, body, memory_order_relaxed);
    atomic_store_explicit(&job_context, context, memory_order_relaxed);
    atomic_store_explicit(&job_count, count, memory_order_relaxed);
    atomic_store_explicit(&job_helpers, helpers, memory_order_relaxed);
    atomic_store_explicit(&pool_finished, 0, memory_order_relaxed);
    const uint32_t gen = (uint32_t)(atomic_load(&pool_claim) >> 32) + 1;
    atomic_store(&pool_claim, (uint64_t)gen << 32);  // seq_cst: publishes the job, then pool_sleepers is read
    if (atomic_load(&pool_sleepers) > 0) {
        pthread_mutex_lock(&pool_lock);
        pthread_cond_broadcast(&pool_wake);
        pthread_mutex_unlock(&pool_lock);
    }
    run_iterations(gen, body, context, count);
    const uint64_t waiting = pool_now_ns();
    for (unsigned spins = 0; atomic_load_explicit(&pool_finished, memory_order_acquire) < count; spins++) {
        if (spins < 64 || pool_now_ns() - waiting < POOL_SPIN_NS) POOL_PAUSE(); else sched_yield();
    }
    atomic_store_explicit(&pool_busy, 0, memory_order_release);
    return 1;
}
