import ArgumentParser
import BERTKernels
import Foundation

/// `bert-dev bench`: speed measurements, with ratios against reference runtimes measured in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks (GEMM, embedding, training, tokenizer, pipelines).",
        subcommands: [BenchGEMMCommand.self, BenchEmbedCommand.self, BenchTrainCommand.self, BenchEncoderCommand.self,
                      BenchTokenizerCommand.self, BenchPipelineCommand.self, BenchTrainTokenizerCommand.self,
                      BenchSearchCommand.self, BenchHNSWCommand.self, BenchDataParallelCommand.self, BenchDistillCommand.self,
                      BenchStudentCommand.self, BenchQuantizedGEMMCommand.self, BenchAttentionCommand.self])
}

/// `bert-dev bench gemm`: GFLOP/s of BERT's matrix shapes on 1 and 2 threads.
struct BenchGEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "GFLOP/s of BERT's GEMM shapes.")

    @Option(help: "Thread counts to measure, comma-separated.") var threads: String = "1,2"
    @Option(help: "Timed repetitions per shape (the median is reported).") var repeats: Int = 15
    @Option(help: "Python with torch and numpy for the reference run in the same process tree (empty: skip).")
    var python: String = ProcessInfo.processInfo.environment["BERT_BENCH_PYTHON"] ?? ""
    @Flag(help: "Measure the built-in kernel too.") var builtin = false

    /// [M×K]·[K×N] shapes from BERT-base and MiniLM layers.
    static let shapes: [(m: Int, k: Int, n: Int)] = [
        (4096, 768, 3072), (4096, 3072, 768), (4096, 768, 768), (128, 768, 3072), (4096, 384, 1536),
    ]

    func run() throws {
        print("backend: \(BLAS.description)")
        let counts = threads.split(separator: ",").compactMap { Int($0) }
        var ours: [String: Double] = [:]
        for t in counts {
            Threads.set(t)
            for s in Self.shapes {
                let g = Self.measure(s.m, s.k, s.n, repeats: repeats, builtin: false)
                let key = "gemm_\(s.m)x\(s.k)x\(s.n)_t\(t)"
                ours[key] = g
                var line = String(format: "gemm [%dx%d]·[%dx%d] threads=%d  %7.1f GFLOP/s", s.m, s.k, s.k, s.n, t, g)
                if builtin {
                    line += String(format: "   built-in %6.1f", Self.measure(s.m, s.k, s.n, repeats: 3, builtin: true))
                }
                print(line)
            }
        }
        if !python.isEmpty { try compareWithReference(ours) }
    }

    /// Median GFLOP/s of C = A·B for the given shape.
    static func measure(_ m: Int, _ k: Int, _ n: Int, repeats: Int, builtin: Bool) -> Double {
        let a = (0..<(m * k)).map { _ in Float.random(in: -1...1) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -1...1) }
        var c = [Float](repeating: 0, count: m * n)
        var times: [Double] = []
        let warmup = 3  // untimed: pages touched, Dispatch's worker threads awake, caches in their steady state
        for rep in 0..<(warmup + repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        if builtin {
                            GEMM.sgemm(transA: false, transB: false, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                                       b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n, forceBuiltin: true)
                        } else {
                            GEMM.sgemm(transA: false, transB: false, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                                       b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                        }
                    }
                }
            }
            if rep >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        times.sort()
        return 2.0 * Double(m) * Double(n) * Double(k) / times[times.count / 2] / 1e9
    }

    /// Runs `scripts/bench_reference.py gemm` and prints our figure over torch's for each shape and thread count.
    func compareWithReference(_ ours: [String: Double]) throws {
        let lines = try runReference(python: python, arguments: ["gemm"])
        for r in lines where r.runtime == "torch" || r.runtime == "numpy" {
            guard let g = ours[r.name] else { continue }
            print(String(format: "%@ vs %@: %.1f / %.1f GFLOP/s = %.2fx", r.name, r.runtime, g, r.value, g / r.value))
        }
    }
}
