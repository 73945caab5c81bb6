import BERTKernels
import TestSupport
import XCTest

/// GEMM against a naive Float64 triple loop, on odd shapes, every transpose combination, padded leading
/// dimensions and non-trivial alpha/beta; through the BLAS path and the built-in kernel.
final class GEMMTests: XCTestCase {
    func naive(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: [Float], _ lda: Int,
               _ b: [Float], _ ldb: Int, _ beta: Float, _ c: [Float], _ ldc: Int) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    let av = ta ? a[p * lda + i] : a[i * lda + p]
                    let bv = tb ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                out[i * ldc + j] = Float(Double(alpha) * s + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])))
            }
        }
        return out
    }

    func check(builtin: Bool) {
        let sizes = [1, 7, 33, 65]
        var seed: UInt64 = 1
        for m in sizes { for n in sizes { for k in [1, 7, 33, 65, 130] {
            for ta in [false, true] { for tb in [false, true] {
                seed += 1
                let pad = 3
                let lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad
                let a = randomFloats((ta ? k : m) * lda, seed: seed)
                let b = randomFloats((tb ? n : k) * ldb, seed: seed + 1000)
                var c = randomFloats(m * ldc, seed: seed + 2000)
                let (alpha, beta): (Float, Float) = seed % 3 == 0 ? (1, 0) : (0.5, seed % 3 == 1 ? 1 : -2)
                let expected = naive(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
                a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                    GEMM.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: lda,
                               b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: ldc, forceBuiltin: builtin)
                } } }
                assertClose(c, expected, atol: 1e-4, rtol: 1e-4, "m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb) builtin=\(builtin)")
            } }
        } } }
    }

    func testBLASPathMatchesNaive() { check(builtin: false) }
    func testBuiltinKernelMatchesNaive() { check(builtin: true) }

    func testBetaZeroIgnoresNaNInC() {
        let a: [Float] = [1, 2], b: [Float] = [3, 4]
        var c: [Float] = [.nan]
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            GEMM.sgemm(transA: false, transB: false, m: 1, n: 1, k: 2, a: pa.baseAddress!, lda: 2, b: pb.baseAddress!, ldb: 1,
                       beta: 0, c: pc.baseAddress!, ldc: 1)
        } } }
        XCTAssertEqual(c, [11])
    }

    func testFastBackendIsLoadedOnLinux() {
        #if os(Linux)
        XCTAssertEqual(BLAS.backend, .openBLAS, "OpenBLAS should be found (scripts/install-system.sh installs it): \(BLAS.description)")
        XCTAssertFalse(BLAS.description.lowercased().contains("prescott"), "OpenBLAS runs its slowest kernels: \(BLAS.description)")
        #endif
    }
}
