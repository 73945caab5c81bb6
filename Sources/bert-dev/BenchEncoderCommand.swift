import ArgumentParser
import BERT
import BERTKernels
import Foundation

/// `bert-dev bench encoder`: forward latency and throughput of a base-shaped family member with generated weights
/// (BERT-base; DistilBERT-base: 6 layers, no token types; RoBERTa-base: 50,265 tokens, 514 positions; ALBERT-base:
/// embedding 128, one shared layer applied 12 times).
struct BenchEncoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "encoder", abstract: "Base-shape forward pass timing.")

    @Option(help: "Batch size.") var batch = 1
    @Option(help: "Sequence length.") var length = 128
    @Option(help: "Timed repetitions.") var repeats = 10
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Family member: bert, roberta, distilbert or albert (base shapes).") var modelType = "bert"
    @Flag(help: "Pack the weights first (BertModel.prepareForInference).") var packedWeights = false
    @Flag(help: "One JSON line (model, batch, length, median_ms, min_ms, sequences_per_s, weight_bytes, peak_rss_mib).") var json = false

    /// The base shapes `transformers` publishes for each member.
    static func baseConfig(_ name: String) throws -> BertConfig {
        guard let type = BertConfig.ModelType(rawValue: name) else {
            throw ValidationError("--model-type \(name) is unknown; use bert, roberta, xlm-roberta, distilbert or albert")
        }
        var config = BertConfig(modelType: type)
        switch type {
        case .bert, .distilbert: break
        case .roberta, .xlmRoberta: (config.maxPositionEmbeddings, config.typeVocabSize) = (514, 1)
        case .albert: (config.hiddenSize, config.numAttentionHeads, config.intermediateSize) = (768, 12, 3072)
        }
        config.hiddenDropoutProb = 0
        return config
    }

    func run() throws {
        Threads.set(threads)
        let config = try Self.baseConfig(modelType)
        let model = try BertModel(config: config, randomInit: false)
        try model.load(from: SyntheticCheckpoint(shapesOf: model))
        if packedWeights { model.prepareForInference() }
        var g = SeededGenerator(seed: 1)
        let ids = (0..<(batch * length)).map { _ in Int(g.next() % UInt64(config.vocabSize - 100)) + 100 }
        let input = try EncoderInput(inputIds: ids, batch: batch, length: length)
        _ = try model(input)
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try model(input)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        times.sort()
        let (median, best) = (times[times.count / 2], times[0])
        let weightBytes = model.parameterCount * MemoryLayout<Float>.size
        if json {
            print(String(format: #"{"model": "%@", "batch": %d, "length": %d, "median_ms": %.3f, "min_ms": %.3f, "sequences_per_s": %.2f, "weight_bytes": %d, "peak_rss_mib": %.1f}"#,
                         modelType, batch, length, median, best, Double(batch) / median * 1000, weightBytes, peakResidentMiB()))
        } else {
            print(String(format: "%@-base %d×%d: median %.2f ms, min %.2f ms (%@); weights %.1f MB, peak RSS %.0f MiB", modelType, batch,
                         length, median, best, BLAS.description, Double(weightBytes) / 1e6, peakResidentMiB()))
        }
    }
}
