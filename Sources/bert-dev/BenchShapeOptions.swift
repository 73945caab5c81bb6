import ArgumentParser
import BERT
import Foundation

/// The model and batch shape of the training-step benchmarks (`train-step`, `distill`), their repetitions, threads
/// and the Python that runs the PyTorch reference in the same run.
struct BenchShapeOptions: ParsableArguments {
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

    /// A BERT config of this shape.
    var config: BertConfig {
        var c = BertConfig()
        (c.numHiddenLayers, c.hiddenSize, c.numAttentionHeads, c.intermediateSize) = (layers, hiddenSize, heads, intermediateSize)
        return c
    }

    /// Whether a reference run is asked for and possible.
    var runsReference: Bool { !python.isEmpty && FileManager.default.isExecutableFile(atPath: python) }
}
