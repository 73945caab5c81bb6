import BERTKernels
import XCTest

/// Products with pre-packed weights (`PackedMatrix`, `GEMM.packed`) against a Float64 loop, with every packed kernel
/// this CPU runs (AVX-512 and AVX2 on an AVX-512 machine), each in its own layout (32-column panels 256 deep for
/// AVX-512, 16-column panels 256 deep in blocks of 192 columns for AVX2): M, N and K across every tile, panel and
/// block edge, padded leading dimensions, B given transposed (a Linear weight) or not, column ranges, and kinds
/// switched after packing.
final class PackedGEMMTests: XCTestCase {
    /// The sizes around every edge of both layouts: tile rows 6 and 12, panels 16 and 32, blocks 256 deep, and
    /// BERT's widths.
    static let edges = [1, 5, 6, 7, 15, 16, 17, 31, 32, 33, 255, 256, 257, 384, 768, 3072]

    var kernels: [PackedKernel] { PackedKernel.allCases.filter { $0 != .none && $0.isSupported } }

    /// Runs `body` with each packed kernel this CPU has selected, restoring the one in use.
    func forEachKernel(_ body: (PackedKernel) throws -> Void) throws {
        try XCTSkipIf(kernels.isEmpty, "this CPU has neither AVX-512 nor AVX2: products use the BLAS path")
        let original = GEMM.packedKernel
        defer { GEMM.selectPackedKernel(original) }
        for kernel in kernels {
            XCTAssertEqual(GEMM.selectPackedKernel(kernel), kernel)
            try body(kernel)
        }
    }

    /// One random product: A [m, k] (row stride k + 3), B [n, k] or [k, n] (padded by 5), C [m, n] (stride n + 2).
    struct Product {
        let m: Int, n: Int, k: Int, transposed: Bool
        let lda: Int, ldb: Int, ldc: Int
        let a: [Float], b: [Float]

        init(m: Int, n: Int, k: Int, transposed: Bool) {
            var g = SplitMix(state: UInt64(m * 1_000_003 + n * 1009 + k * 7 + (transposed ? 1 : 0)))
            (self.m, self.n, self.k, self.transposed) = (m, n, k, transposed)
            (lda, ldb, ldc) = (k + 3, (transposed ? k : n) + 5, n + 2)
            a = (0..<(m * lda)).map { _ in Float.random(in: -1...1, using: &g) }
            b = (0..<((transposed ? n : k) * ldb)).map { _ in Float.random(in: -1...1, using: &g) }
        }

        func pack() -> PackedMatrix? {
            b.withUnsafeBufferPointer { PackedMatrix(transposed: transposed, k: k, n: n, b: $0.baseAddress!, ldb: ldb) }
        }

        /// C from `packed`, columns `columns` only (all when nil); every other element left NaN.
        func run(_ packed: PackedMatrix, columns: Range<Int>? = nil) -> [Float] {
            var c = [Float](repeating: .nan, count: m * ldc)
            a.withUnsafeBufferPointer { pa in c.withUnsafeMutableBufferPointer { pc in
                if let columns {
                    GEMM.packed(m: m, a: pa.baseAddress!, lda: lda, b: packed, columns: columns, c: pc.baseAddress!, ldc: ldc)
                } else {
                    GEMM.packed(m: m, a: pa.baseAddress!, lda: lda, b: packed, c: pc.baseAddress!, ldc: ldc)
                }
            } }
            return c
        }

