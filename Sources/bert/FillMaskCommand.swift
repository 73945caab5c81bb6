import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert fill-mask`: transformers' fill-mask pipeline.
struct FillMaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-mask",
        abstract: "Predict the [MASK] tokens of texts with a BertForMaskedLM checkpoint; one JSON line per text.",
        discussion: """
            Each line is transformers' output: a list of {score, token, token_str, sequence} for a text with one \
            mask, a list of such lists (one per mask) otherwise.
              bert fill-mask --model DIR "Paris is the [MASK] of France."
              bert fill-mask --model DIR --top-k 3 --targets capital,city "Paris is the [MASK] of France."
              bert fill-mask --model DIR --input texts.jsonl      (lines of {"text": ...} or "...", or a text file)
            """)

    @OptionGroup var options: PipelineOptions
    @Argument(help: "Texts holding [MASK].") var texts: [String] = []
    @Option(help: "Candidates per mask (at most the vocabulary's size).") var topK: Int = 5
    @Option(help: "Comma-separated words to restrict the candidates to.") var targets: String?
    @Flag(help: "Cut texts to the model's length instead of failing.") var truncation = false

    func validate() throws { try validateCount(topK, "--top-k", max: Int(Int32.max)) }

    func run() throws {
        let inputs = try options.inputOptions.texts(arguments: texts)
        guard !inputs.isEmpty else { throw ValidationError("give TEXT... or --input FILE") }
        let pipe = try options.inferenceOptions.loading { try FillMaskPipeline(directory: options.directory()) }
        try options.inferenceOptions.apply(to: pipe.model)
        let targetWords = targets.map { $0.split(separator: ",").map(String.init) }
        try options.streamResults(inputs) { chunk in
            try pipe(chunk, topK: topK, targets: targetWords, batchSize: options.batchSize, truncation: truncation)
                .map { $0.count == 1 ? $0[0].json : $0.json }
        }
    }
}
