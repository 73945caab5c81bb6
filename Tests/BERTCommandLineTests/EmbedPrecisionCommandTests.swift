import BERT
import Foundation
import TestSupport
import XCTest

/// `bert embed --precision`: the library's `quantizeEmbeddings` of the same vectors, int8 ranges over every text.
final class EmbedPrecisionCommandTests: XCTestCase {
    func testPrecisionPrintsTheLibrarysIntegers() throws {
        let texts = ["A man is eating food.", "The girl is carrying a baby.", "A monkey is playing drums."]
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let vectors = try model.encode(texts)
        for precision in [EmbeddingPrecision.int8, .ubinary] {
            let result = try CLI.run(["embed", "--model", "models/all-MiniLM-L6-v2", "--precision", precision.rawValue] + texts)
            XCTAssertEqual(result.status, 0, result.stderr)
            let printed = try result.jsonLines().map { $0["embedding"]?.arrayValue?.compactMap(\.intValue) ?? [] }
            XCTAssertEqual(printed, try quantizeEmbeddings(vectors, precision: precision), precision.rawValue)
        }
        let one = try CLI.run(["embed", "--model", "models/all-MiniLM-L6-v2", "--precision", "uint8", "alone"])
        XCTAssertEqual(one.status, 1, one.stderr)
        XCTAssertTrue(one.stderr.contains("give at least two"), one.stderr)
        let file = try CLI.run(["embed", "--model", "models/all-MiniLM-L6-v2", "--precision", "binary", "--output", "/tmp/x.npy", "a"])
        XCTAssertEqual(file.status, 1, file.stderr)
        let bad = try CLI.run(["embed", "--model", "models/all-MiniLM-L6-v2", "--precision", "int4", "a"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
    }
}
