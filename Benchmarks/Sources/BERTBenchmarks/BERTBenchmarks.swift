import BERT
import BERTKernels  // GEMM: the raw kernel is not part of `import BERT`
import Benchmark
import Foundation

// GEMM on BERT's shapes, one product per iteration: GFLOP/s = 2·M·N·K / time (the name gives 2·M·N·K).
let shapes: [(m: Int, k: Int, n: Int)] = [(4096, 768, 3072), (4096, 3072, 768), (4096, 768, 768), (128, 768, 3072), (4096, 384, 1536)]

let gemm = BenchmarkSuite(name: "gemm", settings: WarmupIterations(3), MinTime(seconds: 2)) { suite in
    for threads in [1, 2] {
        for s in shapes {
            let a = (0..<(s.m * s.k)).map { _ in Float.random(in: -1...1) }
            let b = (0..<(s.k * s.n)).map { _ in Float.random(in: -1...1) }
            var c = [Float](repeating: 0, count: s.m * s.n)
            let gflop = 2.0 * Double(s.m * s.n * s.k) / 1e9
            suite.benchmark(String(format: "[%dx%d]·[%dx%d] threads=%d (%.2f GFLOP)", s.m, s.k, s.k, s.n, threads, gflop)) { state in
                Threads.set(threads)
                try state.measure {
                    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                        GEMM.sgemm(transA: false, transB: false, m: s.m, n: s.n, k: s.k, a: pa.baseAddress!, lda: s.k,
                                   b: pb.baseAddress!, ldb: s.n, c: pc.baseAddress!, ldc: s.n)
                    } } }
                }
            }
        }
    }
}

/// BERT-base's shape with generated weights (as `bert bench embed` uses), built once on first use.
nonisolated(unsafe) var bertBase: BertModel?
func bertBaseModel() throws -> BertModel {
    if let m = bertBase { return m }
    let model = try BertModel(config: BertConfig(), randomInit: false)
    try model.load(from: SyntheticCheckpoint(shapesOf: model))
    bertBase = model
    return model
}

let encoder = BenchmarkSuite(name: "bert-base forward", settings: WarmupIterations(1), MinTime(seconds: 3)) { suite in
    for batch in [1, 8] {
        let input = try! EncoderInput(inputIds: (0..<(batch * 128)).map { 1000 + $0 % 20000 }, batch: batch, length: 128)
        suite.benchmark("\(batch)x128, 2 threads") { state in
            Threads.set(2)
            let model = try bertBaseModel()
            try state.measure { _ = try? model(input).lastHiddenState }
        }
    }
}

Benchmark.main([gemm, encoder])
