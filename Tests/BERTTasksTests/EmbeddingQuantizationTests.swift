import BERTTasks
import Foundation
import TestSupport
import XCTest

/// `quantizeEmbeddings` against sentence-transformers' `encode(precision=...)` and `quantize_embeddings(ranges=)`
/// (Tests/Fixtures/minilm/quantized_embeddings.json, scripts/make_quantized_embedding_goldens.py).
final class EmbeddingQuantizationTests: XCTestCase {
    func testEveryPrecisionMatchesSentenceTransformers() throws {
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("minilm/quantized_embeddings.json"))) as! [String: Any]
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let vectors = try model.encode(golden["texts"] as! [String])
        let ranges = try QuantizationRanges(calibration: vectors)
        for (key, tail) in [("encode", false), ("with_ranges", true)] {
            for (name, expected) in golden[key] as! [String: [[Int]]] {
                let precision = try XCTUnwrap(EmbeddingPrecision(rawValue: name))
                let got = tail ? try quantizeEmbeddings(Array(vectors.suffix(2)), precision: precision, ranges: ranges)
                               : try quantizeEmbeddings(vectors, precision: precision)
                XCTAssertEqual(got.map(\.count), expected.map(\.count), "\(key) \(name) widths")
                // A float a hair from a bucket edge may land one bucket over: our vectors differ from torch's by
                // ~1e-7, and each dimension's own maximum sits exactly on the top edge (254.99998 or 255.0 after
                // the division). The sign bits must all agree.
                var off = 0, total = 0
                for (a, e) in zip(got, expected) {
                    for (x, y) in zip(a, e) {
                        total += 1
                        if x != y { off += 1; XCTAssertTrue(name.hasSuffix("int8") && abs(x - y) == 1, "\(key) \(name): \(x) vs \(y)") }
                    }
                }
                XCTAssertLessThanOrEqual(off, total / 100, "\(key) \(name): \(off) of \(total) integers differ by one")
            }
        }
        XCTAssertEqual(try quantizeEmbeddings([[1, -1, 0, 2, 3, -4, 5, 6, 7]], precision: .ubinary), [[0b1001_1011, 0b1000_0000]])
        XCTAssertEqual(try quantizeEmbeddings([[1, -1, 0, 2, 3, -4, 5, 6, 7]], precision: .binary), [[0b1001_1011 - 128, 0]])
    }

    func testBadRequestsAreRefused() throws {
        XCTAssertThrowsError(try quantizeEmbeddings([[0.5, 1]], precision: .int8)) { XCTAssertTrue("\($0)".contains("at least two"), "\($0)") }
        XCTAssertThrowsError(try quantizeEmbeddings([[0.5, 1]], precision: .float32))
        let ranges = try QuantizationRanges(calibration: [[0, 0], [1, 1]])
        XCTAssertThrowsError(try quantizeEmbeddings([[0.5, 1, 2]], precision: .uint8, ranges: ranges))
        XCTAssertEqual(try quantizeEmbeddings([[0.5, 2], [-1, 1]], precision: .uint8, ranges: ranges), [[127, 255], [0, 254]])
    }
}
