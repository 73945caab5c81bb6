import BERTJSON
import BERTModels
import BERTServer
import BERTTasks
import BERTTraining
import Foundation
import Logging
import TestSupport
import XCTest

/// `/predict` and `/rerank` on a tiny generated-weight classification folder (MiniLM's tokenizer), against the
/// repo's TextClassificationPipeline and RerankPipeline run directly on the same folder.
final class ClassifierRouteTests: XCTestCase {
    /// A 2-label BertForSequenceClassification folder with seeded random weights.
    static func classifierFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-serve-classifier-\(getpid())")
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) { return dir }
        var config = BertConfig()
        config.hiddenSize = 32; config.numHiddenLayers = 1; config.numAttentionHeads = 2; config.intermediateSize = 64
        config.maxPositionEmbeddings = 512
        config.id2label = [0: "negative", 1: "positive"]
        config.label2id = ["negative": 0, "positive": 1]
        config.architectures = ["BertForSequenceClassification"]
        let model = try BertForSequenceClassification(config: config, seed: 2)
        try FineTunedModelFolder.save(model, config: config, sourceDirectory: modelURL("all-MiniLM-L6-v2"), to: dir)
        return dir
    }

    func start(limits: BatchLimits = BatchLimits(), observer: (@Sendable (BatchEvent) -> Void)? = nil) async throws -> (RunningServer, URL) {
        let dir = try Self.classifierFolder()
        XCTAssertEqual(try ServedTask(directory: dir), .classification)
        XCTAssertEqual(try ServedTask(directory: modelURL("all-MiniLM-L6-v2")), .embedding)
        var configuration = ServerConfiguration(modelID: "tiny-classifier")
        configuration.port = 0
        configuration.limits = limits
        let metrics = ServerMetrics()
        let classifier = ClassifierService(pipeline: try TextClassificationPipeline(directory: dir), limits: configuration.limits,
                                           observer: observer)
        let server = InferenceServer(configuration: configuration, classifier: classifier, metrics: metrics)
        return (try await RunningServer.start(server), dir)
    }

    func testPredictAndRerankEqualThePipelines() async throws {
        let (server, dir) = try await start()
        let pipeline = try TextClassificationPipeline(directory: dir)
        func scores(_ list: JSONValue?) -> [String] {
            (list?.arrayValue ?? []).map { "\($0["label"]?.stringValue ?? "?")=\($0["score"]?.doubleValue ?? .nan)" }
        }
        func expected(_ input: TextClassificationInput, raw: Bool = false) throws -> [String] {
            try pipeline([input], topK: nil, functionToApply: raw ? ClassificationFunction.none : nil)[0].map { "\($0.label)=\($0.score)" }
        }
        let single = try await server.request("/predict", body: #"{"inputs": "I love this"}"#)
        XCTAssertEqual(single.status, 200, single.text)
        XCTAssertEqual(scores(try single.json()), try expected("I love this"))
        let pair = try await server.request("/predict", body: #"{"inputs": ["a premise", "a hypothesis"], "raw_scores": true}"#).json()
        XCTAssertEqual(scores(pair), try expected(.init(text: "a premise", textPair: "a hypothesis"), raw: true))
        let batch = try await server.request("/predict", body: #"{"inputs": [["one"], ["two", "three"]]}"#).json()
        XCTAssertEqual(batch.arrayValue?.count, 2)
        XCTAssertEqual(scores(batch[1]), try expected(.init(text: "two", textPair: "three")))

        let texts = ["Paris is the capital of France.", "Bananas are yellow.", "France's capital city is Paris."]
        let reranked = try await server.request("/rerank", body: try jsonText(
            ["query": "capital of France?", "texts": .array(texts.map { .string($0) }), "return_text": true])).json()
        let reference = try RerankPipeline(classifier: pipeline)(query: "capital of France?", documents: texts, returnText: true)
        XCTAssertEqual(reranked.arrayValue?.map { $0["index"]?.intValue ?? -1 }, reference.map(\.index))
        XCTAssertEqual(reranked.arrayValue?.map { $0["score"]?.doubleValue ?? .nan }, reference.map(\.score))
        XCTAssertEqual(reranked.arrayValue?.map { $0["text"]?.stringValue ?? "" }, reference.map { $0.text ?? "" })
        let noText = try await server.request("/rerank", body: #"{"query": "q", "texts": ["a"]}"#).json()
        XCTAssertNil(noText[0]?["text"], "text only with return_text")

        let info = try await server.get("/info").json()
        XCTAssertEqual(info["model_type"]?["classifier"]?["id2label"]?["1"], "positive")
        for (body, status) in [(#"{"query": "q", "texts": []}"#, 400), (#"{"texts": ["a"]}"#, 422), (#"{"query": "q", "texts": [1]}"#, 422)] {
            let answer = try await server.request("/rerank", body: body)
            XCTAssertEqual(answer.status, status, "\(body): \(answer.text)")
        }
        let long = Array(repeating: "word", count: 600).joined(separator: " ")
        let tooLong = try await server.request("/predict", body: try jsonText(["inputs": .string(long)]))
        XCTAssertEqual(tooLong.status, 422, tooLong.text)
        let cut = try await server.request("/predict", body: try jsonText(["inputs": .string(long), "truncate": true]))
        XCTAssertEqual(cut.status, 200, cut.text)
        let embed = try await server.request("/embed", body: #"{"inputs": "x"}"#)
        XCTAssertEqual(embed.status, 424, "an embedding route on a classifier is TEI's 424: \(embed.text)")
        XCTAssertEqual(try embed.json()["error_type"], "backend")
        try await server.stop()
    }

    /// Classifier inputs go through the queue one entry each: a request's inputs and concurrent requests share
    /// forward passes within `--max-batch-requests`, and every answer still equals the pipeline's.
    func testClassifierInputsAreBatchedWithinTheBounds() async throws {
        let sizes = BatchSizes()
        let (server, dir) = try await start(limits: BatchLimits(maxBatchRequests: 6)) { event in
            if case let .batch(inputs, _, _) = event { sizes.add(inputs) }
        }
        let pipeline = try TextClassificationPipeline(directory: dir)
        let texts = (0..<10).map { "sentence number \($0) about " + String(repeating: "things ", count: $0) }
        let answer = try await server.request("/predict", body: try jsonText(["inputs": .array(texts.map { .array([.string($0)]) })]))
        XCTAssertEqual(answer.status, 200, answer.text)
        let expected = try pipeline(texts.map { TextClassificationInput(text: $0) }, topK: nil)
        for (i, (got, want)) in zip(try answer.json().arrayValue ?? [], expected).enumerated() {
            XCTAssertEqual(got.arrayValue?.map { $0["label"]?.stringValue ?? "" }, want.map(\.label), "input \(i) labels")
            for (g, w) in zip(got.arrayValue ?? [], want) {
                XCTAssertEqual(g["score"]?.doubleValue ?? .nan, w.score, accuracy: 1e-6, "input \(i) score")
            }
        }
        XCTAssertEqual(sizes.values.max(), 6, "10 inputs of one request ran in batches of at most 6: \(sizes.values)")
        // Concurrent reranks and predictions, each answered as if alone.
        let reference = try RerankPipeline(classifier: pipeline)
        let results = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            for i in 0..<8 {
                group.addTask {
                    let body = try jsonText(["query": .string("query \(i)"), "texts": .array(texts.prefix(3 + i % 3).map { .string($0) }),
                                             "raw_scores": .bool(i % 2 == 0)])
                    return (i, try await server.request("/rerank", body: body).json())
                }
            }
            var out: [Int: JSONValue] = [:]
            for try await (i, value) in group { out[i] = value }
            return out
        }
        for (i, value) in results {
            let want = try reference(query: "query \(i)", documents: Array(texts.prefix(3 + i % 3)), rawScores: i % 2 == 0)
            XCTAssertEqual(value.arrayValue?.map { $0["index"]?.intValue ?? -1 }, want.map(\.index), "rerank \(i) order")
            for (g, w) in zip(value.arrayValue ?? [], want) {
                XCTAssertEqual(g["score"]?.doubleValue ?? .nan, w.score, accuracy: 1e-6, "rerank \(i) score")
            }
        }
        try await server.stop()
    }
}

/// Batch sizes seen by a queue observer (called from the worker thread).
final class BatchSizes: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Int] = []
    func add(_ n: Int) { lock.lock(); seen.append(n); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return seen }
}
