import BERTKernels
import Dispatch
import CBERTKernels
import XCTest

/// Dynamic int8 products (`QuantizedMatrix`, `GEMM.quantized`) with every int8 kernel this CPU runs (VNNI, AVX2 and
/// the portable one on this machine) against an Int64 loop: the int32 sums must be exact, on shapes that cross
/// every tile edge (rows around the 4-, 6- and 12-row tiles and the 96-row sweep, columns around the 8-column quarter,
/// 16-column half and 32-column panel, depths not a multiple of 4), BERT's own shapes and several threads at once;
/// the u8 × s8 extremes that saturate a plain `vpmaddubsw` included. Then the dequantised float product against a Float64 reference.
final class QuantizedGEMMTests: XCTestCase {
    var kernels: [QuantizedKernel] { QuantizedKernel.allCases.filter(\.isSupported) }

    override func tearDown() { GEMM.selectQuantizedKernel(.best) }

    /// Runs the kernel on integer activations `qa` [m, k] with zero points `za`, unit scales and no bias, so every
    /// output is Float(Σ qa·qw − za·Σ qw) exactly.
    func integerProduct(m: Int, k: Int, qa: [UInt8], za: [Int32], weight: QuantizedMatrix) -> [Float] {
        let (c, wrotePast) = Self.integerProduct(m: m, k: k, qa: qa, za: za, weight: weight)
        XCTAssertFalse(wrotePast, "wrote past column \(weight.n)")
        return c
    }

    /// `integerProduct` without assertions (callable from any thread): the m × n outputs and whether anything was
    /// written past column n.
    static func integerProduct(m: Int, k: Int, qa: [UInt8], za: [Int32], weight: QuantizedMatrix) -> ([Float], Bool) {
        let depth = bert_qgemm_depth(Int32(k)), rows = bert_qgemm_padded_rows(Int32(m))
        var padded = [UInt8](repeating: 0, count: rows * depth)
        for i in 0..<m { for p in 0..<k { padded[i * depth + p] = qa[i * k + p] } }
        let ones = [Float](repeating: 1, count: m)
        let ldc = weight.n + 3
        var c = [Float](repeating: .nan, count: m * ldc)
        padded.withUnsafeBufferPointer { a in ones.withUnsafeBufferPointer { s in za.withUnsafeBufferPointer { z in
            c.withUnsafeMutableBufferPointer { out in
                let rowsOfA = QuantizedRows(values: a.baseAddress!, depth: depth, scales: s.baseAddress!, zeros: z.baseAddress!)
                GEMM.quantized(m: m, rows: rowsOfA, b: weight, bias: nil, c: out.baseAddress!, ldc: ldc)
            }
        } } }
        let wrotePast = (0..<m).contains { i in (weight.n..<ldc).contains { !c[i * ldc + $0].isNaN } }
        return ((0..<(m * weight.n)).map { c[($0 / weight.n) * ldc + $0 % weight.n] }, wrotePast)
    }

    func expectedIntegers(m: Int, k: Int, qa: [UInt8], za: [Int32], weight: QuantizedMatrix) -> [Float] {
        var out = [Float](repeating: 0, count: m * weight.n)
        let values = weight.values  // unpacked once: `values` reads the packed panels
        for i in 0..<m {
            for j in 0..<weight.n {
                var s: Int64 = 0
                for p in 0..<k { s += (Int64(qa[i * k + p]) - Int64(za[i])) * Int64(values[j * k + p]) }
                out[i * weight.n + j] = Float(Int32(s))
            }
        }
        return out
    }

