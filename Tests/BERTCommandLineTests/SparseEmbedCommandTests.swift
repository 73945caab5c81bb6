import BERT
import Foundation
import TestSupport
import XCTest

/// `bert embed` / `bert search` on a SPLADE SparseEncoder folder: the library's sparse entries as JSON lines,
/// `--max-active-dims`, dot-product ranking, and the dense index refusing the model.
final class SparseEmbedCommandTests: XCTestCase {
    func testEmbedPrintsTheLibrarysSparseEntries() throws {
        let dir = try makeSpladeFolder()
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let texts = ["Aspirin inhibits BRCA1 in HeLa cells.", "The p53 protein binds DNA."]
        let model = try SentenceTransformer(directory: dir)
        let expected = try model.encodeSparse(texts), top = try model.encodeSparse(texts, maxActiveDimensions: 5)

        let result = try CLI.run(["embed", "--model", dir.path] + texts)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try result.jsonLines()
        XCTAssertEqual(lines.count, 2)
        for (line, (text, e)) in zip(lines, zip(texts, expected)) {
            XCTAssertEqual(line["text"], .string(text))
            XCTAssertNil(line["embedding"], "a SPLADE model prints its entries, not 1,013 floats")
            XCTAssertEqual(line["indices"]?.arrayValue?.compactMap(\.intValue), e.indices)
            XCTAssertEqual(line["values"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) }, e.values)
        }
        let five = try CLI.run(["embed", "--model", dir.path, "--max-active-dims", "5"] + texts)
        XCTAssertEqual(try five.jsonLines().map { $0["indices"]?.arrayValue?.compactMap(\.intValue) ?? [] }, top.map(\.indices))
        XCTAssertEqual(top.map(\.indices.count), [5, 5])

        let dense = try CLI.run(["embed", "--model", "models/all-MiniLM-L6-v2", "--max-active-dims", "5", "a"])
        XCTAssertEqual(dense.status, 1, dense.stderr)
        XCTAssertTrue(dense.stderr.contains("--max-active-dims applies to SPLADE"), dense.stderr)
    }

    func testSearchRanksByDotProductAndTheIndexRefusesSplade() throws {
        let dir = try makeSpladeFolder()
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let docs = ["Aspirin inhibits BRCA1.", "The p53 protein binds DNA.", "HeLa cells express EGFR.", "x y z"]
        let corpus = try CLIModels.file("splade-corpus.txt", docs.joined(separator: "\n") + "\n")
        let model = try SentenceTransformer(directory: dir)
        let q = try model.encodeSparse(["p53 binds DNA"])[0], d = try model.encodeSparse(docs)
        let order = d.indices.sorted { q.dot(d[$0]) != q.dot(d[$1]) ? q.dot(d[$0]) > q.dot(d[$1]) : $0 < $1 }

        let search = try CLI.run(["search", "--model", dir.path, "--corpus", corpus, "--top-k", "4", "p53 binds DNA"])
        XCTAssertEqual(search.status, 0, search.stderr)
        let hits = try XCTUnwrap(try search.jsonLines().first?["results"]?.arrayValue)
        XCTAssertEqual(hits.compactMap { $0["corpus_id"]?.intValue }, order)
        XCTAssertEqual(hits.first?["score"]?.doubleValue ?? 0, Double(q.dot(d[order[0]])), accuracy: 1e-4)

        let index = FileManager.default.temporaryDirectory.appendingPathComponent("splade-\(UUID().uuidString).sqlite").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: index) }
        let refused = try CLI.run(["index", "add", "--index", index, "--model", dir.path, corpus])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("SPLADE"), refused.stderr)
    }
}
