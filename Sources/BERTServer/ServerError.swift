import BERTJSON
import HTTPTypes

/// Why a request failed, in Text Embeddings Inference's terms: each kind has TEI's `error_type` string and status
/// code (text-embeddings-inference router/src/http/server.rs, `impl From<&ErrorType> for StatusCode`), and the
/// server writes it as TEI's `{"error", "error_type"}` or, on `/v1` routes, as OpenAI's `{"error": {...}}`.
package struct ServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TEI's `ErrorType`, plus the HTTP-level failures TEI leaves to its framework.
    package enum Kind: String, Sendable, Equatable {
        /// A request field out of range, too many inputs, an input too long (422).
        case validation
        /// The tokenizer failed on the input (422).
        case tokenizer
        /// No inputs (400).
        case empty
        /// The model failed, or the route does not fit the model's task (424).
        case backend
        /// The queue is full (429).
        case overloaded
        /// The server is shutting down (503).
        case unhealthy
        /// The body is larger than the payload limit (413).
        case payloadTooLarge = "payload_too_large"
        /// No or a wrong `Authorization: Bearer` key (401).
        case unauthorized
        /// No such route (404).
        case notFound = "not_found"
    }

    /// What failed.
    package var kind: Kind
    /// The message for the client.
    package var message: String

    /// An error of `kind` saying `message`.
    package init(_ kind: Kind, _ message: String) { (self.kind, self.message) = (kind, message) }

    package var description: String { message }

    /// The HTTP status TEI answers with for this kind.
    package var status: HTTPResponse.Status {
        switch kind {
        case .validation, .tokenizer: .unprocessableContent
        case .empty: .badRequest
        case .backend: .init(code: 424, reasonPhrase: "Failed Dependency")
        case .overloaded: .tooManyRequests
        case .unhealthy: .serviceUnavailable
        case .payloadTooLarge: .contentTooLarge
        case .unauthorized: .unauthorized
        case .notFound: .notFound
        }
    }

    /// TEI's body: `{"error": message, "error_type": kind}`.
    package var teiBody: JSONValue { ["error": .string(message), "error_type": .string(kind.rawValue)] }

    /// OpenAI's body, as TEI's `OpenAICompatErrorResponse` and the OpenAI SDK read it:
    /// `{"error": {"message", "type", "code"}}` (the SDK raises `APIStatusError` with `body["error"]`).
    package var openAIBody: JSONValue {
        ["error": ["message": .string(message), "type": .string(kind.rawValue), "code": .integer(Int64(status.code))]]
    }

    /// The invalid-request error for a JSON field.
    package init(_ field: JSONFieldError) {
        self.init(.validation, field.reason)
    }

    /// The queue is full (TEI's message).
    package static let overloaded = ServerError(.overloaded, "Model is overloaded")
}
