import Dispatch
import Foundation

/// How many threads the kernels use: `BERT_NUM_THREADS` if set, else every active core.
public enum Threads {
    nonisolated(unsafe) private static var configured: Int = {
        if let s = ProcessInfo.processInfo.environment["BERT_NUM_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The thread count in force.
    public static var count: Int { configured }

    /// Sets the thread count for the built-in kernels and the BLAS library.
    public static func set(_ n: Int) {
        configured = max(1, n)
        GEMM.setThreads(configured)
    }
}

/// Splits `count` independent units of work into at most `Threads.count` contiguous chunks.
public enum Parallel {
    /// Calls `body(range)` on disjoint ranges covering `0..<count`, in parallel when each chunk has at least
    /// `minimumChunk` units. Ranges are contiguous so results stay deterministic regardless of thread count.
    @inlinable
    public static func forEachChunk(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(Threads.count, max(1, count / max(1, minimumChunk)))
        if chunks <= 1 { body(0..<count); return }
        let per = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per, hi = min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }
}
