import BERTModels
import BERTNN
import BERTTensor
import BERTTraining
import Foundation

/// Tiny models and data for the run-folder and failure tests (the shapes of TrainerResumeTests').
enum TrainingTestFixtures {
    /// One labelled row of the tiny fine-tuning data.
    struct Example { let ids: [Int]; let label: Int }

    /// The tiny classifier the fine-tuning run tests train: a 1-layer, 16-wide model, 20 examples, 3 epochs of
    /// 5 steps.
    static func tinyClassifier() throws -> (model: BertForSequenceClassification, features: [Example], options: TrainingArguments) {
        var c = BertConfig()
        c.vocabSize = 40; c.hiddenSize = 16; c.numHiddenLayers = 1; c.numAttentionHeads = 2; c.intermediateSize = 32
        c.maxPositionEmbeddings = 16
        let model = try BertForSequenceClassification(config: c, numLabels: 2, seed: 5)
        var g = SeededGenerator(seed: 9)
        let features = (0..<20).map { i in Example(ids: [1] + (0..<6).map { _ in Int(g.next() % 30) + 5 } + [2], label: i % 2) }
        var options = TrainingArguments()
        options.epochs = 3; options.batchSize = 4; options.learningRate = 1e-3; options.logEvery = 1
        return (model, features, options)
    }

    static func tinyConfig() -> BertConfig {
        var c = BertConfig()
        c.vocabSize = 50; c.hiddenSize = 32; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 64
        c.maxPositionEmbeddings = 16
        return c
    }

    static func batches() throws -> [ArrayBatchSource.Batch] {
        var g = SeededGenerator(seed: 5)
        return try (0..<3).map { _ in
            let ids = (0..<(4 * 12)).map { _ in Int(g.next() % 45) + 5 }
            let labels = ids.map { g.next() % 5 == 0 ? $0 : -100 }
            let masked = zip(ids, labels).map { $1 == -100 ? $0 : 4 }
            let input = try EncoderInput(inputIds: masked, attentionMask: (0..<48).map { $0 % 12 < 10 ? 1 : 0 }, batch: 4, length: 12)
            return .init(input: input, labels: labels, nsp: (0..<4).map { _ in Int(g.next() % 2) })
        }
    }

    static func source() throws -> ArrayBatchSource { ArrayBatchSource(batches: try batches()) }

    /// A pre-training trainer over the tiny data writing to `directory`.
    static func trainer(_ directory: URL, steps: Int) throws -> Trainer<ArrayBatchSource> {
        let model = try BertForPreTraining(config: tinyConfig(), seed: 11)
        var options = TrainingArguments(maxSteps: steps)
        options.learningRate = 1e-3; options.saveEvery = 2; options.logEvery = 1
        return Trainer<ArrayBatchSource>(model: model, options: options, outputDirectory: directory) { batch, context in
            let out = try model.loss(batch.input, labels: batch.labels, nextSentenceLabels: batch.nsp, context: context)
            return StepOutput(loss: out.total, tokens: 40)
        }
    }

    static func temporaryFolder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    }
}
