import BERTJSON
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `bert serve`'s HTTP side: Text Embeddings Inference's routes and OpenAI's `/v1` routes over the model's
/// service, on Hummingbird 2, started and drained through swift-service-lifecycle.
///
/// Handlers parse and tokenize on their own task and then only await the batching queue, so no event loop ever
/// runs the model.
package struct InferenceServer: Sendable {
    /// The settings.
    package let configuration: ServerConfiguration
    /// The embedding model behind its queue, when the folder is an embedding model.
    package let embeddingService: EmbeddingService?
    /// The classifier / cross-encoder behind its queue, when the folder is one.
    package let classifierService: ClassifierService?
    /// The fill-mask, token-classification or question-answering pipeline behind its queue, when the folder is one.
    package let pipelineService: PipelineService?
    /// The index `/search` and `/index` use, when `bert serve --index` gave one (embedding models only).
    package var searchService: SearchService?
    /// The Prometheus series.
    package let metrics: ServerMetrics
    /// The server's version, for `/info`.
    package static let version = "0.1.0"

    /// A server over `embeddings`; pass the `metrics` the service reports its batches to.
    package init(configuration: ServerConfiguration, embeddings: EmbeddingService, metrics: ServerMetrics) {
        (self.configuration, embeddingService, classifierService, self.metrics) = (configuration, embeddings, nil, metrics)
        pipelineService = nil
    }

    /// A server over a classifier (TEI's `/predict` and `/rerank`).
    package init(configuration: ServerConfiguration, classifier: ClassifierService, metrics: ServerMetrics) {
        (self.configuration, embeddingService, classifierService, self.metrics) = (configuration, nil, classifier, metrics)
        pipelineService = nil
    }

    /// A server over a masked LM (`/fill-mask`), token classifier (`/ner`) or extractive QA model (`/qa`).
    package init(configuration: ServerConfiguration, pipeline: PipelineService, metrics: ServerMetrics) {
        (self.configuration, embeddingService, classifierService, self.metrics) = (configuration, nil, nil, metrics)
        pipelineService = pipeline
    }

    /// The model's own routes, for the message of a route it cannot serve.
    package var servedRoutes: String {
        if classifierService != nil { return "/predict and /rerank" }
        if let pipelineService { return pipelineService.route }
        if embeddingService?.isSparse == true { return "/embed_sparse, /embed with \"normalize\": false, and /similarity" }
        return "/embed, /embed_all, /similarity and /v1/embeddings"
    }

    /// The embedding service, or TEI's 424 for a model of another task.
    var embeddings: EmbeddingService {
        get throws(ServerError) {
            guard let embeddingService else {
                throw ServerError(.backend, "this model is not an embedding model; it serves \(servedRoutes)")
            }
            return embeddingService
        }
    }

    /// The routes, under the middleware (auth, error bodies, metrics).
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let routes: [(HTTPRequest.Method, String, @Sendable (Request) async throws -> Response)] = [
            (.get, "/health", { _ in Response(status: .ok) }),
            (.get, "/", { _ in Response(status: .ok) }),
            (.get, "/ping", { _ in Response(status: .ok) }),
            (.get, "/info", { _ in WireFormat.json(info) }),
            (.get, "/metrics", { _ in metricsResponse() }),
            (.get, "/openapi.json", { _ in OpenAPIDocument.response() }),
            (.get, "/api-doc/openapi.json", { _ in OpenAPIDocument.response() }),
            (.post, "/embed", { try await embed($0) }),
            (.post, "/embed_all", { try await embedAll($0) }),
            (.post, "/similarity", { try await similarity($0) }),
            (.post, "/embed_sparse", { try await embedSparse($0) }),
            (.post, "/v1/embeddings", { try await openAIEmbeddings($0) }),
            (.post, "/embeddings", { try await openAIEmbeddings($0) }),
            (.get, "/v1/models", { _ in WireFormat.json(models) }),
            (.post, "/tokenize", { try await tokenize($0) }),
            (.post, "/decode", { try await decode($0) }),
            (.post, "/predict", { try await predict($0) }),
            (.post, "/rerank", { try await rerank($0) }),
            (.post, "/fill-mask", { try await fillMask($0) }),
            (.post, "/ner", { try await ner($0) }),
            (.post, "/qa", { try await qa($0) }),
            (.post, "/search", { try await searchIndex($0) }),
            (.post, "/index", { try await addToIndex($0) }),
            (.delete, "/index", { try await removeFromIndex($0) }),
            (.get, "/index", { _ in try await indexInfo() }),
        ]
        router.add(middleware: ServerMiddleware(
            expectedAuthorization: configuration.apiKey.map { Array("Bearer \($0)".utf8) },
            publicPaths: ["/health", "/", "/ping", "/metrics"], knownPaths: Set(routes.map(\.1)), metrics: metrics))
        for (method, path, handler) in routes {
            router.on(RouterPath(path), method: method) { request, _ in try await handler(request) }
        }
        return router
    }

    /// The HTTP application; `onServerRunning` is told the bound port.
    package func makeApplication(logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        Application(router: makeRouter(),
                    configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                         serverName: "bert-serve"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }

    /// The service group that runs the server and, on `signals` or `triggerGracefulShutdown()`, stops taking
    /// connections, answers every request in flight, then lets the queue finish and returns.
    package func makeServiceGroup(logger: Logger, signals: [UnixSignal] = [.sigterm, .sigint],
                                  onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> ServiceGroup {
        // Services shut down in reverse order: the HTTP server drains first, while the queue still answers.
        ServiceGroup(configuration: .init(
            services: [QueueDrain(drain: drainQueues), makeApplication(logger: logger, onServerRunning: onServerRunning)],
            gracefulShutdownSignals: signals, logger: logger))
    }

    // MARK: Routes

    /// TEI's `POST /embed`.
    func embed(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let inputs = try checkedInputs(body, key: "inputs")
        var options = EmbedOptions()
        options.normalize = try WireFormat.field { () throws(JSONFieldError) in try body.bool("normalize") } ?? true
        options.truncate = try WireFormat.field { () throws(JSONFieldError) in try body.bool("truncate") } ?? configuration.autoTruncate
        options.truncationDirection = try WireFormat.truncationDirection(body)
        options.promptName = try WireFormat.field { () throws(JSONFieldError) in try body.string("prompt_name") }
        options.dimensions = try WireFormat.positive(body, "dimensions")
        let (vectors, _) = try await embedRecorded(inputs, options: options)
        return WireFormat.json(.array(vectors.map(WireFormat.array)))
    }

    /// TEI's `POST /embed_all`: `{"inputs", "truncate", "truncation_direction", "prompt_name"}` → every token's
    /// vector of each input, `[input][token][hidden]`.
    func embedAll(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let inputs = try checkedInputs(body, key: "inputs")
        let (tokens, _) = try await embeddings.embedAll(inputs, options: try unnormalizedOptions(body), lengths: metrics.inputLengths)
        return WireFormat.json(.array(tokens.map { .array($0.map(WireFormat.array)) }))
    }

    /// OpenAI's `POST /v1/embeddings` (TEI also serves it): vectors always normalised, as TEI's `openai_embed`.
    func openAIEmbeddings(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let inputs = try checkedInputs(body, key: "input")
        _ = try WireFormat.field { () throws(JSONFieldError) in (try body.string("model"), try body.string("user")) }
        let format = try WireFormat.field { () throws(JSONFieldError) in try body.string("encoding_format") } ?? "float"
        guard format == "float" || format == "base64" else {
            throw ServerError(.validation, "`encoding_format` must be \"float\" or \"base64\", not \"\(format)\"")
        }
        var options = EmbedOptions()
        options.truncate = configuration.autoTruncate
        options.dimensions = try WireFormat.positive(body, "dimensions")
        let (vectors, tokens) = try await embedRecorded(inputs, options: options)
        let data: [JSONValue] = vectors.enumerated().map { index, vector in
            ["object": "embedding", "index": .integer(Int64(index)),
             "embedding": format == "base64" ? .string(Base64Floats.encode(vector)) : WireFormat.array(vector)]
        }
        return WireFormat.json([
            "object": "list", "data": .array(data), "model": .string(configuration.modelID),
            "usage": ["prompt_tokens": .integer(Int64(tokens)), "total_tokens": .integer(Int64(tokens))],
        ])
    }

    /// The options of TEI's routes whose vectors are not normalised (`/embed_all`, `/embed_sparse`, `/similarity`'s
    /// `parameters`): `truncate` (default `--auto-truncate`), `truncation_direction`, `prompt_name`.
    func unnormalizedOptions(_ reader: JSONFieldReader) throws(ServerError) -> EmbedOptions {
        var options = EmbedOptions()
        options.normalize = false
        options.truncate = try WireFormat.field { () throws(JSONFieldError) in try reader.bool("truncate") } ?? configuration.autoTruncate
        options.truncationDirection = try WireFormat.truncationDirection(reader)
        options.promptName = try WireFormat.field { () throws(JSONFieldError) in try reader.string("prompt_name") }
        return options
    }

    /// The inputs of `key`, at most `--max-client-batch-size` of them (TEI's message).
    func checkedInputs(_ body: JSONFieldReader, key: String) throws(ServerError) -> [EmbedInput] {
        let inputs = try WireFormat.embedInputs(body, key: key)
        guard inputs.count <= configuration.maxClientBatchSize else {
            throw ServerError(.validation, "batch size \(inputs.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        return inputs
    }

    private func embedRecorded(_ inputs: [EmbedInput], options: EmbedOptions) async throws -> (vectors: [[Float]], tokens: Int) {
        try await embeddings.embed(inputs, options: options, lengths: metrics.inputLengths)
    }

    /// TEI's `GET /info`.
    var info: JSONValue {
        let limits = configuration.limits
        let modelType: JSONValue
        if let classifierService {
            let id2label = JSONObject(members: classifierService.labels.sorted { $0.key < $1.key }.map {
                JSONMember(key: String($0.key), value: .string($0.value))
            })
            let label2id = JSONObject(members: classifierService.labels.sorted { $0.key < $1.key }.map {
                JSONMember(key: $0.value, value: .integer(Int64($0.key)))
            })
            let labels: JSONValue = ["id2label": .object(id2label), "label2id": .object(label2id)]
            modelType = classifierService.labels.count > 1 ? ["classifier": labels] : ["reranker": labels]
        } else if let pipelineService {
            modelType = pipelineService.modelType
        } else {
            modelType = ["embedding": ["pooling": .string(embeddingService?.poolingName ?? "")]]
        }
        let maxInputLength = embeddingService?.maxInputLength ?? classifierService?.maxInputLength ?? pipelineService?.maxInputLength ?? 0
        let maxBatchRequests: JSONValue = limits.maxBatchRequests.map { .integer(Int64($0)) } ?? .null
        var members: [(String, JSONValue)] = [
            ("model_id", .string(configuration.modelID)), ("model_sha", .null), ("model_dtype", "float32"),
            ("served_model_name", .string(configuration.modelID)), ("model_type", modelType),
        ]
        members += [
            ("max_concurrent_requests", .integer(Int64(limits.maxConcurrentRequests))),
            ("max_input_length", .integer(Int64(maxInputLength))),
            ("max_batch_tokens", .integer(Int64(limits.maxBatchTokens))), ("max_batch_requests", maxBatchRequests),
            ("max_client_batch_size", .integer(Int64(configuration.maxClientBatchSize))),
        ]
        members += [
            ("auto_truncate", .bool(configuration.autoTruncate)), ("tokenization_workers", .integer(1)),
            ("version", .string(Self.version)), ("sha", .null), ("docker_label", .null),
        ]
        return .object(JSONObject(members: members.map { JSONMember(key: $0.0, value: $0.1) }))
    }

    /// OpenAI's `GET /v1/models`: the one model served.
    var models: JSONValue {
        ["object": "list",
         "data": [["id": .string(configuration.modelID), "object": "model", "created": 0, "owned_by": "swift-bert"]]]
    }

    @Sendable func drainQueues() async {
        await embeddingService?.queue.drain()
        await classifierService?.queue.drain()
        await pipelineService?.queue.drain()
    }

    private func metricsResponse() -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
    }
}

/// Keeps the batching queues' workers until shutdown, then lets them finish what is queued.
struct QueueDrain: Service {
    let drain: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await drain()
    }
}
