import BERTKernels
import BERTTensor
import XCTest

/// The in-place fused inference epilogues against the composed differentiable ops, on odd widths.
final class FusedInferenceTests: XCTestCase {
    var g = SeededGenerator(seed: 17)

    func random(_ shape: [Int], scale: Float = 2) throws -> Tensor {
        try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -scale...scale, using: &g) })
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ tolerance: Float, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, file: file, line: line)
        let (x, y) = (a.scalars, b.scalars)
        let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, file: file, line: line)
    }

    func testBiasGELUAndBiasMatchComposedOps() throws {
        for cols in [1, 7, 16, 37] {
            let x = try random([3, 5, cols]), bias = try random([cols])
            let expected = try x.adding(bias).gelu()
            assertClose(try Tensor(shape: x.shape, scalars: x.scalars).formBiasGELU(bias), expected, 1e-6)
            assertClose(try Tensor(shape: x.shape, scalars: x.scalars).formBias(bias), try x.adding(bias), 0)
        }
    }

    func testBiasResidualLayerNormMatchesComposedOps() throws {
        for cols in [2, 15, 33, 384] {
            let x = try random([4, cols]), bias = try random([cols]), residual = try random([4, cols])
            let w = try random([cols]), b = try random([cols])
            let expected = try x.adding(bias).adding(residual).layerNorm(weight: w, bias: b, eps: 1e-12)
            let fused = try Tensor(shape: x.shape, scalars: x.scalars)
                .formBiasResidualLayerNorm(bias: bias, residual: residual, weight: w, layerNormBias: b, eps: 1e-12)
            assertClose(fused, expected, 1e-5)
        }
    }

    func testBadShapesAreTypedErrors() throws {
        let x = try random([2, 6])
        XCTAssertThrowsError(try x.formBiasGELU(try random([5])))
        XCTAssertThrowsError(try x.formBiasResidualLayerNorm(bias: try random([6]), residual: try random([3, 6]),
                                                             weight: try random([6]), layerNormBias: try random([6]), eps: 1e-5))
        XCTAssertThrowsError(try x.transposed(0, 1).formBias(try random([2])))
        // Quantised rows of the wrong size, or a weight of another depth: errors, nothing written.
        XCTAssertThrowsError(try x.formBiasGELU(try random([6]), quantizingInto: QuantizedActivations(m: 3, k: 6)))
        XCTAssertThrowsError(try x.formBiasResidualLayerNorm(bias: try random([6]), residual: try random([2, 6]), weight: try random([6]),
                                                             layerNormBias: try random([6]), eps: 1e-5,
                                                             quantizingInto: QuantizedActivations(m: 2, k: 5)))
        let w = [Float](repeating: 0.5, count: 4 * 6)
        let weight = w.withUnsafeBufferPointer { QuantizedMatrix(n: 4, k: 6, weight: $0.baseAddress!, ldw: 6) }
        XCTAssertThrowsError(try Tensor.linear(quantizedRows: QuantizedActivations(m: 2, k: 5), leadingShape: [2], weight: weight))
        XCTAssertThrowsError(try Tensor.linear(quantizedRows: QuantizedActivations(m: 2, k: 6), leadingShape: [3], weight: weight))
    }

    /// The GELU and layer-norm passes that also quantise each row write the same floats as without, and the int8
    /// product from those rows equals `linear(quantized:)` on the floats.
    func testQuantizingEpiloguesKeepTheFloatsAndFeedTheSameProduct() throws {
        let w = try random([5, 24])
        let weight = w.scalars.withUnsafeBufferPointer { QuantizedMatrix(n: 5, k: 24, weight: $0.baseAddress!, ldw: 24) }
        let x = try random([3, 4, 24]), bias = try random([24]), residual = try random([3, 4, 24])
        let gamma = try random([24]), beta = try random([24])
        let plainGELU = try Tensor(shape: x.shape, scalars: x.scalars).formBiasGELU(bias)
        let rows = QuantizedActivations(m: 12, k: 24)
        let fusedGELU = try Tensor(shape: x.shape, scalars: x.scalars).formBiasGELU(bias, quantizingInto: rows)
        XCTAssertEqual(fusedGELU.scalars, plainGELU.scalars)
        let product = try Tensor.linear(quantizedRows: rows, leadingShape: [3, 4], weight: weight)
        XCTAssertEqual(product.shape, [3, 4, 5])
        XCTAssertEqual(product.scalars, try plainGELU.linear(quantized: weight).scalars)
        let plainNorm = try Tensor(shape: x.shape, scalars: x.scalars)
            .formBiasResidualLayerNorm(bias: bias, residual: residual, weight: gamma, layerNormBias: beta, eps: 1e-12)
        let fusedNorm = try Tensor(shape: x.shape, scalars: x.scalars)
            .formBiasResidualLayerNorm(bias: bias, residual: residual, weight: gamma, layerNormBias: beta, eps: 1e-12, quantizingInto: rows)
        XCTAssertEqual(fusedNorm.scalars, plainNorm.scalars)
        XCTAssertEqual(try Tensor.linear(quantizedRows: rows, leadingShape: [3, 4], weight: weight).scalars,
                       try plainNorm.linear(quantized: weight).scalars)
    }
}
