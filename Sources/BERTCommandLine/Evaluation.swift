import ArgumentParser
import BERT
@_spi(Fuzzing) import BERTTraining
import Foundation

/// The fine-tuning tasks `bert finetune` and `bert evaluate` know.
package enum FineTuneTask: String, ExpressibleByArgument, CaseIterable {
    case classification, ner, qa, embedding, similarity
}

/// The classification label kinds: one label, several (multi-label), or a number (regression).
package enum LabelKind: String, ExpressibleByArgument, CaseIterable {
    case single, multi, regression

    /// The library's task for this kind.
    package var task: TextClassificationTask {
        switch self {
        case .single: return .singleLabel
        case .multi: return .multiLabel
        case .regression: return .regression
        }
    }
}

/// A model evaluated on a labelled file: the figures, per-example predictions, and what a parity dump needs
/// (each feature's ids and a function giving the model's raw outputs for one row).
package struct EvaluationOutcome {
    /// The type ids the model is given: the features' own, or zeros for members whose tokenizers return none
    /// (RoBERTa, XLM-R, DistilBERT, which refuses nonzero ones).
    static func modelTypeIds(_ typeIds: [Int], _ config: BertConfig) -> [Int] {
        config.family.takesTokenTypeIds ? typeIds : [Int](repeating: 0, count: typeIds.count)
    }

    /// `{task, model, data, loss, metrics, ...}` as `bert evaluate` prints it.
    package var result: JSONObject
    /// Per-example predictions (logits, tags or answers), computed when called; nil when the task has none.
    package var predictions: (() throws -> JSONValue)?
    /// Input ids and token type ids of every feature.
    package var rows: [(ids: [Int], typeIds: [Int])]
    /// The model's raw outputs (logits, or embeddings) for one unpadded row.
    package var outputs: (EncoderInput) throws -> [Float]
}

