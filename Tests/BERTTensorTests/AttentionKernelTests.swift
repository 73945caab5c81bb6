import BERTKernels
import BERTTensor
import Foundation
import XCTest

/// The attention products (`AttentionProducts`: own AVX-512 / AVX2 kernels, or the BLAS path) and the two
/// inference attentions built on them (`Tensor.attention` fused, `Tensor.packedAttention`), with every kernel this
/// CPU runs, against Float64 loops and against the BLAS path: sequence lengths around the 12- and 6-row tiles and
/// the 16- and 32-key panels, head dims 32 and 64 (and 20, a masked tail), inputs read as column slices of a fused
/// q/k/v buffer, padding masks on and off.
final class AttentionKernelTests: XCTestCase {
    static let lengths = [1, 2, 7, 12, 13, 31, 32, 33, 64, 127, 128, 129, 384]

    /// The kernels to run: every packed kind this CPU supports, then the BLAS path (`none`). Attention has no NEON
    /// tiles (on arm64 its products call bert_sgemm), so `neon` is not one of them.
    var kernels: [PackedKernel] { PackedKernel.allCases.filter { $0.isSupported && $0 != .neon }.sorted { $0.rawValue > $1.rawValue } }

    /// Runs `body` with each kernel's tiles selected, restoring the ones in use.
    func forEachKernel(_ body: (PackedKernel) throws -> Void) rethrows {
        let (original, originalWide) = (GEMM.packedKernel, AttentionProducts.kernel == .avx512)
        defer { GEMM.selectPackedKernel(original); AttentionProducts.selectWideTiles(originalWide) }
        for kernel in kernels {
            XCTAssertEqual(GEMM.selectPackedKernel(kernel), kernel)
            XCTAssertEqual(AttentionProducts.selectWideTiles(kernel == .avx512), kernel)
            XCTAssertEqual(AttentionProducts.ownKernel, kernel != .none)
            try body(kernel)
        }
    }

    func testTheTilesFollowThePackedKernelAndTheWideChoice() throws {
        try XCTSkipUnless(PackedKernel.avx512.isSupported, "no AVX-512 here")
        let (original, originalWide) = (GEMM.packedKernel, AttentionProducts.kernel == .avx512)
        defer { GEMM.selectPackedKernel(original); AttentionProducts.selectWideTiles(originalWide) }
        GEMM.selectPackedKernel(.avx512)
        XCTAssertEqual(AttentionProducts.selectWideTiles(false), .avx2)
        XCTAssertEqual(AttentionProducts.selectWideTiles(true), .avx512)
        GEMM.selectPackedKernel(.none)
        XCTAssertEqual(AttentionProducts.kernel, .none)
    }

