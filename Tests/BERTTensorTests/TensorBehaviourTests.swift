import BERTTensor
import TestSupport
import XCTest

/// Views, typed errors, and the tape's recording rules.
final class TensorBehaviourTests: XCTestCase {
    func testViewsShareStorageAndCopyOnlyWhenNeeded() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let t = try x.transposed(0, 1)
        XCTAssertTrue(t.storage === x.storage)
        XCTAssertFalse(t.isContiguous)
        XCTAssertEqual(t.scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(try x.slice(dim: 1, start: 1, end: 3).scalars, [2, 3, 5, 6])
        XCTAssertEqual(try x.slice(dim: 1, start: -2, end: 3).scalars, [2, 3, 5, 6])
        XCTAssertTrue(try x.reshaped([3, 2]).storage === x.storage)
        XCTAssertEqual(try t.reshaped([6]).scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(try x.permuted([1, 0]).matmul(x).scalars, [17, 22, 27, 22, 29, 36, 27, 36, 45])
    }

    func testShapeErrorsNameBothShapes() {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4, 5])
        XCTAssertThrowsError(try a.adding(b)) { XCTAssertEqual($0 as? TensorError, .shapeMismatch(op: "add", lhs: [2, 3], rhs: [4, 5])) }
        XCTAssertThrowsError(try a.matmul(b)) { XCTAssertEqual($0 as? TensorError, .shapeMismatch(op: "matmul", lhs: [2, 3], rhs: [4, 5])) }
        XCTAssertThrowsError(try a.linear(weight: b, bias: nil)) { XCTAssertEqual($0 as? TensorError, .shapeMismatch(op: "linear", lhs: [2, 3], rhs: [4, 5])) }
        XCTAssertThrowsError(try a.reshaped([4])) { XCTAssertEqual($0 as? TensorError, .shapeMismatch(op: "reshape", lhs: [2, 3], rhs: [4])) }
        XCTAssertThrowsError(try a.layerNorm(weight: .zeros([2]), bias: .zeros([3]), eps: 1e-5)) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(op: "layerNorm", lhs: [2, 3], rhs: [2]))
        }
        XCTAssertThrowsError(try Tensor.concat([a, b], dim: 0)) { XCTAssertEqual($0 as? TensorError, .shapeMismatch(op: "concat", lhs: [2, 3], rhs: [4, 5])) }
        XCTAssertThrowsError(try Tensor(shape: [2, 2], scalars: [1])) { XCTAssertEqual($0 as? TensorError, .invalidShape(op: "Tensor(shape:scalars:)", shape: [2, 2], expected: "1 elements")) }
        let described = String(describing: TensorError.shapeMismatch(op: "add", lhs: [2, 3], rhs: [4, 5]))
        XCTAssertTrue(described.contains("[2, 3]") && described.contains("[4, 5]"), described)
    }

    func testIndexErrors() {
        let w = Tensor.zeros([5, 2])
        XCTAssertThrowsError(try w.embedding(ids: [1, 5], shape: [2])) { XCTAssertEqual($0 as? TensorError, .indexOutOfRange(op: "embedding", index: 5, bound: 5)) }
        XCTAssertThrowsError(try w.embedding(ids: [-1], shape: [1])) { XCTAssertEqual($0 as? TensorError, .indexOutOfRange(op: "embedding", index: -1, bound: 5)) }
        XCTAssertThrowsError(try w.gather(dim: 1, index: [2], shape: [1, 1])) { XCTAssertEqual($0 as? TensorError, .indexOutOfRange(op: "gather", index: 2, bound: 2)) }
        XCTAssertThrowsError(try w.crossEntropy(labels: [0, 1, 0, 1, 9])) { XCTAssertEqual($0 as? TensorError, .indexOutOfRange(op: "crossEntropy", index: 9, bound: 2)) }
        XCTAssertThrowsError(try w.transposed(0, 2)) { XCTAssertEqual($0 as? TensorError, .invalidDimension(op: "transpose", dim: 2, rank: 2)) }
        XCTAssertThrowsError(try w.slice(dim: 0, start: 6, end: 9)) { XCTAssertEqual(($0 as? TensorError).map { "\($0)" }?.contains("outside 0..<5"), true) }
        XCTAssertThrowsError(try w.select(dim: 0, index: 5)) { XCTAssertEqual($0 as? TensorError, .indexOutOfRange(op: "select", index: 5, bound: 5)) }
    }

    func testNothingIsRecordedOutsideATape() throws {
        let w = randomTensor([3, 3], seed: 1)
        let y = try w.matmul(w).gelu().sum()
        XCTAssertFalse(y.requiresGrad)
        let tape = GradientTape()
        let z = try tape.record { try w.matmul(w).gelu().sum() }
        XCTAssertTrue(z.requiresGrad)
        XCTAssertEqual(tape.count, 3)
        let frozen = randomTensor([3, 3], seed: 2, requiresGrad: false)
        _ = try tape.record { try frozen.matmul(frozen) }
        XCTAssertEqual(tape.count, 3, "ops on tensors that need no gradient are not recorded")
    }

    func testGradientsAccumulateAcrossBackwardCalls() throws {
        let w = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        for _ in 0..<2 {
            let tape = GradientTape()
            let l = try tape.record { try w.multiplying(w).sum() }
            try tape.backward(l)
        }
        XCTAssertEqual(w.grad?.scalars, [4, 8])
        w.zeroGrad()
        XCTAssertNil(w.grad)
    }

    func testCrossEntropyAllIgnoredIsNaNLikePyTorch() throws {
        XCTAssertTrue(try Tensor.zeros([2, 3]).crossEntropy(labels: [-100, -100]).item.isNaN)
    }

    func testLazyZerosAreZerosAndStorageIsReplacedOnlyOnWholeTensors() throws {
        let t = Tensor.lazyZeros([300, 1000], requiresGrad: true)
        XCTAssertTrue(t.requiresGrad)
        XCTAssertEqual(t.scalars.max(), 0)
        XCTAssertEqual(t.scalars.min(), 0)
        let small = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let owner = TensorStorage(count: 6)
        for i in 0..<6 { owner.pointer[i] = Float(10 + i) }
        try small.replaceStorage(with: TensorStorage(borrowing: owner.pointer, count: 6, owner: owner))
        XCTAssertEqual(small.scalars, [10, 11, 12, 13, 14, 15])
        XCTAssertThrowsError(try small.replaceStorage(with: TensorStorage(count: 5)))
        let view = try small.transposed(0, 1)
        XCTAssertThrowsError(try view.replaceStorage(with: TensorStorage(count: 6)))
        let row = Tensor(storage: small.storage, shape: [3], offset: 3)
        XCTAssertThrowsError(try row.replaceStorage(with: TensorStorage(count: 3)))
        XCTAssertEqual(small.scalars, [10, 11, 12, 13, 14, 15])
    }
}

