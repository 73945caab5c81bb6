import BERTKernels
import CBERTKernels
import XCTest

/// bf16 products (`BF16Matrix`, `GEMM.bf16`) with every bf16 kernel this CPU runs (AVX512_BF16, AVX2 and portable
/// here) against Float64 sums of the same bf16-rounded operands, so the only allowed error is fp32 summation; on
/// shapes across the tile edges and BERT's own. Then the rounding itself: nearest even, NaN kept.
final class BF16GEMMTests: XCTestCase {
    override func tearDown() { GEMM.selectBF16Kernel(BF16Kernel.allCases.last { $0.isSupported }!) }

    func bf16(_ x: Float) -> Float {
        var h: UInt16 = 0, y: Float = 0
        withUnsafePointer(to: x) { bert_bf16_round($0, &h, 1) }
        bert_bf16_widen(&h, &y, 1)
        return y
    }

    func testEveryKernelMatchesFloat64SumsOfTheRoundedOperands() throws {
        var g = SystemRandomNumberGenerator()
        for kernel in BF16Kernel.allCases where kernel.isSupported {
            XCTAssertEqual(GEMM.selectBF16Kernel(kernel), kernel)
            var worst = 0.0, cases = 0
            for (m, n, k) in [(1, 1, 1), (3, 15, 3), (4, 16, 5), (5, 17, 64), (12, 31, 385), (13, 33, 2), (97, 100, 7), (130, 64, 128),
                              (128, 1152, 384), (37, 768, 3072)] {
                let lda = k + 1, ldc = n + 2
                let a = (0..<(m * lda)).map { _ in Float.random(in: -2...2, using: &g) }
                let w = (0..<(n * k)).map { _ in Float.random(in: -0.5...0.5, using: &g) }
                let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
                let weight = w.withUnsafeBufferPointer { BF16Matrix(n: n, k: k, weight: $0.baseAddress!, ldw: k) }
                var c = [Float](repeating: .nan, count: m * ldc)
                a.withUnsafeBufferPointer { pa in bias.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                    GEMM.bf16(m: m, a: pa.baseAddress!, lda: lda, b: weight, bias: pb.baseAddress!, c: pc.baseAddress!, ldc: ldc)
                } } }
                let ra = a.map(bf16), rw = w.map(bf16)
                for i in 0..<m {
                    for j in 0..<n {
                        var s = Double(bias[j]), magnitude = abs(Double(bias[j]))
                        for p in 0..<k {
                            s += Double(ra[i * lda + p]) * Double(rw[j * k + p])
                            magnitude += abs(Double(ra[i * lda + p]) * Double(rw[j * k + p]))
                        }
                        worst = max(worst, abs(Double(c[i * ldc + j]) - s) / max(1, magnitude))
                    }
                    for j in n..<ldc { XCTAssertTrue(c[i * ldc + j].isNaN, "\(kernel) wrote past column \(n)") }
                }
                cases += 1
            }
            XCTAssertEqual(cases, 10)
            XCTAssertLessThan(worst, 1e-5, "\(kernel)")
        }
    }

    func testRoundingIsToNearestEvenAndKeepsNaN() {
        XCTAssertEqual(bf16(1), 1)
        XCTAssertEqual(bf16(1 + 1.0 / 256), 1, "a tie goes to the even neighbour 1")
        XCTAssertEqual(bf16(1 + 3.0 / 256), 1 + 4.0 / 256, "a tie goes to the even neighbour 1 + 2^-6")
        XCTAssertEqual(bf16(1 + 1.0 / 256 + 1.0 / 65536), 1 + 2.0 / 256, "above the tie rounds up")
        XCTAssertEqual(bf16(-3.1415927), -3.140625)
        XCTAssertTrue(bf16(.nan).isNaN)
        XCTAssertEqual(bf16(.infinity), .infinity)
    }
}
