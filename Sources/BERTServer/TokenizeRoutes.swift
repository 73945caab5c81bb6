import BERTJSON
import BERTTokenizers
import Hummingbird

/// TEI's `POST /tokenize` and `POST /decode`, over the served model's tokenizer (no truncation, as TEI).
extension InferenceServer {
    /// `{"inputs": string | [string], "add_special_tokens": true, "prompt_name"}` → one token list per input, each
    /// token `{"id", "text", "special", "start", "stop"}` with UTF-8 byte offsets into the (prompted) input and
    /// null offsets for special tokens (TEI's `into_tokens`).
    func tokenize(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        let texts: [String]
        switch body.value("inputs") {
        case let .string(text)?: texts = [text]
        case let .array(items)?:
            guard !items.isEmpty else { throw ServerError(.empty, "`inputs` cannot be empty") }
            texts = try items.enumerated().map { (i, item) throws(ServerError) -> String in
                guard let text = item.stringValue else {
                    throw ServerError(.validation, "`inputs[\(i)]` must be a string, not \(item.kind)")
                }
                return text
            }
        case let other?: throw ServerError(.validation, "`inputs` must be a string or a list of strings, not \(other.kind)")
        case nil: throw ServerError(.validation, "`inputs` is missing")
        }
        guard texts.count <= configuration.maxClientBatchSize else {
            throw ServerError(.validation, "batch size \(texts.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        let special = try WireFormat.field { () throws(JSONFieldError) in try body.bool("add_special_tokens") } ?? true
        let promptName = try WireFormat.field { () throws(JSONFieldError) in try body.string("prompt_name") }
        let lists: [JSONValue] = try texts.map { text throws(ServerError) -> JSONValue in
            let (input, encoding) = try embeddings.encodeForDisplay(text, addSpecialTokens: special, promptName: promptName)
            return .array(Self.tokens(encoding, input: input))
        }
        return WireFormat.json(.array(lists))
    }

    /// The tokens of `encoding` in TEI's shape; `input` is the text its offsets (code points) index.
    static func tokens(_ encoding: Encoding, input: String) -> [JSONValue] {
        // Code-point offsets → UTF-8 byte offsets: the byte position before each scalar.
        var bytePosition = [0]
        bytePosition.reserveCapacity(input.unicodeScalars.count + 1)
        for scalar in input.unicodeScalars { bytePosition.append(bytePosition.last! + String(scalar).utf8.count) }
        let scalars = Array(input.unicodeScalars)
        return encoding.ids.indices.map { i in
            let id = JSONValue.integer(Int64(encoding.ids[i]))
            if encoding.specialTokensMask[i] == 1 {
                return ["id": id, "text": .string(encoding.tokens[i]), "special": true, "start": .null, "stop": .null]
            }
            let range = encoding.offsets[i].clamped(to: 0..<scalars.count)
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars[range])
            return ["id": id, "text": .string(String(text)), "special": false,
                    "start": .integer(Int64(bytePosition[range.lowerBound])), "stop": .integer(Int64(bytePosition[range.upperBound]))]
        }
    }

    /// `{"ids": [int] | [[int]], "skip_special_tokens": true}` → one text per id list.
    func decode(_ request: Request) async throws -> Response {
        let body = try await WireFormat.object(of: request, limit: configuration.payloadLimit)
        guard let value = body.value("ids") else { throw ServerError(.validation, "`ids` is missing") }
        let lists: [[Int]]
        if let ids = WireFormat.tokenIDs(value) {
            lists = [ids]
        } else if case let .array(items) = value, !items.isEmpty {
            lists = try items.enumerated().map { (i, item) throws(ServerError) -> [Int] in
                guard let ids = WireFormat.tokenIDs(item) else {
                    throw ServerError(.validation, "`ids[\(i)]` must be a non-empty list of token ids")
                }
                return ids
            }
        } else {
            throw ServerError(value.arrayValue?.isEmpty == true ? .empty : .validation,
                              "`ids` must be a non-empty list of token ids or of such lists")
        }
        guard lists.count <= configuration.maxClientBatchSize else {
            throw ServerError(.validation, "batch size \(lists.count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
        let skip = try WireFormat.field { () throws(JSONFieldError) in try body.bool("skip_special_tokens") } ?? true
        let texts = try lists.map { ids throws(ServerError) in try embeddings.decode(ids, skipSpecialTokens: skip) }
        return WireFormat.json(.array(texts.map { .string($0) }))
    }
}
