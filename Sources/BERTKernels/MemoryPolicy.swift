import CBERTKernels

/// Process-wide allocator settings a command-line tool may choose (a library never changes them on its own).
package enum MemoryPolicy {
    /// glibc: a fixed 1 MiB mmap threshold, so large blocks (activations) return to the system when freed instead
    /// of staying in the heap after glibc raises its threshold. No effect with other C libraries.
    package static func returnLargeBlocksToSystem() { _ = bert_fix_mmap_threshold(1 << 20) }
}
