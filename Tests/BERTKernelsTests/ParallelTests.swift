import BERTKernels
import Dispatch
import XCTest

/// `Parallel.perform` on the kernels' worker pool: every index runs exactly once, whatever the count and thread
/// count, when calls nest (the inner one finds the pool busy and falls back to Dispatch) and when several threads
/// call at once (one holds the pool, the others fall back).
final class ParallelTests: XCTestCase {
    private var savedThreads = 1

    override func setUp() { savedThreads = Threads.count }
    override func tearDown() { Threads.set(savedThreads) }

    /// Runs `perform(iterations: count)` and returns how many times each index ran.
    private func runs(_ count: Int) -> [Int] {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: max(count, 1))
        Parallel.perform(iterations: count) { i in hits[i] += 1 }  // each index is written by one call only
        return Array(UnsafeBufferPointer(start: hits, count: count))
    }

    func testEveryIndexRunsExactlyOnce() {
        for threads in [1, 2, 3, 8] {
            Threads.set(threads)
            for round in 0..<200 {
                let count = round % 19
                XCTAssertEqual(runs(count), [Int](repeating: 1, count: count), "threads \(threads), count \(count)")
            }
        }
    }

    func testNestedCallsComplete() {
        Threads.set(4)
        let inner = 7, outer = 5
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: outer * inner)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: outer * inner)
        Parallel.perform(iterations: outer) { o in
            Parallel.perform(iterations: inner) { i in hits[o * inner + i] += 1 }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: hits, count: outer * inner)), [Int](repeating: 1, count: outer * inner))
    }

    func testConcurrentCallersEachGetEveryIndex() {
        Threads.set(2)
        let callers = 4, calls = 300, count = 9
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: callers)
        defer { failures.deallocate() }
        failures.initialize(repeating: 0, count: callers)
        nonisolated(unsafe) let failed = failures
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for _ in 0..<calls {
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
                hits.initialize(repeating: 0, count: count)
                Parallel.perform(iterations: count) { i in hits[i] += 1 }
                if (0..<count).contains(where: { hits[$0] != 1 }) { failed[caller] += 1 }
                hits.deallocate()
            }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: failures, count: callers)), [Int](repeating: 0, count: callers))
    }

    /// Chunks still cover the range exactly once through the pool (the form every row kernel uses).
    func testForEachChunkCoversTheRange() {
        Threads.set(2)
        for count in [1, 2, 5, 64, 1000] {
            var covered = [Int](repeating: 0, count: count)
            covered.withUnsafeMutableBufferPointer { c in
                let p = c.baseAddress!
                Parallel.forEachChunk(count) { r in for i in r { p[i] += 1 } }
            }
            XCTAssertEqual(covered, [Int](repeating: 1, count: count), "count \(count)")
        }
    }
}
