import ArgumentParser
import BERT
import Foundation

/// `bert classify`: transformers' text-classification pipeline (single texts and pairs).
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify texts or pairs with a BertForSequenceClassification checkpoint; one JSON line per input.",
        discussion: """
            Without --top-k a line is transformers' default {label, score} (the best label); with --top-k N (or \
            all) a list of them, highest first.
              bert classify --model DIR "I love this movie!"
              bert classify --model DIR --pair "Someone plays music." "A man is playing a guitar."
              bert classify --model DIR --top-k all --function-to-apply sigmoid --input pairs.jsonl
                                                         (lines of {"text": ..., "text_pair": ...})
            """)

    @OptionGroup var options: PipelineInputOptions
    @Argument(help: "Texts to classify.") var texts: [String] = []
    @Option(help: "Second sequence for every TEXT (NLI hypothesis).") var pair: String?
    @Option(help: "Labels per input: a number or 'all' (default: transformers' single best label).") var topK: String?
    @Option(help: "softmax, sigmoid or none (default: the model's problem type decides).") var functionToApply: String?
    @Flag(help: "Cut inputs to the model's length instead of failing.") var truncation = false

    func run() throws {
        let lines = try options.jsonLines()
        let inputs: [TextClassificationInput] = lines.isEmpty
            ? texts.map { .init(text: $0, textPair: pair) }
            : try zip(options.strings(lines, "text"), options.strings(lines, "text_pair", optional: true)).map { .init(text: $0!, textPair: $1) }
        guard !inputs.isEmpty else { throw ValidationError("give TEXT... or --input FILE") }
        var k: Int? = 1
        if let topK { if topK == "all" { k = nil } else if let n = Int(topK) { k = n } else { throw ValidationError("--top-k must be a number or 'all'") } }
        var function: ClassificationFunction?
        if let functionToApply {
            guard let f = ClassificationFunction(rawValue: functionToApply) else { throw ValidationError("--function-to-apply must be softmax, sigmoid or none") }
            function = f
        }
        let pipe = try TextClassificationPipeline(directory: options.directory)
        guard let results = try options.run(task: "text-classification", inputs: inputs.count, {
            try pipe(inputs, topK: k, functionToApply: function, batchSize: options.batchSize, truncation: truncation)
        }) else { return }
        for r in results {
            if topK == nil { printJSONLine(r[0]) } else { printJSONLine(r) }
        }
    }
}
