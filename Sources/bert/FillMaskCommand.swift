import ArgumentParser
import BERT
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
              bert fill-mask --model DIR --input texts.jsonl      (lines of {"text": ...} or "...")
            """)

    @OptionGroup var options: PipelineInputOptions
    @Argument(help: "Texts holding [MASK].") var texts: [String] = []
    @Option(help: "Candidates per mask.") var topK: Int = 5
    @Option(help: "Comma-separated words to restrict the candidates to.") var targets: String?
    @Flag(help: "Cut texts to the model's length instead of failing.") var truncation = false

    func run() throws {
        let lines = try options.jsonLines()
        let inputs = lines.isEmpty ? texts : try options.strings(lines, "text").map { $0! }
        guard !inputs.isEmpty else { throw ValidationError("give TEXT... or --input FILE") }
        let pipe = try FillMaskPipeline(directory: options.directory)
        guard let results = try options.run(task: "fill-mask", inputs: inputs.count, {
            try pipe(inputs, topK: topK, targets: targets.map { $0.split(separator: ",").map(String.init) },
                     batchSize: options.batchSize, truncation: truncation)
        }) else { return }
        for r in results { if r.count == 1 { printJSONLine(r[0]) } else { printJSONLine(r) } }
    }
}
