import BERTJSON
import BERTHub
import BERTModels
import BERTNN
import BERTServer
import BERTTasks
import BERTTraining
import Foundation
import TestSupport
import XCTest

/// `/fill-mask`, `/ner` and `/qa` against transformers' pipelines: each case of Tests/Fixtures/pipelines (inputs,
/// kwargs, transformers' output) is sent as a request to a server over a folder saved with the same generated
/// weights, and the answer must equal transformers' output (scores within 1e-4, everything else exactly).
final class PipelineRouteTests: XCTestCase {
    /// The golden file `name` and a model folder with its config and generated weights (MiniLM's tokenizer).
    static func folder(_ name: String, _ make: (BertConfig) throws -> Module) throws -> (JSONValue, URL) {
        let golden = try JSONValue.parse(Array(Data(contentsOf: fixtureURL("pipelines/\(name).json"))))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-serve-\(name)-\(getpid())")
        let config = try BertConfig(jsonData: Data(golden["config"]!.serialized()))
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) {
            let model = try make(config)
            try model.load(from: HeadScaledSource(base: SyntheticCheckpoint(shapesOf: model)), prefixes: [""])
            try FineTunedModelFolder.save(model, config: config, sourceDirectory: modelURL("all-MiniLM-L6-v2"), to: dir)
        }
        return (golden, dir)
    }

    static func start(_ pipeline: PipelineService.Pipeline, _ configure: (inout ServerConfiguration) -> Void = { _ in })
        async throws -> RunningServer {
        var configuration = ServerConfiguration(modelID: "tiny-pipeline")
        configuration.port = 0
        configure(&configuration)
        let service = PipelineService(pipeline, limits: configuration.limits)
        return try await RunningServer.start(InferenceServer(configuration: configuration, pipeline: service, metrics: ServerMetrics()))
    }

    /// Every case's request body: its inputs and kwargs (transformers' `batch_size` left out: the server batches).
    static func requests(_ golden: JSONValue) -> [(body: String, expected: JSONValue)] {
        (golden["cases"]?.arrayValue ?? []).map { c in
            var body = JSONObject()
            body["inputs"] = c["inputs"]!
            for member in c["kwargs"]?.objectValue ?? JSONObject() where member.key != "batch_size" { body[member.key] = member.value }
            return (try! JSONValue.object(body).serializedString(), c["output"]!)
        }
    }

    /// Sends every case at once (so the queue merges them into shared batches) and checks each answer.
    func checkCases(_ server: RunningServer, _ route: String, _ golden: JSONValue) async throws -> Double {
        let cases = Self.requests(golden)
        let answers = try await withThrowingTaskGroup(of: (Int, HTTPAnswer).self) { group in
            for (i, c) in cases.enumerated() { group.addTask { (i, try await server.request(route, body: c.body)) } }
            var out = [HTTPAnswer?](repeating: nil, count: cases.count)
            for try await (i, answer) in group { out[i] = answer }
            return out.map { $0! }
        }
        var worst = 0.0
        for (i, (c, answer)) in zip(cases, answers).enumerated() {
            XCTAssertEqual(answer.status, 200, "\(route) case \(i): \(answer.text)")
            guard answer.status == 200 else { continue }
            worst = max(worst, assertJSONClose(try answer.json(), c.expected, "\(route) case \(i) \(c.body.prefix(80))"))
        }
        return worst
    }

    func testFillMaskEqualsTransformers() async throws {
        let (golden, dir) = try Self.folder("fill_mask") { try BertForMaskedLM(config: $0, randomInit: false) }
        XCTAssertEqual(try ServedTask(directory: dir), .fillMask)
        let server = try await Self.start(.fillMask(try FillMaskPipeline(directory: dir)))
        let worst = try await checkCases(server, "/fill-mask", golden)
        print("/fill-mask vs transformers: max |score diff| \(worst) over \(golden["cases"]?.arrayValue?.count ?? 0) cases")
        // Options under `parameters` (Hugging Face's Inference API shape) mean the same.
        let nested = try await server.request("/fill-mask", body: #"{"inputs": "The capital of France is [MASK].", "parameters": {"top_k": 3}}"#)
        XCTAssertEqual(try nested.json().arrayValue?.count, 3)
        let info = try await server.get("/info").json()
        XCTAssertEqual(info["model_type"]?["fill_mask"]?["mask_token"], "[MASK]")
        // A text without a mask fails alone, even when merged with good ones.
        async let bad = server.request("/fill-mask", body: #"{"inputs": "no mask here"}"#)
        async let good = server.request("/fill-mask", body: #"{"inputs": "Paris is [MASK]."}"#)
        let (badAnswer, goodAnswer) = try await (bad, good)
        XCTAssertEqual(badAnswer.status, 422, badAnswer.text)
        XCTAssertEqual(try badAnswer.json()["error_type"], "validation")
        XCTAssertEqual(goodAnswer.status, 200, goodAnswer.text)
        for (route, body, status) in [
            ("/fill-mask", #"{"inputs": []}"#, 400), ("/fill-mask", #"{"inputs": 3}"#, 422),
            ("/fill-mask", #"{"inputs": "a [MASK]", "top_k": 0}"#, 422),
            ("/fill-mask", #"{"inputs": "a [MASK]", "targets": []}"#, 422),
            ("/ner", #"{"inputs": "x"}"#, 424), ("/qa", #"{"question": "q", "context": "c"}"#, 424),
            ("/embed", #"{"inputs": "x"}"#, 424), ("/predict", #"{"inputs": "x"}"#, 424),
        ] {
            let answer = try await server.request(route, body: body)
            XCTAssertEqual(answer.status, status, "\(route) \(body): \(answer.text)")
        }
        try await server.stop()
    }

    func testNEREqualsTransformers() async throws {
        let (golden, dir) = try Self.folder("token_classification") { try BertForTokenClassification(config: $0, randomInit: false) }
        XCTAssertEqual(try ServedTask(directory: dir), .tokenClassification)
        let server = try await Self.start(.tokenClassification(try TokenClassificationPipeline(directory: dir)))
        let worst = try await checkCases(server, "/ner", golden)
        print("/ner vs transformers: max |score diff| \(worst) over \(golden["cases"]?.arrayValue?.count ?? 0) cases")
        let info = try await server.get("/info").json()
        XCTAssertEqual(info["model_type"]?["token_classification"]?["id2label"]?["1"], "B-PER")
        for (body, status) in [(#"{"inputs": "x", "aggregation_strategy": "most"}"#, 422),
                               (#"{"inputs": "x", "stride": 4}"#, 422), (#"{"inputs": "x", "ignore_labels": "O"}"#, 422)] {
            let answer = try await server.request("/ner", body: body)
            XCTAssertEqual(answer.status, status, "\(body): \(answer.text)")
        }
        try await server.stop()
    }

    func testQuestionAnsweringEqualsTransformers() async throws {
        let (golden, dir) = try Self.folder("question_answering") { try BertForQuestionAnswering(config: $0, randomInit: false) }
        XCTAssertEqual(try ServedTask(directory: dir), .questionAnswering)
        let server = try await Self.start(.questionAnswering(try QuestionAnsweringPipeline(directory: dir)))
        let worst = try await checkCases(server, "/qa", golden)
        print("/qa vs transformers 4: max |score diff| \(worst) over \(golden["cases"]?.arrayValue?.count ?? 0) cases")
        // The question and context may also be top-level fields.
        let first = try XCTUnwrap(golden["cases"]?[0])
        let flat = try await server.request("/qa", body: try jsonText([
            "question": first["inputs"]!["question"]!, "context": first["inputs"]!["context"]!]))
        _ = assertJSONClose(try flat.json(), first["output"]!, "top-level question/context")
        for (body, status) in [(#"{"question": "", "context": "c"}"#, 422), (#"{"question": "q"}"#, 422),
                               (#"{"inputs": []}"#, 400), (#"{"inputs": "text"}"#, 422),
                               (#"{"question": "q", "context": "c", "max_seq_len": 100000}"#, 422),
                               (#"{"question": "q", "context": "c", "doc_stride": 500}"#, 422)] {
            let answer = try await server.request("/qa", body: body)
            XCTAssertEqual(answer.status, status, "\(body): \(answer.text)")
        }
        try await server.stop()
    }
}

/// The generated weights of scripts/make_pipeline_goldens.py: the key-seeded synthetic checkpoint with the head
/// keys multiplied by 20 (the MANIFEST's pipelines/ section).
struct HeadScaledSource: TensorSource {
    let base: SyntheticCheckpoint
    var tensorNames: [String] { base.tensorNames }
    var sourceDescription: String { "head-scaled synthetic checkpoint" }
    func shape(of name: String) throws -> [Int] { try base.shape(of: name) }
    func floats(_ name: String) throws -> [Float] {
        let head = ["classifier.", "qa_outputs."].contains { name.hasPrefix($0) } || name == "cls.predictions.transform.LayerNorm.weight"
        return head ? try base.floats(name).map { $0 * 20 } : try base.floats(name)
    }
}

/// Asserts `actual` equals `expected`: numbers within 1e-4 (integers exactly), strings, keys and lengths exactly.
/// Returns the largest number difference.
@discardableResult
func assertJSONClose(_ actual: JSONValue, _ expected: JSONValue, _ what: String, file: StaticString = #filePath,
                     line: UInt = #line) -> Double {
    switch (actual, expected) {
    case let (.array(a), .array(e)):
        XCTAssertEqual(a.count, e.count, "\(what): list length", file: file, line: line)
        return zip(a, e).enumerated().map { assertJSONClose($1.0, $1.1, "\(what)[\($0)]", file: file, line: line) }.max() ?? 0
    case let (.object(a), .object(e)):
        XCTAssertEqual(a.keys.sorted(), e.keys.sorted(), "\(what): keys", file: file, line: line)
        return e.members.map { m in assertJSONClose(a[m.key] ?? .null, m.value, "\(what).\(m.key)", file: file, line: line) }.max() ?? 0
    case let (.integer(a), .integer(e)):
        XCTAssertEqual(a, e, what, file: file, line: line)
        return 0
    default:
        if let a = actual.doubleValue, let e = expected.doubleValue, case .number = expected {
            XCTAssertLessThanOrEqual(abs(a - e), 1e-4, "\(what): \(a) vs \(e)", file: file, line: line)
            return abs(a - e)
        }
        XCTAssertEqual(actual, expected, what, file: file, line: line)
        return 0
    }
}
