import BERTKernels
import Foundation
import TestSupport
import XCTest

/// Activation, softmax and layer-norm kernels against Float64 formulas, on odd lengths (vector tails) and
/// large inputs (the multi-threaded split).
final class ElementwiseKernelTests: XCTestCase {
    let lengths = [1, 7, 33, 65, 100_003]

    func run(_ x: [Float], _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in kernel(px.baseAddress!, py.baseAddress!, x.count) } }
        return y
    }

    func run2(_ x: [Float], _ g: [Float], _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in g.withUnsafeBufferPointer { pg in y.withUnsafeMutableBufferPointer { py in
            kernel(px.baseAddress!, pg.baseAddress!, py.baseAddress!, x.count)
        } } }
        return y
    }

    func testGELUErf() {
        for n in lengths {
            let x = randomFloats(n, seed: UInt64(n), in: -8...8)
            let g = randomFloats(n, seed: UInt64(n) + 1)
            let phi = { (v: Double) in 0.5 * (1 + erf(v / 2.0.squareRoot())) }
            assertClose(run(x, Kernels.geluForward), x.map { Float(Double($0) * phi(Double($0))) }, atol: 2e-6, rtol: 1e-5, "gelu n=\(n)")
            let dExpected = zip(x, g).map { v, gv -> Float in
                let d = Double(v)
                return Float(Double(gv) * (phi(d) + d * exp(-d * d / 2) / (2 * Double.pi).squareRoot()))
            }
            assertClose(run2(x, g, Kernels.geluBackward), dExpected, atol: 2e-6, rtol: 1e-5, "gelu' n=\(n)")
        }
    }

    func testGELUTanh() {
        for n in lengths {
            let x = randomFloats(n, seed: UInt64(n), in: -8...8)
            let g = randomFloats(n, seed: UInt64(n) + 1)
            let c = (2 / Double.pi).squareRoot()
            let f = { (d: Double) in 0.5 * d * (1 + tanh(c * (d + 0.044715 * d * d * d))) }
            assertClose(run(x, Kernels.geluTanhForward), x.map { Float(f(Double($0))) }, atol: 2e-6, rtol: 1e-5, "gelu_tanh n=\(n)")
            let h = 1e-5
            let dExpected = zip(x, g).map { v, gv in Float(Double(gv) * (f(Double(v) + h) - f(Double(v) - h)) / (2 * h)) }
            assertClose(run2(x, g, Kernels.geluTanhBackward), dExpected, atol: 1e-5, rtol: 1e-4, "gelu_tanh' n=\(n)")
        }
    }

    func testTanhAndExp() {
        for n in lengths {
            let x = randomFloats(n, seed: UInt64(n), in: -10...10)
            assertClose(run(x, Kernels.tanhForward), x.map { Float(tanh(Double($0))) }, atol: 1e-7, rtol: 1e-6, "tanh n=\(n)")
            assertClose(run(x, Kernels.exp), x.map { Float(exp(Double($0))) }, atol: 0, rtol: 2e-7, "exp n=\(n)")
        }
        // Near zero tanh keeps relative accuracy.
        let tiny: [Float] = [1e-8, -3e-5, 0.01, 0.06, 0]
        assertClose(run(tiny, Kernels.tanhForward), tiny.map { Float(tanh(Double($0))) }, atol: 0, rtol: 1e-6, "tanh near 0")
    }

    func testSoftmaxWithMaskAndScale() {
        for cols in [1, 7, 33, 65] {
            let rows = 12, div = 4
            let x = randomFloats(rows * cols, seed: UInt64(cols), in: -5...5)
            var mask = randomFloats((rows / div) * cols, seed: 7).map { $0 > 0.3 ? -Float.greatestFiniteMagnitude : 0 }
            if cols > 1 { mask[0] = 0 }
            var y = [Float](repeating: 0, count: x.count)
            x.withUnsafeBufferPointer { px in mask.withUnsafeBufferPointer { pm in y.withUnsafeMutableBufferPointer { py in
                Kernels.softmaxForward(px.baseAddress!, py.baseAddress!, rows: rows, cols: cols, scale: 0.125,
                                       mask: pm.baseAddress!, maskRowDivisor: div)
            } } }
            var expected = [Float]()
            for r in 0..<rows {
                let v = (0..<cols).map { Double(x[r * cols + $0]) * 0.125 + Double(mask[(r / div) * cols + $0]) }
                let m = v.max()!
                let e = v.map { exp($0 - m) }
                let s = e.reduce(0, +)
                expected += e.map { Float($0 / s) }
            }
            assertClose(y, expected, atol: 1e-7, rtol: 1e-5, "softmax cols=\(cols)")
        }
    }

    func testLayerNormForwardAndBackward() {
        for cols in [1, 7, 33, 768] {
            let rows = 5
            let x = randomFloats(rows * cols, seed: UInt64(cols), in: -3...3)
            let gamma = randomFloats(cols, seed: 2), beta = randomFloats(cols, seed: 3), dy = randomFloats(rows * cols, seed: 4)
            var y = [Float](repeating: 0, count: x.count), mean = [Float](repeating: 0, count: rows), rstd = mean
            var dx = y, dg = [Float](repeating: 0, count: cols), db = dg
            x.withUnsafeBufferPointer { px in gamma.withUnsafeBufferPointer { pg in beta.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { py in mean.withUnsafeMutableBufferPointer { pm in rstd.withUnsafeMutableBufferPointer { pr in
                    Kernels.layerNormForward(px.baseAddress!, gamma: pg.baseAddress!, beta: pb.baseAddress!, py.baseAddress!,
                                             mean: pm.baseAddress!, rstd: pr.baseAddress!, rows: rows, cols: cols, eps: 1e-5)
                } } }
            } } }
            x.withUnsafeBufferPointer { px in gamma.withUnsafeBufferPointer { pg in mean.withUnsafeBufferPointer { pm in
                rstd.withUnsafeBufferPointer { pr in dy.withUnsafeBufferPointer { pdy in dx.withUnsafeMutableBufferPointer { pdx in
                    dg.withUnsafeMutableBufferPointer { pdg in db.withUnsafeMutableBufferPointer { pdb in
                        Kernels.layerNormBackward(px.baseAddress!, gamma: pg.baseAddress!, mean: pm.baseAddress!, rstd: pr.baseAddress!,
                                                  dy: pdy.baseAddress!, dx: pdx.baseAddress!, dgamma: pdg.baseAddress!,
                                                  dbeta: pdb.baseAddress!, rows: rows, cols: cols)
                    } }
                } } }
            } } }
            // Float64 reference, including the closed-form backward.
            var ey = [Float](), edx = [Float](), edg = [Double](repeating: 0, count: cols), edb = edg
            for r in 0..<rows {
                let row = (0..<cols).map { Double(x[r * cols + $0]) }
                let mu = row.reduce(0, +) / Double(cols)
                let v = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(cols)
                let rs = 1 / (v + 1e-5).squareRoot()
                let xhat = row.map { ($0 - mu) * rs }
                ey += (0..<cols).map { Float(xhat[$0] * Double(gamma[$0]) + Double(beta[$0])) }
                let g = (0..<cols).map { Double(dy[r * cols + $0]) * Double(gamma[$0]) }
                let mg = g.reduce(0, +) / Double(cols)
                let mgx = zip(g, xhat).map(*).reduce(0, +) / Double(cols)
                edx += (0..<cols).map { Float(rs * (g[$0] - mg - xhat[$0] * mgx)) }
                for j in 0..<cols { edg[j] += Double(dy[r * cols + j]) * xhat[j]; edb[j] += Double(dy[r * cols + j]) }
            }
            assertClose(y, ey, atol: 1e-5, rtol: 1e-5, "layernorm y cols=\(cols)")
            assertClose(dx, edx, atol: 1e-4, rtol: 1e-4, "layernorm dx cols=\(cols)")
            assertClose(dg, edg.map(Float.init), atol: 1e-4, rtol: 1e-4, "layernorm dgamma cols=\(cols)")
            assertClose(db, edb.map(Float.init), atol: 1e-5, rtol: 1e-5, "layernorm dbeta cols=\(cols)")
        }
    }
}
