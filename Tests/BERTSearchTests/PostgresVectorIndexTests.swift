import BERTJSON
import BERTSearch
import Foundation
import TestSupport
import XCTest

/// The PostgreSQL + pgvector store against the SQLite store and a float64 brute force, on the server
/// scripts/start-postgres.sh starts (scripts/test.sh exports its URL as BERT_TEST_POSTGRES). Each test uses tables
/// of its own.
final class PostgresVectorIndexTests: XCTestCase {
    let settings = IndexSettings(model: "test-model", modelFingerprint: "abc123", dimension: 48, normalized: true, pooling: "mean")

    /// The server URL with a fresh table name and `options`, or a skip (a failure under CI) without a server.
    func location(_ options: String = "") throws -> String {
        guard let url = ProcessInfo.processInfo.environment["BERT_TEST_POSTGRES"], !url.isEmpty else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("BERT_TEST_POSTGRES is not set: run scripts/start-postgres.sh") }
            throw XCTSkip("no PostgreSQL: eval \"$(scripts/start-postgres.sh)\" first")
        }
        let table = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        return url + (url.contains("?") ? "&" : "?") + "table=\(table)" + options
    }

    func testExactSearchEqualsSQLiteAndBruteForce() async throws {
        let docs = SQLiteVectorIndexTests.documents(SQLiteVectorIndexTests.vectors(1500, dimension: 48, seed: 21))
        let url = try location()
        let postgres = try await PostgresVectorIndex(url: url, creating: settings)
        postgres.exact = true
        let firstAdded = try await postgres.add(Array(docs[0..<700]))
        let secondAdded = try await postgres.add(docs)
        XCTAssertEqual(firstAdded, 700)
        XCTAssertEqual(secondAdded, 800, "stored ids are skipped")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try SQLiteVectorIndex(path: folder.appendingPathComponent("i.sqlite").path, creating: settings)
        try sqlite.add(docs)
        for query in SQLiteVectorIndexTests.vectors(20, dimension: 48, seed: 22) {
            let expected = SQLiteVectorIndexTests.reference(docs, query, k: 10)
            let fromPostgres = try await postgres.search(query, topK: 10, filter: [:])
            XCTAssertEqual(fromPostgres.map(\.id), expected.map(\.0))
            XCTAssertEqual(try sqlite.search(query, topK: 10).map(\.id), fromPostgres.map(\.id))
            for (hit, (_, score)) in zip(fromPostgres, expected) { XCTAssertEqual(Double(hit.score), score, accuracy: 1e-5) }
        }
        // Reopened from the URL alone: the settings come from the table.
        let reopened = try await PostgresVectorIndex(url: url, creating: nil)
        XCTAssertEqual(reopened.settings, settings)
        let reopenedCount = try await reopened.count()
        XCTAssertEqual(reopenedCount, 1500)
    }

    func testHNSWRecallFiltersAndRemoval() async throws {
        var s = settings
        s.dimension = 384
        let docs = SQLiteVectorIndexTests.documents(SQLiteVectorIndexTests.vectors(4000, dimension: 384, seed: 23, clusters: 200))
        let index = try await PostgresVectorIndex(url: try location("&ef_search=200"), creating: s)
        try await index.add(docs)
        let queries = SQLiteVectorIndexTests.vectors(50, dimension: 384, seed: 24, clusters: 200)
        func recall() async throws -> Double {
            var found = 0
            for query in queries {
                let expected = Set(SQLiteVectorIndexTests.reference(docs, query, k: 10).map(\.0))
                found += try await index.search(query, topK: 10, filter: [:]).filter { expected.contains($0.id) }.count
            }
            return Double(found) / Double(queries.count * 10)
        }
        let good = try await recall()
        XCTAssertGreaterThanOrEqual(good, 0.98, "HNSW recall@10 at ef_search 200")
        // At the smallest ef_search the answers must be approximate: proof the HNSW index answers, not a scan.
        index.efSearch = 10
        let rough = try await recall()
        XCTAssertLessThan(rough, good, "ef_search 10 must lose recall; if not, the query is not using the HNSW index")
        index.efSearch = 200
        index.exact = true
        let filtered = try await index.search(queries[0], topK: 5, filter: ["parity": "even", "n": "2"])
        let expected = SQLiteVectorIndexTests.reference(docs, queries[0], k: 5) { $0.metadata["parity"] == .string("even") && $0.metadata["n"] == .integer(2) }
        XCTAssertEqual(filtered.map(\.id), expected.map(\.0))
        XCTAssertEqual(filtered.first?.metadata["parity"], .string("even"))
        let existing = try await index.existingIds(["doc-1", "nope"])
        let removed = try await index.remove(ids: ["doc-1", "doc-2", "nope"])
        let remaining = try await index.count()
        XCTAssertEqual(existing, ["doc-1"])
        XCTAssertEqual(removed, 2)
        XCTAssertEqual(remaining, 3998)
    }

    func testMismatchesDuplicatesAndAServerThatIsDown() async throws {
        let url = try location()
        _ = try await PostgresVectorIndex(url: url, creating: settings)
        var other = settings
        other.modelFingerprint = "zzz"
        do { _ = try await PostgresVectorIndex(url: url, creating: other); XCTFail("another model was accepted") } catch let error as SearchError {
            guard case .modelMismatch(_, "model", _, _) = error else { return XCTFail("\(error)") }
        }
        let index = try await PostgresVectorIndex(url: url, creating: nil)
        var docs = SQLiteVectorIndexTests.documents(SQLiteVectorIndexTests.vectors(3, dimension: 48, seed: 25))
        docs[1].id = docs[0].id
        do { try await index.add(docs); XCTFail("duplicate ids were accepted") } catch let error as SearchError {
            XCTAssertEqual(error, .duplicateId(id: "doc-0"))
        }
        let stored = try await index.count()
        XCTAssertEqual(stored, 0)
        do { _ = try await PostgresVectorIndex(url: try location(), creating: nil); XCTFail("a missing table was opened") } catch let error as SearchError {
            guard case .notAnIndex = error else { return XCTFail("\(error)") }
        }
        let down = "postgresql://postgres:@/postgres?host=/nonexistent-socket-folder&table=t"
        do { _ = try await PostgresVectorIndex(url: down, creating: settings); XCTFail("connected to nothing") } catch let error as SearchError {
            guard case let .database(_, reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("is the server running"), reason)
        }
        do { _ = try await PostgresVectorIndex(url: "postgres://x/db?table=Bad-Name", creating: settings); XCTFail() } catch let error as SearchError {
            guard case .invalidOption = error else { return XCTFail("\(error)") }
        }
    }
}
