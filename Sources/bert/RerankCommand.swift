import ArgumentParser
import BERT
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

    @OptionGroup var options: PipelineInputOptions
    @Option(help: "The query.") var query: String?
    @Argument(help: "Documents to rank.") var documents: [String] = []
    @Option(help: "Keep the best N.") var topN: Int?
    @Flag(help: "Logits instead of sigmoid scores.") var rawScores = false
    @Flag(help: "Include each document's text.") var returnText = false
    @Flag(help: "Cut pairs to the model's length instead of failing.") var truncate = false

    func run() throws {
        let lines = try options.jsonLines()
        var requests: [(String, [String])] = []
        if lines.isEmpty {
            guard let query, !documents.isEmpty else { throw ValidationError("give --query and DOCUMENT..., or --input FILE") }
            requests = [(query, documents)]
        } else {
            for (n, object) in lines.enumerated() {
                guard let q = object["query"] as? String, let texts = object["texts"] as? [String] else {
                    throw ValidationError("\(options.input!):\(n + 1): expected {\"query\": ..., \"texts\": [...]}")
                }
                requests.append((q, texts))
            }
        }
        let pipe = try RerankPipeline(directory: options.directory)
        guard let results = try options.run(task: "rerank", inputs: requests.reduce(0) { $0 + $1.1.count }, {
            try requests.map { q, docs in
                try pipe(query: q, documents: docs, topN: topN, rawScores: rawScores, returnText: returnText,
                         truncate: truncate, batchSize: options.batchSize)
            }
        }) else { return }
        for r in results { printJSONLine(r) }
    }
}
