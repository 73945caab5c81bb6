import ArgumentParser
import BERT
import Foundation

/// `bert-dev bench train-step`: tokens/s of a BertForPreTraining training step (forward, backward, AdamW) against
/// PyTorch measured in the same run (`scripts/bench_reference.py train-step`).
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-step", abstract: "Pre-training step speed vs PyTorch.")

    @OptionGroup var shape: BenchShapeOptions

    func run() throws {
        let (layers, hiddenSize, batchSize, length) = (shape.layers, shape.hiddenSize, shape.batchSize, shape.length)
        Threads.set(shape.threads)
        let model = try BertForPreTraining(config: shape.config, seed: 1)
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
        let ours = Double(n) / (try BenchEmbedCommand.median(step, repeats: shape.repeats))
        print(String(format: "swift  train_step tokens/s  %.0f  (%d layers, hidden %d, batch %d × %d, %@)", ours, layers, hiddenSize, batchSize, length, BLAS.description))
        guard shape.runsReference else { return }
        for r in try runReference(python: shape.python, arguments: ["train-step"]) where r.runtime == "torch" && r.unit == "tokens/s" {
            print(String(format: "torch  %@  %.0f %@  → swift/torch = %.2fx", r.name, r.value, r.unit, ours / r.value))
        }
    }
}
