import ArgumentParser
import BERT
import Foundation

/// `bert-dev bench train-step`: tokens/s of a BertForPreTraining training step (forward, backward, AdamW) against
/// PyTorch measured in the same run (`scripts/bench_reference.py train-step`).
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-step", abstract: "Pre-training step speed vs PyTorch.")

    @Option var layers = 4
    @Option var hiddenSize = 256
    @Option var heads = 4
    @Option var intermediateSize = 1024
    @Option var batchSize = 16
    @Option var length = 128
    @Option var repeats = 5
    @Option var threads = 2
    @Option(help: "Python with torch (empty: skip the reference run).")
    var python: String = ProcessInfo.processInfo.environment["BERT_BENCH_PYTHON"] ?? ".venv/bin/python"

    func run() throws {
        Threads.set(threads)
        var config = BertConfig()
        config.numHiddenLayers = layers; config.hiddenSize = hiddenSize; config.numAttentionHeads = heads
        config.intermediateSize = intermediateSize
        let model = try BertForPreTraining(config: config, seed: 1)
        let optimizer = AdamW(parameters: model.namedParameters(), learningRate: 1e-4)
        var g = SeededGenerator(seed: 2)
        let n = batchSize * length
        let ids = (0..<n).map { _ in Int(g.next() % 30000) + 100 }
        let labels = ids.map { g.nextUnitFloat() < 0.15 ? $0 : -100 }
        let input = try EncoderInput(inputIds: ids, tokenTypeIds: (0..<n).map { ($0 % length) < length / 2 ? 0 : 1 }, batch: batchSize, length: length)
        let nsp = (0..<batchSize).map { $0 % 2 }
        let context = ForwardContext(training: true, seed: 3)
        func step() throws {
            model.zeroGradients()
            let tape = GradientTape()
            let out = try tape.record { try model.loss(input, labels: labels, nextSentenceLabels: nsp, context: context) }
            try tape.backward(out.total)
            optimizer.update()
        }
        try step()
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let ours = Double(n) / times.sorted()[times.count / 2]
        print(String(format: "swift  train_step tokens/s  %.0f  (%d layers, hidden %d, batch %d × %d, %@)", ours, layers, hiddenSize, batchSize, length, BLAS.description))
        guard !python.isEmpty, FileManager.default.isExecutableFile(atPath: python) else { return }
        for r in try runReference(python: python, arguments: ["train-step"]) where r.runtime == "torch" && r.unit == "tokens/s" {
            print(String(format: "torch  %@  %.0f %@  → swift/torch = %.2fx", r.name, r.value, r.unit, ours / r.value))
        }
    }
}
