import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// One tokenised text-classification example.
package struct TextClassificationFeature: Equatable, Sendable {
    package var ids: [Int]
    package var typeIds: [Int]
    package var label: TextClassificationLabel
}

/// Fine-tuning and evaluating `BertForSequenceClassification` on single-label, multi-label, regression and
/// sentence-pair data, as `transformers`' `run_classification.py` / `run_glue.py` prepare it.
public struct TextClassificationFineTuning {
    /// Single-label, multi-label or regression; nil trains single-label and evaluates as the model's
    /// `problem_type` says.
    public var task: TextClassificationTask?
    /// The data's text, pair and label columns.
    public var columns: TextClassificationColumns

    /// The task with these settings (see the properties).
    public init(task: TextClassificationTask? = nil, columns: TextClassificationColumns = .init()) {
        self.task = task
        self.columns = columns
    }

    /// Tokenises every example (pairs as `[CLS] a [SEP] b [SEP]`), truncating to `maxLength` (longest first).
    package static func features(_ dataset: TextClassificationDataset, tokenizer: Tokenizer, maxLength: Int) throws -> [TextClassificationFeature] {
        var tok = tokenizer
        try tok.setTruncation(TruncationParameters(maxLength: maxLength))
        tok.padding = nil
        return try dataset.examples.map { e in
            let enc = try tok.encode(e.text, pair: e.textPair)
            return TextClassificationFeature(ids: enc.ids, typeIds: FineTunedModelFolder.modelTypeIds(enc, tok), label: e.label)
        }
    }

    /// The padded encoder input of a batch; `tokenTypes: false` (RoBERTa, XLM-R, DistilBERT) leaves the type ids zero.
    package static func input(_ batch: [TextClassificationFeature], padId: Int, tokenTypes: Bool = true) throws -> EncoderInput {
        try EncoderInput(rows: batch.map(\.ids), typeRows: tokenTypes ? batch.map(\.typeIds) : nil, padId: padId)
    }

    /// The loss labels of a batch: class ids, multi-hot targets, or scores.
    package static func labels(_ batch: [TextClassificationFeature], numLabels: Int) -> ClassificationLabels {
        switch batch.first?.label {
        case .category?: return .classes(batch.map { if case let .category(c) = $0.label { return c }; return 0 })
        case .score?: return .targets(batch.map { if case let .score(s) = $0.label { return Float(s) }; return 0 })
        default:
            return .targets(batch.flatMap { f -> [Float] in
                var row = [Float](repeating: 0, count: numLabels)
                if case let .categories(cs) = f.label { for c in cs { row[c] = 1 } }
                return row
            })
        }
    }

    /// The `problem_type` string of a task.
    package static func problemType(_ task: TextClassificationTask) -> String {
        switch task {
        case .singleLabel: return "single_label_classification"
        case .multiLabel: return "multi_label_classification"
        case .regression: return "regression"
        }
    }

    /// A classifier over `dataset.labels` (one output for regression): encoder from `modelDirectory`, head
    /// `classifier` ~ N(0, initializer_range), bias 0.
    package static func makeModel(modelDirectory: URL, dataset: TextClassificationDataset, seed: UInt64) throws -> (BertForSequenceClassification, BertConfig) {
        var config = try FineTunedModelFolder.taskConfig(from: modelDirectory, architecture: "BertForSequenceClassification",
                                                         labels: dataset.task == .regression ? ["LABEL_0"] : dataset.labels,
                                                         problemType: problemType(dataset.task))
        if dataset.task == .regression { config.label2id = ["LABEL_0": 0] }
        let model = try BertForSequenceClassification(config: config, seed: seed)
        try FineTunedModelFolder.loadEncoder(model.bert, from: modelDirectory)
        return (model, config)
    }

    /// A fine-tuned classifier folder, loaded strictly, with its config.
    package static func load(_ directory: URL) throws -> (BertForSequenceClassification, BertConfig) {
        let config = try Pretrained.config(in: directory)
        let model = try BertForSequenceClassification(config: config, randomInit: false)
        try FineTunedModelFolder.loadTaskModel(model, from: directory)
        return (model, config)
    }

    /// Logits [features.count][numLabels] and the mean loss, in inference mode.
    package static func predict(_ model: BertForSequenceClassification, features: [TextClassificationFeature], batchSize: Int = 64,
                               padId: Int = 0) throws -> (logits: [[Float]], loss: Double) {
        try GradientTape.withoutRecording {
            var logits: [[Float]] = [], lossSum = 0.0
            for start in stride(from: 0, to: features.count, by: batchSize) {
                let batch = Array(features[start..<min(start + batchSize, features.count)])
                let (loss, out) = try model.loss(input(batch, padId: padId, tokenTypes: model.bert.config.family.takesTokenTypeIds), labels: labels(batch, numLabels: model.numLabels))
                lossSum += Double(loss.item) * Double(batch.count)
                let v = out.scalars, n = model.numLabels
                for r in 0..<batch.count { logits.append(Array(v[(r * n)..<((r + 1) * n)])) }
            }
            return (logits, lossSum / Double(max(features.count, 1)))
        }
    }

