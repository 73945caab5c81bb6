import BERTKernels
import XCTest

/// Products with pre-packed weights (`PackedMatrix`, `GEMM.packed`) against a naive Float64 loop, with every
/// packed kernel this CPU runs (AVX-512 and AVX2 on an AVX-512 machine), on shapes that cross every tile edge:
/// rows around the 12- and 6-row tiles, columns around the 16-column half panel and the 32-column panel, depths
/// around the 256-deep block, padded leading dimensions, and B given transposed (a Linear weight) or not.
final class PackedGEMMTests: XCTestCase {
    func testEveryPackedKernelMatchesANaiveLoop() throws {
        let kernels = PackedKernel.allCases.filter { $0 != .none && $0.isSupported }
        try XCTSkipIf(kernels.isEmpty, "this CPU has neither AVX-512 nor AVX2: products use the BLAS path")
        let original = GEMM.packedKernel
        defer { GEMM.selectPackedKernel(original) }
        for kernel in kernels {
            XCTAssertEqual(GEMM.selectPackedKernel(kernel), kernel)
            try checkPackedProducts("\(kernel)")
        }
    }

    func checkPackedProducts(_ kernel: String) throws {
        var g = SystemRandomNumberGenerator()
        var worst: Float = 0, cases = 0
        for m in [1, 5, 6, 7, 11, 12, 13, 37, 130] {
            for n in [1, 15, 17, 31, 33, 64, 100] {
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
        XCTAssertEqual(cases, 630, kernel)
        XCTAssertLessThan(worst, 1e-4, kernel)
    }
}
