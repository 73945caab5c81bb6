import BERTJSON
import BERTSearch
import Foundation
import GRDB
import TestSupport
import XCTest

/// The SQLite index against a float64 brute-force reference, across reopenings, filters, quantisations and bad
/// input.
final class SQLiteVectorIndexTests: XCTestCase {
    let settings = IndexSettings(model: "test-model", modelFingerprint: "abc123", dimension: 48, normalized: true, pooling: "mean")

    func temporaryPath(_ name: String = "index.sqlite") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bertsearch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent(name).path
    }

    /// Seeded unit vectors around `clusters` centres (so near neighbours exist, as with real embeddings).
    static func vectors(_ count: Int, dimension: Int, seed: UInt64, clusters: Int = 20) -> [[Float]] {
        var state = seed
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in uniform() } }
        return (0..<count).map { i in
            let v = centres[i % clusters].map { $0 + 0.6 * uniform() }
            let norm = sqrt(v.reduce(0) { $0 + $1 * $1 })
            return v.map { $0 / norm }
        }
    }

    static func documents(_ vectors: [[Float]], offset: Int = 0) -> [IndexDocument] {
        vectors.enumerated().map { i, v in
            IndexDocument(id: "doc-\(i + offset)", text: "text \(i + offset)",
                          metadata: ["parity": .string((i + offset) % 2 == 0 ? "even" : "odd"), "n": .integer(Int64((i + offset) % 5))], vector: v)
        }
    }

    /// The top k ids by float64 dot product, ties by insertion order.
    static func reference(_ docs: [IndexDocument], _ query: [Float], k: Int, where keep: (IndexDocument) -> Bool = { _ in true }) -> [(String, Double)] {
        var scored: [(position: Int, id: String, score: Double)] = []
        for (position, document) in docs.enumerated() where keep(document) {
            var score = 0.0
            for (a, b) in zip(document.vector, query) { score += Double(a) * Double(b) }
            scored.append((position, document.id, score))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.position < $1.position }
        return scored.prefix(k).map { ($0.id, $0.score) }
    }

    func testExactSearchEqualsBruteForceAndSurvivesReopening() throws {
        let path = try temporaryPath()
        let docs = Self.documents(Self.vectors(1500, dimension: 48, seed: 1))
        let index = try SQLiteVectorIndex(path: path, creating: settings)
        XCTAssertEqual(try index.add(Array(docs[0..<1000])), 1000)
        let queries = Self.vectors(25, dimension: 48, seed: 99)
        _ = try index.search(queries[0], topK: 3)              // loads the vectors, then more are added
        XCTAssertEqual(try index.add(Array(docs[1000...])), 500)
        for reopened in [index, try SQLiteVectorIndex(path: path)] {
            XCTAssertEqual(try reopened.count(), 1500)
            for query in queries {
                let hits = try reopened.search(query, topK: 10)
                let expected = Self.reference(docs, query, k: 10)
                XCTAssertEqual(hits.map(\.id), expected.map(\.0))
                for (hit, (_, score)) in zip(hits, expected) { XCTAssertEqual(Double(hit.score), score, accuracy: 1e-5) }
            }
        }
        let first = try XCTUnwrap(try SQLiteVectorIndex(path: path).search(docs[7].vector, topK: 1).first)
        XCTAssertEqual(first.id, "doc-7")
        XCTAssertEqual(first.text, "text 7")
        XCTAssertEqual(first.metadata["parity"], .string("odd"))
    }

    func testRerunSkipsStoredIdsAndRemoveForgets() throws {
        let path = try temporaryPath()
        let docs = Self.documents(Self.vectors(50, dimension: 48, seed: 2))
        let index = try SQLiteVectorIndex(path: path, creating: settings)
        XCTAssertEqual(try index.add(Array(docs[0..<30])), 30)
        XCTAssertEqual(try SQLiteVectorIndex(path: path, creating: settings).add(docs), 20)
        XCTAssertEqual(try index.existingIds(["doc-3", "doc-77"]), ["doc-3"])
        XCTAssertEqual(try index.remove(ids: ["doc-3", "doc-77", "doc-4"]), 2)
        XCTAssertEqual(try index.count(), 48)
        XCTAssertFalse(try index.search(docs[3].vector, topK: 48).contains { $0.id == "doc-3" })
        XCTAssertFalse(try SQLiteVectorIndex(path: path).search(docs[4].vector, topK: 48).contains { $0.id == "doc-4" })
    }

    func testMetadataFiltersRestrictTheCandidates() throws {
        let docs = Self.documents(Self.vectors(400, dimension: 48, seed: 3))
        let index = try SQLiteVectorIndex(path: try temporaryPath(), creating: settings)
        try index.add(docs)
        let query = Self.vectors(1, dimension: 48, seed: 5)[0]
        let hits = try index.search(query, topK: 7, filter: ["parity": "even", "n": "3"])
        let expected = Self.reference(docs, query, k: 7) { $0.metadata["parity"] == .string("even") && $0.metadata["n"] == .integer(3) }
        XCTAssertEqual(hits.map(\.id), expected.map(\.0))
        XCTAssertTrue(try index.search(query, topK: 5, filter: ["parity": "none"]).isEmpty)
    }

    func testInt8IndexRecallsWithRescoring() throws {
        let docs = Self.documents(Self.vectors(3000, dimension: 384, seed: 4, clusters: 60))
        let queries = Self.vectors(50, dimension: 384, seed: 6, clusters: 60)
        for (kind, goal) in [(VectorQuantization.int8, 0.99)] {  // binary: RealEmbeddingRecallTests
            var s = settings
            s.dimension = 384
            s.quantization = kind
            let index = try SQLiteVectorIndex(path: try temporaryPath(), creating: s)
            try index.add(docs)
            var found = 0
            for query in queries {
                let expected = Set(Self.reference(docs, query, k: 10).map(\.0))
                let hits = try index.search(query, topK: 10)
                found += hits.filter { expected.contains($0.id) }.count
                for hit in hits {  // scores are the exact float32 ones after rescoring
                    let exact = zip(docs[Int(hit.id.dropFirst(4))!].vector, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                    XCTAssertEqual(hit.score, exact, accuracy: 1e-5)
                }
            }
            let recall = Double(found) / Double(queries.count * 10)
            XCTAssertGreaterThanOrEqual(recall, goal, "\(kind) recall@10")
        }
    }

    func testAnotherModelOrDimensionIsRefused() throws {
        let path = try temporaryPath()
        _ = try SQLiteVectorIndex(path: path, creating: settings)
        var other = settings
        other.modelFingerprint = "zzz"
        XCTAssertThrowsError(try SQLiteVectorIndex(path: path, creating: other)) { error in
            guard case .modelMismatch(_, "model", _, _) = error as? SearchError else { return XCTFail("\(error)") }
        }
        other = settings
        other.dimension = 12
        XCTAssertThrowsError(try SQLiteVectorIndex(path: path, creating: other)) { error in
            guard case .modelMismatch(_, "dimension", "48", "12") = error as? SearchError else { return XCTFail("\(error)") }
        }
        let index = try SQLiteVectorIndex(path: path)
        XCTAssertThrowsError(try index.search([1, 2, 3], topK: 1)) { error in
            guard case .dimensionMismatch(_, _, 48, 3) = error as? SearchError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try index.add([IndexDocument(id: "x", text: "x", vector: [1])])) { error in
            guard case .dimensionMismatch(_, "x", 48, 1) = error as? SearchError else { return XCTFail("\(error)") }
        }
    }

    func testDuplicateIdsInOneBatchAreRefusedAndNothingIsStored() throws {
        let index = try SQLiteVectorIndex(path: try temporaryPath(), creating: settings)
        var docs = Self.documents(Self.vectors(3, dimension: 48, seed: 7))
        docs[2].id = docs[0].id
        XCTAssertThrowsError(try index.add(docs)) { error in XCTAssertEqual(error as? SearchError, .duplicateId(id: "doc-0")) }
        XCTAssertEqual(try index.count(), 0)
    }

    func testCorruptForeignAndMissingFilesAreNotIndexes() throws {
        let garbage = try temporaryPath("garbage.sqlite")
        try Data((0..<4096).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try SQLiteVectorIndex(path: garbage)) { error in
            guard case .notAnIndex = error as? SearchError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SQLiteVectorIndex(path: garbage, creating: settings)) { error in
            guard case .notAnIndex = error as? SearchError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SQLiteVectorIndex(path: try temporaryPath("missing.sqlite"))) { error in
            guard case .notAnIndex(_, "no such file") = error as? SearchError else { return XCTFail("\(error)") }
        }
        // A healthy index whose vector blob was cut short.
        let path = try temporaryPath()
        let index = try SQLiteVectorIndex(path: path, creating: settings)
        try index.add(Self.documents(Self.vectors(5, dimension: 48, seed: 8)))
        var queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "UPDATE documents SET vector = x'0000' WHERE id = 'doc-2'") }
        queue = try DatabaseQueue(path: try temporaryPath("other.sqlite"))
        XCTAssertThrowsError(try SQLiteVectorIndex(path: path).search(Self.vectors(1, dimension: 48, seed: 1)[0], topK: 1)) { error in
            guard case .notAnIndex = error as? SearchError else { return XCTFail("\(error)") }
        }
        // Another program's database is not taken over.
        try queue.write { try $0.execute(sql: "CREATE TABLE people (name TEXT)") }
        XCTAssertThrowsError(try SQLiteVectorIndex(path: queue.path, creating: settings)) { error in
            guard case .notAnIndex = error as? SearchError else { return XCTFail("\(error)") }
        }
    }
}
