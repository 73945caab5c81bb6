import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert evaluate`: metrics of a fine-tuned model on labelled data, as JSON.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Evaluate a fine-tuned model: accuracy/F1, seqeval entity P/R/F1, SQuAD EM/F1, or Spearman.",
        discussion: """
        classification: accuracy and F1 (labels must be among the model's id2label); ner: entity precision/recall/F1 \
        like seqeval; qa: exact match and F1 like the official SQuAD v1.1/v2.0 script; embedding/similarity: Spearman \
        of cosine scores (sentence1,sentence2,score data). --predictions writes per-example outputs (logits, tags, \
        answers) as JSON.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "The task the model was fine-tuned for.") var task: FineTuneTask
    @Option(help: "Labelled data file.") var data: String
    @Option(help: "Classification labels (default: the model's problem_type).") var labels: LabelKind?
    @Option var maxSeqLength = 128
    @Option var docStride = 128
    @Option(help: "Write per-example predictions to this JSON file.") var predictions: String?

    func validate() throws {
        try validateCount(maxSeqLength, "--max-seq-length", max: 1 << 20)
        try validateCount(docStride, "--doc-stride", max: 1 << 20)
    }

    func run() throws {
        let outcome = try evaluateModel(task: task, directory: modelOptions.directory(), data: URL(fileURLWithPath: data),
                                        labels: labels, maxSeqLength: maxSeqLength, docStride: docStride)
        if let predictions {
            guard let predict = outcome.predictions else {
                throw CommandLineError("--predictions is not available for --task \(task.rawValue)")
            }
            try writeFileAtomically(StandardOutput.jsonLineBytes(predict()), to: predictions)
        }
        try StandardOutput.jsonLine(.object(outcome.result))
    }
}
