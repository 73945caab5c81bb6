import BERTKernels
import XCTest

/// Products with pre-packed weights (`PackedMatrix`, `GEMM.packed`) against a naive Float64 loop, on shapes that
/// cross every tile edge: rows around the 12-row tile, columns around the 32-column panel, depths around the
/// 256-deep block, padded leading dimensions, and B given transposed (a Linear weight) or not.
final class PackedGEMMTests: XCTestCase {
    func testPackedProductsMatchANaiveLoop() throws {
        try XCTSkipUnless(GEMM.packedSupported, "this CPU has no AVX-512: products use the BLAS path")
        var g = SystemRandomNumberGenerator()
        var worst: Float = 0, cases = 0
        for m in [1, 11, 12, 13, 37, 130] {
            for n in [1, 31, 33, 64, 100] {
                for k in [1, 255, 256, 300, 600] {
                    for transposed in [true, false] {
                        let lda = k + 3, ldb = (transposed ? k : n) + 5, ldc = n + 2
                        let a = (0..<(m * lda)).map { _ in Float.random(in: -1...1, using: &g) }
                        let b = (0..<((transposed ? n : k) * ldb)).map { _ in Float.random(in: -1...1, using: &g) }
                        var c = [Float](repeating: .nan, count: m * ldc)  // every written element must be overwritten
                        let packed = try XCTUnwrap(b.withUnsafeBufferPointer {
                            PackedMatrix(transposed: transposed, k: k, n: n, b: $0.baseAddress!, ldb: ldb)
                        })
                        a.withUnsafeBufferPointer { pa in c.withUnsafeMutableBufferPointer { pc in
                            GEMM.packed(m: m, a: pa.baseAddress!, lda: lda, b: packed, c: pc.baseAddress!, ldc: ldc)
                        } }
                        for i in 0..<m {
                            for j in 0..<n {
                                var s = 0.0
                                for p in 0..<k {
                                    s += Double(a[i * lda + p]) * Double(transposed ? b[j * ldb + p] : b[p * ldb + j])
                                }
                                worst = max(worst, abs(c[i * ldc + j] - Float(s)))
                            }
                            for j in n..<ldc { XCTAssertTrue(c[i * ldc + j].isNaN, "wrote past column \(n)") }
                        }
                        cases += 1
                    }
                }
            }
        }
        XCTAssertEqual(cases, 300)
        XCTAssertLessThan(worst, 1e-4)
    }
}
