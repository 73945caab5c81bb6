import BERTJSON
import BERTModels
import BERTServer
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// A SPLADE SparseEncoder served as TEI serves splade pooling: `/embed_sparse` gives `encodeSparse`'s entries,
/// `/embed` the dense vectors only with `"normalize": false`, `/embed_all` is refused; other models refuse
/// `/embed_sparse`.
final class SparseRouteTests: XCTestCase {
    func spladeFolder() throws -> URL {
        let dir = try makeSpladeFolder()
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testEmbedSparseIsEncodeSparse() async throws {
        let dir = try spladeFolder()
        let model = try SentenceTransformer(directory: dir)
        var configuration = ServerConfiguration(modelID: "splade")
        configuration.port = 0
        let metrics = ServerMetrics()
        let service = try EmbeddingService(model: model, maxInputLength: nil, limits: configuration.limits)
        let server = try await RunningServer.start(InferenceServer(configuration: configuration, embeddings: service, metrics: metrics))
        let texts = ["Aspirin inhibits BRCA1 in HeLa cells.", "The p53 protein binds DNA.", "x"]

        let answer = try await server.request("/embed_sparse", body: jsonText(["inputs": .array(texts.map { .string($0) })]))
        XCTAssertEqual(answer.status, 200, answer.text)
        let rows = try XCTUnwrap(try answer.json().arrayValue)
        let expected = try model.encodeSparse(texts)
        XCTAssertEqual(rows.count, texts.count)
        for (row, e) in zip(rows, expected) {
            let entries = row.arrayValue ?? []
            XCTAssertEqual(entries.compactMap { $0["index"]?.intValue }, e.indices)
            XCTAssertEqual(entries.compactMap { $0["value"]?.doubleValue.map(Float.init) }, e.values)
        }
        let prompted = try await server.request("/embed_sparse", body: jsonText(["inputs": .string(texts[0]), "prompt_name": "query"]))
        XCTAssertEqual(try prompted.json()[0]?.arrayValue?.compactMap { $0["index"]?.intValue },
                       try model.encodeSparse([texts[0]], promptName: "query")[0].indices)

        let dense = try await server.request("/embed", body: jsonText(["inputs": .string(texts[0]), "normalize": false]))
        XCTAssertEqual(dense.status, 200, dense.text)
        assertIdentical(vectors(try dense.json()), try model.encode([texts[0]], normalize: false), "/embed normalize false")
        let normalized = try await server.request("/embed", body: jsonText(["inputs": .string(texts[0])]))
        XCTAssertEqual(normalized.status, 424, normalized.text)
        XCTAssertTrue(normalized.text.contains("`normalize` is not available for SPLADE models"), normalized.text)
        let all = try await server.request("/embed_all", body: jsonText(["inputs": .string(texts[0])]))
        XCTAssertEqual(all.status, 424, all.text)
        let info = try await server.get("/info").json()
        XCTAssertEqual(info["model_type"]?["embedding"]?["pooling"], "splade")
        try await server.stop()
    }

    func testDenseModelRefusesEmbedSparse() async throws {
        let server = try await RunningServer.start()
        let answer = try await server.request("/embed_sparse", body: #"{"inputs": "a"}"#)
        XCTAssertEqual(answer.status, 424, answer.text)
        XCTAssertTrue(answer.text.contains("not an embedding model with SPLADE pooling"), answer.text)
        try await server.stop()
    }
}
