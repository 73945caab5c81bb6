import ArgumentParser
import BERT
import BERTKernels
import Foundation

/// `bert-dev bench encoder`: forward latency and throughput of a BERT-base-shaped model with generated weights.
struct BenchEncoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "encoder", abstract: "BERT-base-shape forward pass timing.")

    @Option(help: "Batch size.") var batch = 1
    @Option(help: "Sequence length.") var length = 128
    @Option(help: "Timed repetitions.") var repeats = 10
    @Option(help: "Threads.") var threads = 2
    @Flag(help: "Pack the weights first (BertModel.prepareForInference).") var packedWeights = false

    func run() throws {
        Threads.set(threads)
        var config = BertConfig()
        config.hiddenDropoutProb = 0
        let model = try BertModel(config: config)
        try model.load(from: SyntheticCheckpoint(shapesOf: model))
        if packedWeights { model.prepareForInference() }
        var g = SeededGenerator(seed: 1)
        let ids = (0..<(batch * length)).map { _ in Int(g.next() % 30000) + 100 }
        let input = try EncoderInput(inputIds: ids, batch: batch, length: length)
        _ = try model(input)
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try model(input)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        times.sort()
        print(String(format: "BERT-base %d×%d: median %.2f ms, min %.2f ms (%@)", batch, length, times[times.count / 2], times[0], BLAS.description))
    }
}
