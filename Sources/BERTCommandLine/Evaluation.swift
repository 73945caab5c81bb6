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

extension FineTuneTask {
    /// The library's task for this choice; `labels` and `columns` are classification's settings (nil labels:
    /// single-label when training, the model's `problem_type` when evaluating).
    package func fineTuningTask(labels: LabelKind?, columns: TextClassificationColumns = .init()) -> any FineTuningTask {
        switch self {
        case .classification: return TextClassificationFineTuning(task: labels?.task, columns: columns)
        case .ner: return TokenClassificationFineTuning()
        case .qa: return QuestionAnsweringFineTuning()
        case .embedding, .similarity: return SentenceEmbeddingFineTuning()
        }
    }
}

/// A model evaluated on a labelled file: the figures, per-example predictions, and what a parity dump needs
/// (each feature's ids and a function giving the model's raw outputs for one row).
package struct EvaluationOutcome {
    /// `{task, model, data, loss, metrics, ...}` as `bert evaluate` prints it.
    package var result: JSONObject
    /// Per-example predictions (logits, tags or answers), computed when called; nil when the task has none.
    package var predictions: (() throws -> JSONValue)?
    /// Input ids and token type ids of every feature.
    package var rows: [(ids: [Int], typeIds: [Int])]
    /// The model's raw outputs (logits, or embeddings) for one unpadded row.
    package var outputs: (EncoderInput) throws -> [Float]
}

/// Evaluates the model in `directory` on `data` for `task` (the task's own `FineTuningTask.evaluate`).
package func evaluateModel(task: FineTuneTask, directory dir: URL, data url: URL, labels: LabelKind?, maxSeqLength: Int,
                           docStride: Int) throws -> EvaluationOutcome {
    var arguments = TrainingArguments()
    (arguments.maxSeqLength, arguments.docStride) = (maxSeqLength, docStride)
    let report = try task.fineTuningTask(labels: labels).evaluate(modelDirectory: dir, data: url, arguments: arguments)
    var result: JSONObject = ["task": .string(task.rawValue), "model": .string(dir.path), "data": .string(url.path)]
    result["loss"] = report.evaluation.loss.map(finiteOrNull) ?? .null
    result["metrics"] = .object(JSONObject(report.evaluation.metrics.mapValues(finiteOrNull)))
    for member in report.details { result[member.key] = member.value }
    return EvaluationOutcome(result: result, predictions: report.predictions, rows: report.rows, outputs: report.outputs)
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
