import ArgumentParser
import BERT
import BERTCommandLine
import BERTSearch
import Foundation

extension VectorQuantization: ExpressibleByArgument {}

/// `bert index`: build and manage a lasting search index (`bert search --index` queries it).
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build and manage a lasting semantic-search index (an SQLite file).",
        discussion: """
            Examples:
              bert index add --index docs.sqlite --model sentence-transformers/all-MiniLM-L6-v2 docs.jsonl notes.txt
              bert search --index docs.sqlite "how do I reset my password" --top-k 5 --filter lang=en
              bert index info --index docs.sqlite
            """,
        subcommands: [IndexAddCommand.self, IndexRemoveCommand.self, IndexInfoCommand.self])
}

/// `bert index add`: embed documents and store them; re-running skips the ids already stored.
struct IndexAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Embed and store documents (text lines, JSON Lines with id/text/metadata, or CSV/TSV).",
        discussion: """
            Ids come from an "id" field, else FILE:LINE. JSON Lines may carry a "metadata" object; CSV/TSV columns \
            other than id and text become metadata. Each batch is stored in one transaction: a killed run loses at \
            most the batches in flight (one being embedded, one being stored), and running the same command again adds only what is missing.
            """)

    @Option(help: "The index: an SQLite file (created on first use) or a postgres:// URL (tables created on first use).")
    var index: String
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var progressOptions: ProgressOptions
    @Argument(help: "Files to add (- for standard input).") var files: [String]
    @Option(help: "How to read the files.") var inputFormat: InputFormat = .auto
    @Option(help: "Documents embedded and stored per transaction.") var batchSize = 256
    @Option(help: "Vectors scanned in memory: none (float32, exact), int8 or binary (re-scored with float32); fixed when the index is created.")
    var quantization: VectorQuantization = .none

    func validate() throws {
        try validateCount(batchSize, "--batch-size", max: 1 << 20)
        if files.isEmpty { throw ValidationError("give at least one file to add") }
    }

    func run() async throws {
        var documents: [(id: String, text: String, metadata: JSONObject)] = []
        var seen: [String: String] = [:]
        for file in files {
            for record in try InputOptions.records(path: file, format: inputFormat) {
                let id = try record.optionalString("id") ?? "\(URL(fileURLWithPath: file).lastPathComponent):\(record.line)"
                if let first = seen[id] { throw CommandLineError("\(record.file):\(record.line): the id \"\(id)\" was already used at \(first); ids must be unique") }
                seen[id] = "\(record.file):\(record.line)"
                documents.append((id, try record.string("text"), Self.metadata(record.fields)))
            }
        }
        let folder = try modelOptions.directory()
        let model = try SentenceTransformer(directory: folder)
        guard model.splade == nil else {
            throw CommandLineError("\(modelOptions.model) is a SPLADE SparseEncoder: its vectors are sparse and as wide as the "
                + "vocabulary, which the vector index (dense embeddings) does not store; rank a corpus with `bert search --corpus`")
        }
        let settings = IndexSettings(model: modelOptions.model, modelFingerprint: ModelFingerprint.of(directory: folder),
                                     dimension: model.dimension, normalized: model.normalizes,
                                     pooling: model.pooling.modes.map(\.rawValue).joined(separator: "+"), quantization: quantization)
        let store = try await openVectorIndex(index, creating: settings)
        let stored = try await store.existingIds(documents.map(\.id))
        let pending = documents.filter { !stored.contains($0.id) }
        let postgres = store as? PostgresVectorIndex
        if let postgres, !pending.isEmpty { try await postgres.beginBulkLoad() }
        let progress = ProgressDisplay("indexed", total: pending.count, unit: "documents", quiet: progressOptions.quiet)
        var added = 0
        // PostgreSQL stores a batch while the next one is embedded (the server works in its own process); SQLite
        // stores in this process, between batches.
        var storing: (task: Task<Int, any Error>, end: Int)?
        for start in stride(from: 0, to: pending.count, by: batchSize) {
            let batch = Array(pending[start..<min(start + batchSize, pending.count)])
            let vectors = try model.encode(batch.map(\.text))
            let documents = zip(batch, vectors).map { IndexDocument(id: $0.id, text: $0.text, metadata: $0.metadata, vector: $1) }
            if let previous = storing {
                added += try await previous.task.value
                progress.update(previous.end)
                storing = nil
            }
            if let postgres {
                storing = (Task { try await postgres.add(documents) }, start + batch.count)
            } else {
                added += try await store.add(documents)
                progress.update(start + batch.count)
            }
        }
        if let previous = storing {
            added += try await previous.task.value
            progress.update(previous.end)
        }
        progress.finish()
        if let postgres {
            if !progressOptions.quiet { printToStandardError("building the HNSW index ...") }
            try await postgres.finishBulkLoad()
        }
        try StandardOutput.jsonLine(["index": .string(index), "added": .integer(Int64(added)),
                                     "skipped": .integer(Int64(documents.count - pending.count)), "documents": .integer(Int64(try await store.count()))])
    }

    /// A JSONL record's "metadata" object, or a table row's columns besides id and text.
    static func metadata(_ fields: JSONObject) -> JSONObject {
        if case let .object(object)? = fields["metadata"] { return object }
        var out = JSONObject()
        for member in fields where member.key != "id" && member.key != "text" && member.key != "metadata" { out[member.key] = member.value }
        return out
    }
}

/// `bert index remove`: delete documents by id.
struct IndexRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove documents by id.")

    @Option(help: "The index: an SQLite file or a postgres:// URL.") var index: String
    @Argument(help: "Ids to remove.") var ids: [String]

    func run() async throws {
        let removed = try await openVectorIndex(index).remove(ids: ids)
        try StandardOutput.jsonLine(["index": .string(index), "removed": .integer(Int64(removed))])
    }
}

/// `bert index info`: what an index holds and how it was built.
struct IndexInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show an index's model, dimension and size.")

    @Option(help: "The index: an SQLite file or a postgres:// URL.") var index: String

    func run() async throws {
        let store = try await openVectorIndex(index)
        let s = store.settings
        let documents = try await store.count()
        try StandardOutput.jsonLine([
            "index": .string(index), "documents": .integer(Int64(documents)), "model": .string(s.model),
            "model_fingerprint": .string(s.modelFingerprint), "dimension": .integer(Int64(s.dimension)),
            "normalized": .bool(s.normalized), "pooling": .string(s.pooling), "quantization": .string(s.quantization.rawValue),
        ])
    }
}