    func randoms(_ count: Int, _ g: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float.random(in: -1...1, using: &g) }
    }

    func testProductsMatchFloat64OnEveryKernel() {
        var g = SeededGenerator(seed: 3)
        var worst: [PackedKernel: Double] = [:]
        forEachKernel { kernel in
            for n in Self.lengths {
                for d in [20, 32, 64] {
                    // q, k, v: column slices of an [n, 3d + 7] buffer; S and O with padded row strides.
                    let ld = 3 * d + 7, lds = n + 3, ldo = d + 5
                    let qkv = randoms(n * ld, &g)
                    var s = [Float](repeating: .nan, count: n * lds), o = [Float](repeating: .nan, count: n * ldo)
                    var scratch = [Float](repeating: .nan, count: AttentionProducts.scratchCount(keys: n, headDim: d))
                    qkv.withUnsafeBufferPointer { x in
                        let (q, k, v) = (x.baseAddress! + 1, x.baseAddress! + d + 3, x.baseAddress! + 2 * d + 6)
                        s.withUnsafeMutableBufferPointer { sp in scratch.withUnsafeMutableBufferPointer { w in
                            AttentionProducts.scores(queries: n, keys: n, headDim: d, q: q, ldq: ld, k: k, ldk: ld,
                                                     scratch: w.baseAddress!, s: sp.baseAddress!, lds: lds)
                        } }
                        // P: the scores scaled into [-1, 1] (the kernel does not care that rows do not sum to 1).
                        for i in 0..<(n * lds) where i % lds < n { s[i] /= Float(d) }
                        s.withUnsafeBufferPointer { sp in o.withUnsafeMutableBufferPointer { op in
                            scratch.withUnsafeMutableBufferPointer { w in
                                AttentionProducts.context(queries: n, keys: n, headDim: d, p: sp.baseAddress!, ldp: lds,
                                                          v: v, ldv: ld, scratch: w.baseAddress!, o: op.baseAddress!, ldo: ldo)
                            }
                        } }
                    }
                    var err = 0.0
                    for i in 0..<n {
                        for j in 0..<n {
                            var e = 0.0
                            for p in 0..<d { e += Double(qkv[i * ld + 1 + p]) * Double(qkv[j * ld + d + 3 + p]) }
                            err = max(err, abs(Double(s[i * lds + j]) * Double(d) - e))
                        }
                        for j in 0..<d {
                            var e = 0.0
                            for p in 0..<n { e += Double(s[i * lds + p]) * Double(qkv[p * ld + 2 * d + 6 + j]) }
                            err = max(err, abs(Double(o[i * ldo + j]) - e))
                        }
                        XCTAssertTrue(s[(i * lds + n)..<((i + 1) * lds)].allSatisfy(\.isNaN), "\(kernel) n=\(n) d=\(d): S past n")
                        XCTAssertTrue(o[(i * ldo + d)..<((i + 1) * ldo)].allSatisfy(\.isNaN), "\(kernel) n=\(n) d=\(d): O past d")
                    }
                    XCTAssertLessThan(err, 1e-4, "\(kernel) n=\(n) d=\(d)")
                    worst[kernel] = max(worst[kernel] ?? 0, err)
                }
            }
        }
        XCTAssertEqual(Set(worst.keys), Set(kernels), "every kernel ran")
    }

    /// softmax(q·kᵀ·scale + mask)·v in Float64 for one (batch, head); q, k, v give (row, column) elements.
    func reference(queries: Int, keys: Int, d: Int, scale: Double, mask: [Float]?, q: (Int, Int) -> Float,
                   k: (Int, Int) -> Float, v: (Int, Int) -> Float) -> [Double] {
        var out = [Double](repeating: 0, count: queries * d)
        for i in 0..<queries {
            var row = (0..<keys).map { j in
                (0..<d).reduce(0.0) { $0 + Double(q(i, $1)) * Double(k(j, $1)) } * scale + Double(mask?[j] ?? 0)
            }
            let top = row.max()!
            row = row.map { Foundation.exp($0 - top) }
            let total = row.reduce(0, +)
            for f in 0..<d { out[i * d + f] = zip(0..<keys, row).reduce(0.0) { $0 + $1.1 / total * Double(v($1.0, f)) } }
        }
        return out
    }

    func testFusedAttentionMatchesFloat64AndTheBLASPath() throws {
        var g = SeededGenerator(seed: 5)
        for (b, s, heads, d, masked) in [(1, 128, 12, 64, true), (2, 33, 3, 32, true), (1, 129, 1, 64, false),
                                         (3, 7, 2, 32, true), (1, 1, 4, 64, false), (1, 384, 2, 32, true),
                                         (2, 13, 5, 64, false)] {
            // q, k, v: the [b, heads, s, d] views of one fused [b, s, 3 · heads · d] buffer, as the encoder makes them.
            let h = heads * d
            let qkv = try Tensor(shape: [b, s, 3 * h], scalars: randoms(b * s * 3 * h, &g))
            func head(_ i: Int) -> Tensor {
                Tensor(storage: qkv.storage, shape: [b, heads, s, d], strides: [s * 3 * h, d, 3 * h, 1], offset: qkv.offset + i * h)
            }
            var m = [Float](repeating: 0, count: b * s)
            if masked { for bi in 0..<b { for j in max(1, s - 2 * bi - 3)..<s { m[bi * s + j] = -10_000 } } }
            let mask = masked ? try Tensor(shape: [b, 1, 1, s], scalars: m) : nil
            let scale = 1 / Float(d).squareRoot()
            var results: [PackedKernel: [Float]] = [:]
            try forEachKernel { kernel in
                var gen = SeededGenerator(seed: 0)
                let out = try Tensor.attention(query: head(0), key: head(1), value: head(2), mask: mask, scale: scale,
                                               generator: &gen)
                XCTAssertNil(out.probabilities)
                results[kernel] = out.context.scalars
            }
            let x = qkv.scalars
            var worst = 0.0
            for bi in 0..<b {
                for hi in 0..<heads {
                    func at(_ part: Int) -> (Int, Int) -> Float { { x[(bi * s + $0) * 3 * h + part * h + hi * d + $1] } }
                    let expected = reference(queries: s, keys: s, d: d, scale: Double(scale),
                                             mask: masked ? Array(m[(bi * s)..<((bi + 1) * s)]) : nil,
                                             q: at(0), k: at(1), v: at(2))
                    for kernel in kernels {
                        let got = results[kernel]!
                        for i in 0..<s { for f in 0..<d {
                            worst = max(worst, abs(Double(got[((bi * heads + hi) * s + i) * d + f]) - expected[i * d + f]))
                        } }
                    }
                }
            }
            XCTAssertLessThan(worst, 1e-5, "b=\(b) s=\(s) heads=\(heads) d=\(d)")
            let blas = try XCTUnwrap(results[PackedKernel.none])
            for (kernel, got) in results {
                let gap = zip(got, blas).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(gap, 1e-5, "\(kernel) vs BLAS: b=\(b) s=\(s) heads=\(heads) d=\(d)")
            }
        }
    }

    func testPackedAttentionMatchesFloat64AndTheBLASPath() throws {
        var g = SeededGenerator(seed: 11)
        for (heads, d, lengths) in [(12, 64, [128, 1, 33, 129, 7]), (3, 32, [2, 384, 12, 13, 31, 32]), (1, 64, [64, 127])] {
            let tokens = lengths.reduce(0, +), h = heads * d
            var sequences: [Range<Int>] = [], start = 0
            for n in lengths { sequences.append(start..<(start + n)); start += n }
            // q, k, v: column slices of one fused [tokens, 3 · heads · d] buffer.
            let qkv = try Tensor(shape: [tokens, 3 * h], scalars: randoms(tokens * 3 * h, &g))
            func part(_ i: Int) -> Tensor { Tensor(storage: qkv.storage, shape: [tokens, h], strides: [3 * h, 1], offset: qkv.offset + i * h) }
            let scale = 1 / Float(d).squareRoot()
            var results: [PackedKernel: [Float]] = [:]
            try forEachKernel { kernel in
                results[kernel] = try Tensor.packedAttention(query: part(0), key: part(1), value: part(2),
                                                             sequences: sequences, heads: heads, scale: scale).scalars
            }
            let x = qkv.scalars
            var worst = 0.0
            for r in sequences {
                for hi in 0..<heads {
                    func at(_ p: Int) -> (Int, Int) -> Float { { x[(r.lowerBound + $0) * 3 * h + p * h + hi * d + $1] } }
                    let expected = reference(queries: r.count, keys: r.count, d: d, scale: Double(scale), mask: nil,
                                             q: at(0), k: at(1), v: at(2))
                    for kernel in kernels {
                        let got = results[kernel]!
                        for i in 0..<r.count { for f in 0..<d {
                            worst = max(worst, abs(Double(got[(r.lowerBound + i) * h + hi * d + f]) - expected[i * d + f]))
                        } }
                    }
                }
            }
            XCTAssertLessThan(worst, 1e-5, "heads=\(heads) d=\(d) lengths=\(lengths)")
            let blas = try XCTUnwrap(results[PackedKernel.none])
            for (kernel, got) in results {
                let gap = zip(got, blas).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(gap, 1e-5, "\(kernel) vs BLAS: heads=\(heads) d=\(d)")
            }
        }
    }
}
