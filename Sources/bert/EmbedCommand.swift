import ArgumentParser
import BERT
import Foundation

/// `bert embed`: sentence vectors as JSON lines.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Sentence embeddings (Sentence-Transformers models or BERT with mean pooling), JSONL out.",
        discussion: "Example: bert embed --model models/all-MiniLM-L6-v2 \"A man is eating food.\" \"Someone eats.\"")

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "Texts to embed.") var texts: [String] = []
    @Option(help: "File of texts: one per line, or JSONL with a \"text\" field.") var input: String?
    @Option(help: "Texts per forward pass.") var batchSize = 32
    @Option(help: "L2-normalise the vectors (default: as the model's Normalize module says).") var normalize: Bool?
    @Option(help: "Truncate texts to this many tokens (default: the model's max_seq_length).") var maxSeqLength: Int?
    @Option(help: "Keep the first N values of each vector (Matryoshka models; sentence-transformers' truncate_dim).") var truncateDim: Int?

    func run() throws {
        let all = try readTexts(arguments: texts, input: input)
        guard !all.isEmpty else { throw ValidationError("give texts as arguments or with --input") }
        let model = try SentenceTransformer(directory: modelOptions.directory())
        if let maxSeqLength { try model.setMaxSequenceLength(maxSeqLength) }
        let vectors = try model.encode(all, batchSize: batchSize, normalize: normalize, truncateDimension: truncateDim) { done, total in
            if total > batchSize { FileHandle.standardError.write(Data("\rembedded \(done)/\(total)".utf8)) }
        }
        if all.count > batchSize { FileHandle.standardError.write(Data("\n".utf8)) }
        for (t, v) in zip(all, vectors) { try printJSONLine(["text": t, "embedding": v.map(Double.init)]) }
    }
}

/// `bert similarity`: the cosine-similarity matrix of texts.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity", abstract: "Cosine similarity between every pair of texts (JSON, or a table with --table).")

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "Texts to compare.") var texts: [String] = []
    @Option(help: "File of texts: one per line, or JSONL with a \"text\" field.") var input: String?
    @Flag(help: "Print a readable table instead of JSON.") var table = false

    func run() throws {
        let all = try readTexts(arguments: texts, input: input)
        guard all.count >= 2 else { throw ValidationError("give at least two texts") }
        let model = try SentenceTransformer(directory: modelOptions.directory())
        let v = try model.encode(all)
        let matrix = v.map { a in v.map { b in cosineSimilarity(a, b) } }
        if table {
            for (i, t) in all.enumerated() {
                let row = matrix[i].map { String(format: "%6.3f", $0) }.joined(separator: " ")
                print("\(row)  \(t)")
            }
        } else {
            try printJSONLine(["texts": all, "similarity": matrix.map { $0.map(Double.init) }])
        }
    }
}

/// `bert search`: rank a corpus of texts against queries by cosine similarity.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Semantic search: the corpus texts closest to each query.",
        discussion: "Example: bert search --model models/all-MiniLM-L6-v2 --corpus examples/sentences.txt \"Someone plays music\"")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Corpus: one text per line, or JSONL with a \"text\" field.") var corpus: String
    @Argument(help: "Queries.") var queries: [String]
    @Option(help: "Results per query.") var topK = 5
    @Flag(help: "Print readable lines instead of JSON.") var pretty = false

    func run() throws {
        let docs = try readTexts(arguments: [], input: corpus)
        let model = try SentenceTransformer(directory: modelOptions.directory())
        let docVectors = try model.encode(docs)
        let queryVectors = try model.encode(queries)
        for (q, qv) in zip(queries, queryVectors) {
            let ranked = docVectors.enumerated().map { ($0.offset, cosineSimilarity(qv, $0.element)) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(topK)
            if pretty {
                print("query: \(q)")
                for (i, s) in ranked { print(String(format: "  %.4f  %@", s, docs[i])) }
            } else {
                try printJSONLine(["query": q, "results": ranked.map { ["corpus_id": $0.0, "score": Double($0.1), "text": docs[$0.0]] as [String: Any] }])
            }
        }
    }
}
