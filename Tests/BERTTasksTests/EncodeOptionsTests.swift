import BERTModels
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// `SentenceTransformer.encode` options against sentence-transformers on all-MiniLM-L6-v2: `max_seq_length`,
/// `truncate_dim` and `normalize_embeddings` (Tests/Fixtures/minilm/encode_options.json, made by
/// scripts/make_model_goldens.py options).
final class EncodeOptionsTests: XCTestCase {
    struct Golden: Decodable {
        struct Case: Decodable { let max_seq_length: Int; let truncate_dim: Int?; let normalize_embeddings: Bool; let vectors: [[Float]] }
        let texts: [String]
        let cases: [Case]
    }

    func testMaxSequenceLengthAndTruncatedDimensionsMatchSentenceTransformers() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: fixtureURL("minilm/encode_options.json")))
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        for c in golden.cases {
            try model.setMaxSequenceLength(c.max_seq_length)
            XCTAssertLessThanOrEqual(try model.tokenize([golden.texts[2]])[0].count, c.max_seq_length)
            let vectors = try model.encode(golden.texts, batchSize: 3, normalize: c.normalize_embeddings ? true : nil,
                                           truncateDimension: c.truncate_dim)
            for (ours, theirs) in zip(vectors, c.vectors) {
                XCTAssertEqual(ours.count, theirs.count)
                let worst = zip(ours, theirs).map { abs($0 - $1) }.max() ?? 1
                XCTAssertLessThan(worst, 1e-5, "max_seq_length \(c.max_seq_length), truncate_dim \(String(describing: c.truncate_dim))")
            }
        }
        // The cases really differ: a 16-token cut changes the long text's vector.
        XCTAssertGreaterThan(zip(golden.cases[0].vectors[2], golden.cases[1].vectors[2]).map { abs($0 - $1) }.max()!, 1e-3)
    }

    func testBadOptionsAreTypedErrors() throws {
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        XCTAssertThrowsError(try model.setMaxSequenceLength(513))
        XCTAssertThrowsError(try model.setMaxSequenceLength(1))
        XCTAssertThrowsError(try model.encode(["a"], truncateDimension: 0))
        XCTAssertThrowsError(try model.encode(["a"], truncateDimension: 385))
        XCTAssertThrowsError(try model.encode(["a"], batchSize: 0))
        XCTAssertEqual(model.maxSequenceLength, 256)  // a rejected setting changes nothing
    }
}
