import ArgumentParser
import BERT
import BERTCommandLine
import BERTSearch
import BERTServer
import Foundation
import Logging

/// `bert serve`: the model behind Text Embeddings Inference's and OpenAI's HTTP APIs (BERTServer), until SIGTERM
/// or SIGINT, which stop new connections, answer every request in flight, and exit 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "An HTTP server speaking Text Embeddings Inference's and OpenAI's embedding APIs.",
        discussion: """
            The task follows the model folder. Routes: POST /embed, /embed_all, /v1/embeddings, /tokenize, /decode \
            (embedding models); /predict, /rerank (sequence-classification / cross-encoder folders); /fill-mask, /ner, \
            /qa (masked-LM, token-classification, question-answering folders); GET /health, /info, /metrics, \
            /v1/models, /openapi.json. Logs go to stderr.
              bert serve --model models/all-MiniLM-L6-v2 --port 8080
              curl 127.0.0.1:8080/embed -H 'Content-Type: application/json' -d '{"inputs": "Hello"}'
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inferenceOptions: InferenceOptions
    @Option(help: "Address to bind (loopback by default; 0.0.0.0 serves every interface).") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, logged at start).") var port = 8080
    @Option(help: "Model name shown in /info and OpenAI answers (default: --model).") var servedModelName: String?
    @Option(help: "Tokens in one forward pass, summed over its inputs.") var maxBatchTokens = 16_384
    @Option(help: "Inputs in one forward pass (default: no bound but --max-batch-tokens).") var maxBatchRequests: Int?
    @Option(help: "Inputs queued or running at once; more get 429.") var maxConcurrentRequests = 512
    @Option(help: "Inputs in one request; more get 422.") var maxClientBatchSize = 32
    @Option(help: "Tokens in one input (default: the model's max_seq_length); longer get 422 unless truncated.")
    var maxInputLength: Int?
    @Flag(help: "Truncate over-long inputs when a request does not say.") var autoTruncate = false
    @Option(help: "Largest request body in bytes; larger get 413.") var payloadLimit = 2_000_000
    @Option(help: "Require 'Authorization: Bearer KEY' on every route but /health and /metrics (or set BERT_API_KEY).")
    var apiKey: String?
    @Option(help: "Serve POST /search and /index over this index (an SQLite file, created if absent, or a postgres:// URL) built with --model.")
    var index: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level") }
        do { try serverConfiguration().validate() } catch { throw ValidationError(error.message) }
    }

    func serverConfiguration() -> ServerConfiguration {
        var c = ServerConfiguration(modelID: servedModelName ?? modelOptions.model)
        (c.host, c.port) = (host, port)
        c.limits = BatchLimits(maxBatchTokens: maxBatchTokens, maxBatchRequests: maxBatchRequests,
                               maxConcurrentRequests: maxConcurrentRequests)
        (c.maxClientBatchSize, c.maxInputLength, c.autoTruncate, c.payloadLimit) =
            (maxClientBatchSize, maxInputLength, autoTruncate, payloadLimit)
        c.apiKey = apiKey ?? ProcessInfo.processInfo.environment["BERT_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return c
    }

    func run() async throws {
        var logger = Logger(label: "bert-serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let configuration = serverConfiguration()
        let directory = try modelOptions.directory()
        let metrics = ServerMetrics()
        var server: InferenceServer
        do {
            // The task follows the folder, as TEI's: a sequence-classification head serves /predict and /rerank;
            // masked-LM, token-classification and QA heads serve their pipelines.
            let observer: @Sendable (BatchEvent) -> Void = { metrics.record($0) }
            func servePipeline(_ pipeline: PipelineService.Pipeline, _ description: String) -> InferenceServer {
                let service = PipelineService(pipeline, limits: configuration.limits, observer: observer)
                logger.info("serving \(configuration.modelID) (\(description))")
                return InferenceServer(configuration: configuration, pipeline: service, metrics: metrics)
            }
            switch try ServedTask(directory: directory) {
            case .classification:
                let pipeline = try inferenceOptions.loading { try TextClassificationPipeline(directory: directory) }
                try inferenceOptions.apply(to: pipeline.model)
                let classifier = ClassifierService(pipeline: pipeline, limits: configuration.limits, observer: observer)
                server = InferenceServer(configuration: configuration, classifier: classifier, metrics: metrics)
                logger.info("serving \(configuration.modelID) (a classifier with \(classifier.labels.count) labels)")
            case .fillMask:
                let pipeline = try inferenceOptions.loading { try FillMaskPipeline(directory: directory) }
                try inferenceOptions.apply(to: pipeline.model)
                server = servePipeline(.fillMask(pipeline), "a masked LM on /fill-mask")
            case .tokenClassification:
                let pipeline = try inferenceOptions.loading { try TokenClassificationPipeline(directory: directory) }
                try inferenceOptions.apply(to: pipeline.model)
                server = servePipeline(.tokenClassification(pipeline), "a token classifier on /ner")
            case .questionAnswering:
                let pipeline = try inferenceOptions.loading { try QuestionAnsweringPipeline(directory: directory) }
                try inferenceOptions.apply(to: pipeline.model)
                server = servePipeline(.questionAnswering(pipeline), "extractive QA on /qa")
            case .embedding:
                let model = try inferenceOptions.loading { try SentenceTransformer(directory: directory) }
                try inferenceOptions.apply(to: model.bert)
                // What `bert index add` records, so an index built by either is usable by both.
                let settings = IndexSettings(model: modelOptions.model, modelFingerprint: ModelFingerprint.of(directory: directory),
                                             dimension: model.dimension, normalized: model.normalizes,
                                             pooling: model.pooling.modes.map(\.rawValue).joined(separator: "+"))
                let embeddings = try EmbeddingService(model: model, maxInputLength: configuration.maxInputLength,
                                                      limits: configuration.limits, observer: observer)
                server = InferenceServer(configuration: configuration, embeddings: embeddings, metrics: metrics)
                logger.info("serving \(configuration.modelID) (\(embeddings.isSparse ? "SPLADE on /embed_sparse, " : "")\(embeddings.dimension) dimensions)")
                if let index {
                    guard model.splade == nil else {
                        throw CommandLineError("--index needs a dense embedding model; \(configuration.modelID) is a SPLADE "
                            + "SparseEncoder (sparse vocabulary-wide vectors: /embed_sparse)")
                    }
                    server.searchService = try await openIndex(index, settings: settings)
                    logger.info("serving /search and /index over \(index)")
                }
            }
            if index != nil, server.searchService == nil {
                throw CommandLineError("--index needs an embedding model; \(configuration.modelID) serves \(server.servedRoutes)")
            }
        } catch let error as ServerError {
            throw CommandLineError(error.message)
        }
        logger.info("API key \(configuration.apiKey == nil ? "off" : "required")")
        let serverLogger = logger
        try await server.makeServiceGroup(logger: logger) { port in
            serverLogger.info("listening on http://\(configuration.host):\(port)")
        }.run()
    }

    /// The index at `location`, opened (or, when absent, created with `settings`); refused when it was built with
    /// another model, dimension, normalisation or pooling.
    private func openIndex(_ location: String, settings: IndexSettings) async throws -> SearchService {
        let postgres = location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
        // An existing SQLite file keeps its own settings (its quantization among them); the check is the service's.
        let exists = !postgres && FileManager.default.fileExists(atPath: location)
        let store = try await openVectorIndex(location, creating: exists ? nil : settings)
        return try SearchService(location: location, index: store, modelFingerprint: settings.modelFingerprint,
                                 modelName: settings.model, dimension: settings.dimension)
    }
}
