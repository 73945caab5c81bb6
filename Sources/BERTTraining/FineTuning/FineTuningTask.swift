import BERTJSON
import BERTModels
import BERTTasks
import BERTTokenizers
import Foundation

/// A fine-tuning task: trains a task model from a model folder on labelled data, and evaluates a fine-tuned model
/// folder on labelled data. `bert finetune` and `bert evaluate` pick the task by `--task` and call it.
public protocol FineTuningTask {
    /// Fine-tunes the model in `modelDirectory` on `train` (evaluating on `validation` after each epoch) and writes
    /// `best/`, `last/`, `log.jsonl`, the plots and `summary.json` to `output`.
    func fineTune(modelDirectory: URL, train: URL, validation: URL?, arguments: TrainingArguments, output: URL,
                  control: FineTuningControl) throws -> FineTuningSummary
    /// The loss and metrics of the fine-tuned model in `modelDirectory` on the labelled `data`, tokenised with
    /// `arguments.maxSeqLength` (and `docStride` for question answering).
    func evaluate(modelDirectory: URL, data: URL, arguments: TrainingArguments) throws -> FineTuningReport
}

extension FineTuningTask {
    /// Fine-tunes as `fineTune(..., control:)`, resuming an earlier run in `output` and reporting nothing.
    public func fineTune(modelDirectory: URL, train: URL, validation: URL?, arguments: TrainingArguments, output: URL) throws -> FineTuningSummary {
        try fineTune(modelDirectory: modelDirectory, train: train, validation: validation, arguments: arguments, output: output, control: .init())
    }
}

/// What evaluating a fine-tuned model found: the figures, task-specific details and per-example predictions.
public struct FineTuningReport {
    /// The loss and metrics.
    public var evaluation: FineTuningEvaluation
    /// Counts and task details in output order (`examples`, `sentences`, `per_type`, `questions`, ...).
    package var details: JSONObject
    /// Per-example predictions (logits, tags or answers), computed when called; nil when the task has none.
    package var predictions: (() throws -> JSONValue)?
    /// Input ids and the type ids the model is given, per feature (for parity dumps).
    package var rows: [(ids: [Int], typeIds: [Int])]
    /// The model's raw outputs (logits, or embeddings) for one unpadded row.
    package var outputs: (EncoderInput) throws -> [Float]
}

/// The type ids a model is given: the features' own, or zeros for families whose tokenizers return none.
private func givenTypeIds(_ typeIds: [Int], _ config: BertConfig) -> [Int] {
    config.family.takesTokenTypeIds ? typeIds : [Int](repeating: 0, count: typeIds.count)
}

/// A vector as a JSON array.
private func jsonNumbers(_ values: [Float]) -> JSONValue { .array(values.map { .number(Double($0)) }) }

/// JSON has no NaN: an undefined figure becomes null.
private func finiteOrNull(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }

extension TextClassificationFineTuning: FineTuningTask {
    public func fineTune(modelDirectory: URL, train: URL, validation: URL?, arguments: TrainingArguments, output: URL,
                         control: FineTuningControl) throws -> FineTuningSummary {
        try Self.train(modelDirectory: modelDirectory, train: train, validation: validation, task: task ?? .singleLabel,
                       columns: columns, options: arguments, output: output, control: control)
    }

    public func evaluate(modelDirectory dir: URL, data url: URL, arguments: TrainingArguments) throws -> FineTuningReport {
        let (model, config) = try Self.load(dir)
        let kind: TextClassificationTask = task ?? config.problemType.map {
            $0.hasPrefix("multi") ? .multiLabel : $0 == "regression" ? .regression : .singleLabel
        } ?? .singleLabel
        let names = kind == .regression ? nil : try FineTunedModelFolder.labels(of: config, directory: dir)
        let dataset = try TextClassificationDataset.read(from: url, task: kind, columns: columns, labels: names)
        let f = try Self.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: arguments.maxSeqLength)
        let e = try Self.evaluate(model, features: f, task: kind, padId: config.padTokenId)
        let predictions = {
            JSONValue.array(try Self.predict(model, features: f, padId: config.padTokenId).logits.map(jsonNumbers))
        }
        return FineTuningReport(evaluation: e, details: ["examples": .integer(Int64(f.count))], predictions: predictions,
                                rows: f.map { ($0.ids, givenTypeIds($0.typeIds, config)) }, outputs: { try model($0).scalars })
    }
}

