import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `--top-k` of `bert classify`: a number of labels, or all of them.
enum TopKLabels: ExpressibleByArgument {
    case count(Int), all

    init?(argument: String) {
        if argument == "all" { self = .all } else if let n = Int(argument), n >= 1 { self = .count(n) } else { return nil }
    }

    static var defaultCompletionKind: CompletionKind { .list(["all"]) }
}


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

    @OptionGroup var options: PipelineOptions
    @Argument(help: "Texts to classify.") var texts: [String] = []
    @Option(help: "Second sequence for every TEXT (NLI hypothesis).") var pair: String?
    @Option(help: "Labels per input: a number or 'all' (default: transformers' single best label).") var topK: TopKLabels?
    @Option(help: "Score function (default: the model's problem type decides).") var functionToApply: ClassificationFunction?
    @Flag(help: "Cut inputs to the model's length instead of failing.") var truncation = false

    func run() throws {
        let records = try options.records()
        let inputs: [TextClassificationInput] = try records.isEmpty
            ? texts.map { .init(text: $0, textPair: pair) }
            : records.map { .init(text: try $0.string("text"), textPair: try $0.optionalString("text_pair")) }
        guard !inputs.isEmpty else { throw ValidationError("give TEXT... or --input FILE") }
        var k: Int? = 1
        if case let .count(n)? = topK { k = n } else if case .all? = topK { k = nil }
        let pipe = try options.inferenceOptions.loading { try TextClassificationPipeline(directory: options.directory()) }
        try options.inferenceOptions.apply(to: pipe.model)
        try options.streamResults(inputs) { chunk in
            try pipe(chunk, topK: k, functionToApply: functionToApply, batchSize: options.batchSize, truncation: truncation)
                .map { topK == nil ? $0[0].json : $0.json }
        }
    }
}
