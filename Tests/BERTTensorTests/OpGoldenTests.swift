import BERTTensor
import Foundation
import TestSupport
import XCTest

/// Every op's forward and backward against PyTorch (Float64 reference computed from the same fp32 inputs),
/// from `Tests/Fixtures/ops/op_goldens.json` made by `scripts/make_op_goldens.py`.
final class OpGoldenTests: XCTestCase {
    struct Golden: Decodable {
        struct Value: Decodable { let shape: [Int]; let data: [Float]?; let ints: [Int]? }
        struct Case: Decodable {
            let name: String, op: String
            let attrs: [String: AttrValue]
            let inputs: [Value], outputs: [Value], grad_outputs: [Value]
            let grads: [Value?]
        }
        let cases: [Case]
    }

    enum AttrValue: Decodable {
        case number(Double), bool(Bool), list([Int]), string(String), null
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let l = try? c.decode([Int].self) { self = .list(l) }
            else { self = .string(try c.decode(String.self)) }
        }
        var int: Int? { if case let .number(n) = self { return Int(n) }; return nil }
        var float: Float { if case let .number(n) = self { return Float(n) }; return .nan }
        var bool: Bool { if case let .bool(b) = self { return b }; return false }
        var list: [Int] { if case let .list(l) = self { return l }; return [] }
    }

    /// Applies the golden case's op to its inputs; integer inputs are passed through `ints`.
    func apply(_ c: Golden.Case, _ x: [Tensor], _ ints: [[Int]?]) throws -> [Tensor] {
        let a = c.attrs
        switch c.op {
        case "matmul": return [try x[0].matmul(x[1])]
        case "linear": return [try x[0].linear(weight: x[1], bias: x.count > 2 ? x[2] : nil)]
        case "add": return [try x[0] + x[1]]
        case "sub": return [try x[0] - x[1]]
        case "mul": return [try x[0] * x[1]]
        case "div": return [try x[0] / x[1]]
        case "scale": return [x[0].scaled(by: a["factor"]!.float)]
        case "gelu": return [x[0].gelu()]
        case "gelu_tanh": return [x[0].geluTanh()]
        case "tanh": return [x[0].tanh()]
        case "relu": return [x[0].relu()]
        case "softmax": return [x[0].softmax()]
        case "log_softmax": return [x[0].logSoftmax()]
        case "masked_softmax": return [try x[0].maskedSoftmax(scale: a["scale"]!.float, mask: x[1])]
        case "layer_norm": return [try x[0].layerNorm(weight: x[1], bias: x[2], eps: a["eps"]!.float)]
        case "embedding": return [try x[0].embedding(ids: ints[0]!, shape: c.inputs[0].shape)]
        case "concat": return [try Tensor.concat(x, dim: a["dim"]!.int!)]
        case "split": return try x[0].split(sizes: a["sizes"]!.list, dim: a["dim"]!.int!)
        case "slice": return [try x[0].slice(dim: a["dim"]!.int!, start: a["start"]!.int!, end: a["end"]!.int!)]
        case "gather": return [try x[0].gather(dim: a["dim"]!.int!, index: ints[1]!, shape: c.inputs[1].shape)]
        case "sum": return [try x[0].sum(dim: a["dim"]?.int, keepDim: a["keepdim"]?.bool ?? false)]
        case "mean": return [try x[0].mean(dim: a["dim"]?.int, keepDim: a["keepdim"]?.bool ?? false)]
        case "max": return [try x[0].max(dim: a["dim"]?.int, keepDim: a["keepdim"]?.bool ?? false)]
        case "transpose": return [try x[0].transposed(a["dim0"]!.int!, a["dim1"]!.int!)]
        case "permute": return [try x[0].permuted(a["dims"]!.list)]
        case "reshape": return [try x[0].reshaped(a["shape"]!.list)]
        case "cross_entropy":
            let logits = x[0].rank == 2 ? x[0] : try x[0].reshaped([-1, x[0].shape.last!])
            return [try logits.crossEntropy(labels: ints[1]!, ignoreIndex: a["ignore_index"]?.int ?? -100)]
        case "mse_loss": return [try x[0].mseLoss(x[1])]
        case "bce_with_logits": return [try x[0].binaryCrossEntropyWithLogits(x[1])]
        case "attention":
            var g = SeededGenerator(seed: 0)
            let d = Float(c.inputs[0].shape.last!)
            return [try Tensor.attention(query: x[0], key: x[1], value: x[2], mask: x.count > 3 ? x[3] : nil,
                                         scale: 1 / d.squareRoot(), generator: &g).context]
        default: XCTFail("golden case \(c.name) uses op \(c.op), which this test does not know"); return []
        }
    }

    func testEveryOpMatchesPyTorch() throws {
        let data = try Data(contentsOf: fixtureURL("ops/op_goldens.json"))
        let golden = try JSONDecoder().decode(Golden.self, from: data)
        XCTAssertGreaterThan(golden.cases.count, 50)
        var covered = Set<String>()
        for c in golden.cases {
            let tensors: [Tensor] = try c.inputs.enumerated().map { i, v in
                if let d = v.data { return try Tensor(shape: v.shape, scalars: d, requiresGrad: c.grads[i] != nil) }
                return Tensor.zeros([1])   // an integer input: passed separately
            }
            let ints = c.inputs.map(\.ints)
            let floatInputs = zip(c.inputs, tensors).filter { $0.0.data != nil }.map(\.1)
            let tape = GradientTape()
            let outs = try tape.record { try apply(c, floatInputs, ints) }
            XCTAssertEqual(outs.count, c.outputs.count, c.name)
            var total: Tensor?
            for (o, (expected, g)) in zip(outs, zip(c.outputs, c.grad_outputs)) {
                XCTAssertEqual(o.shape, expected.shape, "\(c.name) output shape")
                assertClose(o.scalars, expected.data!, atol: 2e-5, rtol: 1e-4, "\(c.name) forward")
                let weighted = try tape.record { try o.multiplying(Tensor(shape: g.shape, scalars: g.data!)).sum() }
                total = try total.map { t in try tape.record { try t.adding(weighted) } } ?? weighted
            }
            try tape.backward(total!)
            for (i, expected) in c.grads.enumerated() {
                guard let expected, let d = expected.data else { continue }
                let got = tensors[i].grad?.scalars ?? [Float](repeating: 0, count: d.count)
                XCTAssertEqual(tensors[i].shape, expected.shape, "\(c.name) grad shape \(i)")
                assertClose(got, d, atol: 2e-5, rtol: 1e-4, "\(c.name) gradient of input \(i)")
            }
            covered.insert(c.op)
        }
        XCTAssertTrue(covered.isSuperset(of: ["matmul", "linear", "layer_norm", "masked_softmax", "attention", "cross_entropy", "embedding", "gelu"]))
    }
}