extension TokenClassificationFineTuning: FineTuningTask {
    public func fineTune(modelDirectory: URL, train: URL, validation: URL?, arguments: TrainingArguments, output: URL,
                         control: FineTuningControl) throws -> FineTuningSummary {
        try Self.train(modelDirectory: modelDirectory, train: train, validation: validation, options: arguments, output: output, control: control)
    }

    public func evaluate(modelDirectory dir: URL, data url: URL, arguments: TrainingArguments) throws -> FineTuningReport {
        let (model, config) = try Self.load(dir)
        let names = try FineTunedModelFolder.labels(of: config, directory: dir)
        let dataset = try TokenClassificationDataset.readCoNLL(from: url, labels: names)
        let f = try Self.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: arguments.maxSeqLength)
        let (e, report) = try Self.evaluate(model, features: f, labels: names, padId: config.padTokenId)
        let perType = JSONObject(Dictionary(uniqueKeysWithValues: report.perType.map {
            ($0.type, JSONValue.object(["precision": finiteOrNull($0.scores.precision), "recall": finiteOrNull($0.scores.recall),
                                        "f1": finiteOrNull($0.scores.f1), "support": .integer(Int64($0.scores.support))]))
        }))
        let predictions = {
            let tags = try Self.predict(model, features: f, padId: config.padTokenId).predictions
            return JSONValue.array(tags.map { .array($0.map { .string(names[$0]) }) })
        }
        return FineTuningReport(evaluation: e, details: ["sentences": .integer(Int64(f.count)), "per_type": .object(perType)],
                                predictions: predictions, rows: f.map { ($0.ids, givenTypeIds($0.typeIds, config)) },
                                outputs: { try model($0).scalars })
    }
}

extension QuestionAnsweringFineTuning: FineTuningTask {
    public func fineTune(modelDirectory: URL, train: URL, validation: URL?, arguments: TrainingArguments, output: URL,
                         control: FineTuningControl) throws -> FineTuningSummary {
        try Self.train(modelDirectory: modelDirectory, train: train, validation: validation, options: arguments, output: output, control: control)
    }

    public func evaluate(modelDirectory dir: URL, data url: URL, arguments: TrainingArguments) throws -> FineTuningReport {
        let (model, config) = try Self.load(dir)
        let dataset = try SQuADDataset.read(from: url)
        let f = try Self.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: arguments.maxSeqLength,
                                  stride: min(arguments.docStride, arguments.maxSeqLength / 2), file: url.path)
        let (e, answers) = try Self.evaluate(model, dataset: dataset, features: f, padId: config.padTokenId)
        return FineTuningReport(evaluation: e, details: ["questions": .integer(Int64(dataset.examples.count)), "features": .integer(Int64(f.count)),
                                                         "version_2_with_negative": .bool(Self.isVersionTwo(dataset))],
                                predictions: { .object(JSONObject(answers.mapValues { .string($0) })) },
                                rows: f.map { ($0.ids, givenTypeIds($0.typeIds, config)) },
                                outputs: { let (s, e) = try model($0); return s.scalars + e.scalars })
    }
}

extension SentenceEmbeddingFineTuning: FineTuningTask {
    public func fineTune(modelDirectory: URL, train: URL, validation: URL?, arguments: TrainingArguments, output: URL,
                         control: FineTuningControl) throws -> FineTuningSummary {
        try Self.train(modelDirectory: modelDirectory, train: train, validation: validation, options: arguments, output: output, control: control)
    }

    public func evaluate(modelDirectory dir: URL, data url: URL, arguments: TrainingArguments) throws -> FineTuningReport {
        let model = try SentenceTransformer(directory: dir)
        let f = try Self.features(SentenceEmbeddingDataset.read(from: url), model: model, maxLength: arguments.maxSeqLength)
        let e = try Self.evaluate(model, features: f, padId: model.bert.config.padTokenId)
        return FineTuningReport(evaluation: e, details: ["pairs": .integer(Int64(f.count))], predictions: nil,
                                rows: f.map { ($0.texts[0], [Int](repeating: 0, count: $0.texts[0].count)) },
                                outputs: { try model.embed($0, normalize: false).scalars })
    }
}
