import BERTSearch
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// Quantised indexes on real embeddings: all-MiniLM-L6-v2 vectors of the polarity corpus (the first 2,000 review sentences of train.csv,
/// fetched by scripts/extract_polarity.sh), 100 held-out sentences as queries; recall@10 of int8 and binary scans
/// with float32 rescoring against the exact scan.
final class RealEmbeddingRecallTests: XCTestCase {
    static func sentences(_ file: String) throws -> [String] {
        let url = repositoryRoot.appendingPathComponent("data/polarity/\(file)")
        guard FileManager.default.fileExists(atPath: url.path) else {
            XCTFail("missing \(url.path): run scripts/extract_polarity.sh")
            throw XCTSkip("no polarity data")
        }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            var text = String(line[..<(line.lastIndex(of: ",") ?? line.endIndex)])
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            return text
        }
    }

    func testInt8AndBinaryRecallWithRescoring() throws {
        let model = try SentenceTransformer(directory: try modelURL("all-MiniLM-L6-v2"))
        let corpus = Array(try Self.sentences("train.csv").prefix(2000))
        let queries = Array(try Self.sentences("test.csv").prefix(100))
        let vectors = try model.encode(corpus, batchSize: 64)
        let queryVectors = try model.encode(queries)
        let documents = zip(corpus.indices, vectors).map { IndexDocument(id: "\($0)", text: corpus[$0], vector: $1) }
        var recalls: [VectorQuantization: Double] = [:]
        var exactHits: [[String]] = []
        for kind in VectorQuantization.allCases {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recall-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let settings = IndexSettings(model: "all-MiniLM-L6-v2", modelFingerprint: "x", dimension: 384, normalized: true,
                                         pooling: "mean", quantization: kind)
            let index = try SQLiteVectorIndex(path: folder.appendingPathComponent("i.sqlite").path, creating: settings)
            try index.add(documents)
            let hits = try queryVectors.map { try index.search($0, topK: 10).map(\.id) }
            if kind == .none { exactHits = hits; continue }
            let found = zip(hits, exactHits).map { Set($0).intersection($1).count }.reduce(0, +)
            recalls[kind] = Double(found) / Double(exactHits.count * 10)
        }
        print("recall@10 on all-MiniLM-L6-v2 polarity embeddings: int8 \(recalls[.int8]!), binary \(recalls[.binary]!)")
        XCTAssertGreaterThanOrEqual(recalls[.int8]!, 0.99)
        XCTAssertGreaterThanOrEqual(recalls[.binary]!, 0.95)
    }
}
