import BERTKernels
import CBERTKernels
import XCTest

/// fp16-weight products (`FP16Matrix`, `GEMM.fp16`) with every fp16 kernel this CPU runs (F16C and portable here)
/// against Float64 sums of the fp32 activations and the half-rounded weights, so the only allowed error is fp32
/// summation; on shapes across the tile edges and BERT's own. Then the rounding itself, against IEEE 754 (Swift's
/// `Float16` where the platform has it, and hand-worked cases everywhere).
final class FP16GEMMTests: XCTestCase {
    override func tearDown() { GEMM.selectFP16Kernel(FP16Kernel.allCases.last { $0.isSupported }!) }

    func testEveryKernelMatchesFloat64SumsOfTheRoundedWeights() throws {
        var g = SystemRandomNumberGenerator()
        XCTAssertTrue(FP16Kernel.portable.isSupported)
        for kernel in FP16Kernel.allCases where kernel.isSupported {
            XCTAssertEqual(GEMM.selectFP16Kernel(kernel), kernel)
            var worst = 0.0, cases = 0
            for (m, n, k) in [(1, 1, 1), (3, 15, 3), (6, 16, 5), (7, 17, 64), (12, 31, 385), (13, 33, 2), (97, 100, 7), (130, 64, 128),
                              (128, 1152, 384), (37, 768, 3072)] {
                let lda = k + 1, ldc = n + 2
                let a = (0..<(m * lda)).map { _ in Float.random(in: -2...2, using: &g) }
                let w = (0..<(n * k)).map { _ in Float.random(in: -0.5...0.5, using: &g) }
                let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
                let weight = w.withUnsafeBufferPointer { FP16Matrix(n: n, k: k, weight: $0.baseAddress!, ldw: k) }
                let rw = weight.widened
                XCTAssertEqual(rw, w.map { bert_fp16_to_float(bert_fp16_from_float($0)) }, "packing keeps each rounded weight in place")
                var c = [Float](repeating: .nan, count: m * ldc)
                a.withUnsafeBufferPointer { pa in bias.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                    GEMM.fp16(m: m, a: pa.baseAddress!, lda: lda, b: weight, bias: pb.baseAddress!, c: pc.baseAddress!, ldc: ldc)
                } } }
                for i in 0..<m {
                    for j in 0..<n {
                        var s = Double(bias[j]), magnitude = abs(Double(bias[j]))
                        for p in 0..<k {
                            s += Double(a[i * lda + p]) * Double(rw[j * k + p])
                            magnitude += abs(Double(a[i * lda + p]) * Double(rw[j * k + p]))
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

    func testTheWeightsAreRoundedToHalfPrecisionNotLeftFP32() {
        let w: [Float] = [0.1, -0.2, 0.3, 1.0 / 3]
        let m = w.withUnsafeBufferPointer { FP16Matrix(n: 2, k: 2, weight: $0.baseAddress!, ldw: 2) }
        XCTAssertEqual(m.widened, [0.099975586, -0.19995117, 0.30004883, 0.33325195])
        XCTAssertEqual(m.byteCount, 16 * 2 * 2, "one 16-column panel of 2 k, two bytes a weight")
    }

    func half(_ x: Float) -> Float { bert_fp16_to_float(bert_fp16_from_float(x)) }

    func testRoundingIsIEEENearestEven() {
        XCTAssertEqual(half(1), 1)
        XCTAssertEqual(half(1 + 1.0 / 2048), 1, "a tie goes to the even neighbour 1")
        XCTAssertEqual(half(1 + 3.0 / 2048), 1 + 4.0 / 2048, "a tie goes to the even neighbour 1 + 2^-9")
        XCTAssertEqual(half(1 + 1.0 / 2048 + 1.0 / 65536), 1 + 2.0 / 2048, "above the tie rounds up")
        XCTAssertEqual(half(65504), 65504, "the largest half")
        XCTAssertEqual(half(65519.99), 65504)
        XCTAssertEqual(half(65520), .infinity, "halfway past the largest half rounds to infinity (odd 65504)")
        XCTAssertEqual(half(-1e9), -.infinity)
        XCTAssertEqual(half(0x1p-24), 0x1p-24, "the smallest subnormal")
        XCTAssertEqual(half(0x1p-25), 0, "exactly half of it: a tie, to even 0")
        XCTAssertEqual(half(0x1.8p-25), 0x1p-24)
        XCTAssertEqual(half(0x1.ffcp-15), 0x1p-14, "the largest subnormal's neighbour rounds into the normals")
        XCTAssertEqual(bert_fp16_from_float(-0.0), 0x8000)
        XCTAssertTrue(half(.nan).isNaN)
        XCTAssertEqual(half(.infinity), .infinity)
        for bits in UInt16(0)...UInt16.max where (bits & 0x7C00) != 0x7C00 || (bits & 0x3FF) == 0 {
            XCTAssertEqual(bert_fp16_from_float(bert_fp16_to_float(bits)), bits, "every half survives a round trip")
        }
    }

    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    func testRoundingAgreesWithSwiftFloat16() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let x = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &g))
            if x.isNaN { continue }
            XCTAssertEqual(bert_fp16_from_float(x), Float16(x).bitPattern, "\(x)")
        }
        for x: Float in [0x1p-14, 0x1p-15, 0x1.3p-20, 70000, 1e-8, 6.1e-5, 2049, 4097] {
            XCTAssertEqual(bert_fp16_from_float(x), Float16(x).bitPattern, "\(x)")
            XCTAssertEqual(bert_fp16_from_float(-x), Float16(-x).bitPattern, "\(-x)")
        }
    }
    #endif
}
