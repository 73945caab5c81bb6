import BERTJSON
import BERTServer
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// `/embed`, `/v1/embeddings`, `/info`, `/health`, `/v1/models` against the library's `SentenceTransformer.encode`
/// on the same texts: every float equal.
final class EmbedRouteTests: XCTestCase {
    let texts = ["A man is eating food.", "Someone eats.", "",
                 "The quick brown fox jumps over the lazy dog while the café's ünïcödé sign flickers — 日本語 too!"]

    func body(_ value: JSONValue) throws -> String { try value.serializedString() }

    func testEmbedEqualsEncodeFloatForFloat() async throws {
        let server = try await RunningServer.start()
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let list = JSONValue.array(texts.map { .string($0) })

        let batch = try await server.request("/embed", body: body(["inputs": list]))
        XCTAssertEqual(batch.status, 200, batch.text)
        assertIdentical(vectors(try batch.json()), try model.encode(texts), "/embed list")

        let single = try await server.request("/embed", body: body(["inputs": .string(texts[0])]))
        assertIdentical(vectors(try single.json()), try model.encode([texts[0]]), "/embed single string")

        let raw = try await server.request("/embed", body: body(["inputs": list, "normalize": false]))
        assertIdentical(vectors(try raw.json()), try model.encode(texts, normalize: false), "/embed normalize false")
        XCTAssertGreaterThan(abs(vectors(try raw.json())[0].reduce(0) { $0 + $1 * $1 } - 1), 1e-3, "unnormalised")

        let cut = try await server.request("/embed", body: body(["inputs": list, "dimensions": 64]))
        let expectedCut = try model.encode(texts, normalize: true, truncateDimension: 64)
        assertIdentical(vectors(try cut.json()), expectedCut, "/embed dimensions 64")
        XCTAssertEqual(vectors(try cut.json())[0].count, 64)
        try await server.stop()
    }

    func testOpenAIEmbeddingsFloatBase64AndTokenIDs() async throws {
        let server = try await RunningServer.start()
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let expected = try model.encode(texts)
        let tokenCount = try model.tokenize(texts).reduce(0) { $0 + $1.count }
        let list = JSONValue.array(texts.map { .string($0) })

        let floats = try await server.request("/v1/embeddings", body: body(["input": list, "model": "any", "user": "u"]))
        XCTAssertEqual(floats.status, 200, floats.text)
        let answer = try floats.json()
        XCTAssertEqual(answer["object"], "list")
        XCTAssertEqual(answer["model"], "sentence-transformers/all-MiniLM-L6-v2")
        XCTAssertEqual(answer["usage"]?["prompt_tokens"]?.intValue, tokenCount)
        XCTAssertEqual(answer["usage"]?["total_tokens"]?.intValue, tokenCount)
        let data = answer["data"]?.arrayValue ?? []
        XCTAssertEqual(data.map { $0["index"]?.intValue }, [0, 1, 2, 3])
        XCTAssertEqual(data.first?["object"], "embedding")
        assertIdentical(openAIVectors(answer), expected, "/v1/embeddings float")

        let b64 = try await server.request("/v1/embeddings", body: body(["input": list, "encoding_format": "base64"]))
        XCTAssertEqual(b64.status, 200, b64.text)
        XCTAssertNotNil(try b64.json()["data"]?[0]?["embedding"]?.stringValue, "base64 gives a string")
        let decoded = openAIVectors(try b64.json())
        assertIdentical(decoded, expected, "/v1/embeddings base64")

        // Token ids: the same ids the tokenizer gives, as OpenAI's [[int]] and as one [int].
        let ids = try model.tokenize([texts[0], texts[1]]).map(\.ids)
        let idsBody = JSONValue.array(ids.map { .array($0.map { .integer(Int64($0)) }) })
        let byIDs = try await server.request("/v1/embeddings", body: body(["input": idsBody]))
        XCTAssertEqual(byIDs.status, 200, byIDs.text)
        assertIdentical(openAIVectors(try byIDs.json()),
                        Array(expected.prefix(2)), "/v1/embeddings token ids")
        let oneList = try await server.request("/embed", body: body(["inputs": idsBody[0] ?? .null]))
        assertIdentical(vectors(try oneList.json()), [expected[0]], "/embed one token id list")

        let cut = try await server.request("/v1/embeddings", body: body(["input": list, "dimensions": 32]))
        assertIdentical(openAIVectors(try cut.json()),
                        try model.encode(texts, normalize: true, truncateDimension: 32), "/v1/embeddings dimensions")
        try await server.stop()
    }

    func testInfoHealthModelsAndMetrics() async throws {
        let server = try await RunningServer.start { $0.maxClientBatchSize = 7; $0.limits.maxBatchRequests = 5 }
        let health = try await server.get("/health")
        XCTAssertEqual(health.status, 200)
        let info = try await server.get("/info").json()
        XCTAssertEqual(info["model_id"], "sentence-transformers/all-MiniLM-L6-v2")
        XCTAssertEqual(info["model_type"]?["embedding"]?["pooling"], "mean")
        XCTAssertEqual(info["max_input_length"]?.intValue, 256)
        XCTAssertEqual(info["max_client_batch_size"]?.intValue, 7)
        XCTAssertEqual(info["max_batch_requests"]?.intValue, 5)
        XCTAssertEqual(info["max_batch_tokens"]?.intValue, 16_384)
        XCTAssertEqual(info["max_concurrent_requests"]?.intValue, 512)
        XCTAssertEqual(info["auto_truncate"], false)
        XCTAssertEqual(info["model_dtype"], "float32")
        let models = try await server.get("/v1/models").json()
        XCTAssertEqual(models["data"]?[0]?["id"], "sentence-transformers/all-MiniLM-L6-v2")
        XCTAssertEqual(models["data"]?[0]?["object"], "model")

        let openAPI = try await server.get("/openapi.json").json()
        for path in ["/embed", "/v1/embeddings", "/embeddings", "/v1/models", "/info", "/health", "/metrics", "/openapi.json",
                     "/tokenize", "/decode", "/predict", "/rerank", "/embed_all", "/fill-mask", "/ner", "/qa", "/search", "/index"] {
            XCTAssertNotNil(openAPI["paths"]?[path], "/openapi.json describes \(path)")
        }

        _ = try await server.request("/embed", body: #"{"inputs": ["a b c", "d"]}"#)
        _ = try await server.request("/embed", body: #"{"inputs": []}"#)
        let metrics = try await server.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        for series in [#"te_request_success{route="/embed"} 1"#, #"te_request_failure{route="/embed",err="empty"} 1"#,
                       "te_batch_next_size_count 1", "te_batch_next_tokens_sum 8", "te_request_input_length_count 2",
                       "te_queue_size 0", "te_request_duration_count"] {
            XCTAssertTrue(metrics.text.contains(series), "metrics lack \(series):\n\(metrics.text)")
        }
        try await server.stop()
    }
}
