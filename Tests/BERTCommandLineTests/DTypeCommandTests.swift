import BERT
import Foundation
import TestSupport
import XCTest

/// `--dtype` through the built binary: every choice embeds (close to fp32, not equal to it), `bert info` names the
/// kernel each family uses, and `--keep-fp32` without a lowered dtype is a usage error.
final class DTypeCommandTests: XCTestCase {
    func embedding(_ dtype: String) throws -> [Double] {
        let result = try CLI.run(["embed", "--model", "models/all-MiniLM-L6-v2", "--dtype", dtype, "The cat sat on the warm mat."])
        XCTAssertEqual(result.status, 0, result.stderr)
        let line = try XCTUnwrap(try result.jsonLines().first)
        return try XCTUnwrap(line["embedding"]?.arrayValue).map { $0.doubleValue ?? .nan }
    }

    func testEveryDTypeEmbedsCloseToFP32() throws {
        let fp32 = try embedding("fp32")
        XCTAssertEqual(fp32.count, 384)
        for (dtype, lowest) in [("fp16", 0.9999), ("bf16", 0.999), ("int8", 0.99)] {
            let v = try embedding(dtype)
            let dot = zip(v, fp32).reduce(0) { $0 + $1.0 * $1.1 }
            let cosine = dot / (v.reduce(0) { $0 + $1 * $1 }.squareRoot() * fp32.reduce(0) { $0 + $1 * $1 }.squareRoot())
            XCTAssertGreaterThanOrEqual(cosine, lowest, dtype)
            XCTAssertNotEqual(v, fp32, dtype)
        }
    }

    func testInfoNamesEveryKernelFamilyAndHelpListsTheChoices() throws {
        let info = try CLI.run(["info"])
        XCTAssertEqual(info.status, 0, info.stderr)
        for family in ["fp32 GEMM:", "int8 GEMM:", "bf16 GEMM:", "fp16 weights:", "softmax, GELU, layer norm rows:"] { XCTAssertTrue(info.stdout.contains(family), info.stdout) }
        let help = try CLI.run(["embed", "--help"])
        XCTAssertTrue(help.stdout.contains("fp32, bf16, int8, fp16"), help.stdout)
        let usage = try CLI.run(["embed", "--model", "models/all-MiniLM-L6-v2", "--keep-fp32", "qkv", "hello"])
        XCTAssertEqual(usage.status, 2, usage.stderr)
        XCTAssertTrue(usage.stderr.contains("--keep-fp32 applies to --dtype int8, bf16 or fp16"), usage.stderr)
    }
}
