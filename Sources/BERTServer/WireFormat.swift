import BERTJSON
import BERTTokenizers
import Hummingbird

/// Reading request bodies and writing JSON answers. Bodies are parsed with BERTJSON (the project's one JSON
/// reader), so a wrong type becomes a 422 that names the field instead of a generic decoding failure.
enum WireFormat {
    /// The body, refused past `limit` bytes (413) before it is all read.
    static func body(of request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ServerError(.payloadTooLarge, "the request body is \(length) bytes; the limit is \(limit) (--payload-limit)")
        }
        var bytes: [UInt8] = []
        for try await chunk in request.body {
            guard bytes.count + chunk.readableBytes <= limit else {
                throw ServerError(.payloadTooLarge, "the request body is larger than the \(limit)-byte limit (--payload-limit)")
            }
            bytes += chunk.readableBytesView
        }
        return bytes
    }

    /// The body as a JSON object, read field by field.
    static func object(of request: Request, limit: Int) async throws -> JSONFieldReader {
        let bytes = try await body(of: request, limit: limit)
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw ServerError(.validation, "the request body is not valid JSON: \(error)")
        }
        do { return try JSONFieldReader(value, file: "request body") } catch {
            throw ServerError(.validation, "the request body must be a JSON object, not \(value.kind)")
        }
    }

    /// TEI's `inputs` / OpenAI's `input`: a string, token ids, or a list of strings or token id lists.
    static func embedInputs(_ reader: JSONFieldReader, key: String) throws(ServerError) -> [EmbedInput] {
        guard let value = reader.value(key) else { throw ServerError(.validation, "`\(key)` is missing") }
        let shape = "a string, a list of strings, or a list of token id lists"
        switch value {
        case let .string(text): return [.text(text)]
        case let .array(items):
            guard !items.isEmpty else { throw ServerError(.empty, "`\(key)` cannot be empty") }
            if let ids = tokenIDs(value) { return [.ids(ids)] }
            return try items.enumerated().map { (i, item) throws(ServerError) -> EmbedInput in
                if case let .string(text) = item { return .text(text) }
                if let ids = tokenIDs(item) { return .ids(ids) }
                throw ServerError(.validation, "`\(key)[\(i)]` must be a string or a list of token ids, not \(item.kind)")
            }
        default:
            throw ServerError(.validation, "`\(key)` must be \(shape), not \(value.kind)")
        }
    }

    /// `value` as a non-empty list of integers, else nil.
    static func tokenIDs(_ value: JSONValue) -> [Int]? {
        guard case let .array(items) = value, !items.isEmpty else { return nil }
        var ids: [Int] = []
        ids.reserveCapacity(items.count)
        for item in items {
            guard case let .integer(i) = item, let id = Int(exactly: i) else { return nil }
            ids.append(id)
        }
        return ids
    }

    /// TEI's `truncation_direction`: `Right` (default) or `Left`, in any case.
    static func truncationDirection(_ reader: JSONFieldReader) throws(ServerError) -> TruncationDirection {
        guard let text = try field({ () throws(JSONFieldError) in try reader.string("truncation_direction") }) else { return .right }
        switch text.lowercased() {
        case "right": return .right
        case "left": return .left
        default: throw ServerError(.validation, "`truncation_direction` must be \"Right\" or \"Left\", not \"\(text)\"")
        }
    }

    /// A positive integer field, or nil.
    static func positive(_ reader: JSONFieldReader, _ key: String) throws(ServerError) -> Int? {
        guard let n = try field({ () throws(JSONFieldError) in try reader.int(key) }) else { return nil }
        guard n > 0 else { throw ServerError(.validation, "`\(key)` must be at least 1, not \(n)") }
        return n
    }

    /// Runs a field read, turning its error into a 422.
    static func field<T>(_ read: () throws(JSONFieldError) -> T) throws(ServerError) -> T {
        do { return try read() } catch { throw ServerError(error) }
    }

    /// A JSON answer.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        // Only a non-finite float fails to serialise: the model produced NaN or infinity.
        guard let bytes = try? value.serialized() else {
            return json(ServerError(.backend, "the model's output is not finite (NaN or infinity)").teiBody,
                        status: ServerError(.backend, "").status)
        }
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A float vector as a JSON array.
    static func array(_ values: [Float]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
}
