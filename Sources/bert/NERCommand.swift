import ArgumentParser
import BERT
import BERTCommandLine
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
              bert ner --model DIR --input texts.jsonl      (lines of {"text": ...} or "...", or a text file)
            """)

    @OptionGroup var options: PipelineOptions
    @Argument(help: "Texts to tag.") var texts: [String] = []
    @Option(help: "How tokens are grouped into entities.") var aggregationStrategy: AggregationStrategy = .none
    @Option(help: "Cover long texts with windows of model_max_length tokens overlapping by this many (needs an aggregation strategy).")
    var stride: Int?
    @Option(help: "Comma-separated labels to drop (default O; empty string keeps all).") var ignoreLabels: String = "O"

    func validate() throws {
        if let stride { try validateCount(stride, "--stride", max: 1 << 20) }
    }

    func run() throws {
        let inputs = try options.inputOptions.texts(arguments: texts)
        guard !inputs.isEmpty else { throw ValidationError("give TEXT... or --input FILE") }
        let pipe = try options.inferenceOptions.loading { try TokenClassificationPipeline(directory: options.directory()) }
        try options.inferenceOptions.apply(to: pipe.model)
        let ignore = ignoreLabels.split(separator: ",").map(String.init)
        try options.streamResults(inputs) { chunk in
            try pipe(chunk, aggregationStrategy: aggregationStrategy, ignoreLabels: ignore, stride: stride,
                     batchSize: options.batchSize).map(\.json)
        }
    }
}
