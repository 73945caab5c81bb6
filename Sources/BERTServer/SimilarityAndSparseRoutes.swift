import BERTJSON
import BERTTasks
import Hummingbird

extension InferenceServer {
    /// TEI's `POST /similarity` (the Inference API's sentence-similarity task):
    /// `{"inputs": {"source_sentence", "sentences"}, "parameters": {"truncate", "truncation_direction",
    /// "prompt_name"}}` → the cosine similarity of the source sentence's embedding to each sentence's, in order.
    /// As TEI, the vectors are taken unnormalised (cosine does not need it) and `sentences` must not be empty;
    /// the source sentence counts against `--max-client-batch-size`.
    func similarity(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        guard let inputs = try WireFormat.field({ () throws(JSONFieldError) in try body.object("inputs") }) else {
            throw ServerError(.validation, "`inputs` is missing: {\"source_sentence\": string, \"sentences\": [string]}")
        }
        let (source, sentences) = try WireFormat.field { () throws(JSONFieldError) in
            (try inputs.required(inputs.string("source_sentence"), "source_sentence"),
             try inputs.required(inputs.strings("sentences"), "sentences"))
        }
        guard !sentences.isEmpty else { throw ServerError(.empty, "`inputs.sentences` cannot be empty") }
        guard sentences.count + 1 <= configuration.maxClientBatchSize else {
            throw ServerError(.validation, "batch size \(sentences.count + 1) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        var options = EmbedOptions()
        (options.normalize, options.truncate) = (false, configuration.autoTruncate)
        if let parameters = try WireFormat.field({ () throws(JSONFieldError) in try body.object("parameters") }) {
            options = try unnormalizedOptions(parameters)
        }
        let (vectors, _) = try await embeddings.embed(([source] + sentences).map(EmbedInput.text), options: options,
                                                      lengths: metrics.inputLengths)
        return WireFormat.json(.array(vectors.dropFirst().map { .number(Double(cosineSimilarity(vectors[0], $0))) }))
    }
}

extension InferenceServer {
    /// TEI's `POST /embed_sparse` for SPLADE models: `{"inputs", "truncate", "truncation_direction",
    /// "prompt_name"}` → for each input its non-zero vocabulary weights, `[[{"index", "value"}]]`, ascending by
    /// index: `SentenceTransformer.encodeSparse`'s entries. Any other model gets TEI's 424.
    func embedSparse(_ request: Request) async throws -> Response {
        let service = try embeddings
        guard service.isSparse else { throw ServerError(.backend, "Model is not an embedding model with SPLADE pooling") }
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let inputs = try checkedInputs(body, key: "inputs")
        let (vectors, _) = try await service.embed(inputs, options: try unnormalizedOptions(body), lengths: metrics.inputLengths)
        return WireFormat.json(.array(vectors.map { vector in
            let sparse = SparseEmbedding(dense: vector)
            return .array(zip(sparse.indices, sparse.values).map { ["index": .integer(Int64($0)), "value": .number(Double($1))] })
        }))
    }
}