        /// The worst error of `c` over `columns` relative to Σ|a·b| of each element (float32 rounding grows with
        /// it), or infinity when an element outside `columns` (or past n) was written.
        func worstError(_ c: [Float], columns: Range<Int>) -> Double {
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<ldc where !columns.contains(j) {
                    if !c[i * ldc + j].isNaN { return .infinity }
                }
                for j in columns {
                    var s = 0.0, magnitude = 0.0
                    for p in 0..<k {
                        let x = Double(a[i * lda + p]) * Double(transposed ? b[j * ldb + p] : b[p * ldb + j])
                        s += x
                        magnitude += abs(x)
                    }
                    let e = abs(Double(c[i * ldc + j]) - s) / max(magnitude, 1)
                    worst = max(worst, e.isNaN ? .infinity : e)
                }
            }
            return worst
        }
    }

    /// Checks one product in the layout of the kernel in use, both ways of giving B.
    func check(m: Int, n: Int, k: Int, _ kernel: PackedKernel, file: StaticString = #filePath, line: UInt = #line) throws {
        for transposed in [true, false] {
            let product = Product(m: m, n: n, k: k, transposed: transposed)
            let packed = try XCTUnwrap(product.pack(), file: file, line: line)
            XCTAssertEqual(packed.kernel, kernel, file: file, line: line)
            let worst = product.worstError(product.run(packed), columns: 0..<n)
            XCTAssertLessThan(worst, 4e-6, "\(kernel) m \(m) n \(n) k \(k) transposed \(transposed)", file: file, line: line)
        }
    }

    func testEveryKernelAcrossTheEdgesOfM() throws {
        try forEachKernel { kernel in
            for m in Self.edges { try check(m: m, n: 33, k: 257, kernel) }
        }
    }

    func testEveryKernelAcrossTheEdgesOfN() throws {
        try forEachKernel { kernel in
            for n in Self.edges + [191, 192, 193, 400] { try check(m: 7, n: n, k: 385, kernel) }
        }
    }

    func testEveryKernelAcrossTheEdgesOfK() throws {
        try forEachKernel { kernel in
            for k in Self.edges + [383, 385, 512, 769] { try check(m: 13, n: 31, k: k, kernel) }
        }
    }

    func testEveryKernelOnEverySmallShape() throws {
        let small = Self.edges.filter { $0 <= 33 }
        try forEachKernel { kernel in
            for m in small { for n in small { for k in [1, 17, 256, 385] { try check(m: m, n: n, k: k, kernel) } } }
        }
    }

    func testEveryKernelOnBERTShapes() throws {
        try forEachKernel { kernel in
            try check(m: 20, n: 768, k: 768, kernel)
            try check(m: 9, n: 3072, k: 768, kernel)
            try check(m: 9, n: 768, k: 3072, kernel)
        }
    }

    /// A range of columns writes exactly those columns (threads split a product by 32-column runs).
    func testColumnRangesWriteOnlyTheirColumns() throws {
        try forEachKernel { kernel in
            for transposed in [true, false] {
                let product = Product(m: 13, n: 400, k: 385, transposed: transposed)
                let packed = try XCTUnwrap(product.pack())
                for columns in [0..<400, 0..<32, 32..<64, 0..<192, 32..<225, 192..<400, 384..<400, 64..<65, 96..<304, 352..<353] {
                    let worst = product.worstError(product.run(packed, columns: columns), columns: columns)
                    XCTAssertLessThan(worst, 4e-6, "\(kernel) columns \(columns) transposed \(transposed)")
                }
            }
        }
    }

    /// A matrix keeps the layout of the kernel it was packed under and is run by that kernel's tiles after another is
    /// selected (AVX-512 ↔ AVX2, or none: the BLAS path for everything else); packed under none, it takes the best.
    func testAKindSwitchAfterPackingKeepsTheMatricesLayout() throws {
        try XCTSkipIf(kernels.isEmpty, "this CPU has neither AVX-512 nor AVX2: products use the BLAS path")
        let original = GEMM.packedKernel
        defer { GEMM.selectPackedKernel(original) }
        for packedUnder in kernels + [.none] {
            for runUnder in kernels + [.none] where runUnder != packedUnder {
                XCTAssertEqual(GEMM.selectPackedKernel(packedUnder), packedUnder)
                let product = Product(m: 37, n: 100, k: 600, transposed: true)
                let packed = try XCTUnwrap(product.pack())
                XCTAssertEqual(packed.kernel, packedUnder == .none ? kernels.max { $0.rawValue < $1.rawValue } : packedUnder)
                XCTAssertEqual(GEMM.selectPackedKernel(runUnder), runUnder)
                let worst = product.worstError(product.run(packed), columns: 0..<100)
                XCTAssertLessThan(worst, 4e-6, "packed under \(packedUnder), run under \(runUnder)")
            }
        }
    }

    /// The AVX2 layout takes products of up to `avx2RowLimit` rows and leaves longer ones to the BLAS path (where
    /// OpenBLAS's own packing paid off); every other layout takes them all.
    func testOnlyTheAVX2LayoutLeavesLongProductsToTheBLASPath() throws {
        try XCTSkipIf(kernels.isEmpty, "this CPU has neither AVX-512 nor AVX2: products use the BLAS path")
        let original = GEMM.packedKernel
        defer { GEMM.selectPackedKernel(original) }
        let limit = PackedMatrix.avx2RowLimit
        for kernel in kernels {
            XCTAssertEqual(GEMM.selectPackedKernel(kernel), kernel)
            let packed = try XCTUnwrap(Product(m: 1, n: 16, k: 8, transposed: true).pack())
            XCTAssertEqual(packed.kernel, kernel)
            XCTAssertTrue(packed.isFaster(rows: 1) && packed.isFaster(rows: limit), "\(kernel)")
            XCTAssertEqual(packed.isFaster(rows: limit + 1), kernel != .avx2, "\(kernel)")
        }
    }
}

/// A small seeded generator (SplitMix64): the operands are reproducible and cheap to draw.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
