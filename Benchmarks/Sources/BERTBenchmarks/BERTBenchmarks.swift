import BERT
import Benchmark
import Foundation

/// GEMM on BERT's shapes (GFLOP/s = 2·M·N·K / time), and encoder forward passes.
let benchmarks: @Sendable () -> Void = {
    let shapes: [(Int, Int, Int)] = [(4096, 768, 3072), (4096, 3072, 768), (4096, 768, 768), (128, 768, 3072), (4096, 384, 1536)]
    for threads in [1, 2] {
        for (m, k, n) in shapes {
            let a = (0..<(m * k)).map { _ in Float.random(in: -1...1) }
            let b = (0..<(k * n)).map { _ in Float.random(in: -1...1) }
            var c = [Float](repeating: 0, count: m * n)
            Benchmark("gemm \(m)x\(k)x\(n) t\(threads)",
                      configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .one, maxDuration: .seconds(3))) { benchmark in
                Threads.set(threads)
                for _ in benchmark.scaledIterations {
                    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                        GEMM.sgemm(transA: false, transB: false, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                                   b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                    } } }
                }
                blackHole(c[0])
            }
        }
    }

    Benchmark("BERT-base forward 1x128 (generated weights)",
              configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(10))) { benchmark in
        Threads.set(2)
        let model = try BertModel(config: BertConfig(), randomInit: false)
        let shapes = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.key, $0.tensor.shape) })
        try model.load(from: SyntheticCheckpoint(shapes: shapes))
        let input = try EncoderInput(inputIds: (0..<128).map { 1000 + $0 }, batch: 1, length: 128)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try model(input).lastHiddenState) }
    }
}
