import ArgumentParser
import BERT
import BERTCommandLine
import BERTTraining
import Foundation

/// `bert-dev bench data-parallel`: the time of one BertForPreTraining training step (forward, backward, gradient
/// all-reduce, AdamW) alone or under `mpirun`, split into computation and the all-reduce wait the backward pass did
/// not hide, plus one blocking all-reduce of the whole gradient (the communication alone). Run it as
/// `bert-dev bench data-parallel --batch-size 2b` and `mpirun -np 2 bert-dev bench data-parallel --batch-size b`
/// to compare one process with two ranks on the same global batch (docs/distributed.md).
struct BenchDataParallelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-parallel", abstract: "Training step time under mpirun: computation vs all-reduce.")

    @Option var layers = 4
    @Option var hiddenSize = 256
    @Option var heads = 4
    @Option var intermediateSize = 1024
    @Option(help: "Rows per rank (the global batch is this × ranks).") var batchSize = 8
    @Option var length = 128
    @Option(help: "Timed steps (the median is reported) after one warm-up step.") var repeats = 7
    @Option(help: "Threads per rank (default: the host's cores shared by its ranks).") var threads: Int?

    func run() throws {
        try applyThreads(threads)
        let group = try DataParallelGroup.joined()
        let ranks = group?.size ?? 1
        let writer = group?.isWriter ?? true
        var config = BertConfig()
        config.numHiddenLayers = layers; config.hiddenSize = hiddenSize; config.numAttentionHeads = heads
        config.intermediateSize = intermediateSize
        let model = try BertForPreTraining(config: config, seed: 1)
        let optimizer = AdamW(parameters: model.namedParameters(), learningRate: 1e-4)
        // Each rank draws its own rows; the shapes, not the values, set the time.
        var g = SeededGenerator(seed: 2 + UInt64(group?.rank ?? 0))
        let n = batchSize * length
        let ids = (0..<n).map { _ in Int(g.next() % 30000) + 100 }
        let labels = ids.map { g.nextUnitFloat() < 0.15 ? $0 : -100 }
        let input = try EncoderInput(inputIds: ids, tokenTypeIds: (0..<n).map { ($0 % length) < length / 2 ? 0 : 1 }, batch: batchSize, length: length)
        let nsp = (0..<batchSize).map { $0 % 2 }
        let context = ForwardContext(training: true, seed: 3)
        let forward: (Int, ForwardContext) throws -> StepOutput = { _, context in
            StepOutput(loss: try model.loss(input, labels: labels, nextSentenceLabels: nsp, context: context).total, tokens: n)
        }
        let parallel = try group.flatMap { $0.size > 1 ? try DataParallelStep(model: model, group: $0) : nil }

        func step() throws -> (seconds: Double, waited: Double) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let waitedBefore = parallel?.timing.exposedSeconds ?? 0
            model.zeroGradients()
            if let parallel {
                _ = try parallel.microStep(0, isEmpty: false, last: true, scale: 1, forward: forward, context: context)
                _ = try parallel.finish(loss: 0, tokens: 0)
            } else {
                let tape = GradientTape()
                let out = try tape.record { try forward(0, context) }
                try tape.backward(out.loss)
            }
            optimizer.update()
            return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, (parallel?.timing.exposedSeconds ?? 0) - waitedBefore)
        }
        _ = try step()
        var steps: [(seconds: Double, waited: Double)] = []
        for _ in 0..<repeats { steps.append(try step()) }
        let median = steps.sorted { $0.seconds < $1.seconds }[steps.count / 2]

        // The communication alone: one blocking all-reduce of a buffer the size of every gradient.
        let count = model.parameterCount
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1, count: count)
        var alone: [Double] = []
        if let group, group.size > 1 {
            for _ in 0..<max(3, repeats / 2) {
                try group.barrier()
                let t0 = DispatchTime.now().uptimeNanoseconds
                try group.sum(buffer, count: count)
                alone.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
        }
        guard writer else { return }
        let megabytes = Double(count * 4) / 1e6
        print("\(cpuName()); load average \(loadAverage()); \(BLAS.description)")
        print(DataParallelGroup.describe(group) + "; \(Threads.count) threads per rank")
        print(String(format: "model %d layers, hidden %d: %d parameters (%.1f MB of fp32 gradients); batch %d × %d per rank, global %d × %d",
                     layers, hiddenSize, count, megabytes, batchSize, length, batchSize * ranks, length))
        print(String(format: "step (median of %d): %.1f ms, of which %.1f ms waiting for all-reduces (%.1f%%); %.0f tokens/s over all ranks",
                     repeats, 1000 * median.seconds, 1000 * median.waited, 100 * median.waited / median.seconds,
                     Double(n * ranks) / median.seconds))
        if !alone.isEmpty {
            let t = alone.sorted()[alone.count / 2]
            // A ring all-reduce moves 2(N-1)/N of the buffer through each rank's link.
            print(String(format: "all-reduce alone (blocking, whole gradient, median of %d): %.1f ms = %.1f%% of the step; bus bandwidth %.2f GB/s",
                         alone.count, 1000 * t, 100 * t / median.seconds, 2 * Double(ranks - 1) / Double(ranks) * megabytes / 1000 / t))
        }
    }

    private func cpuName() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return info.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    }

    private func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
