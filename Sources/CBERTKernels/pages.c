#include "CBERTKernels.h"
#include <stdint.h>
#include <unistd.h>

void bert_claim_pages(void *p, size_t bytes) {
    static uintptr_t page_size;
    if (page_size == 0) page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t at = (uintptr_t)p, end = at + bytes;
    while (at < end) {
        // volatile: an idempotent RMW that is not volatile may be compiled as a plain (fenced) load
        volatile uint32_t *word = (volatile uint32_t *)(at & ~(uintptr_t)3);
        __atomic_fetch_or(word, 0u, __ATOMIC_RELAXED);
        at = (at / page_size + 1) * page_size;
    }
}
