import Foundation

/// A reference-counted fp32 buffer. Buffers come from `BufferPool` and return to it when the last tensor
/// viewing them goes away, so a steady inference or training loop stops calling malloc after its first pass.
public final class TensorStorage: @unchecked Sendable {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int
    private let owner: AnyObject?
    private let pooled: Bool

    /// A new buffer of `count` elements, contents undefined unless `zeroed`.
    public init(count: Int, zeroed: Bool = false) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
        self.owner = nil
        self.pooled = true
        if zeroed { pointer.update(repeating: 0, count: count) }
    }

    /// Wraps memory owned by `owner` (a memory-mapped file, say) without copying; `owner` is kept alive.
    public init(borrowing pointer: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject) {
        self.pointer = pointer
        self.count = count
        self.owner = owner
        self.pooled = false
    }

    deinit { if pooled { BufferPool.shared.give(pointer, count) } }
}

/// Recycles buffers by exact element count. Bounded, so a change of shapes does not pin memory forever.
public final class BufferPool: @unchecked Sendable {
    /// The process-wide pool.
    public static let shared = BufferPool()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledElements = 0
    private var fresh = 0
    private let lock = NSLock()

    /// How many buffers have been newly allocated (not reused) so far; a steady loop leaves this unchanged.
    public var freshAllocations: Int { lock.lock(); defer { lock.unlock() }; return fresh }
    /// The most elements kept for reuse (default 16 Mi floats = 64 MiB, which keeps inference memory low at a few
    /// percent of speed; `BERT_POOL_MB` overrides).
    public var limit: Int = {
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
    public func drain() {
        lock.lock()
        for (_, list) in free { for p in list { p.deallocate() } }
        free = [:]
        pooledElements = 0
        lock.unlock()
    }
}
