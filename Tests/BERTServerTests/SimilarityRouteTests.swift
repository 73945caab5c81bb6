import BERTJSON
import BERTServer
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// TEI's `/similarity` against the library: the cosine of `SentenceTransformer.encode`'s vectors of the same texts,
/// float for float; its refusals; and TEI's health aliases `/` and `/ping`.
final class SimilarityRouteTests: XCTestCase {
    let source = "A man is eating food."
    let sentences = ["A man is eating a piece of bread.", "The girl is carrying a baby.", "",
                     "Ein Mann isst Essen — 日本語も", "A man is eating pasta."]

    func request(_ inputs: JSONValue, parameters: JSONValue? = nil) throws -> String {
        var body: JSONValue = ["inputs": inputs]
        if let parameters { body = ["inputs": inputs, "parameters": parameters] }
        return try jsonText(body)
    }

    func testSimilarityIsTheLibrarysCosine() async throws {
        let server = try await RunningServer.start()
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let inputs: JSONValue = ["source_sentence": .string(source), "sentences": .array(sentences.map { .string($0) })]

        let answer = try await server.request("/similarity", body: request(inputs))
        XCTAssertEqual(answer.status, 200, answer.text)
        let scores = try XCTUnwrap(try answer.json().arrayValue).map { Float($0.doubleValue ?? .nan) }
        let vectors = try model.encode([source] + sentences, normalize: false)
        let expected = vectors.dropFirst().map { cosineSimilarity(vectors[0], $0) }
        XCTAssertEqual(scores, expected, "one cosine per sentence, in order")
        XCTAssertGreaterThan(scores[0], scores[1], "bread is closer to food than a baby is")

        // truncate in `parameters`: a sentence past 256 tokens is refused without it and cut with it.
        let long = Array(repeating: "word", count: 300).joined(separator: " ")
        let longInputs: JSONValue = ["source_sentence": .string(source), "sentences": [.string(long)]]
        let refused = try await server.request("/similarity", body: request(longInputs))
        XCTAssertEqual(refused.status, 422, refused.text)
        let cut = try await server.request("/similarity", body: request(longInputs, parameters: ["truncate": true]))
        XCTAssertEqual(cut.status, 200, cut.text)
        let cutVectors = try model.encode([source, long], normalize: false)
        XCTAssertEqual(try cut.json()[0]?.doubleValue.map(Float.init), cosineSimilarity(cutVectors[0], cutVectors[1]))
        try await server.stop()
    }

    func testSimilarityRefusesBadRequestsAsTEI() async throws {
        let server = try await RunningServer.start { $0.maxClientBatchSize = 3 }
        func check(_ body: String, _ status: Int, _ type: String, _ text: String) async throws {
            let answer = try await server.request("/similarity", body: body)
            XCTAssertEqual(answer.status, status, "\(body): \(answer.text)")
            XCTAssertEqual(try answer.json()["error_type"], .string(type), answer.text)
            XCTAssertTrue(answer.text.contains(text), "\(answer.text) lacks \(text)")
        }
        try await check(#"{"inputs": {"source_sentence": "a", "sentences": []}}"#, 400, "empty", "cannot be empty")
        try await check(#"{"inputs": {"source_sentence": "a", "sentences": ["b", "c", "d"]}}"#, 422, "validation",
                        "batch size 4 > maximum allowed batch size 3")
        try await check(#"{"inputs": "a"}"#, 422, "validation", "inputs")
        try await check(#"{"source_sentence": "a", "sentences": ["b"]}"#, 422, "validation", "`inputs` is missing")
        try await check(#"{"inputs": {"sentences": ["b"]}}"#, 422, "validation", "source_sentence")
        try await check(#"{"inputs": {"source_sentence": "a", "sentences": ["b", 3]}}"#, 422, "validation", "sentences")
        try await check(#"{"inputs": {"source_sentence": "a", "sentences": ["b"]}, "parameters": {"prompt_name": "query"}}"#,
                        422, "validation", "prompt")
        try await check(#"{"inputs": {"source_sentence": "a", "sentences": ["b"]}, "parameters": {"truncation_direction": "Up"}}"#,
                        422, "validation", "truncation_direction")
        let ok = try await server.request("/similarity", body: #"{"inputs": {"source_sentence": "a", "sentences": ["a"]}}"#)
        XCTAssertEqual(ok.status, 200, ok.text)
        XCTAssertEqual(try ok.json()[0]?.doubleValue ?? 0, 1, accuracy: 1e-6, "a text is its own nearest")
        try await server.stop()
    }

    func testHealthAliasesNeedNoKey() async throws {
        let server = try await RunningServer.start { $0.apiKey = "secret" }
        for path in ["/health", "/", "/ping"] {
            let answer = try await server.get(path)
            XCTAssertEqual(answer.status, 200, "\(path): \(answer.text)")
        }
        let guarded = try await server.request("/similarity", body: #"{"inputs": {"source_sentence": "a", "sentences": ["b"]}}"#)
        XCTAssertEqual(guarded.status, 401, "/similarity needs the key")
        let openAPI = try await server.get("/api-doc/openapi.json", headers: [("Authorization", "Bearer secret")]).json()
        for path in ["/similarity", "/", "/ping", "/api-doc/openapi.json"] {
            XCTAssertNotNil(openAPI["paths"]?[path], "the OpenAPI document describes \(path)")
        }
        try await server.stop()
    }
}
