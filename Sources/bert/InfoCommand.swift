import ArgumentParser
import BERT
import BERTCommandLine
import BERTKernels
import Foundation

/// `bert info`: the CPU, the features the kernels dispatch on, and the kernels this machine will use.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the CPU, its SIMD features and the kernels (fp32, int8, bf16) bert will use.",
        discussion: """
            BERT_KERNELS=avx2|portable limits every kernel family to AVX2 (as on an AVX2-only CPU) or plain C. \
            BERT_GEMM_KERNEL=avx512|avx2|neon|none, BERT_QGEMM_KERNEL=vnni|avx2|sdot|neon|portable and \
            BERT_BF16_KERNEL=avx512bf16|avx2|portable pick one family's kernel (one the CPU supports); BERT_BLAS \
            picks the BLAS library.
            """)

    func run() throws {
        try StandardOutput.line("cpu: \(CPUFeatures.modelName ?? "unknown")")
        let features = CPUFeatures.names
        try StandardOutput.line("features: \(features.isEmpty ? "none the kernels use" : features.joined(separator: " "))")
        for (name, kernel) in CPUFeatures.kernels { try StandardOutput.line("\(name): \(kernel)") }
    }
}
