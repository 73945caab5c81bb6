import BERTTensor
import TestSupport
import XCTest

/// Every differentiable op's gradient against central finite differences (see `checkGradients`).
final class GradientCheckTests: XCTestCase {
    func t(_ shape: [Int], _ seed: UInt64, _ range: ClosedRange<Float> = -1...1) -> Tensor { randomTensor(shape, seed: seed, in: range) }

    func testBroadcastArithmetic() throws {
        let pairs: [([Int], [Int])] = [([3, 7], [3, 7]), ([3, 7], [7]), ([2, 3, 1, 5], [3, 4, 1]), ([1], [4, 3])]
        for (i, (sa, sb)) in pairs.enumerated() {
            let a = t(sa, UInt64(i)), b = t(sb, UInt64(i + 10))
            try checkGradients([a, b]) { try $0[0].adding($0[1]) }
            try checkGradients([a, b]) { try $0[0].subtracting($0[1]) }
            try checkGradients([a, b]) { try $0[0].multiplying($0[1]) }
            let d = t(sb, UInt64(i + 20), 0.5...1.5)
            try checkGradients([a, d]) { try $0[0].dividing(by: $0[1]) }
        }
        try checkGradients([t([3, 4], 1)]) { $0[0].scaled(by: -0.7) }
        try checkGradients([t([3, 4], 1)]) { $0[0].adding(2.5) }
    }

    func testMatMulAndLinear() throws {
        try checkGradients([t([7, 5], 1), t([5, 3], 2)]) { try $0[0].matmul($0[1]) }
        try checkGradients([t([2, 3, 4, 5], 1), t([2, 3, 5, 2], 2)]) { try $0[0].matmul($0[1]) }
        try checkGradients([t([2, 3, 4, 5], 1), t([5, 2], 2)]) { try $0[0].matmul($0[1]) }
        try checkGradients([t([2, 1, 4, 5], 1), t([3, 5, 2], 2)]) { try $0[0].matmul($0[1]) }
        // Transposed views go to BLAS as transposes.
        try checkGradients([t([5, 7], 1), t([3, 5], 2)]) { try $0[0].transposed(0, 1).matmul($0[1].transposed(0, 1)) }
        try checkGradients([t([2, 4, 6], 1), t([3, 6], 2), t([3], 3)]) { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        try checkGradients([t([4, 6], 1), t([3, 6], 2)]) { try $0[0].linear(weight: $0[1], bias: nil) }
    }

    func testActivations() throws {
        let x = t([3, 11], 5, -4...4)
        try checkGradients([x], eps: 1e-3) { $0[0].gelu() }
        try checkGradients([x], eps: 1e-3) { $0[0].geluTanh() }
        try checkGradients([x], eps: 1e-3) { $0[0].tanh() }
        try checkGradients([x], eps: 1e-3) { $0[0].sigmoid() }
        try checkGradients([t([3, 11], 6, 0.1...2)]) { $0[0].relu() }
    }

    func testSoftmaxFamilyAndLayerNorm() throws {
        try checkGradients([t([3, 4, 9], 1, -3...3)], eps: 1e-3) { $0[0].softmax() }
        try checkGradients([t([4, 9], 2, -3...3)], eps: 1e-3) { $0[0].logSoftmax() }
        let mask = try Tensor(shape: [2, 1, 1, 5], scalars: [0, 0, 0, -10000, -10000, 0, 0, 0, 0, 0])
        try checkGradients([t([2, 3, 4, 5], 3, -2...2)], eps: 1e-3) { try $0[0].maskedSoftmax(scale: 0.5, mask: mask) }
        try checkGradients([t([3, 5, 8], 4, -2...2), t([8], 5, 0.5...1.5), t([8], 6)], eps: 1e-3) {
            try $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5)
        }
    }

    func testViewsAndIndexing() throws {
        let x = t([2, 3, 4], 1)
        try checkGradients([x]) { try $0[0].transposed(0, 2) }
        try checkGradients([x]) { try $0[0].permuted([1, 2, 0]).contiguous() }
        try checkGradients([x]) { try $0[0].reshaped([4, -1]) }
        try checkGradients([x]) { try $0[0].slice(dim: 1, start: 1, end: 3) }
        try checkGradients([x]) { try $0[0].select(dim: -1, index: 2) }
        try checkGradients([x, t([2, 1, 4], 2)]) { try Tensor.concat([$0[0], $0[1]], dim: 1) }
        try checkGradients([x]) { try Tensor.concat(try $0[0].split(sizes: [1, 3], dim: 2).reversed(), dim: 2) }
        try checkGradients([t([11, 6], 3)]) { try $0[0].embedding(ids: [3, 0, 3, 10, 5, 3], shape: [2, 3]) }
        try checkGradients([t([3, 5], 4)]) { try $0[0].gather(dim: 1, index: [4, 0, 0, 2, 1, 1], shape: [3, 2]) }
    }

    func testReductions() throws {
        let x = t([3, 4, 5], 1)
        for dim in [0, 1, -1] {
            for keep in [false, true] {
                try checkGradients([x]) { try $0[0].sum(dim: dim, keepDim: keep) }
                try checkGradients([x]) { try $0[0].mean(dim: dim, keepDim: keep) }
                try checkGradients([x], eps: 1e-3) { try $0[0].max(dim: dim, keepDim: keep) }
            }
        }
        try checkGradients([x]) { try $0[0].sum() }
        try checkGradients([x], eps: 1e-3) { try $0[0].max() }
    }

    func testLosses() throws {
        try checkGradients([t([5, 7], 1, -3...3)], eps: 1e-3) { try $0[0].crossEntropy(labels: [2, -100, 6, 0, -100]) }
        try checkGradients([t([4, 3], 2), t([4, 3], 3)]) { try $0[0].mseLoss($0[1]) }
        try checkGradients([t([4, 3], 4, -3...3), t([4, 3], 5, 0...1)], eps: 1e-3) { try $0[0].binaryCrossEntropyWithLogits($0[1]) }
    }

    func testAttention() throws {
        let mask = try Tensor(shape: [2, 1, 1, 4], scalars: [0, 0, 0, -10000, 0, 0, 0, 0])
        try checkGradients([t([2, 3, 4, 5], 1), t([2, 3, 4, 5], 2), t([2, 3, 4, 5], 3)], eps: 1e-3) { xs in
            var g = SeededGenerator(seed: 0)
            return try Tensor.attention(query: xs[0], key: xs[1], value: xs[2], mask: mask, scale: 0.4, generator: &g).context
        }
    }

    func testDropoutGradientUsesTheSameMask() throws {
        let x = t([4, 50], 1)
        try checkGradients([x]) { xs in
            var g = SeededGenerator(seed: 42)
            return try xs[0].dropout(0.3, generator: &g)
        }
        var g = SeededGenerator(seed: 7)
        let y = try Tensor.full([10_000], 1).dropout(0.25, generator: &g).scalars
        let dropped = y.filter { $0 == 0 }.count
        XCTAssertEqual(Double(dropped) / 10_000, 0.25, accuracy: 0.02)
        XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3.0) < 1e-6 })
    }
}
