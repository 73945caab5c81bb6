import BERTHub
import BERTJSON
import BERTSearch
import BERTServer
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// `/search` and `/index` over a small SQLite index built the way `bert index add` builds it (the library's
/// `SentenceTransformer.encode` + `SQLiteVectorIndex`): the server's hits equal the library's search of the same
/// query (ids in order, scores within 1e-5), and an index of another model is refused.
final class SearchRouteTests: XCTestCase {
    let documents: [(id: String, text: String, lang: String)] = [
        ("d1", "A man is eating food.", "en"), ("d2", "A man is eating a piece of bread.", "en"),
        ("d3", "The girl is carrying a baby.", "en"), ("d4", "A man is riding a horse.", "en"),
        ("d5", "A woman is playing violin.", "en"), ("d6", "Two men pushed carts through the woods.", "en"),
        ("d7", "Un homme mange du pain.", "fr"), ("d8", "Une femme joue du violon.", "fr"),
        ("d9", "A cheetah is running behind its prey.", "en"), ("d10", "A monkey is playing drums.", "en"),
    ]

    func makeIndex(_ model: SentenceTransformer, folder: URL) throws -> (SQLiteVectorIndex, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bert-serve-index-\(getpid())-\(UUID().uuidString).sqlite").path
        let settings = IndexSettings(model: "all-MiniLM-L6-v2", modelFingerprint: ModelFingerprint.of(directory: folder),
                                     dimension: model.dimension, normalized: model.normalizes,
                                     pooling: model.pooling.modes.map(\.rawValue).joined(separator: "+"))
        let store = try SQLiteVectorIndex(path: path, creating: settings)
        let first = Array(documents.prefix(7))
        let vectors = try model.encode(first.map(\.text))
        try store.add(zip(first, vectors).map { IndexDocument(id: $0.id, text: $0.text, metadata: ["lang": .string($0.lang)], vector: $1) })
        return (store, path)
    }

    func testSearchAndIndexEqualTheLibrary() async throws {
        let folder = try modelURL("all-MiniLM-L6-v2")
        let model = try SentenceTransformer(directory: folder)
        let (store, path) = try makeIndex(model, folder: folder)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let search = try SearchService(location: path, index: try SQLiteVectorIndex(path: path),
                                       modelFingerprint: ModelFingerprint.of(directory: folder), modelName: "all-MiniLM-L6-v2",
                                       dimension: model.dimension)
        let server = try await RunningServer.start(searchService: search)

        // Documents added over HTTP are embedded and stored as `bert index add` would (ids already there skipped).
        let extra = documents.dropFirst(6).map { d -> JSONValue in
            ["id": .string(d.id), "text": .string(d.text), "metadata": ["lang": .string(d.lang)]]
        }
        let added = try await server.request("/index", body: try jsonText(["documents": .array(extra)]))
        XCTAssertEqual(added.status, 200, added.text)
        XCTAssertEqual(try added.json(), ["added": 3, "skipped": 1, "documents": 10])
        _ = store
        // Two references: the library's index search on the same file, and a brute-force dot product over the
        // library's own vectors of all ten documents (so the vectors the server stored are checked too).
        let reopened = try SQLiteVectorIndex(path: path)
        let documentVectors = try model.encode(documents.map(\.text))

        let queries = ["Someone is eating.", "music instruments", "an animal runs"]
        var worst: Float = 0
        for (query, filter) in [(queries[0], [:]), (queries[1], ["lang": "fr"]), (queries[2], [:])] as [(String, [String: String])] {
            var body: JSONObject = ["query": .string(query), "top_k": 4]
            if !filter.isEmpty { body["filter"] = .object(JSONObject(members: filter.map { JSONMember(key: $0.key, value: .string($0.value)) })) }
            let answer = try await server.request("/search", body: try jsonText(.object(body)))
            XCTAssertEqual(answer.status, 200, answer.text)
            let hits = try XCTUnwrap(try answer.json().arrayValue)
            let queryVector = try model.encode([query])[0]
            let expected = try reopened.search(queryVector, topK: 4, filter: filter)
            let brute = documents.indices.filter { filter["lang"] == nil || documents[$0].lang == filter["lang"] }
                .map { (documents[$0].id, zip(queryVector, documentVectors[$0]).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
                .sorted { $0.1 > $1.1 }.prefix(4)
            XCTAssertEqual(hits.map { $0["id"]?.stringValue ?? "" }, brute.map(\.0), "\(query): brute force order")
            for (hit, want) in zip(hits, brute) {
                XCTAssertEqual(Float(hit["score"]?.doubleValue ?? .nan), want.1, accuracy: 1e-5, "\(query) \(want.0) brute force")
            }
            XCTAssertEqual(hits.map { $0["id"]?.stringValue ?? "" }, expected.map(\.id), query)
            for (hit, want) in zip(hits, expected) {
                let score = Float(hit["score"]?.doubleValue ?? .nan)
                worst = max(worst, abs(score - want.score))
                XCTAssertEqual(score, want.score, accuracy: 1e-5, "\(query) \(want.id)")
                XCTAssertEqual(hit["text"]?.stringValue, want.text)
                XCTAssertEqual(hit["metadata"]?["lang"]?.stringValue, want.metadata["lang"]?.stringValue)
            }
        }
        print("/search vs the library's index search: max |score diff| \(worst)")
        let batch = try await server.request("/search", body: try jsonText(["query": .array(queries.map { .string($0) }), "top_k": 2]))
        XCTAssertEqual(try batch.json().arrayValue?.map { $0.arrayValue?.count ?? 0 }, [2, 2, 2])
        let removed = try await server.request("/index", method: .DELETE, body: #"{"ids": ["d1", "nope"]}"#)
        XCTAssertEqual(try removed.json(), ["removed": 1, "documents": 9])
        let info = try await server.get("/index").json()
        XCTAssertEqual(info["documents"], 9)
        for (route, body, status) in [
            ("/search", #"{"query": []}"#, 400), ("/search", #"{"top_k": 3}"#, 422), ("/search", #"{"query": "q", "top_k": 0}"#, 422),
            ("/search", #"{"query": "q", "top_k": 100001}"#, 422), ("/search", #"{"query": "q", "filter": {"lang": 3}}"#, 422),
            ("/index", #"{"documents": []}"#, 400), ("/index", #"{"documents": [{"id": "a"}]}"#, 422),
            ("/index", #"{"documents": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}"#, 422),
        ] {
            let answer = try await server.request(route, body: body)
            XCTAssertEqual(answer.status, status, "\(route) \(body): \(answer.text)")
        }
        try await server.stop()
        // Without --index the routes are TEI's 424.
        let plain = try await RunningServer.start()
        let none = try await plain.request("/search", body: #"{"query": "q"}"#)
        XCTAssertEqual(none.status, 424, none.text)
        try await plain.stop()
    }

    func testAnIndexOfAnotherModelIsRefused() throws {
        let folder = try modelURL("all-MiniLM-L6-v2")
        let model = try SentenceTransformer(directory: folder)
        let (_, path) = try makeIndex(model, folder: folder)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try SearchService(location: path, index: try SQLiteVectorIndex(path: path), modelFingerprint: "another",
                                               modelName: "other-model", dimension: model.dimension)) { error in
            let message = (error as? ServerError)?.message ?? ""
            XCTAssertTrue(message.contains("all-MiniLM-L6-v2") && message.contains("other-model"), message)
        }
        XCTAssertThrowsError(try SearchService(location: path, index: try SQLiteVectorIndex(path: path),
                                               modelFingerprint: ModelFingerprint.of(directory: folder), modelName: "x", dimension: 768))
    }
}
