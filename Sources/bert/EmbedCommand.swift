import ArgumentParser
import BERT
import BERTCommandLine
import BERTSearch
import Foundation

/// `bert embed`: sentence vectors as JSON lines, streamed as they are computed, or one matrix file.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Sentence embeddings (Sentence-Transformers models or BERT with mean pooling).",
        discussion: """
            Prints one JSON line {"text", "embedding"} per text, written as each batch finishes, or with \
            --output FILE.safetensors|FILE.npy one [texts, dimension] float32 matrix ("embeddings"). A SPLADE \
            SparseEncoder folder prints {"text", "indices", "values"}: the non-zero vocabulary weights. \
            --precision int8|uint8|binary|ubinary prints integers as sentence-transformers' encode(precision=...): \
            int8/uint8 bucket each dimension between its minimum and maximum over all the texts given (so every \
            text is embedded before any line is printed), binary/ubinary pack the sign bits 8 per byte.
              bert embed --model models/all-MiniLM-L6-v2 "A man is eating food." "Someone eats."
              bert embed --model sentence-transformers/all-MiniLM-L6-v2 --input texts.txt --output vectors.npy
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inferenceOptions: InferenceOptions
    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var progressOptions: ProgressOptions
    @Argument(help: "Texts to embed.") var texts: [String] = []
    @Option(help: "Texts per forward pass.") var batchSize = 32
    @Option(help: "L2-normalise the vectors (default: as the model's Normalize module says).") var normalize: Bool?
    @Option(help: "Truncate texts to this many tokens (default: the model's max_seq_length).") var maxSeqLength: Int?
    @Option(help: "Keep the first N values of each vector (Matryoshka models; sentence-transformers' truncate_dim).") var truncateDim: Int?
    @Option(help: "Write every vector to one file instead of stdout: .safetensors or .npy.") var output: String?
    @Option(help: "Prepend the prompt of this name from config_sentence_transformers.json (default: the model's default prompt).")
    var promptName: String?
    @Option(help: "Prepend this text to every input (wins over --prompt-name).") var prompt: String?
    @Option(help: "SPLADE models: keep only the N largest weights of each vector (sentence-transformers' max_active_dims).")
    var maxActiveDims: Int?
    @Option(help: "float32, int8, uint8, binary or ubinary (sentence-transformers' precision).")
    var precision: EmbeddingPrecision = .float32

    func validate() throws {
        try validateCount(batchSize, "--batch-size", max: 65_536)
        if let maxSeqLength { try validateCount(maxSeqLength, "--max-seq-length", max: 1 << 20) }
        if let truncateDim { try validateCount(truncateDim, "--truncate-dim", max: 1 << 20) }
        if let maxActiveDims { try validateCount(maxActiveDims, "--max-active-dims", max: 1 << 24) }
        if let output, MatrixFileFormat(path: output) == nil {
            throw ValidationError("--output must end in .safetensors or .npy, not \(output)")
        }
    }

    func run() throws {
        let all = try inputOptions.texts(arguments: texts)
        guard !all.isEmpty else { throw ValidationError("give texts as arguments or with --input") }
        let model = try inferenceOptions.loading { try SentenceTransformer(directory: modelOptions.directory()) }
        try inferenceOptions.apply(to: model.bert)
        if let maxSeqLength { try model.setMaxSequenceLength(maxSeqLength) }
        if let truncateDim, truncateDim > model.dimension {
            throw CommandLineError("--truncate-dim \(truncateDim) is larger than the model's \(model.dimension) dimensions")
        }
        if precision != .float32 {
            if output != nil { throw CommandLineError("--precision \(precision.rawValue) prints integers; it cannot be combined with --output") }
            if model.splade != nil { throw CommandLineError("--precision applies to dense embeddings, not to a SPLADE model's") }
            if [.int8, .uint8].contains(precision), all.count < 2 {
                throw CommandLineError("--precision \(precision.rawValue) takes each dimension's range from the texts given: give at least two")
            }
        }
        if maxActiveDims != nil, model.splade == nil {
            throw CommandLineError("--max-active-dims applies to SPLADE SparseEncoder models; this model's vectors are dense")
        }
        _ = try model.resolvePrompt(prompt, name: promptName)  // an unknown name fails before any work
        let progress = ProgressDisplay("embedded", total: all.count, unit: "texts", quiet: progressOptions.quiet)
        defer { progress.finish() }
        // Chunks of several batches: each chunk is sorted by length inside `encode`, and its lines are written as
        // soon as it is done, so a long run killed midway keeps what it finished.
        // int8 / uint8 buckets come from every text's vector, so those run as one chunk.
        let chunk = [.int8, .uint8].contains(precision) ? all.count : max(batchSize * 8, 256)
        var matrix: [Float] = []
        var dimension = 0
        for start in stride(from: 0, to: all.count, by: chunk) {
            let texts = Array(all[start..<min(start + chunk, all.count)])
            var vectors = try model.encode(texts, batchSize: batchSize, normalize: normalize, truncateDimension: truncateDim,
                                           prompt: prompt, promptName: promptName) { done, _ in
                progress.update(start + done)
            }
            if let maxActiveDims { vectors = vectors.map { SparseEmbedding(dense: $0, maxActiveDimensions: maxActiveDims).dense } }
            if output != nil {
                for v in vectors { matrix += v }
                dimension = vectors.first?.count ?? dimension
                continue
            }
            var bytes: [UInt8] = []
            let integers = precision == .float32 ? nil : try quantizeEmbeddings(vectors, precision: precision)
            for (offset, (text, vector)) in zip(texts, vectors).enumerated() {
                do {
                    if let integers {
                        bytes += try StandardOutput.jsonLineBytes(["text": .string(text),
                                                                   "embedding": .array(integers[offset].map { .integer(Int64($0)) })])
                        continue
                    }
                    if model.splade != nil {
                        let sparse = SparseEmbedding(dense: vector)
                        bytes += try StandardOutput.jsonLineBytes([
                            "text": .string(text), "indices": .array(sparse.indices.map { .integer(Int64($0)) }),
                            "values": jsonArray(sparse.values),
                        ])
                        continue
                    }
                    bytes += try StandardOutput.jsonLineBytes(["text": .string(text), "embedding": jsonArray(vector)])
                } catch {
                    throw CommandLineError("text \(start + offset + 1): \(error)")
                }
            }
            try StandardOutput.write(bytes)
        }
        if let output, let format = MatrixFileFormat(path: output) {
            if let bad = matrix.firstIndex(where: { !$0.isFinite }) {
                throw CommandLineError("the embedding of text \(bad / max(dimension, 1) + 1) is not finite (\(matrix[bad])): "
                    + "check the model's weights for NaN or infinity; \(output) was not written")
            }
            try writeMatrix(matrix, rows: all.count, columns: dimension, name: "embeddings", format: format, to: output)
        }
    }
}

/// `bert similarity`: the similarity matrix of texts, by the model's similarity function.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity", abstract: "Similarity between every pair of texts (JSON, or a table with --pretty).",
        discussion: """
            Scores with the model's similarity function as sentence-transformers' model.similarity does: \
            config_sentence_transformers.json's similarity_fn_name, else cosine (dot product for SPLADE models). \
            Prints {"texts", "function", "similarity": [[...]]}.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inferenceOptions: InferenceOptions
    @OptionGroup var inputOptions: InputOptions
    @Argument(help: "Texts to compare.") var texts: [String] = []
    @Flag(help: "Print a readable table instead of JSON.") var pretty = false
    @Option(help: "cosine, dot, euclidean or manhattan (default: the model's similarity_fn_name, else cosine).")
    var similarity: SimilarityFunction?

    func run() throws {
        let all = try inputOptions.texts(arguments: texts)
        guard all.count >= 2 else { throw ValidationError("give at least two texts") }
        let model = try inferenceOptions.loading { try SentenceTransformer(directory: modelOptions.directory()) }
        try inferenceOptions.apply(to: model.bert)
        let v = try model.encode(all)
        let function = similarity ?? model.similarityFunction
        let matrix = function.matrix(v, v)
        if pretty {
            for (i, t) in all.enumerated() {
                let row = matrix[i].map { String(format: "%6.3f", $0) }.joined(separator: " ")
                try StandardOutput.line("\(row)  \(t)")
            }
        } else {
            try StandardOutput.jsonLine(["texts": .array(all.map { .string($0) }), "function": .string(function.rawValue),
                                         "similarity": .array(matrix.map(jsonArray))])
        }
    }
}

