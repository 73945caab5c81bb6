import ArgumentParser
import BERT
import Foundation

/// `bert ner`: transformers' token-classification pipeline.
struct NERCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ner",
        abstract: "Tag entities with a BertForTokenClassification checkpoint; one JSON list of entities per text.",
        discussion: """
            Entities are {entity, score, index, word, start, end} (--aggregation-strategy none) or \
            {entity_group, score, word, start, end}; start/end are character offsets into the text.
              bert ner --model DIR --aggregation-strategy simple "Hugo Chávez met Angela Merkel in Zürich."
              bert ner --model DIR --input texts.jsonl      (lines of {"text": ...} or "...")
            """)

    @OptionGroup var options: PipelineInputOptions
    @Argument(help: "Texts to tag.") var texts: [String] = []
    @Option(help: "none, simple, first, average or max.") var aggregationStrategy: String = "none"
    @Option(help: "Cover long texts with windows of model_max_length tokens overlapping by this many (needs an aggregation strategy).")
    var stride: Int?
    @Option(help: "Comma-separated labels to drop (default O; empty string keeps all).") var ignoreLabels: String = "O"

    func run() throws {
        let lines = try options.jsonLines()
        let inputs = lines.isEmpty ? texts : try options.strings(lines, "text").map { $0! }
        guard !inputs.isEmpty else { throw ValidationError("give TEXT... or --input FILE") }
        guard let strategy = AggregationStrategy(rawValue: aggregationStrategy) else {
            throw ValidationError("--aggregation-strategy must be none, simple, first, average or max")
        }
        let pipe = try TokenClassificationPipeline(directory: options.directory)
        let ignore = ignoreLabels.split(separator: ",").map(String.init)
        guard let results = try options.run(task: "ner", inputs: inputs.count, {
            try pipe(inputs, aggregationStrategy: strategy, ignoreLabels: ignore, stride: stride, batchSize: options.batchSize)
        }) else { return }
        for r in results {
            printJSONLine(r)
        }
    }
}
