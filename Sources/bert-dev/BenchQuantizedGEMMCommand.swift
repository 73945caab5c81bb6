import ArgumentParser
import BERTKernels
import CBERTKernels
import Foundation

/// `bert-dev bench qgemm`: GOP/s of the int8 product on BERT's linear-layer shapes against our fp32 (packed) and
/// bf16 products on the same shapes, with the activation quantisation timed on its own, so the kernel's rate can be
/// set against the CPU's int8 peak (`scripts/int8_peak.c`). One multiply-add counts as 2 operations in every dtype.
struct BenchQuantizedGEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "qgemm",
                                                    abstract: "GOP/s of the int8 GEMM on BERT's shapes vs fp32 and bf16.")

    @Option(help: "Thread counts to measure, comma-separated.") var threads: String = "1"
    @Option(help: "Timed repetitions per shape (the best is reported: the machine is shared).") var repeats: Int = 9

    /// Rows × (out, in): BERT-base 8 × 128 tokens and 1 × 128, MiniLM 1024 tokens; q/k/v stacked, attention
    /// output, intermediate, output.
    static let shapes: [(label: String, m: Int, n: Int, k: Int)] = [
        ("base qkv", 1024, 2304, 768), ("base attn-out", 1024, 768, 768), ("base inter", 1024, 3072, 768),
        ("base output", 1024, 768, 3072), ("base inter m128", 128, 3072, 768), ("minilm inter", 1024, 1536, 384),
        ("minilm output", 1024, 384, 1536),
    ]

    func run() throws {
        print("int8 kernel: \(GEMM.quantizedKernel), bf16 kernel: \(GEMM.bf16Kernel)")
        print("shape".padding(toLength: 16, withPad: " ", startingAt: 0) + "  thr      fp32      bf16      int8  int8 krn  quant %  (GOP/s)")
        for t in threads.split(separator: ",").compactMap({ Int($0) }) {
            Threads.set(t)
            for s in Self.shapes { try measure(s.label, m: s.m, n: s.n, k: s.k, threads: t) }
        }
    }

    /// The best of `repeats` timings of `body`, in seconds.
    func best(_ body: () -> Void) -> Double {
        body()
        var fastest = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return fastest
    }

    func measure(_ label: String, m: Int, n: Int, k: Int, threads: Int) throws {
        var g = SystemRandomNumberGenerator()
        let a = (0..<(m * k)).map { _ in Float.random(in: -2...2, using: &g) }
        let w = (0..<(n * k)).map { _ in Float.random(in: -0.1...0.1, using: &g) }
        var c = [Float](repeating: 0, count: m * n)
        let ops = 2.0 * Double(m) * Double(n) * Double(k)
        let (fp32, bf16, int8, kernelOnly, quantShare): (Double, Double, Double, Double, Double) = w.withUnsafeBufferPointer { pw in
            a.withUnsafeBufferPointer { pa in c.withUnsafeMutableBufferPointer { pc in
                let (wp, ap, cp) = (pw.baseAddress!, pa.baseAddress!, pc.baseAddress!)
                let packed = PackedMatrix(transposed: true, k: k, n: n, b: wp, ldb: k)
                let fp32 = packed.map { p in best { GEMM.packed(m: m, a: ap, lda: k, b: p, c: cp, ldc: n) } } ?? .nan
                let bw = BF16Matrix(n: n, k: k, weight: wp, ldw: k)
                let bf16 = best { GEMM.bf16(m: m, a: ap, lda: k, b: bw, bias: nil, c: cp, ldc: n) }
                let qw = QuantizedMatrix(n: n, k: k, weight: wp, ldw: k)
                let int8 = best { GEMM.quantized(m: m, a: ap, lda: k, b: qw, bias: nil, c: cp, ldc: n) }
                // The kernel alone, on rows quantised once; and the quantisation alone.
                let depth = bert_qgemm_depth(Int32(k)), rows = bert_qgemm_padded_rows(Int32(m))
                let q = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * depth)
                let scales = UnsafeMutablePointer<Float>.allocate(capacity: m), zeros = UnsafeMutablePointer<Int32>.allocate(capacity: m)
                defer { q.deallocate(); scales.deallocate(); zeros.deallocate() }
                q.initialize(repeating: 0, count: rows * depth)
                let quantise = best { bert_quantize_rows_u8(ap, Int32(m), Int32(k), Int32(k), q, Int32(depth), scales, zeros) }
                let quantised = QuantizedRows(values: q, depth: depth, scales: scales, zeros: zeros)
                let kernel = best { GEMM.quantized(m: m, rows: quantised, b: qw, bias: nil, c: cp, ldc: n) }
                return (ops / fp32 / 1e9, ops / bf16 / 1e9, ops / int8 / 1e9, ops / kernel / 1e9, 100 * quantise / int8)
            } }
        }
        print(label.padding(toLength: 16, withPad: " ", startingAt: 0)
              + String(format: " %4d %9.1f %9.1f %9.1f %9.1f %7.1f%%", threads, fp32, bf16, int8, kernelOnly, quantShare))
        print(String(format: "{\"shape\":\"%@\",\"m\":%d,\"n\":%d,\"k\":%d,\"threads\":%d,\"fp32_gops\":%.1f,\"bf16_gops\":%.1f,\"int8_gops\":%.1f,\"int8_kernel_gops\":%.1f,\"quantise_share_pct\":%.1f}",
                     label, m, n, k, threads, fp32, bf16, int8, kernelOnly, quantShare))
    }
}
