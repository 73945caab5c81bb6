import BERTTensor
import Foundation
import XCTest

/// The repository root, found from this file's path (tests never depend on the working directory).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `Tests/Fixtures/<path>`.
public func fixtureURL(_ path: String) -> URL { repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(path) }

/// `models/<name>`, failing the test with the command that fetches it when missing.
public func modelURL(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
    let url = repositoryRoot.appendingPathComponent("models").appendingPathComponent(name)
    guard FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) else {
        XCTFail("model \(name) is missing: run scripts/fetch-models.sh", file: file, line: line)
        throw CocoaError(.fileNoSuchFile)
    }
    return url
}

/// Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise, reporting the worst element and where.
public func assertClose(_ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-4,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(message()): \(actual.count) values, expected \(expected.count)", file: file, line: line)
        return
    }
    var worst: Float = 0, worstAt = -1, maxAbs: Float = 0
    for i in 0..<actual.count {
        let d = abs(actual[i] - expected[i])
        if !(d <= atol + rtol * abs(expected[i])) || actual[i].isNaN != expected[i].isNaN {
            let excess = d.isNaN ? .infinity : d - (atol + rtol * abs(expected[i]))
            if worstAt < 0 || excess > worst { worst = excess; worstAt = i }
        }
        if d.isFinite { maxAbs = max(maxAbs, d) }
    }
    if worstAt >= 0 {
        XCTFail("\(message()): element \(worstAt) is \(actual[worstAt]), expected \(expected[worstAt]); max |diff| \(maxAbs)",
                file: file, line: line)
    }
}

/// The largest absolute difference of two equal-length arrays.
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Deterministic random floats in [lo, hi).
public func randomFloats(_ n: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    var g = SeededGenerator(seed: seed)
    return (0..<n).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * g.nextUnitFloat() }
}

/// A tensor of deterministic random values.
public func randomTensor(_ shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -1...1, requiresGrad: Bool = true) -> Tensor {
    try! Tensor(shape: shape, scalars: randomFloats(shape.reduce(1, *), seed: seed, in: range), requiresGrad: requiresGrad)
}

/// Checks the gradients of `f` at `inputs` by central finite differences.
///
/// The scalar is L = Σ f(x)·w for fixed random weights w, accumulated in Float64. Our tensors are fp32, so the
/// perturbation is relatively large (`eps`) and the tolerance allows fp32 rounding of the forward pass; the
/// PyTorch golden tests pin the gradients exactly.
public func checkGradients(_ inputs: [Tensor], eps: Float = 1e-2, tolerance: Float = 2e-2,
                           file: StaticString = #filePath, line: UInt = #line,
                           _ f: ([Tensor]) throws -> Tensor) throws {
    let probe = try GradientTape.withoutRecording { try f(inputs) }
    let w = randomFloats(probe.count, seed: 99)
    func loss() throws -> Double {
        let out = try GradientTape.withoutRecording { try f(inputs) }.scalars
        var s: Double = 0
        for i in 0..<out.count { s += Double(out[i]) * Double(w[i]) }
        return s
    }
    for t in inputs { t.zeroGrad() }
    let tape = GradientTape()
    let out = try tape.record { try f(inputs) }
    try tape.backward(out, seed: try Tensor(shape: out.shape, scalars: w))
    for (which, t) in inputs.enumerated() where t.requiresGrad {
        let analytic = t.grad?.scalars ?? [Float](repeating: 0, count: t.count)
        var numeric = [Float](repeating: 0, count: t.count)
        precondition(t.isContiguous, "gradient check perturbs inputs in place")
        for i in 0..<t.count {
            let original = t.pointer[i]
            t.pointer[i] = original + eps
            let plus = try loss()
            t.pointer[i] = original - eps
            let minus = try loss()
            t.pointer[i] = original
            numeric[i] = Float((plus - minus) / (2 * Double(eps)))
        }
        let scale = max(1, numeric.map(abs).max() ?? 1)
        assertClose(analytic, numeric, atol: tolerance * scale, rtol: tolerance, "gradient of input \(which)", file: file, line: line)
    }
}
