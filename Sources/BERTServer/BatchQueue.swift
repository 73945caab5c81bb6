import Foundation

/// Limits on how the queue merges inputs (Text Embeddings Inference's router arguments of the same names).
package struct BatchLimits: Sendable, Equatable {
    /// Tokens in one forward pass, summed over its inputs (`--max-batch-tokens`).
    package var maxBatchTokens: Int
    /// Inputs in one forward pass, or no bound (`--max-batch-requests`).
    package var maxBatchRequests: Int?
    /// Inputs queued or running at once; more are refused with 429 (`--max-concurrent-requests`).
    package var maxConcurrentRequests: Int

    /// TEI's defaults: 16384 tokens, unbounded inputs per batch, 512 concurrent inputs.
    package init(maxBatchTokens: Int = 16_384, maxBatchRequests: Int? = nil, maxConcurrentRequests: Int = 512) {
        (self.maxBatchTokens, self.maxBatchRequests, self.maxConcurrentRequests) =
            (maxBatchTokens, maxBatchRequests, maxConcurrentRequests)
    }
}

/// One queue, one worker: requests add their (already tokenized) inputs from any task; a single dedicated thread
/// takes as many queued inputs as fit `BatchLimits` (in arrival order, across requests), runs them through
/// `process` as one batch, and answers each request once all its inputs are done. This is TEI's queue + batching
/// task (core/src/queue.rs, core/src/infer.rs) without its separate backend process.
///
/// Why one worker thread: the models are `Sendable` (several tasks may call one at once), but each call already
/// uses every core, so concurrent calls would only contend; one worker merging requests into batches gives TEI's
/// throughput and a fair order. `@unchecked Sendable`: everything the HTTP side shares with the worker (the queue,
/// the counts) is guarded by `condition`. The HTTP handlers only await, so inference never blocks an event loop.
package final class BatchQueue<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    /// Runs one batch on the worker thread: one output per input, in order.
    package typealias Process = ([Input]) throws -> [Output]

    /// A request's inputs, waiting or running; answered when `remaining` reaches 0.
    private final class Pending {
        var outputs: [Output?]
        var remaining: Int
        var answered = false
        let continuation: CheckedContinuation<[Output], any Error>

        init(count: Int, continuation: CheckedContinuation<[Output], any Error>) {
            outputs = Array(repeating: nil, count: count)
            remaining = count
            self.continuation = continuation
        }
    }

    private struct Entry {
        let input: Input
        let tokens: Int
        let request: Pending
        let index: Int
    }

    private let limits: BatchLimits
    private let process: Process
    private let condition = NSCondition()
    private var queue: [Entry] = []
    private var queueStart = 0
    private var admitted = 0
    private var everAdmitted = 0
    private var stopping = false
    private var stopped = false
    private var thread: Thread?
    private let observer: (@Sendable (BatchEvent) -> Void)?

    /// A queue whose worker runs `process`; call `start` to begin. `observer` hears of batches and queue sizes
    /// (on the worker thread or a submitting task).
    package init(limits: BatchLimits, observer: (@Sendable (BatchEvent) -> Void)? = nil, process: @escaping Process) {
        self.limits = limits
        self.observer = observer
        self.process = process
    }

    /// Starts the worker thread.
    package func start() {
        condition.lock(); defer { condition.unlock() }
        guard thread == nil else { return }
        let worker = Thread { [self] in self.work() }
        worker.name = "bert-serve-worker"
        // The kernels run their own threads; this one only drives them.
        worker.stackSize = 8 << 20
        thread = worker
        worker.start()
    }

    /// Inputs queued or running.
    package var inFlight: Int {
        condition.lock(); defer { condition.unlock() }
        return admitted
    }

    /// Inputs admitted since start, answered or not.
    package var admittedSinceStart: Int {
        condition.lock(); defer { condition.unlock() }
        return everAdmitted
    }

    /// Queues `inputs` (each with its token count) and waits for their outputs, in order.
    /// - Throws: `ServerError.overloaded` when they would take the queue past `maxConcurrentRequests`,
    ///   `.unhealthy` once shutdown began, or what `process` threw for their batch.
    package func submit(_ inputs: [(input: Input, tokens: Int)]) async throws -> [Output] {
        guard !inputs.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if stopping {
                condition.unlock()
                continuation.resume(throwing: ServerError(.unhealthy, "the server is shutting down"))
                return
            }
            guard admitted + inputs.count <= limits.maxConcurrentRequests else {
                condition.unlock()
                continuation.resume(throwing: ServerError.overloaded)
                return
            }
            admitted += inputs.count
            everAdmitted += inputs.count
            let request = Pending(count: inputs.count, continuation: continuation)
            for (index, item) in inputs.enumerated() {
                queue.append(Entry(input: item.input, tokens: item.tokens, request: request, index: index))
            }
            // Reported under the lock, so the gauge sees sizes in the order they happened.
            observer?(.queueSize(queue.count - queueStart))
            condition.signal()
            condition.unlock()
        }
    }

    /// Refuses new inputs, lets the worker finish every queued one, and returns when it has.
    package func drain() async {
        guard beginStopping() else { return }
        while !hasStopped() { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// Marks the queue stopping and wakes the worker; false when no worker was started.
    private func beginStopping() -> Bool {
        condition.lock(); defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        return thread != nil
    }

    private func hasStopped() -> Bool {
        condition.lock(); defer { condition.unlock() }
        return stopped
    }

    /// The worker: take a batch, run it, answer, repeat until drained.
    private func work() {
        while let batch = nextBatch() {
            let started = DispatchTime.now().uptimeNanoseconds
            let result = Result { try process(batch.map(\.input)) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            observer?(.batch(inputs: batch.count, tokens: batch.reduce(0) { $0 + $1.tokens }, seconds: seconds))
            deliver(result, to: batch)
        }
        condition.lock()
        stopped = true
        condition.unlock()
    }

    /// The next batch: at least one input, then more in arrival order while they fit the limits; nil once
    /// stopping with nothing left.
    private func nextBatch() -> [Entry]? {
        condition.lock(); defer { condition.unlock() }
        while queueStart == queue.count {
            if stopping { return nil }
            condition.wait()
        }
        var batch = [queue[queueStart]]
        var tokens = queue[queueStart].tokens
        queueStart += 1
        while queueStart < queue.count, batch.count < (limits.maxBatchRequests ?? .max),
              tokens + queue[queueStart].tokens <= limits.maxBatchTokens {
            tokens += queue[queueStart].tokens
            batch.append(queue[queueStart])
            queueStart += 1
        }
        // Compact once the consumed prefix dominates, so the array does not grow without bound.
        if queueStart > 1024, queueStart * 2 > queue.count {
            queue.removeFirst(queueStart)
            queueStart = 0
        }
        let size = queue.count - queueStart
        if let observer { observer(.queueSize(size)) }
        return batch
    }

    private func deliver(_ result: Result<[Output], any Error>, to batch: [Entry]) {
        var finished: [(Pending, Result<[Output], any Error>)] = []
        condition.lock()
        admitted -= batch.count
        for (offset, entry) in batch.enumerated() {
            let request = entry.request
            request.remaining -= 1
            // A request whose earlier batch failed was answered then; its other inputs only release their places.
            guard !request.answered else { continue }
            switch result {
            case let .success(outputs) where outputs.count == batch.count:
                request.outputs[entry.index] = outputs[offset]
                if request.remaining == 0 {
                    request.answered = true
                    finished.append((request, .success(request.outputs.map { $0! })))
                }
            case .success:
                request.answered = true
                finished.append((request, .failure(ServerError(.backend, "the model returned the wrong number of outputs"))))
            case let .failure(error):
                request.answered = true
                finished.append((request, .failure(error)))
            }
        }
        condition.unlock()
        for (request, outcome) in finished { request.continuation.resume(with: outcome) }
    }
}
