import CBERTKernels
import Foundation

/// What this CPU offers the kernels, and which kernels they will use: `bert info` prints it, benchmarks quote it.
package enum CPUFeatures {
    /// The features the kernels dispatch on, by their /proc/cpuinfo names.
    package static var names: [String] {
        let bits = bert_cpu_features()
        let known: [(UInt32, String)] = [
            (UInt32(BERT_CPU_AVX2), "avx2"), (UInt32(BERT_CPU_FMA), "fma"), (UInt32(BERT_CPU_F16C), "f16c"),
            (UInt32(BERT_CPU_AVX512F), "avx512f"), (UInt32(BERT_CPU_AVX512BW), "avx512bw"), (UInt32(BERT_CPU_AVX512VL), "avx512vl"),
            (UInt32(BERT_CPU_AVX512VNNI), "avx512_vnni"), (UInt32(BERT_CPU_AVX512BF16), "avx512_bf16"),
            (UInt32(BERT_CPU_AVXVNNI), "avx_vnni"), (UInt32(BERT_CPU_NEON), "neon"), (UInt32(BERT_CPU_DOTPROD), "asimddp"),
        ]
        return known.filter { bits & $0.0 != 0 }.map(\.1)
    }

    /// The CPU's model name (/proc/cpuinfo on Linux), or nil where it cannot be read.
    package static var modelName: String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// One line per kernel family: the fp32 GEMM (BLAS and packed weights), the int8, bf16 and fp16-weight products, the
    /// inference row kernels, and the `BERT_KERNELS` ceiling when one is set.
    package static var kernels: [(String, String)] {
        var lines = [("fp32 GEMM", BLAS.description), ("int8 GEMM", "\(GEMM.quantizedKernel)"), ("bf16 GEMM", "\(GEMM.bf16Kernel)"),
                     ("fp16 weights", "\(GEMM.fp16Kernel)"), ("softmax, GELU, layer norm rows", "\(RowKernel.current)"),
                     ("threads", "\(Threads.count)")]
        switch bert_kernels_ceiling() {
        case BERT_KERNELS_AVX2: lines.append(("BERT_KERNELS", "avx2 (kernels limited to AVX2)"))
        case BERT_KERNELS_PORTABLE: lines.append(("BERT_KERNELS", "portable (no SIMD kernels)"))
        default: break
        }
        return lines
    }
}
