import BERTKernels
import Foundation
import TestSupport
import XCTest

/// The softmax and bias + GELU row kernels (`rows_x86.c` on AVX-512 and AVX2, the portable C elsewhere), each path
/// this CPU has, against Float64 formulas on row lengths around the vector widths and on BERT's.
final class RowKernelTests: XCTestCase {
    let widths = [1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 127, 128, 129, 384, 771]

    func eachKernel(_ body: (RowKernel) throws -> Void) rethrows {
        let initial = RowKernel.current
        defer { RowKernel.select(initial) }
        for kernel in RowKernel.supported {
            XCTAssertEqual(RowKernel.select(kernel), kernel)
            try body(kernel)
        }
    }

    func testSoftmaxRowsMatchFloat64() {
        eachKernel { kernel in
            for cols in widths {
                let rows = 3
                var x = randomFloats(rows * cols, seed: UInt64(cols), in: -30...30)
                var mask = [Float](repeating: 0, count: cols)
                for j in stride(from: 1, to: cols, by: 3) { mask[j] = -Float.greatestFiniteMagnitude }  // HF's padding value
                if cols > 4 { mask[cols - 2] = -.infinity }
                let scale: Float = 0.125
                let expected = (0..<rows).flatMap { r -> [Float] in
                    let v = (0..<cols).map { Double(x[r * cols + $0]) * Double(scale) + Double(mask[$0]) }
                    let m = v.max()!
                    let e = v.map { $0 == -.infinity || $0 - m < -87.33 ? 0 : exp($0 - m) }
                    let s = e.reduce(0, +)
                    return e.map { Float($0 / s) }
                }
                x.withUnsafeMutableBufferPointer { px in
                    mask.withUnsafeBufferPointer { Kernels.softmaxRows(px.baseAddress!, rows: rows, cols: cols, scale: scale, mask: $0.baseAddress!) }
                }
                assertClose(x, expected, atol: 1e-8, rtol: 2e-6, "\(kernel) softmax cols=\(cols)")
                for r in 0..<rows { XCTAssertEqual(x[(r * cols)..<((r + 1) * cols)].reduce(0, +), 1, accuracy: 1e-5, "\(kernel) row sum") }
            }
        }
    }

    func testSoftmaxWithoutMaskAndNaN() {
        eachKernel { kernel in
            var x: [Float] = [1, 2, 3, .nan, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
            Kernels.softmaxRows(&x, rows: 1, cols: x.count, scale: 1, mask: nil)
            XCTAssertTrue(x.allSatisfy(\.isNaN), "\(kernel): a NaN score makes the row NaN, never a silent number")
            var y: [Float] = [0, 1, 2]
            Kernels.softmaxRows(&y, rows: 1, cols: 3, scale: 1, mask: nil)
            let e = [0.0, 1, 2].map { exp($0 - 2) }, s = e.reduce(0, +)
            assertClose(y, e.map { Float($0 / s) }, atol: 1e-8, rtol: 1e-6, "\(kernel) softmax [0, 1, 2]")
        }
    }

    func testBiasGELURowsMatchFloat64() {
        let phi = { (v: Double) in 0.5 * (1 + erf(v / 2.0.squareRoot())) }
        eachKernel { kernel in
            for cols in widths + [3072] {
                let rows = 2
                var x = randomFloats(rows * cols, seed: UInt64(cols) + 7, in: -10...10)
                let bias = randomFloats(cols, seed: UInt64(cols) + 8, in: -1...1)
                let expected = (0..<(rows * cols)).map { i -> Float in
                    let v = Double(Float(x[i] + bias[i % cols]))
                    return Float(v * phi(v))
                }
                x.withUnsafeMutableBufferPointer { px in
                    bias.withUnsafeBufferPointer { Kernels.biasGELURows(px.baseAddress!, bias: $0.baseAddress!, rows: rows, cols: cols) }
                }
                assertClose(x, expected, atol: 1e-6, rtol: 1e-6, "\(kernel) bias+gelu cols=\(cols)")
            }
            var special: [Float] = [0, -0.0, 40, -40, 3.999, 4.001, -1e-30, .nan, 1e-4, -6, 6, 1, -1, 0.5, -0.5, 2]
            let zeros = [Float](repeating: 0, count: special.count)
            let expected = special.map { v -> Float in v.isNaN ? .nan : Float(Double(v) * phi(Double(v))) }
            special.withUnsafeMutableBufferPointer { px in
                zeros.withUnsafeBufferPointer { Kernels.biasGELURows(px.baseAddress!, bias: $0.baseAddress!, rows: 1, cols: px.count) }
            }
            XCTAssertTrue(special[7].isNaN, "\(kernel): GELU(NaN) is NaN")
            special[7] = 0
            var e = expected
            e[7] = 0
            assertClose(special, e, atol: 1e-7, rtol: 1e-6, "\(kernel) gelu special values")
        }
    }

    func testBiasResidualLayerNormRowsMatchFloat64() {
        eachKernel { kernel in
            for cols in widths + [768] {
                let rows = 3
                var x = randomFloats(rows * cols, seed: UInt64(cols) + 11, in: -4...6)
                let residual = randomFloats(rows * cols, seed: UInt64(cols) + 12, in: -3...3)
                let bias = randomFloats(cols, seed: UInt64(cols) + 13, in: -1...1)
                let gamma = randomFloats(cols, seed: UInt64(cols) + 14, in: 0.5...1.5)
                let beta = randomFloats(cols, seed: UInt64(cols) + 15, in: -0.5...0.5)
                let eps: Float = 1e-12
                let expected = (0..<rows).flatMap { r -> [Float] in
                    let v = (0..<cols).map { Double(Float(x[r * cols + $0] + bias[$0]) + residual[r * cols + $0]) }
                    let mu = v.reduce(0, +) / Double(cols)
                    let variance = v.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(cols)
                    let rs = 1 / (variance + Double(eps)).squareRoot()
                    return (0..<cols).map { Float((v[$0] - mu) * rs * Double(gamma[$0]) + Double(beta[$0])) }
                }
                x.withUnsafeMutableBufferPointer { px in
                    Kernels.biasResidualLayerNormRows(px.baseAddress!, bias: bias, residual: residual, gamma: gamma, beta: beta,
                                                      rows: rows, cols: cols, eps: eps)
                }
                // A row of one value normalises to beta exactly; elsewhere a few float roundings of a unit-scale value.
                assertClose(x, expected, atol: 2e-6, rtol: 1e-6, "\(kernel) layernorm cols=\(cols)")
            }
        }
    }
}
