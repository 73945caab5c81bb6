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

    @OptionGroup var options: EvaluationOptions
    @Option(help: "Write per-example predictions to this JSON file.") var predictions: String?

    func run() throws {
        let outcome = try options.evaluate()
        if let predictions {
            guard let predict = outcome.predictions else {
                throw CommandLineError("--predictions is not available for --task \(options.task.rawValue)")
            }
            try writeFileAtomically(StandardOutput.jsonLineBytes(predict()), to: predictions)
        }
        try StandardOutput.jsonLine(.object(outcome.result))
    }
}
