import BERTKernels
import XCTest

/// The epilogues that quantise each row for the next int8 product (`Kernels.biasGELUQuantizeRows`,
/// `Kernels.biasResidualLayerNormQuantizeRows`, rows in parallel) against the two steps they fuse: the float pass
/// and then `GEMM.quantized` quantising the floats itself. The floats must be equal and the products from the
/// fused rows equal bit for bit (the same bytes, scales and zero points), on every int8 kernel, with rows split
/// across threads and on one.
final class FusedQuantizationTests: XCTestCase {
    private var savedThreads = 1
    private var savedKernel = QuantizedKernel.portable
    override func setUp() { (savedThreads, savedKernel) = (Threads.count, GEMM.quantizedKernel) }
    override func tearDown() {
        Threads.set(savedThreads)
        GEMM.selectQuantizedKernel(savedKernel)  // the kernel in force before (the best, or what BERT_KERNELS allows)
    }

    private func random(_ count: Int, _ range: ClosedRange<Float>, _ g: inout SystemRandomNumberGenerator) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &g) }
    }

    /// Runs `fused` (the epilogue writing floats in place and quantising into rows) and `plain` (the float pass
    /// alone) on copies of x [m, k], then the product with `weight` [n, k] from each, and compares.
    private func check(m: Int, k: Int, n: Int, x: [Float], label: String,
                       fused: (UnsafeMutablePointer<Float>, QuantizedActivations) -> Void, plain: (UnsafeMutablePointer<Float>) -> Void) {
        var g = SystemRandomNumberGenerator()
        let w = random(n * k, -0.2...0.2, &g)
        let weight = w.withUnsafeBufferPointer { QuantizedMatrix(n: n, k: k, weight: $0.baseAddress!, ldw: k) }
        var (a, b) = (x, x)
        var (c1, c2) = ([Float](repeating: .nan, count: m * n), [Float](repeating: .nan, count: m * n))
        a.withUnsafeMutableBufferPointer { pa in c1.withUnsafeMutableBufferPointer { pc in
            plain(pa.baseAddress!)
            GEMM.quantized(m: m, a: pa.baseAddress!, lda: k, b: weight, bias: nil, c: pc.baseAddress!, ldc: n)
        } }
        let rows = QuantizedActivations(m: m, k: k)
        b.withUnsafeMutableBufferPointer { pb in c2.withUnsafeMutableBufferPointer { pc in
            fused(pb.baseAddress!, rows)
            GEMM.quantized(m: m, rows: rows.rows, b: weight, bias: nil, c: pc.baseAddress!, ldc: n)
        } }
        XCTAssertEqual(a, b, "\(label): the floats")
        XCTAssertEqual(c1, c2, "\(label): the int8 product")
        XCTAssertFalse(c2.contains { $0.isNaN }, label)
    }

    func testFusedEpiloguesQuantiseAsTheProductWould() {
        var g = SystemRandomNumberGenerator()
        let initialRows = RowKernel.current
        defer { RowKernel.select(initialRows) }
        for kernel in QuantizedKernel.allCases where kernel.isSupported {
            GEMM.selectQuantizedKernel(kernel)
            for rowKernel in RowKernel.supported {
                RowKernel.select(rowKernel)
                for threads in [1, 2] {
                    Threads.set(threads)
                    // Rows around the 12-row tile; widths of MiniLM / BERT-base and one not a multiple of 4 or 16.
                    for (m, k, n) in [(1, 384, 64), (13, 1536, 40), (128, 3072, 96), (37, 770, 33)] {
                        let label = "\(kernel) rows \(rowKernel) threads \(threads) \(m)×\(k)→\(n)"
                        let x = random(m * k, -4...4, &g), bias = random(k, -1...1, &g)
                        check(m: m, k: k, n: n, x: x, label: "GELU \(label)",
                              fused: { Kernels.biasGELUQuantizeRows($0, bias: bias, rows: m, cols: k, into: $1) },
                              plain: { Kernels.biasGELURows($0, bias: bias, rows: m, cols: k) })
                        let residual = random(m * k, -2...2, &g), gamma = random(k, 0.5...1.5, &g), beta = random(k, -0.5...0.5, &g)
                        check(m: m, k: k, n: n, x: x, label: "LayerNorm \(label)",
                              fused: {
                                  Kernels.biasResidualLayerNormQuantizeRows($0, bias: bias, residual: residual, gamma: gamma, beta: beta,
                                                                            rows: m, cols: k, eps: 1e-12, into: $1)
                              },
                              plain: {
                                  Kernels.biasResidualLayerNormRows($0, bias: bias, residual: residual, gamma: gamma, beta: beta,
                                                                    rows: m, cols: k, eps: 1e-12)
                              })
                    }
                }
            }
        }
    }
}