/// The fused inference attention against the composed (recorded) path, on odd shapes and strided head views.
final class FusedAttentionTests: XCTestCase {
    func testFusedEqualsComposed() throws {
        for (b, s, heads, d) in [(1, 1, 1, 1), (2, 7, 3, 5), (3, 33, 4, 8), (2, 65, 2, 16)] {
            let hidden = heads * d
            func projected(_ seed: UInt64) throws -> Tensor {
                try randomTensor([b, s, hidden], seed: seed, requiresGrad: false).reshaped([b, s, heads, d]).permuted([0, 2, 1, 3])
            }
            let (q, k, v) = (try projected(1), try projected(2), try projected(3))
            var m = [Float](repeating: 0, count: b * s)
            for i in 0..<b where s > 2 { for j in (s - i - 1)..<s { m[i * s + j] = -Float.greatestFiniteMagnitude } }
            let mask = try Tensor(shape: [b, 1, 1, s], scalars: m)
            var g = SeededGenerator(seed: 0)
            let fused = try Tensor.attention(query: q, key: k, value: v, mask: mask, scale: 0.3, generator: &g)
            XCTAssertNil(fused.probabilities)
            let composed = try Tensor.attention(query: q, key: k, value: v, mask: mask, scale: 0.3, keepProbabilities: true, generator: &g)
            XCTAssertEqual(fused.context.shape, [b, heads, s, d])
            assertClose(fused.context.scalars, composed.context.scalars, atol: 1e-6, rtol: 1e-5, "b=\(b) s=\(s) heads=\(heads) d=\(d)")
            // Merging heads back is free: the permuted context is already contiguous.
            XCTAssertTrue(try fused.context.permuted([0, 2, 1, 3]).isContiguous)
        }
    }
}
