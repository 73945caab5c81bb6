import BERTKernels
import BERTModels
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// `--dtype fp16` (half-precision weights, fp32 activations) on the real all-MiniLM-L6-v2 against its own fp32
/// vectors, over the same varied sentences as the int8 tests, with every fp16 kernel this CPU runs.
final class FP16InferenceTests: XCTestCase {
    override func tearDown() { GEMM.selectFP16Kernel(FP16Kernel.allCases.last { $0.isSupported }!) }

    func testFP16SentenceEmbeddingsKeepCosineAbove09999OnEveryKernel() throws {
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let texts = try Int8InferenceTests.sentences()
        let fp32 = try model.encode(texts)
        let fp32First16 = try model.encode(Array(texts.prefix(16)))  // as a batch of its own (see Int8InferenceTests)
        try model.bert.prepareForInference(InferencePrecision(dtype: .fp16))
        XCTAssertFalse(model.bert.isQuantized, "fp16 is not int8: the model may still be trained")
        var vectors: [FP16Kernel: [[Float]]] = [:]
        for kernel in FP16Kernel.allCases where kernel.isSupported {
            XCTAssertEqual(GEMM.selectFP16Kernel(kernel), kernel)
            // The portable kernel (plain C, for CPUs without F16C) is slow: a fifth of the sentences, long ones included.
            let count = kernel == .portable ? texts.count / 5 : texts.count
            let fp16 = try model.encode(Array(texts.prefix(count)))
            let cosines = zip(fp32, fp16).map { Double(cosineSimilarity($0, $1)) }
            let lowest = cosines.min()!, mean = cosines.reduce(0, +) / Double(cosines.count)
            print("fp16 vs fp32 sentence embeddings over \(count) sentences (\(kernel)): lowest cosine \(lowest), mean \(mean)")
            XCTAssertGreaterThanOrEqual(lowest, 0.9999, "\(kernel)")
            XCTAssertNotEqual(fp16, Array(fp32.prefix(count)), "half-precision weights change the vectors a little")
            vectors[kernel] = fp16
        }
        if let f16c = vectors[.f16c], let portable = vectors[.portable] {
            XCTAssertEqual(portable.count, texts.count / 5)
            let worst = zip(f16c, portable).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
            XCTAssertLessThan(worst, 1e-5, "the kernels differ only in the order of their fp32 sums")
        }
        try model.bert.prepareForInference(.fp32)
        XCTAssertEqual(try model.encode(Array(texts.prefix(16))), fp32First16, "fp32 again: the weights were never changed")
    }
}
