import BERTJSON
import BERTTasks
import Hummingbird

/// TEI's `POST /predict` and `POST /rerank`, for sequence-classification / cross-encoder folders.
extension InferenceServer {
    var classifier: ClassifierService {
        get throws(ServerError) {
            guard let classifierService else {
                throw ServerError(.backend, "this model is not a sequence classifier; it serves \(servedRoutes)")
            }
            return classifierService
        }
    }

    /// `{"inputs": "a" | ["a", "b"] (a pair) | [["a"], ["a", "b"], ...], "raw_scores", "truncate"}` → every label's
    /// score, highest first: one list for one input, a list of lists for a batch (TEI's `PredictInput`, whose
    /// untagged parse reads a two-string list as one pair).
    func predict(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let classifier = try classifier
        guard let value = body.value("inputs") else { throw ServerError(.validation, "`inputs` is missing") }
        let (inputs, single) = try Self.predictInputs(value)
        guard inputs.count <= configuration.maxClientBatchSize else {
            throw ServerError(.validation, "batch size \(inputs.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        let raw = try WireFormat.field { () throws(JSONFieldError) in try body.bool("raw_scores") } ?? false
        let truncate = try WireFormat.field { () throws(JSONFieldError) in try body.bool("truncate") } ?? configuration.autoTruncate
        let answers = try await classifier.predict(inputs, rawScores: raw, truncate: truncate)
        return WireFormat.json(single ? answers[0] : .array(answers))
    }

    static func predictInputs(_ value: JSONValue) throws(ServerError) -> ([TextClassificationInput], single: Bool) {
        func sequence(_ item: JSONValue, _ path: String) throws(ServerError) -> TextClassificationInput {
            if let text = item.stringValue { return TextClassificationInput(text: text) }
            if let parts = item.arrayValue, (1...2).contains(parts.count), let a = parts[0].stringValue,
               parts.count == 1 || parts[1].stringValue != nil {
                return TextClassificationInput(text: a, textPair: parts.count == 2 ? parts[1].stringValue : nil)
            }
            throw ServerError(.validation, "`\(path)` must be a text or a [text, text pair] list, not \(item.kind)")
        }
        switch value {
        case let .string(text): return ([TextClassificationInput(text: text)], true)
        case let .array(items):
            guard !items.isEmpty else { throw ServerError(.empty, "`inputs` cannot be empty") }
            if items.count == 2, let a = items[0].stringValue, let b = items[1].stringValue {
                return ([TextClassificationInput(text: a, textPair: b)], true)
            }
            return (try items.enumerated().map { (i, item) throws(ServerError) in try sequence(item, "inputs[\(i)]") }, false)
        default:
            throw ServerError(.validation, "`inputs` must be a text, a pair, or a list of them, not \(value.kind)")
        }
    }

    /// `{"query", "texts", "raw_scores", "return_text", "truncate"}` → `[{"index", "score", "text"?}]`, best first.
    func rerank(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let classifier = try classifier
        let query = try WireFormat.field { () throws(JSONFieldError) in try body.required(body.string("query"), "query") }
        let texts = try WireFormat.field { () throws(JSONFieldError) in try body.required(body.strings("texts"), "texts") }
        guard !texts.isEmpty else { throw ServerError(.empty, "`texts` cannot be empty") }
        guard texts.count <= configuration.maxClientBatchSize else {
            throw ServerError(.validation, "batch size \(texts.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        let raw = try WireFormat.field { () throws(JSONFieldError) in try body.bool("raw_scores") } ?? false
        let returnText = try WireFormat.field { () throws(JSONFieldError) in try body.bool("return_text") } ?? false
        let truncate = try WireFormat.field { () throws(JSONFieldError) in try body.bool("truncate") } ?? configuration.autoTruncate
        return WireFormat.json(try await classifier.rerank(query: query, texts: texts, rawScores: raw, returnText: returnText,
                                                           truncate: truncate))
    }
}