    func testEveryKernelSumsExactlyAcrossTileEdges() throws {
        var g = SystemRandomNumberGenerator()
        for kernel in kernels {
            XCTAssertEqual(GEMM.selectQuantizedKernel(kernel), kernel)
            var cases = 0
            for m in [1, 3, 4, 5, 11, 12, 13, 97, 130] {
                for n in [1, 15, 16, 17, 31, 33, 100] {
                    for k in [1, 3, 5, 64, 385] {
                        let qa = (0..<(m * k)).map { _ in UInt8.random(in: 0...255, using: &g) }
                        let za = (0..<m).map { _ in Int32.random(in: 0...255, using: &g) }
                        let values = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &g) }
                        let weight = QuantizedMatrix(n: n, k: k, values: values, scales: [Float](repeating: 1, count: n))
                        XCTAssertEqual(integerProduct(m: m, k: k, qa: qa, za: za, weight: weight),
                                       expectedIntegers(m: m, k: k, qa: qa, za: za, weight: weight), "\(kernel) \(m)×\(n)×\(k)")
                        cases += 1
                    }
                }
            }
            XCTAssertEqual(cases, 315)
        }
    }

    /// BERT's products: q/k/v stacked (384 → 1152), the feed-forward pair (768 → 3072 → 768) at 1 × 128 rows.
    func testEveryKernelOnBERTShapes() throws {
        var g = SystemRandomNumberGenerator()
        for kernel in kernels {
            GEMM.selectQuantizedKernel(kernel)
            for (m, n, k) in [(128, 1152, 384), (37, 3072, 768), (128, 768, 3072)] {
                let qa = (0..<(m * k)).map { _ in UInt8.random(in: 0...255, using: &g) }
                let za = (0..<m).map { _ in Int32.random(in: 0...255, using: &g) }
                let values = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &g) }
                let weight = QuantizedMatrix(n: n, k: k, values: values, scales: [Float](repeating: 1, count: n))
                XCTAssertEqual(integerProduct(m: m, k: k, qa: qa, za: za, weight: weight),
                               expectedIntegers(m: m, k: k, qa: qa, za: za, weight: weight), "\(kernel) \(m)×\(n)×\(k)")
            }
        }
    }

    /// The AVX2 kernel widens both operands into per-thread scratch that grows with the depth, and walks A in row
    /// blocks that shrink as the depth grows (several blocks past 60 rows at k = 3072): products of different depths
    /// on several threads at once, some over several blocks, must each give the Int64 loop's integers.
    func testConcurrentProductsOfDifferentDepthsAreExact() throws {
        var g = SystemRandomNumberGenerator()
        let shapes = [(m: 200, n: 40, k: 3072), (m: 61, n: 70, k: 385), (m: 130, n: 33, k: 1536), (m: 7, n: 100, k: 64)]
        let cases = shapes.map { s in
            let qa = (0..<(s.m * s.k)).map { _ in UInt8.random(in: 0...255, using: &g) }
            let za = (0..<s.m).map { _ in Int32.random(in: 0...255, using: &g) }
            let values = (0..<(s.n * s.k)).map { _ in Int8.random(in: -127...127, using: &g) }
            return (m: s.m, k: s.k, qa: qa, za: za, weight: QuantizedMatrix(n: s.n, k: s.k, values: values,
                                                                           scales: [Float](repeating: 1, count: s.n)))
        }
        let expected = cases.map { expectedIntegers(m: $0.m, k: $0.k, qa: $0.qa, za: $0.za, weight: $0.weight) }
        let calls = 3 * cases.count
        for kernel in kernels {
            GEMM.selectQuantizedKernel(kernel)
            let results = UnsafeMutablePointer<([Float], Bool)>.allocate(capacity: calls)
            results.initialize(repeating: ([], true), count: calls)
            nonisolated(unsafe) let out = results
            let work = cases
            DispatchQueue.concurrentPerform(iterations: calls) { t in
                let c = work[t % work.count]
                out[t] = Self.integerProduct(m: c.m, k: c.k, qa: c.qa, za: c.za, weight: c.weight)
            }
            for t in 0..<calls {
                XCTAssertEqual(results[t].0, expected[t % cases.count], "\(kernel) call \(t)")
                XCTAssertFalse(results[t].1, "\(kernel) call \(t) wrote past its columns")
            }
            results.deinitialize(count: calls)
            results.deallocate()
        }
    }

    /// 255 × ±127 in every pair: a plain `vpmaddubsw` saturates at 32 767 (the true pair sum is ±64 770).
    func testExtremesThatSaturateAPlainMaddubsAreExact() throws {
        let (m, n, k) = (13, 40, 3072)
        let qa = [UInt8](repeating: 255, count: m * k)
        let za = [Int32](repeating: 0, count: m)
        let values = (0..<(n * k)).map { i in Int8(i / k % 2 == 0 ? 127 : -127) }
        let weight = QuantizedMatrix(n: n, k: k, values: values, scales: [Float](repeating: 1, count: n))
        for kernel in kernels {
            GEMM.selectQuantizedKernel(kernel)
            let c = integerProduct(m: m, k: k, qa: qa, za: za, weight: weight)
            for j in 0..<n { XCTAssertEqual(c[j], Float((j % 2 == 0 ? 1 : -1) * 255 * 127 * k), "\(kernel) column \(j)") }
            XCTAssertEqual(c, expectedIntegers(m: m, k: k, qa: qa, za: za, weight: weight), "\(kernel)")
        }
    }

    /// Float in, float out: scales, zero points and the fused bias against Float64 arithmetic on the dequantised
    /// operands (the kernel's only error is float rounding), and the quantisation error itself within half a step.
    func testFloatProductMatchesTheDequantisedReference() throws {
        var g = SystemRandomNumberGenerator()
        for kernel in kernels {
            GEMM.selectQuantizedKernel(kernel)
            for (m, n, k) in [(1, 1, 1), (7, 33, 70), (26, 384, 384), (130, 65, 1536)] {
                let lda = k + 2, ldc = n + 1
                let a = (0..<(m * lda)).map { i in i % lda == 0 ? 0 : Float.random(in: -3...1, using: &g) }
                let w = (0..<(n * k)).map { _ in Float.random(in: -0.2...0.2, using: &g) }
                let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
                let weight = w.withUnsafeBufferPointer { QuantizedMatrix(n: n, k: k, weight: $0.baseAddress!, ldw: k) }
                let (values, scales) = (weight.values, weight.scales)
                for j in 0..<n {
                    for p in 0..<k {
                        let step = scales[j]
                        XCTAssertLessThanOrEqual(abs(Float(values[j * k + p]) * step - w[j * k + p]), step * 0.5001)
                    }
                }
                var c = [Float](repeating: .nan, count: m * ldc)
                a.withUnsafeBufferPointer { pa in bias.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                    GEMM.quantized(m: m, a: pa.baseAddress!, lda: lda, b: weight, bias: pb.baseAddress!, c: pc.baseAddress!, ldc: ldc)
                } } }
                // The reference re-quantises A the documented way, then sums in Float64.
                var worst = 0.0, worstQuantisation = 0.0, unwritten = 0  // max() would skip a NaN: count them
                for i in 0..<m {
                    let row = a[(i * lda)..<(i * lda + k)]
                    let lo = min(0, row.min()!), hi = max(0, row.max()!)
                    let s = hi > lo ? (hi - lo) / 255 : 1
                    let z = min(255, max(0, (-lo * (1 / s)).rounded(.toNearestOrEven)))
                    let qa = row.map { min(255, max(0, ($0 * (1 / s)).rounded(.toNearestOrEven) + z)) }
                    for (p, x) in row.enumerated() { worstQuantisation = max(worstQuantisation, Double(abs(s * (qa[p] - z) - x) / s)) }
                    for j in 0..<n {
                        var exact = 0.0
                        for p in 0..<k { exact += Double(s) * Double(qa[p] - z) * Double(scales[j]) * Double(values[j * k + p]) }
                        exact += Double(bias[j])
                        if !c[i * ldc + j].isFinite { unwritten += 1 }
                        worst = max(worst, abs(Double(c[i * ldc + j]) - exact) / max(1, abs(exact)))
                    }
                    XCTAssertTrue(c[i * ldc + n].isNaN)
                }
                XCTAssertEqual(unwritten, 0, "\(kernel) \(m)×\(n)×\(k)")
                XCTAssertLessThan(worst, 1e-5, "\(kernel) \(m)×\(n)×\(k)")
                XCTAssertLessThanOrEqual(worstQuantisation, 0.5001, "\(kernel) \(m)×\(n)×\(k)")
            }
        }
    }

    /// Stacked q/k/v: panels copied as they are (whole-panel parts) or repacked (a part that ends mid-panel), and
    /// views of whole panels; each must hold the parts' integers and give the parts' products.
    func testStackingAndColumnViewsKeepTheIntegers() throws {
        var g = SystemRandomNumberGenerator()
        for widths in [[64, 32, 96], [64, 64, 37], [33, 64, 32]] {
            let k = 70
            let parts = widths.map { n in
                QuantizedMatrix(n: n, k: k, values: (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &g) },
                                scales: (0..<n).map { _ in Float.random(in: 0.001...0.1, using: &g) })
            }
            let stacked = QuantizedMatrix.stacking(parts)
            XCTAssertEqual(stacked.n, widths.reduce(0, +))
            XCTAssertEqual(stacked.values, parts.flatMap(\.values), "\(widths)")
            XCTAssertEqual(stacked.scales, parts.flatMap(\.scales), "\(widths)")
            let m = 5
            let qa = (0..<(m * k)).map { _ in UInt8.random(in: 0...255, using: &g) }
            let za = (0..<m).map { _ in Int32.random(in: 0...255, using: &g) }
            let whole = integerProduct(m: m, k: k, qa: qa, za: za, weight: stacked)
            var column = 0
            for part in parts {
                let own = integerProduct(m: m, k: k, qa: qa, za: za, weight: part)
                for i in 0..<m {
                    XCTAssertEqual(Array(whole[(i * stacked.n + column)..<(i * stacked.n + column + part.n)]),
                                   Array(own[(i * part.n)..<((i + 1) * part.n)]), "\(widths) part at \(column)")
                }
                if let view = stacked.columns(column..<(column + part.n)) {
                    XCTAssertEqual(column % 32, 0)
                    XCTAssertEqual(view.values, part.values)
                    XCTAssertEqual(view.scales, part.scales)
                    XCTAssertEqual(view.byteCount, 0, "a view holds no memory of its own")
                    XCTAssertEqual(integerProduct(m: m, k: k, qa: qa, za: za, weight: view), own)
                } else {
                    let end = column + part.n
                    XCTAssertTrue(column % 32 != 0 || (end % 32 != 0 && end != stacked.n), "only ranges off panel boundaries have no view")
                }
                column += part.n
            }
            XCTAssertNil(stacked.columns(1..<33))
        }
    }

    /// The vector row quantisation (with the VNNI kernel) gives the portable loop's bytes, scales and zero points,
    /// on lengths around the 16-lane edge and BERT's widths, rows of one sign, all zeros, and ties at .5.
    func testRowQuantisationIsTheSameOnEveryPath() throws {
        var g = SystemRandomNumberGenerator()
        for k in [1, 3, 15, 16, 17, 31, 33, 384, 768, 3072] {
            let m = 7, ldq = Int(bert_qgemm_depth(Int32(k))) + 4
            var x = (0..<(m * k)).map { _ in Float.random(in: -3...5, using: &g) }
            for p in 0..<k { x[k + p] = abs(x[k + p]); x[2 * k + p] = -abs(x[2 * k + p]); x[3 * k + p] = 0 }
            for p in 0..<k { x[4 * k + p] = Float(p % 256) - 64 }  // whole steps: ties land on .5 after scaling
            func run(_ kernel: QuantizedKernel) -> ([UInt8], [Float], [Int32]) {
                GEMM.selectQuantizedKernel(kernel)
                var q = [UInt8](repeating: 7, count: m * ldq), s = [Float](repeating: 0, count: m), z = [Int32](repeating: 0, count: m)
                bert_quantize_rows_u8(x, Int32(m), Int32(k), Int32(k), &q, Int32(ldq), &s, &z)
                return (q, s, z)
            }
            let reference = run(.portable)
            for kernel in kernels where kernel != .portable {
                let got = run(kernel)
                XCTAssertEqual(got.0, reference.0, "\(kernel) k=\(k) bytes")
                XCTAssertEqual(got.1, reference.1, "\(kernel) k=\(k) scales")
                XCTAssertEqual(got.2, reference.2, "\(kernel) k=\(k) zero points")
            }
        }
    }

    func testQuantisedRowsKeepZeroExactAndTheirRange() {
        // Rows of 4 with stride 5: mixed signs [-1, 3]; all zero; positive only [0, 4].
        let x: [Float] = [0, 1, -1, 3, 99, 0, 0, 0, 0, 99, 0, 2.2, 4, 1, 99]
        var q = [UInt8](repeating: 9, count: 3 * 8)
        var scales = [Float](repeating: 0, count: 3), zeros = [Int32](repeating: 0, count: 3)
        bert_quantize_rows_u8(x, 3, 4, 5, &q, 8, &scales, &zeros)
        XCTAssertEqual(scales[0], 4 / 255, accuracy: 1e-9)
        XCTAssertEqual(zeros[0], 64)  // round(1 / (4/255)) = round(63.75)
        XCTAssertEqual(Array(q[0..<4]), [64, 128, 0, 255], "0 is exact; the range ends map to 0 and 255")
        XCTAssertEqual(Array(q[4..<8]), [64, 64, 64, 64], "padding holds the zero point")
        XCTAssertEqual(scales[1], 1)
        XCTAssertEqual(zeros[1], 0)
        XCTAssertEqual(Array(q[8..<12]), [0, 0, 0, 0])
        XCTAssertEqual(zeros[2], 0)
        XCTAssertEqual(Array(q[16..<20]), [0, 140, 255, 64])
    }
}
