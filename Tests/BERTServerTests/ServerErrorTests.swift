import BERTJSON
import BERTServer
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// Every refusal: TEI's `{"error", "error_type"}` with TEI's status codes, OpenAI's `{"error": {...}}` on `/v1`.
final class ServerErrorTests: XCTestCase {
    func assertTEIError(_ answer: HTTPAnswer, _ status: Int, _ type: String, containing text: String = "",
                        file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(answer.status, status, answer.text, file: file, line: line)
        let json = try answer.json()
        XCTAssertEqual(json["error_type"], .string(type), answer.text, file: file, line: line)
        let message = try XCTUnwrap(json["error"]?.stringValue, answer.text, file: file, line: line)
        XCTAssertFalse(message.isEmpty, file: file, line: line)
        if !text.isEmpty { XCTAssertTrue(message.contains(text), "\(answer.text) lacks \(text)", file: file, line: line) }
    }

    func testBadRequestsGetTEIErrors() async throws {
        let server = try await RunningServer.start { $0.maxClientBatchSize = 3; $0.payloadLimit = 10_000 }
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": ["a", "#), 422, "validation", containing: "not valid JSON")
        try assertTEIError(try await server.request("/embed", body: #"["a"]"#), 422, "validation", containing: "JSON object")
        try assertTEIError(try await server.request("/embed", body: #"{"input": "a"}"#), 422, "validation", containing: "`inputs` is missing")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": 3}"#), 422, "validation", containing: "`inputs` must be")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": ["a", 3]}"#), 422, "validation", containing: "inputs[1]")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": "a", "normalize": "yes"}"#), 422, "validation",
                           containing: "\"normalize\" must be true or false")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": "a", "truncation_direction": "Up"}"#), 422, "validation")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": "a", "dimensions": 0}"#), 422, "validation")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": "a", "dimensions": 385}"#), 422, "validation",
                           containing: "between 1 and 384")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": "a", "prompt_name": "query"}"#), 422, "validation",
                           containing: "prompt")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": [[1, 99999999]]}"#), 422, "validation",
                           containing: "vocabulary")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": []}"#), 400, "empty", containing: "cannot be empty")
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": ["a", "b", "c", "d"]}"#), 422, "validation",
                           containing: "batch size 4 > maximum allowed batch size 3")
        try assertTEIError(try await server.request("/embed", bytes: Array(repeating: UInt8(ascii: " "), count: 10_001)), 413,
                           "payload_too_large")
        try assertTEIError(try await server.get("/no/such/route"), 404, "not_found")
        let ok = try await server.request("/embed", body: #"{"inputs": "still answering"}"#)
        XCTAssertEqual(ok.status, 200, "the server keeps working after bad requests")
        try await server.stop()
    }

    func testTooLongInputIsRefusedOrTruncated() async throws {
        let server = try await RunningServer.start()
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let long = Array(repeating: "word", count: 300).joined(separator: " ")  // 302 tokens with [CLS] and [SEP]
        try assertTEIError(try await server.request("/embed", body: try jsonText(["inputs": .string(long)])),
                           422, "validation", containing: "must have less than 256 tokens. Given: 302")
        let cut = try await server.request("/embed", body: try jsonText(["inputs": .string(long), "truncate": true]))
        XCTAssertEqual(cut.status, 200, cut.text)
        // encode truncates to max_seq_length (256) from the right, as TEI's truncate does.
        assertIdentical(vectors(try cut.json()), try model.encode([long]), "truncated right")
        let left = try await server.request("/embed", body: try jsonText(
            ["inputs": .string("first " + long), "truncate": true, "truncation_direction": "Left"]))
        XCTAssertEqual(left.status, 200, left.text)
        // Cutting "first" off the left leaves the tokens that right truncation of the plain text keeps.
        assertIdentical(vectors(try left.json()), vectors(try cut.json()), "left truncation keeps the end")
        let right = try await server.request("/embed", body: try jsonText(["inputs": .string("first " + long), "truncate": true]))
        XCTAssertNotEqual(vectors(try right.json()), vectors(try cut.json()), "right truncation keeps the start")
        try await server.stop()
    }

    func testOpenAIRoutesAnswerInOpenAIShape() async throws {
        let server = try await RunningServer.start()
        for (body, status) in [(#"{"input": []}"#, 400), (#"{"input": "a", "encoding_format": "hex"}"#, 422), (#"{"input": {}}"#, 422),
                               (#"{"input": "a", "model": 3}"#, 422)] {
          for path in ["/v1/embeddings", "/embeddings"] {
            let answer = try await server.request(path, body: body)
            XCTAssertEqual(answer.status, status, body)
            let error = try answer.json()["error"]
            XCTAssertNotNil(error?["message"]?.stringValue, answer.text)
            XCTAssertEqual(error?["code"]?.intValue, status, answer.text)
            XCTAssertNotNil(error?["type"]?.stringValue, answer.text)
          }
        }
        try await server.stop()
    }

    func testAPIKeyIsRequiredExceptOnHealth() async throws {
        let server = try await RunningServer.start { $0.apiKey = "s3cret" }
        let body = #"{"inputs": "hello"}"#
        try assertTEIError(try await server.request("/embed", body: body), 401, "unauthorized")
        try assertTEIError(try await server.request("/embed", body: body, headers: [("Authorization", "Bearer s3cres")]), 401, "unauthorized")
        try assertTEIError(try await server.request("/embed", body: body, headers: [("Authorization", "Bearer s3cret2")]), 401, "unauthorized")
        try assertTEIError(try await server.get("/info", headers: [("Authorization", "s3cret")]), 401, "unauthorized")
        let openAI = try await server.request("/v1/embeddings", body: #"{"input": "hello"}"#)
        XCTAssertEqual(openAI.status, 401)
        XCTAssertEqual(try openAI.json()["error"]?["code"]?.intValue, 401)
        let ok = try await server.request("/embed", body: body, headers: [("Authorization", "Bearer s3cret")])
        XCTAssertEqual(ok.status, 200, ok.text)
        let answer1 = try await server.get("/health")
        XCTAssertEqual(answer1.status, 200, "health answers without a key")
        try await server.stop()

        let open = try await RunningServer.start()
        let answer2 = try await open.request("/embed", body: body)
        XCTAssertEqual(answer2.status, 200, "no key configured: no key needed")
        try await open.stop()
    }

    func testFullQueueAnswers429() async throws {
        let server = try await RunningServer.start { $0.limits.maxConcurrentRequests = 3 }
        // Four inputs cannot fit a queue of three, whatever else is running.
        try assertTEIError(try await server.request("/embed", body: #"{"inputs": ["a", "b", "c", "d"]}"#), 429, "overloaded",
                           containing: "Model is overloaded")
        // Many concurrent clients against the small queue: each is answered, 200 or 429, and some are refused.
        let long = Array(repeating: "token", count: 200).joined(separator: " ")
        let body = try jsonText(["inputs": .array([.string(long), .string(long)])])
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 { group.addTask { try await server.request("/embed", body: body).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(statuses).subtracting([200, 429]), [], "only 200 and 429: \(statuses)")
        XCTAssertTrue(statuses.contains(429), "a full queue refuses: \(statuses)")
        XCTAssertTrue(statuses.contains(200), "the queue still serves: \(statuses)")
        let answer3 = try await server.request("/embed", body: #"{"inputs": "after"}"#)
        XCTAssertEqual(answer3.status, 200)
        try await server.stop()
    }
}
