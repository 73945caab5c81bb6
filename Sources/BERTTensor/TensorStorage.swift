import Foundation

/// A reference-counted fp32 buffer. Buffers come from `BufferPool` and return to it when the last tensor
/// viewing them goes away, so a steady inference or training loop stops calling malloc after its first pass.
package final class TensorStorage: @unchecked Sendable {
    /// The first element.
    package let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    package let count: Int
    /// Whether the buffer is a copy-on-write mapping of a file, whose pages are best claimed before they are read
    /// (`Kernels.claimPages`) so that a sparse reader (an embedding lookup) holds only the pages it uses.
    package let isFileMapping: Bool
    private let owner: AnyObject?
    private let pooled: Bool

    /// A new buffer of `count` elements, contents undefined unless `zeroed`.
    package init(count: Int, zeroed: Bool = false) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
        self.owner = nil
        self.pooled = true
        self.isFileMapping = false
        if zeroed { pointer.update(repeating: 0, count: count) }
    }

    /// A zero-filled buffer whose pages the operating system supplies on first touch (`calloc`): parameters about
    /// to be loaded from a checkpoint cost no resident memory until written, and an embedding table that is then
    /// mapped from the file (`Tensor.replaceStorage`) never costs any. Not pooled.
    package init(lazilyZeroedCount count: Int) {
        let buffer = ZeroedAllocation(count: max(count, 1))
        self.pointer = buffer.pointer
        self.count = count
        self.owner = buffer
        self.pooled = false
        self.isFileMapping = false
    }

    /// Wraps memory owned by `owner` (a memory-mapped file, say) without copying; `owner` is kept alive.
    /// `isFileMapping`: the memory is a private (copy-on-write) mapping of a file.
    package init(borrowing pointer: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject, isFileMapping: Bool = false) {
        self.pointer = pointer
        self.count = count
        self.owner = owner
        self.pooled = false
        self.isFileMapping = isFileMapping
    }

    deinit { if pooled { BufferPool.shared.give(pointer, count) } }
}

/// A `calloc` block, freed with the object.
private final class ZeroedAllocation {
    let pointer: UnsafeMutablePointer<Float>
    init(count: Int) {
        guard let raw = calloc(count, MemoryLayout<Float>.stride) else { fatalError("out of memory: \(count) floats") }
        pointer = raw.bindMemory(to: Float.self, capacity: count)
    }
    deinit { free(pointer) }
}

/// Recycles buffers by exact element count. Bounded, so a change of shapes does not pin memory forever.
package final class BufferPool: @unchecked Sendable {
    /// The process-wide pool.
    package static let shared = BufferPool()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledElements = 0
    private var fresh = 0
    private let lock = NSLock()

    /// How many buffers have been newly allocated (not reused) so far; a steady loop leaves this unchanged.
    package var freshAllocations: Int { lock.lock(); defer { lock.unlock() }; return fresh }
    /// The most elements kept for reuse (default 16 Mi floats = 64 MiB, which keeps inference memory low at a few
    /// percent of speed; `BERT_POOL_MB` overrides).
    package var limit: Int = {
        if let s = ProcessInfo.processInfo.environment["BERT_POOL_MB"], let mb = Int(s) { return mb * (1 << 20) / 4 }
        return 1 << 24
    }()

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        lock.lock()
        if var list = free[n], let p = list.popLast() {
            free[n] = list
            pooledElements -= n
            lock.unlock()
            return p
        }
        fresh += 1
        lock.unlock()
        return UnsafeMutablePointer<Float>.allocate(capacity: n)
    }

    func give(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        let n = max(count, 1)
        lock.lock()
        if pooledElements + n <= limit {
            free[n, default: []].append(p)
            pooledElements += n
            lock.unlock()
        } else {
            lock.unlock()
            p.deallocate()
        }
    }

    /// Frees every pooled buffer.
    package func drain() {
        lock.lock()
        for (_, list) in free { for p in list { p.deallocate() } }
        free = [:]
        pooledElements = 0
        lock.unlock()
    }
}
