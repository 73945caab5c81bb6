// Process memory policy for the command-line tools (see BERTKernels/MemoryPolicy.swift).
#include "CBERTKernels.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int bert_fix_mmap_threshold(int bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}
