import CBERTKernels
import Dispatch
import Foundation

/// A `BERT_NUM_THREADS` value that is not a thread count. The library never prints: the CLI reads
/// `Threads.environmentProblem` and reports it.
public struct ThreadCountError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The variable's value as set.
    public let value: String

    /// The error for `value`.
    public init(value: String) { self.value = value }

    /// A one-line message naming the variable and its value, and how to fix it.
    public var description: String {
        "BERT_NUM_THREADS=\(value) is not a thread count from 1 to \(Threads.maximum); set it to one (e.g. 2) or unset it "
            + "to use every core (now using \(Threads.count))"
    }
}

/// How many threads the kernels use: `BERT_NUM_THREADS` if set to a valid count, else every active core.
public enum Threads {
    /// The largest thread count accepted.
    public static let maximum = 4096

    /// The count `BERT_NUM_THREADS` asks for in `environment`: nil when unset or empty.
    /// - Throws: `ThreadCountError` when it is set to anything but a whole number from 1 to `maximum`
    ///   (`abc`, `0`, `-2`, `1.5`).
    public static func requested(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ThreadCountError) -> Int? {
        guard let raw = environment["BERT_NUM_THREADS"] else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        guard let n = Int(text), (1...maximum).contains(n) else { throw ThreadCountError(value: raw) }
        return n
    }

    /// Why `BERT_NUM_THREADS` was ignored, if it was (the count is then every core); nil when it is unset or valid.
    public static let environmentProblem: ThreadCountError? = {
        do throws(ThreadCountError) { _ = try requested(); return nil } catch { return error }
    }()

    /// The count in force. One per process: every model and kernel in it shares the cores, so the setting belongs
    /// to the process (the CLI's `--threads`, a server's start-up), not to a model.
    private static let configured = Locked((try? requested()) ?? max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// The thread count in force.
    public static var count: Int { configured.current }

    /// Sets the thread count for the built-in kernels and the BLAS library (for the whole process).
    public static func set(_ n: Int) {
        configured.withLock { value in
            value = max(1, n)
            GEMM.setThreads(value)
        }
    }
}

/// Splits `count` independent units of work into at most `Threads.count` contiguous chunks.
package enum Parallel {
    /// Calls `body(range)` on disjoint ranges covering `0..<count`, in parallel when each chunk has at least
    /// `minimumChunk` units. Ranges are contiguous so results stay deterministic regardless of thread count.
    package static func forEachChunk(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        forEachChunk(count, chunks: chunkCount(count, minimumChunk: minimumChunk)) { _, range in body(range) }
    }

    /// How many chunks `forEachChunk(count, minimumChunk:)` splits into now (at most `Threads.count`).
    package static func chunkCount(_ count: Int, minimumChunk: Int = 1) -> Int {
        guard count > 0 else { return 0 }
        return min(Threads.count, max(1, count / max(1, minimumChunk)))
    }

    /// Calls `body(chunk, range)` for `chunks` (from `chunkCount`) disjoint contiguous ranges covering
    /// `0..<count`; `chunk` is in `0..<chunks`, so a caller can hand each chunk its own slice of scratch memory
    /// taken before the loop (scratch taken inside a chunk would depend on how the chunks happened to overlap).
    package static func forEachChunk(_ count: Int, chunks: Int, _ body: (_ chunk: Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = max(1, min(chunks, count))
        if chunks == 1 { body(0, 0..<count); return }
        let per = (count + chunks - 1) / chunks
        perform(iterations: chunks) { c in
            let lo = c * per, hi = min(count, lo + per)
            if lo < hi { body(c, lo..<hi) }
        }
    }

    /// Calls `body(i)` for every i in `0..<count`, in parallel: on the kernels' worker pool (`bert_pool_run`, whose
    /// workers spin briefly between calls, so the ten or so parallel loops of each encoder layer do not each wake a
    /// sleeping thread), or through Dispatch when the pool is busy (a nested or concurrent call) or
    /// `BERT_THREAD_POOL=dispatch` is set. Each index runs exactly once, whichever thread runs it.
    package static func perform(iterations count: Int, _ body: (Int) -> Void) {
        if count <= 1 {
            if count == 1 { body(0) }
            return
        }
        if usesPool {
            let ran = withoutActuallyEscaping(body) { escapable -> Bool in
                var box = escapable
                return withUnsafeMutablePointer(to: &box) { pointer in
                    bert_pool_run(Int32(count), Int32(Threads.count), { context, index in
                        context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                    }, pointer) != 0
                }
            }
            if ran { return }
        }
        // Each call gets its own index, the contract every caller's body is written to; the closure itself is not
        // Sendable because bodies capture raw buffers.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: count) { body($0) }
    }

    /// Whether parallel loops use the worker pool (unless `BERT_THREAD_POOL=dispatch`).
    static let usesPool = ProcessInfo.processInfo.environment["BERT_THREAD_POOL"] != "dispatch"
}

extension GEMM {
    /// Calls `body(columns)` on runs of whole `panel`-wide column panels covering `0..<n`, one run per thread (in
    /// parallel) when the product's work (m·n·k) reaches `threshold`, else one run on this thread. Each call writes only
    /// its own columns of C: the split every packed-weight product (fp32, int8, bf16, fp16) uses.
    package static func forEachColumnRun(n: Int, panel: Int, work: Int, threshold: Int, _ body: (Range<Int>) -> Void) {
        let panels = (n + panel - 1) / panel
        let threads = work >= threshold ? min(Threads.count, panels) : 1
        let per = (panels + threads - 1) / threads * panel
        let runs = (n + per - 1) / per
        Parallel.perform(iterations: runs) { i in body((i * per)..<min(n, i * per + per)) }
    }
}
