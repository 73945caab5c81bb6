import BERTJSON
import BERTSearch
import Hummingbird

/// `POST /search`, `POST /index`, `DELETE /index` and `GET /index` over the index given to `bert serve --index`:
/// the same embeddings and hits as `bert index add` and `bert search --index` (the model's own normalisation,
/// texts cut to its max_seq_length, its default prompt).
extension InferenceServer {
    /// Most hits one query may ask for.
    static let maxTopK = 10_000

    var search: SearchService {
        get throws(ServerError) {
            guard let searchService else {
                throw ServerError(.backend, "this server has no index: start it with `bert serve --index PATH_OR_URL`")
            }
            return searchService
        }
    }

    /// How `bert index add` and `bert search` embed: `SentenceTransformer.encode`'s defaults.
    private var indexOptions: EmbedOptions {
        get throws(ServerError) {
            var options = EmbedOptions()
            options.normalize = try embeddings.normalizes
            options.truncate = true
            return options
        }
    }

    /// `{"query": text | [text], "top_k": 10, "filter": {"key": "value"}}` → per query
    /// `[{"id", "score", "text", "metadata"}]`, best first (a list of those for a list of queries).
    func searchIndex(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let search = try search
        let queries: [String], single: Bool
        switch body.value("query") {
        case let .string(text)?: (queries, single) = ([text], true)
        case .array?:
            queries = try WireFormat.field { () throws(JSONFieldError) in try body.strings("query") ?? [] }
            guard !queries.isEmpty else { throw ServerError(.empty, "`query` cannot be empty") }
            guard queries.count <= configuration.maxClientBatchSize else {
                throw ServerError(.validation, "batch size \(queries.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
            }
            single = false
        case let other?: throw ServerError(.validation, "`query` must be a string or a list of strings, not \(other.kind)")
        case nil: throw ServerError(.validation, "`query` is missing")
        }
        let topK = try WireFormat.positive(body, "top_k") ?? 10
        guard topK <= Self.maxTopK else { throw ServerError(.validation, "`top_k` must be at most \(Self.maxTopK), not \(topK)") }
        var filter: [String: String] = [:]
        if let object = try WireFormat.field({ () throws(JSONFieldError) in try body.object("filter") }) {
            for key in object.keys {
                guard let value = try WireFormat.field({ () throws(JSONFieldError) in try object.string(key) }) else { continue }
                filter[key] = value
            }
        }
        let (vectors, _) = try await embeddings.embed(queries.map { .text($0) }, options: try indexOptions, lengths: metrics.inputLengths)
        var answers: [JSONValue] = []
        for vector in vectors {
            let hits = try await search.search(vector, topK: topK, filter: filter)
            answers.append(.array(hits.map { hit in
                ["id": .string(hit.id), "score": .number(Double(hit.score)), "text": .string(hit.text), "metadata": .object(hit.metadata)]
            }))
        }
        return WireFormat.json(single ? answers[0] : .array(answers))
    }

    /// `{"documents": [{"id", "text", "metadata"?}]}` → `{"added", "skipped", "documents"}`: embeds and stores the
    /// documents whose ids are new, in one transaction (ids already stored are skipped, as `bert index add`).
    func addToIndex(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let search = try search
        let readers = try WireFormat.field { () throws(JSONFieldError) in try body.required(body.objects("documents"), "documents") }
        guard !readers.isEmpty else { throw ServerError(.empty, "`documents` cannot be empty") }
        guard readers.count <= configuration.maxClientBatchSize else {
            throw ServerError(.validation, "batch size \(readers.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        var seen = Set<String>()
        let documents = try readers.map { r throws(ServerError) -> (id: String, text: String, metadata: JSONObject) in
            let (id, text, metadata) = try WireFormat.field { () throws(JSONFieldError) in
                (try r.required(r.string("id"), "id"), try r.required(r.string("text"), "text"), try r.object("metadata")?.object ?? JSONObject())
            }
            guard seen.insert(id).inserted else { throw ServerError(.validation, "the id \"\(id)\" appears twice; ids must be unique") }
            return (id, text, metadata)
        }
        let (vectors, _) = try await embeddings.embed(documents.map { .text($0.text) }, options: try indexOptions,
                                                      lengths: metrics.inputLengths)
        let result = try await search.add(zip(documents, vectors).map {
            IndexDocument(id: $0.id, text: $0.text, metadata: $0.metadata, vector: $1)
        })
        return WireFormat.json(["added": .integer(Int64(result.added)), "skipped": .integer(Int64(result.skipped)),
                                "documents": .integer(Int64(result.count))])
    }

    /// `{"ids": [...]}` → `{"removed", "documents"}`.
    func removeFromIndex(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let search = try search
        let ids = try WireFormat.field { () throws(JSONFieldError) in try body.required(body.strings("ids"), "ids") }
        guard !ids.isEmpty else { throw ServerError(.empty, "`ids` cannot be empty") }
        let result = try await search.remove(ids)
        return WireFormat.json(["removed": .integer(Int64(result.removed)), "documents": .integer(Int64(result.count))])
    }

    /// The index's settings and size (as `bert index info`).
    func indexInfo() async throws -> Response {
        let search = try search
        let s = search.settings
        return WireFormat.json([
            "documents": .integer(Int64(try await search.count())), "model": .string(s.model),
            "dimension": .integer(Int64(s.dimension)), "normalized": .bool(s.normalized), "pooling": .string(s.pooling),
            "quantization": .string(s.quantization.rawValue),
        ])
    }
}
