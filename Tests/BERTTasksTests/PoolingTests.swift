import BERTModels
import BERTTasks
import BERTTensor
import TestSupport
import XCTest

/// Every Sentence-Transformers pooling mode on hand-made hidden states with padding (values from the formulas in
/// sentence_transformers.models.Pooling), and padding never changes a row's vector.
final class PoolingTests: XCTestCase {
    // Two rows, three positions, two features; row 1 has one padding position.
    let hidden: [Float] = [1, 2, 3, 4, 5, 6, /* row 1 */ 7, 8, -1, -2, 100, 100]
    let mask = [1, 1, 1, 1, 1, 0]

    func pool(_ modes: [PoolingMode]) throws -> [Float] {
        try Pooling(modes: modes)(Tensor(shape: [2, 3, 2], scalars: hidden), mask: mask).scalars
    }

    func testEachMode() throws {
        XCTAssertEqual(try pool([.cls]), [1, 2, 7, 8])
        XCTAssertEqual(try pool([.mean]), [3, 4, 3, 3])
        XCTAssertEqual(try pool([.max]), [5, 6, 7, 8])
        assertClose(try pool([.meanSqrtLen]), [9 / 3.squareRoot(), 12 / 3.squareRoot(), 6 / 2.squareRoot(), 6 / 2.squareRoot()], atol: 1e-6)
        assertClose(try pool([.weightedMean]), [(1 + 6 + 15) / 6, (2 + 8 + 18) / 6, (7 - 2) / 3, (8 - 4) / 3], atol: 1e-6)
        XCTAssertEqual(try pool([.lastToken]), [5, 6, -1, -2])
        XCTAssertEqual(try pool([.cls, .mean]), [1, 2, 3, 4, 7, 8, 3, 3])
    }

    func testL2Normalize() throws {
        let v = try Tensor(shape: [2, 2], scalars: [3, 4, 0, 0]).l2Normalized().scalars
        XCTAssertEqual(v, [0.6, 0.8, 0, 0])
    }
}
