import ArgumentParser
import BERTKernels
import Foundation

/// `bert-dev bench attention`: GFLOP/s of the two attention products (`AttentionProducts.scores` and `.context`)
/// per kernel this CPU runs (own AVX-512 / AVX2 tiles, and the BLAS path as `none`), on one thread as inference runs
/// them: every head of a layer, q, k and v read as column slices of a fused [n, 3 · heads · d] buffer. Kernels are
/// alternated within each repetition, so a loaded machine slows them alike. `--layers` rotates that many buffers
/// (as a forward pass meets a new q/k/v per layer, mostly out of cache); 1 keeps one buffer hot.
struct BenchAttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attention",
                                                    abstract: "GFLOP/s of the attention products per kernel.")

    @Option(help: "Sequence lengths, comma-separated.") var lengths: String = "128,384"
    @Option(help: "Head dimensions, comma-separated.") var headDims: String = "64,32"
    @Option(help: "Heads per layer.") var heads: Int = 12
    @Option(help: "q/k/v buffers rotated, one per layer (1: one hot buffer).") var layers: Int = 12
    @Option(help: "Timed repetitions (best and median reported).") var repeats: Int = 15
    @Option(help: "Products timed: both, scores (Q·Kᵀ) or context (P·V).") var part: String = "both"

    func run() throws {
        guard heads > 0, layers > 0, repeats > 0 else { throw ValidationError("--heads, --layers and --repeats must be positive") }
        guard ["both", "scores", "context"].contains(part) else { throw ValidationError("--part is both, scores or context") }
        let (original, originalWide) = (GEMM.packedKernel, AttentionProducts.kernel == .avx512)
        defer { GEMM.selectPackedKernel(original); AttentionProducts.selectWideTiles(originalWide) }
        let kernels = PackedKernel.allCases.filter(\.isSupported).sorted { $0.rawValue > $1.rawValue }
        print("tiles: \(kernels.map { "\($0)" }.joined(separator: ", ")) (none = BLAS: \(BLAS.description)); default: "
              + "\(AttentionProducts.kernel); one thread")
        for n in lengths.split(separator: ",").compactMap({ Int($0) }) where n > 0 {
            for d in headDims.split(separator: ",").compactMap({ Int($0) }) where d > 0 {
                try measure(n: n, d: d, kernels: kernels)
            }
        }
    }

    func measure(n: Int, d: Int, kernels: [PackedKernel]) throws {
        let width = 3 * heads * d
        var state: UInt32 = 12345  // a cheap LCG: the values do not matter, only that they are not all equal
        let buffers = (0..<layers).map { _ in
            (0..<(n * width)).map { _ in state = state &* 1_664_525 &+ 1_013_904_223; return Float(state >> 8) / 8_388_608 - 1 }
        }
        var scores = [Float](repeating: 0, count: n * n), out = [Float](repeating: 0, count: n * heads * d)
        var scratch = [Float](repeating: 0, count: max(1, AttentionProducts.scratchCount(keys: n, headDim: d)))
        var times: [PackedKernel: [Double]] = [:]
        var layer = 0
        for round in 0...repeats {
            for kernel in kernels {
                GEMM.selectPackedKernel(kernel)
                AttentionProducts.selectWideTiles(kernel == .avx512)
                let start = DispatchTime.now().uptimeNanoseconds
                buffers[layer % layers].withUnsafeBufferPointer { x in
                    scores.withUnsafeMutableBufferPointer { s in out.withUnsafeMutableBufferPointer { o in
                        scratch.withUnsafeMutableBufferPointer { w in
                            for h in 0..<heads {
                                let q = x.baseAddress! + h * d
                                if part != "context" {
                                    AttentionProducts.scores(queries: n, keys: n, headDim: d, q: q, ldq: width,
                                                             k: q + heads * d, ldk: width, scratch: w.baseAddress!,
                                                             s: s.baseAddress!, lds: n)
                                }
                                if part != "scores" {
                                    AttentionProducts.context(queries: n, keys: n, headDim: d, p: s.baseAddress!, ldp: n,
                                                              v: q + 2 * heads * d, ldv: width, scratch: w.baseAddress!,
                                                              o: o.baseAddress! + h * d, ldo: heads * d)
                                }
                            }
                        }
                    } }
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if round > 0 { times[kernel, default: []].append(seconds) }  // round 0 warms up
            }
            layer += 1
        }
        let flops = (part == "both" ? 4.0 : 2.0) * Double(n) * Double(n) * Double(d) * Double(heads)
        for kernel in kernels {
            let t = (times[kernel] ?? []).sorted()
            guard let best = t.first else { continue }
            let median = t[t.count / 2]
            print(String(format: "%@ n %4d d %3d heads %2d layers %2d %-7@ best %8.1f µs (%6.1f GFLOP/s)  median %8.1f µs (%6.1f GFLOP/s)",
                         part as NSString, n, d, heads, layers, "\(kernel)" as NSString, best * 1e6, flops / best / 1e9, median * 1e6,
                         flops / median / 1e9))
            print(String(format: "{\"part\":\"%@\",\"n\":%d,\"d\":%d,\"heads\":%d,\"layers\":%d,\"kernel\":\"%@\",\"best_gflops\":%.1f,\"median_gflops\":%.1f}",
                         part as NSString, n, d, heads, layers, "\(kernel)" as NSString, flops / best / 1e9, flops / median / 1e9))
        }
    }
}
