import BERTJSON
import BERTTasks
import Hummingbird

/// `/fill-mask`, `/ner` and `/qa`: transformers' pipelines over HTTP, with the pipelines' argument names. Options
/// may sit at the top level or under `parameters` (Hugging Face's Inference API shape); `inputs` is one text (one
/// answer) or a list (a list of answers).
extension InferenceServer {
    /// The pipeline service when it serves `route`, else TEI's 424 for a route the model cannot serve.
    func pipeline(for route: String) throws(ServerError) -> PipelineService {
        guard let pipelineService, pipelineService.route == route else {
            throw ServerError(.backend, "this model does not serve \(route); it serves \(servedRoutes)")
        }
        return pipelineService
    }

    /// `{"inputs", "top_k": 5, "targets", "truncation": false}` → per text, `[{"score", "token", "token_str",
    /// "sequence"}]` (a list per mask when a text has several).
    func fillMask(_ request: Request) async throws -> Response {
        let (body, parameters) = try await pipelineBody(request)
        let service = try pipeline(for: "/fill-mask")
        let (texts, single) = try pipelineTexts(body)
        var options = FillMaskOptions()
        options.topK = try parameters.positive("top_k") ?? 5
        options.targets = try parameters.read { reader throws(JSONFieldError) -> [String]? in
            if case let .string(one)? = reader.value("targets", keep: true) { return [one] }
            return try reader.strings("targets")
        }
        options.truncate = try parameters.read { reader throws(JSONFieldError) in try reader.bool("truncation") } ?? false
        let answers = try await service.run(texts.map { .fillMask($0, options) })
        return WireFormat.json(single ? answers[0] : .array(answers))
    }

    /// `{"inputs", "aggregation_strategy": "none", "ignore_labels": ["O"], "stride"}` → per text, the entities.
    func ner(_ request: Request) async throws -> Response {
        let (body, parameters) = try await pipelineBody(request)
        let service = try pipeline(for: "/ner")
        let (texts, single) = try pipelineTexts(body)
        var options = EntityOptions()
        if let name = try parameters.read({ reader throws(JSONFieldError) in try reader.string("aggregation_strategy") }) {
            guard let strategy = AggregationStrategy(rawValue: name.lowercased()) else {
                let known = AggregationStrategy.allCases.map(\.rawValue).joined(separator: ", ")
                throw ServerError(.validation, "`aggregation_strategy` must be one of \(known), not \"\(name)\"")
            }
            options.aggregation = strategy
        }
        options.ignoreLabels = try parameters.read { reader throws(JSONFieldError) in try reader.strings("ignore_labels") } ?? ["O"]
        options.stride = try parameters.positive("stride")
        let answers = try await service.run(texts.map { .entities($0, options) })
        return WireFormat.json(single ? answers[0] : .array(answers))
    }

