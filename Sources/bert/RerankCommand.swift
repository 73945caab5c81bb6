import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert rerank`: text-embeddings-inference's `/rerank` with a cross-encoder.
struct RerankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "Rank documents against a query with a cross-encoder; one JSON list of {index, score, text?} per query.",
        discussion: """
            Scores are sigmoid(logit) unless --raw-scores (as TEI's /rerank); sorted highest first.
              bert rerank --model DIR --query "capital of France?" "Paris is the capital." "Bananas are yellow."
              bert rerank --model DIR --top-n 3 --return-text --input requests.jsonl
                                                         (lines of {"query": ..., "texts": [...]})
            """)

    @OptionGroup var options: PipelineOptions
    @Option(help: "The query.") var query: String?
    @Argument(help: "Documents to rank.") var documents: [String] = []
    @Option(help: "Keep the best N.") var topN: Int?
    @Flag(help: "Logits instead of sigmoid scores.") var rawScores = false
    @Flag(help: "Include each document's text.") var returnText = false
    @Flag(help: "Cut pairs to the model's length instead of failing.") var truncate = false

    func validate() throws {
        if let topN { try validateCount(topN, "--top-n", max: Int(Int32.max)) }
    }

    func run() throws {
        let records = try options.records()
        var requests: [(String, [String])] = []
        if records.isEmpty {
            guard let query, !documents.isEmpty else { throw ValidationError("give --query and DOCUMENT..., or --input FILE") }
            requests = [(query, documents)]
        } else {
            requests = try records.map { (try $0.string("query"), try $0.strings("texts")) }
        }
        let pipe = try options.inferenceOptions.loading { try RerankPipeline(directory: options.directory()) }
        try options.inferenceOptions.apply(to: pipe.classifier.model)
        try options.streamResults(requests) { chunk in
            try chunk.map { q, docs in
                try pipe(query: q, documents: docs, topN: topN, rawScores: rawScores, returnText: returnText,
                         truncate: truncate, batchSize: options.batchSize).json
            }
        }
    }
}
