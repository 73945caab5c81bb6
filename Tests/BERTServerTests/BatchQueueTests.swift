import BERTServer
import Foundation
import XCTest

/// The batching queue on its own: merging across requests within the limits, order, overload, errors, drain.
final class BatchQueueTests: XCTestCase {
    /// A process step that records each batch and waits for `gate` before the first one, so requests pile up.
    final class Recorder: @unchecked Sendable {
        let lock = NSLock()
        var batches: [[Int]] = []
        let gate = DispatchSemaphore(value: 0)
        var first = true

        func process(_ inputs: [Int]) throws -> [Int] {
            lock.lock(); let wait = first; first = false; lock.unlock()
            if wait { gate.wait() }
            lock.lock(); batches.append(inputs); lock.unlock()
            if inputs.contains(-1) { throw ServerError(.backend, "bad input") }
            return inputs.map { $0 * 10 }
        }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertTrue(condition(), "timed out")
    }

    func testMergesWaitingRequestsWithinLimits() async throws {
        let recorder = Recorder()
        let queue = BatchQueue<Int, Int>(limits: BatchLimits(maxBatchTokens: 10, maxBatchRequests: 3, maxConcurrentRequests: 100)) {
            try recorder.process($0)
        }
        queue.start()
        async let a = queue.submit([(1, 1)])  // taken alone; the worker then waits at the gate
        try await waitUntil { queue.inFlight == 1 }
        try await Task.sleep(for: .milliseconds(50))
        async let b = queue.submit([(2, 4), (3, 4)])
        try await waitUntil { queue.inFlight == 3 }
        async let c = queue.submit([(4, 4), (5, 1), (6, 1), (7, 1)])
        try await waitUntil { queue.inFlight == 7 }
        recorder.gate.signal()
        let (ra, rb, rc) = try await (a, b, c)
        XCTAssertEqual(ra, [10])
        XCTAssertEqual(rb, [20, 30])
        XCTAssertEqual(rc, [40, 50, 60, 70])
        // 4+4 tokens, then 4 tokens would pass 10; then three inputs (the request bound), then the rest.
        XCTAssertEqual(recorder.batches, [[1], [2, 3], [4, 5, 6], [7]])
        XCTAssertEqual(queue.inFlight, 0)
        await queue.drain()
    }

    func testRefusesPastTheBoundAndReportsErrorsPerRequest() async throws {
        let recorder = Recorder()
        let queue = BatchQueue<Int, Int>(limits: BatchLimits(maxBatchTokens: 100, maxBatchRequests: 1, maxConcurrentRequests: 3)) {
            try recorder.process($0)
        }
        queue.start()
        async let held = queue.submit([(1, 1), (2, 1)])
        try await waitUntil { queue.inFlight == 2 }
        do {
            _ = try await queue.submit([(3, 1), (4, 1)])
            XCTFail("a third and fourth input do not fit a bound of 3")
        } catch let error as ServerError {
            XCTAssertEqual(error, .overloaded)
        }
        async let failing = queue.submit([(-1, 1)])
        try await waitUntil { queue.inFlight == 3 }
        recorder.gate.signal()
        let first = try await held
        XCTAssertEqual(first, [10, 20])
        do {
            _ = try await failing
            XCTFail("the batch's error reaches its request")
        } catch let error as ServerError {
            XCTAssertEqual(error.kind, .backend)
        }
        let after = try await queue.submit([(5, 1)])
        XCTAssertEqual(after, [50], "the worker goes on after a failed batch")
        await queue.drain()
        do {
            _ = try await queue.submit([(6, 1)])
            XCTFail("a drained queue refuses")
        } catch let error as ServerError {
            XCTAssertEqual(error.kind, .unhealthy)
        }
    }

    func testDrainAnswersEverythingQueued() async throws {
        let recorder = Recorder()
        let queue = BatchQueue<Int, Int>(limits: BatchLimits(maxBatchTokens: 100, maxBatchRequests: 2, maxConcurrentRequests: 100)) {
            try recorder.process($0)
        }
        queue.start()
        let tasks = (1...9).map { i in Task { try await queue.submit([(i, 1)]) } }
        try await waitUntil { queue.inFlight == 9 }
        async let drained: Void = queue.drain()
        try await Task.sleep(for: .milliseconds(20))
        recorder.gate.signal()
        await drained
        for (i, task) in tasks.enumerated() {
            let value = try await task.value
            XCTAssertEqual(value, [(i + 1) * 10])
        }
    }
}