    /// `{"question", "context"}`, or `{"inputs": {"question", "context"} | [...]}`, with `top_k`, `doc_stride`,
    /// `max_answer_len`, `max_seq_len`, `max_question_len`, `handle_impossible_answer`, `align_to_words` → per
    /// question `{"score", "start", "end", "answer"}` (a list of them when `top_k` > 1).
    func qa(_ request: Request) async throws -> Response {
        let (body, parameters) = try await pipelineBody(request)
        let service = try pipeline(for: "/qa")
        let (inputs, single) = try questions(body)
        guard inputs.count <= configuration.maxClientBatchSize else {
            throw ServerError(.validation, "batch size \(inputs.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        var options = AnswerOptions()
        options.topK = try parameters.positive("top_k") ?? 1
        options.docStride = try parameters.positive("doc_stride")
        options.maxSeqLen = try parameters.positive("max_seq_len")
        options.maxQuestionLen = try parameters.positive("max_question_len") ?? 64
        options.maxAnswerLen = try parameters.positive("max_answer_len") ?? 15
        options.handleImpossibleAnswer = try parameters.read { reader throws(JSONFieldError) in try reader.bool("handle_impossible_answer") } ?? false
        options.alignToWords = try parameters.read { reader throws(JSONFieldError) in try reader.bool("align_to_words") } ?? true
        if let n = options.maxSeqLen, n > service.maxInputLength {
            throw ServerError(.validation, "`max_seq_len` \(n) is more than the model's \(service.maxInputLength) positions")
        }
        let answers = try await service.run(inputs.map { .answer($0, options) }).map { list in
            options.topK == 1 ? (list.arrayValue?.first ?? list) : list
        }
        return WireFormat.json(single ? answers[0] : .array(answers))
    }

    private func pipelineBody(_ request: Request) async throws -> (JSONFieldReader, PipelineParameters) {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let nested = try WireFormat.field { () throws(JSONFieldError) in try body.object("parameters") }
        return (body, PipelineParameters(readers: [nested, body].compactMap { $0 }))
    }

    /// `inputs`: a text or a non-empty list of texts, at most `--max-client-batch-size`.
    private func pipelineTexts(_ body: JSONFieldReader) throws(ServerError) -> ([String], single: Bool) {
        switch body.value("inputs") {
        case let .string(text)?: return ([text], true)
        case let .array(items)?:
            guard !items.isEmpty else { throw ServerError(.empty, "`inputs` cannot be empty") }
            guard items.count <= configuration.maxClientBatchSize else {
                throw ServerError(.validation, "batch size \(items.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
            }
            return (try items.enumerated().map { (i, item) throws(ServerError) -> String in
                guard let text = item.stringValue else { throw ServerError(.validation, "`inputs[\(i)]` must be a string, not \(item.kind)") }
                return text
            }, false)
        case let other?: throw ServerError(.validation, "`inputs` must be a string or a list of strings, not \(other.kind)")
        case nil: throw ServerError(.validation, "`inputs` is missing")
        }
    }

    /// The questions of a `/qa` body: top-level `question` + `context`, or `inputs` as one such object or a list.
    private func questions(_ body: JSONFieldReader) throws(ServerError) -> ([QuestionAnsweringInput], single: Bool) {
        func one(_ reader: JSONFieldReader) throws(ServerError) -> QuestionAnsweringInput {
            try WireFormat.field { () throws(JSONFieldError) in
                QuestionAnsweringInput(question: try reader.required(reader.string("question"), "question"),
                                       context: try reader.required(reader.string("context"), "context"))
            }
        }
        switch body.value("inputs") {
        case nil: return ([try one(body)], true)
        case let .object(object)?: return ([try one(JSONFieldReader(object: object, file: "request body", path: "inputs"))], true)
        case let .array(items)?:
            guard !items.isEmpty else { throw ServerError(.empty, "`inputs` cannot be empty") }
            return (try items.enumerated().map { (i, item) throws(ServerError) in
                guard case let .object(object) = item else {
                    throw ServerError(.validation, "`inputs[\(i)]` must be an object with `question` and `context`, not \(item.kind)")
                }
                return try one(JSONFieldReader(object: object, file: "request body", path: "inputs[\(i)]"))
            }, false)
        case let other?:
            throw ServerError(.validation, "`inputs` must be an object with `question` and `context`, or a list of them, not \(other.kind)")
        }
    }
}

/// A pipeline option, looked up under `parameters` first, then at the top level.
struct PipelineParameters {
    let readers: [JSONFieldReader]

    func read<T>(_ read: (JSONFieldReader) throws(JSONFieldError) -> T?) throws(ServerError) -> T? {
        for reader in readers {
            if let value = try WireFormat.field({ () throws(JSONFieldError) in try read(reader) }) { return value }
        }
        return nil
    }

    func positive(_ key: String) throws(ServerError) -> Int? {
        for reader in readers { if let n = try WireFormat.positive(reader, key) { return n } }
        return nil
    }
}