/// `bert search`: rank a corpus of texts against queries by the model's similarity function (cosine unless the model
/// names another; dot product for SPLADE models), or search an index.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Semantic search: the documents closest to each query, from an index or a corpus file.",
        discussion: """
            Examples:
              bert search --index docs.sqlite "Someone plays music" --top-k 5 --filter lang=en
              bert search --model models/all-MiniLM-L6-v2 --corpus examples/sentences.txt "Someone plays music"
              bert search --index docs.sqlite --rerank-model cross-encoder/ms-marco-MiniLM-L6-v2 "query" --top-k 5
            With --rerank-model, the best --rerank-candidates documents by embedding are re-scored by the \
            cross-encoder (as `bert rerank` scores them: sigmoid of the logit) and the best --top-k of those are \
            printed, "score" being the cross-encoder's and "retrieval_score" the embedding's.
            """)

    @OptionGroup var modelOptions: OptionalModelOptions
    @OptionGroup var inferenceOptions: InferenceOptions
    @OptionGroup var progressOptions: ProgressOptions
    @Option(help: "An index made by `bert index add`: an SQLite file or a postgres:// URL (its model is used unless --model is given).")
    var index: String?
    @Flag(help: "PostgreSQL: scan the table instead of the HNSW index (exact, slower).") var exact = false
    @Option(help: "Corpus: one text per line, JSON Lines with a \"text\" field, or CSV/TSV with a text column (embedded anew).")
    var corpus: String?
    @Option(help: "How to read --corpus.") var corpusFormat: InputFormat = .auto
    @Argument(help: "Queries.") var queries: [String]
    @Option(help: "Results per query.") var topK = 5
    @Option(help: "Only documents whose metadata field equals the value (KEY=VALUE, repeatable; --index only).")
    var filter: [String] = []
    @Flag(help: "Print readable lines instead of JSON.") var pretty = false
    @Option(help: "A cross-encoder (folder or id) that re-scores the retrieved candidates (retrieve and rerank).")
    var rerankModel: String?
    @Option(help: "Candidates retrieved for --rerank-model to re-score (default: the larger of 32 and --top-k).")
    var rerankCandidates: Int?

    func validate() throws {
        try validateCount(topK, "--top-k", max: Int(Int32.max))
        if queries.isEmpty { throw ValidationError("give at least one query") }
        if (index == nil) == (corpus == nil) { throw ValidationError("give exactly one of --index and --corpus") }
        if corpus != nil && modelOptions.model == nil { throw ValidationError("--corpus needs --model") }
        if corpus != nil && !filter.isEmpty { throw ValidationError("--filter works with --index") }
        for f in filter where !f.contains("=") { throw ValidationError("--filter takes KEY=VALUE, not \"\(f)\"") }
        if let rerankCandidates {
            try validateCount(rerankCandidates, "--rerank-candidates", max: 100_000)
            if rerankModel == nil { throw ValidationError("--rerank-candidates needs --rerank-model") }
            if rerankCandidates < topK { throw ValidationError("--rerank-candidates must be at least --top-k (\(topK))") }
        }
    }

    /// How many candidates the first stage retrieves.
    private var retrieved: Int { rerankModel == nil ? topK : max(rerankCandidates ?? 32, topK) }

    /// The cross-encoder, loaded before any embedding work so a bad --rerank-model fails first.
    private func loadReranker() throws -> RerankPipeline? {
        try rerankModel.map { try RerankPipeline(directory: resolveModelReference($0)) }
    }

    /// Re-scores `results` with `reranker` (when given) and keeps the best --top-k; the first-stage score moves to
    /// `retrievalScore`.
    private func rerank(_ query: String, _ results: [SearchResult], with reranker: RerankPipeline?) throws -> [SearchResult] {
        guard let reranker, !results.isEmpty else { return results }
        let ranked = try reranker(query: query, documents: results.map(\.text), topN: topK, truncate: true)
        return ranked.map { r in
            var result = results[r.index]
            result.retrievalScore = result.score
            result.score = Float(r.score)
            return result
        }
    }

    func run() async throws {
        if let index { try await searchIndex(index) } else { try searchCorpus(corpus!) }
    }

    private func searchIndex(_ path: String) async throws {
        let reranker = try loadReranker()
        let store = try await openVectorIndex(path)
        (store as? PostgresVectorIndex)?.exact = exact
        let folder = try modelOptions.directory(fallback: store.settings.model)
        let fingerprint = ModelFingerprint.of(directory: folder)
        guard fingerprint == store.settings.modelFingerprint else {
            throw SearchError.modelMismatch(index: path, field: "model", stored: store.settings.model, given: modelOptions.model ?? folder.path)
        }
        let model = try inferenceOptions.loading { try SentenceTransformer(directory: folder) }
        try inferenceOptions.apply(to: model.bert)
        let conditions = Dictionary(filter.map { f -> (String, String) in
            let eq = f.firstIndex(of: "=")!
            return (String(f[..<eq]), String(f[f.index(after: eq)...]))
        }, uniquingKeysWith: { $1 })
        for (query, vector) in zip(queries, try model.encode(queries)) {
            let hits = try await store.search(vector, topK: retrieved, filter: conditions)
            let results = hits.map { SearchResult(id: .string($0.id), text: $0.text, score: $0.score, metadata: $0.metadata) }
            try print(query, rerank(query, results, with: reranker))
        }
    }

    private func searchCorpus(_ path: String) throws {
        let docs = try InputOptions.records(path: path, format: corpusFormat).map { try $0.string("text") }
        guard !docs.isEmpty else { throw CommandLineError("\(path) holds no texts") }
        let reranker = try loadReranker()
        let model = try inferenceOptions.loading { try SentenceTransformer(directory: modelOptions.directory(fallback: "")) }
        try inferenceOptions.apply(to: model.bert)
        let progress = ProgressDisplay("embedded corpus", total: docs.count, unit: "texts", quiet: progressOptions.quiet)
        let docVectors = try model.encode(docs) { done, _ in progress.update(done) }
        progress.finish()
        let queryVectors = try model.encode(queries)
        // Scored as model.similarity does: the model's similarity_fn_name (SPLADE: dot product), else cosine.
        let score = model.similarityFunction
        for (q, qv) in zip(queries, queryVectors) {
            let ranked = docVectors.enumerated().map { ($0.offset, score(qv, $0.element)) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(retrieved)
            let results = ranked.map { SearchResult(id: .integer(Int64($0.0)), text: docs[$0.0], score: $0.1, metadata: nil) }
            try print(q, rerank(q, results, with: reranker))
        }
    }

    /// One JSON line per query (`corpus_id` for a corpus, `id` and `metadata` for an index), or readable lines.
    private func print(_ query: String, _ results: [SearchResult]) throws {
        if pretty {
            try StandardOutput.line("query: \(query)")
            for r in results { try StandardOutput.line(String(format: "  %.4f  ", r.score) + r.text) }
            return
        }
        let json: [JSONValue] = results.map { r in
            var object: JSONObject = [index == nil ? "corpus_id" : "id": r.id, "score": .number(Double(r.score)), "text": .string(r.text)]
            if let metadata = r.metadata { object["metadata"] = .object(metadata) }
            if let retrievalScore = r.retrievalScore { object["retrieval_score"] = .number(Double(retrievalScore)) }
            return .object(object)
        }
        try StandardOutput.jsonLine(["query": .string(query), "results": .array(json)])
    }
}

/// One printed search result: the first stage's score, or the cross-encoder's with the first stage's kept beside it.
private struct SearchResult {
    var id: JSONValue
    var text: String
    var score: Float
    var metadata: JSONObject?
    var retrievalScore: Float?
}
