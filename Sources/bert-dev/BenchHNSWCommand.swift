import ArgumentParser
import BERT
import BERTSearch
import Foundation

/// `bert-dev bench hnsw`: recall@k of pgvector's HNSW index (through `PostgresVectorIndex`) against the exact scan,
/// on an index of real sentence embeddings plus random unit vectors, for several `ef_search` values; with the time
/// to insert and per-query latency. Queries are held-out real sentences and fresh random vectors, scored apart.
struct BenchHNSWCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hnsw", abstract: "pgvector HNSW recall@k vs exact search on real + random vectors.")

    @Option(help: "PostgreSQL URL (scripts/start-postgres.sh prints one); a fresh table is made and dropped.")
    var postgres: String = ProcessInfo.processInfo.environment["BERT_TEST_POSTGRES"] ?? ""
    @Option(help: "Vectors in the index in all (real embeddings first, random unit vectors after).") var rows = 100_000
    @Option(help: "Real sentences to embed (taken from --text, one per line).") var real = 10_000
    @Option(help: "Sentence-embedding model for the real vectors.") var model = "models/all-MiniLM-L6-v2"
    @Option(parsing: .upToNextOption, help: "Text files, one sentence or paragraph per line.")
    var text: [String] = []
    @Option(help: "Queries of each kind (held-out real sentences, random vectors).") var queries = 100
    @Option(help: "Results per query.") var topK = 10
    @Option(help: "ef_search values to measure, comma-separated.") var efSearch = "40,100,200,400"
    @Option(help: "HNSW m.") var m = 16
    @Option(help: "HNSW ef_construction.") var efConstruction = 64

    func run() async throws {
        guard !postgres.isEmpty else { throw ValidationError("--postgres URL (or BERT_TEST_POSTGRES) is required") }
        guard rows > 0, rows <= 10_000_000, real >= 0, real <= rows, queries > 0, topK > 0 else {
            throw ValidationError("need 0 ≤ --real ≤ --rows ≤ 10,000,000 and positive --queries / --top-k")
        }
        let efValues = efSearch.split(separator: ",").compactMap { Int($0) }
        var sentences: [String] = []
        var seen = Set<String>()
        for file in text {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(whereSeparator: \.isNewline) {
                let s = line.trimmingCharacters(in: .whitespaces)
                if s.split(separator: " ").count >= 5, seen.insert(s).inserted { sentences.append(s) }
            }
        }
        let realQueries = real > 0 ? queries : 0
        guard sentences.count >= real + realQueries else {
            throw ValidationError("--text has \(sentences.count) distinct lines of 5+ words; \(real + realQueries) needed")
        }
        var vectors: [[Float]] = []
        var queryVectors: [(kind: String, vector: [Float])] = []
        var dimension = 384
        if real > 0 {
            let embedder = try SentenceTransformer(model: model)
            dimension = embedder.dimension
            let wanted = Array(sentences[0..<(real + realQueries)])
            let start = Date()
            for begin in stride(from: 0, to: wanted.count, by: 256) {
                let chunk = Array(wanted[begin..<min(begin + 256, wanted.count)])
                vectors += try embedder.encode(chunk, batchSize: 32, normalize: true)
                let done = begin + chunk.count, rate = Double(done) / Date().timeIntervalSince(start)
                FileHandle.standardError.write(Data(String(format: "\rembedded %d/%d  %.0f/s  ETA %.0f s ",
                                                             done, wanted.count, rate, Double(wanted.count - done) / rate).utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            queryVectors = vectors[real...].map { ("real", $0) }
            vectors.removeLast(realQueries)
        }
        var generator = SeededGenerator(seed: 7)
        func randomUnit() -> [Float] {
            var v = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
            let scale = 1 / v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] *= scale }
            return v
        }
        while vectors.count < rows { vectors.append(randomUnit()) }
        queryVectors += (0..<queries).map { _ in ("random", randomUnit()) }

        let settings = IndexSettings(model: model, modelFingerprint: "bench", dimension: dimension, normalized: true, pooling: "mean")
        let table = "bench_hnsw_\(UInt32.random(in: 0...UInt32.max))"
        let url = postgres + (postgres.contains("?") ? "&" : "?") + "table=\(table)&hnsw_m=\(m)&ef_construction=\(efConstruction)"
        let index = try await PostgresVectorIndex(url: url, creating: settings)
        let insertStart = Date()
        try await index.beginBulkLoad()
        for begin in stride(from: 0, to: rows, by: 1000) {
            let docs = (begin..<min(begin + 1000, rows)).map { IndexDocument(id: "\($0)", text: "", vector: vectors[$0]) }
            try await index.add(docs)
            let done = begin + docs.count, rate = Double(done) / Date().timeIntervalSince(insertStart)
            FileHandle.standardError.write(Data(String(format: "\rindexed %d/%d  %.0f/s  ETA %.0f s ",
                                                         done, rows, rate, Double(rows - done) / rate).utf8))
        }
        FileHandle.standardError.write(Data("\nbuilding the HNSW index ...\n".utf8))
        let buildStart = Date()
        try await index.finishBulkLoad()
        let buildSeconds = Date().timeIntervalSince(buildStart)
        let insertSeconds = Date().timeIntervalSince(insertStart)
        print(String(format: "%d vectors (%d real %@ embeddings, %d random unit) × %d, HNSW m=%d ef_construction=%d: loaded and indexed in %.0f s (%.0f/s; graph build %.0f s)",
                     rows, real, model, rows - real, dimension, m, efConstruction, insertSeconds, Double(rows) / insertSeconds, buildSeconds))

        var exactScan = InMemoryVectors(dimension: dimension, quantization: .none)
        for (i, v) in vectors.enumerated() { exactScan.append(rowid: Int64(i), vector: v) }
        let truth = queryVectors.map { Set(exactScan.best($0.vector, k: topK, allowed: nil).map { String($0.row) }) }
        for ef in efValues {
            index.efSearch = ef
            var found: [String: Int] = [:], asked: [String: Int] = [:]
            var times: [Double] = []
            for (q, query) in queryVectors.enumerated() {
                let start = Date()
                let hits = try await index.search(query.vector, topK: topK, filter: [:])
                times.append(Date().timeIntervalSince(start) * 1e3)
                found[query.kind, default: 0] += hits.filter { truth[q].contains($0.id) }.count
                asked[query.kind, default: 0] += topK
            }
            let recalls = asked.keys.sorted().map { String(format: "%@ %.4f", $0, Double(found[$0]!) / Double(asked[$0]!)) }
            print(String(format: "ef_search %4d: recall@%d %@   (all %.4f)   median %.1f ms/query", ef, topK,
                         recalls.joined(separator: ", "), Double(found.values.reduce(0, +)) / Double(asked.values.reduce(0, +)),
                         times.sorted()[times.count / 2]))
        }
        try await index.dropTables()
    }
}
