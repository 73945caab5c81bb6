import BERTJSON
import BERTServer
import Foundation
import XCTest

/// Graceful shutdown (what SIGTERM/SIGINT trigger): requests in flight are all answered, then `run` returns.
final class ServerShutdownTests: XCTestCase {
    func testShutdownAnswersRequestsInFlight() async throws {
        let server = try await RunningServer.start { $0.limits.maxBatchRequests = 2 }
        let long = Array(repeating: "sentence", count: 120).joined(separator: " ")
        let body = try jsonText(["inputs": .array(Array(repeating: .string(long), count: 4))])
        let requests = (0..<8).map { _ in Task { try await server.request("/embed", body: body) } }
        // Shut down once every request has reached the queue and some are still waiting in it.
        for _ in 0..<10_000 where server.embeddings.queue.admittedSinceStart < 32 { try await Task.sleep(for: .milliseconds(1)) }
        XCTAssertEqual(server.embeddings.queue.admittedSinceStart, 32, "all requests reached the queue")
        XCTAssertGreaterThan(server.embeddings.queue.inFlight, 0, "some are still in flight at shutdown")
        try await server.stop()
        for request in requests {
            let answer = try await request.value
            XCTAssertEqual(answer.status, 200, answer.text)
            XCTAssertEqual(vectors(try answer.json()).count, 4)
        }
    }
}
