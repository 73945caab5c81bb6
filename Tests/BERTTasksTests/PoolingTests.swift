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
        let r3 = Float(3).squareRoot(), r2 = Float(2).squareRoot()
        let sqrtLen: [Float] = [9 / r3, 12 / r3, 6 / r2, 6 / r2]
        assertClose(try pool([.meanSqrtLen]), sqrtLen, atol: 1e-6)
        // Weights 1, 2, 3 by position (row 1: 1, 2; its padding has weight 0).
        let weighted: [Float] = [22.0 / 6, 28.0 / 6, 5.0 / 3, 4.0 / 3]
        assertClose(try pool([.weightedMean]), weighted, atol: 1e-6)
        XCTAssertEqual(try pool([.lastToken]), [5, 6, -1, -2])
        XCTAssertEqual(try pool([.cls, .mean]), [1, 2, 3, 4, 7, 8, 3, 3])
    }

    func testL2Normalize() throws {
        let v = try Tensor(shape: [2, 2], scalars: [3, 4, 0, 0]).l2Normalized().scalars
        XCTAssertEqual(v, [0.6, 0.8, 0, 0])
    }
}