/// Evaluates the model in `directory` on `data` for `task`.
package func evaluateModel(task: FineTuneTask, directory dir: URL, data url: URL, labels: LabelKind?, maxSeqLength: Int,
                           docStride: Int) throws -> EvaluationOutcome {
    var result: JSONObject = ["task": .string(task.rawValue), "model": .string(dir.path), "data": .string(url.path)]
    func record(_ e: FineTuningEvaluation) {
        result["loss"] = e.loss.map(finiteOrNull) ?? .null
        result["metrics"] = .object(JSONObject(e.metrics.mapValues(finiteOrNull)))
    }
    switch task {
    case .classification:
        let (model, config) = try TextClassificationFineTuning.load(dir)
        let kind: TextClassificationTask = labels?.task ?? config.problemType.map {
            $0.hasPrefix("multi") ? .multiLabel : $0 == "regression" ? .regression : .singleLabel
        } ?? .singleLabel
        let names = kind == .regression ? nil : try FineTunedModelFolder.labels(of: config, directory: dir)
        let dataset = try TextClassificationDataset.read(from: url, task: kind, labels: names)
        let f = try TextClassificationFineTuning.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: maxSeqLength)
        record(try TextClassificationFineTuning.evaluate(model, features: f, task: kind, padId: config.padTokenId))
        result["examples"] = .integer(Int64(f.count))
        let predictions = {
            JSONValue.array(try TextClassificationFineTuning.predict(model, features: f, padId: config.padTokenId).logits.map(jsonArray))
        }
        return EvaluationOutcome(result: result, predictions: predictions, rows: f.map { ($0.ids, EvaluationOutcome.modelTypeIds($0.typeIds, config)) },
                                 outputs: { try model($0).scalars })
    case .ner:
        let (model, config) = try TokenClassificationFineTuning.load(dir)
        let names = try FineTunedModelFolder.labels(of: config, directory: dir)
        let dataset = try TokenClassificationDataset.readCoNLL(from: url, labels: names)
        let f = try TokenClassificationFineTuning.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: maxSeqLength)
        let (e, report) = try TokenClassificationFineTuning.evaluate(model, features: f, labels: names, padId: config.padTokenId)
        record(e)
        result["sentences"] = .integer(Int64(f.count))
        result["per_type"] = .object(JSONObject(Dictionary(uniqueKeysWithValues: report.perType.map {
            ($0.type, JSONValue.object(["precision": finiteOrNull($0.scores.precision), "recall": finiteOrNull($0.scores.recall),
                                        "f1": finiteOrNull($0.scores.f1), "support": .integer(Int64($0.scores.support))]))
        })))
        let predictions = {
            let tags = try TokenClassificationFineTuning.predict(model, features: f, padId: config.padTokenId).predictions
            return JSONValue.array(tags.map { .array($0.map { .string(names[$0]) }) })
        }
        return EvaluationOutcome(result: result, predictions: predictions,
                                 rows: f.map { ($0.ids, EvaluationOutcome.modelTypeIds($0.typeIds, config)) }, outputs: { try model($0).scalars })
    case .qa:
        let (model, config) = try QuestionAnsweringFineTuning.load(dir)
        let dataset = try SQuADDataset.read(from: url)
        let f = try QuestionAnsweringFineTuning.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: maxSeqLength,
                                                         stride: min(docStride, maxSeqLength / 2), file: url.path)
        let (e, answers) = try QuestionAnsweringFineTuning.evaluate(model, dataset: dataset, features: f, padId: config.padTokenId)
        record(e)
        result["questions"] = .integer(Int64(dataset.examples.count))
        result["features"] = .integer(Int64(f.count))
        result["version_2_with_negative"] = .bool(QuestionAnsweringFineTuning.isVersionTwo(dataset))
        return EvaluationOutcome(result: result, predictions: { .object(JSONObject(answers.mapValues { .string($0) })) },
                                 rows: f.map { ($0.ids, EvaluationOutcome.modelTypeIds($0.typeIds, config)) },
                                 outputs: { let (s, e) = try model($0); return s.scalars + e.scalars })
    case .embedding, .similarity:
        let model = try SentenceTransformer(directory: dir)
        let f = try SentenceEmbeddingFineTuning.features(SentenceEmbeddingDataset.read(from: url), model: model, maxLength: maxSeqLength)
        record(try SentenceEmbeddingFineTuning.evaluate(model, features: f, padId: model.bert.config.padTokenId))
        result["pairs"] = .integer(Int64(f.count))
        return EvaluationOutcome(result: result, predictions: nil,
                                 rows: f.map { ($0.texts[0], [Int](repeating: 0, count: $0.texts[0].count)) },
                                 outputs: { try model.embed($0, normalize: false).scalars })
    }
}

/// JSON has no NaN: an undefined figure (e.g. Spearman of constant scores) becomes null.
package func finiteOrNull(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }

/// What `bert evaluate` and `bert-dev dump-outputs` both take: a fine-tuned model, its task and labelled data.
package struct EvaluationOptions: ParsableArguments {
    @OptionGroup package var modelOptions: ModelOptions
    @Option(help: "The task the model was fine-tuned for.") package var task: FineTuneTask
    @Option(help: "Labelled data file.") package var data: String
    @Option(help: "Classification labels (default: the model's problem_type).") package var labels: LabelKind?
    @Option package var maxSeqLength = 128
    @Option package var docStride = 128

    package init() {}

    package func validate() throws {
        try validateCount(maxSeqLength, "--max-seq-length", max: 1 << 20)
        try validateCount(docStride, "--doc-stride", max: 1 << 20)
    }

    /// Evaluates the model on the data.
    package func evaluate() throws -> EvaluationOutcome {
        try evaluateModel(task: task, directory: modelOptions.directory(), data: URL(fileURLWithPath: data), labels: labels,
                          maxSeqLength: maxSeqLength, docStride: docStride)
    }
}