    /// Accuracy and F1 (binary for two classes, plus macro), micro F1 for multi-label, MSE/Pearson/Spearman for
    /// regression; `metricName` is the figure that picks the best checkpoint.
    package static func evaluate(_ model: BertForSequenceClassification, features: [TextClassificationFeature], task: TextClassificationTask,
                                padId: Int = 0) throws -> FineTuningEvaluation {
        let (logits, loss) = try predict(model, features: features, padId: padId)
        switch task {
        case .singleLabel:
            let predictions = logits.map { row in row.indices.max { row[$0] < row[$1] }! }
            let references = features.map { if case let .category(c) = $0.label { return c }; return -1 }
            var m = ["accuracy": ClassificationMetrics.accuracy(predictions: predictions, references: references),
                     "f1_macro": ClassificationMetrics.f1(predictions: predictions, references: references, average: .macro,
                                                          labels: Array(0..<model.numLabels))]
            if model.numLabels == 2 { m["f1"] = ClassificationMetrics.f1(predictions: predictions, references: references, average: .binary(positiveLabel: 1)) }
            return FineTuningEvaluation(loss: loss, metricName: "accuracy", metrics: m)
        case .multiLabel:
            let scores = logits.map { $0.map { 1 / (1 + exp(-Double($0))) } }
            let refs = features.map { f -> [Bool] in
                var row = [Bool](repeating: false, count: model.numLabels)
                if case let .categories(cs) = f.label { for c in cs { row[c] = true } }
                return row
            }
            let r = MultiLabelMetrics.report(scores: scores, references: refs)
            let exact = zip(scores, refs).filter { s, t in s.map { $0 > 0.5 } == t }.count
            return FineTuningEvaluation(loss: loss, metricName: "f1_micro", metrics: ["f1_micro": r.micro.f1, "f1_macro": r.macro.f1,
                                                                                      "subset_accuracy": Double(exact) / Double(max(refs.count, 1))])
        case .regression:
            let p = logits.map { Double($0[0]) }
            let t = features.map { if case let .score(s) = $0.label { return s }; return 0 }
            return FineTuningEvaluation(loss: loss, metricName: "spearman", metrics: [
                "mse": RegressionMetrics.meanSquaredError(predictions: p, references: t),
                "pearson": RegressionMetrics.pearsonCorrelation(p, t), "spearman": RegressionMetrics.spearmanCorrelation(p, t)])
        }
    }

    /// Refuses training data a classifier cannot learn from: single-label data needs two classes and no empty
    /// label, multi-label data at least one class; regression has no classes.
    /// - Throws: `FineTuningError.tooFewClasses` or `.emptyLabel` naming the file.
    package static func checkTrainingLabels(_ data: TextClassificationDataset, file: String) throws {
        switch data.task {
        case .regression: return
        case .multiLabel:
            guard !data.labels.isEmpty else { throw FineTuningError.tooFewClasses(file: file, found: [], needed: 1) }
        case .singleLabel:
            if let empty = data.labels.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }),
               let example = data.examples.first(where: { $0.label == .category(empty) }) {
                throw FineTuningError.emptyLabel(file: file, line: example.line)
            }
            guard data.labels.count >= 2 else { throw FineTuningError.tooFewClasses(file: file, found: data.labels, needed: 2) }
        }
    }

    /// Fine-tunes on `train` (evaluating on `validation` each epoch) and writes `best/`, `last/` and logs to `output`.
    package static func train(modelDirectory: URL, train: URL, validation: URL?, task: TextClassificationTask,
                             columns: TextClassificationColumns = .init(), options: TrainingArguments, output: URL,
                             control: FineTuningControl = .init()) throws -> FineTuningSummary {
        let data = try TextClassificationDataset.read(from: train, task: task, columns: columns)
        try checkTrainingLabels(data, file: train.path)
        let tokenizer = try Tokenizer(directory: modelDirectory)
        let (model, config) = try makeModel(modelDirectory: modelDirectory, dataset: data, seed: options.seed)
        let padId = config.padTokenId
        let trainFeatures = try features(data, tokenizer: tokenizer, maxLength: options.maxSeqLength)
        let evalFeatures = try validation.map { url in
            try features(TextClassificationDataset.read(from: url, task: task, columns: columns, labels: task == .regression ? nil : data.labels),
                         tokenizer: tokenizer, maxLength: options.maxSeqLength)
        }
        let run = FineTuningRun(model: model, features: trainFeatures, options: options, output: output, objective: TextClassificationObjective(model: model, padId: padId), evaluate: evalFeatures.map { f in { try evaluate(model, features: f, task: task, padId: padId) } }, saveModel: { dir in
            try FineTunedModelFolder.save(model, config: config, sourceDirectory: modelDirectory, to: dir)
        }, control: control)
        return try run.run()
    }
}
