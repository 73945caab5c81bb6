/// The settings of `bert serve`, with Text Embeddings Inference's names and defaults
/// (text-embeddings-inference router/src/main.rs).
package struct ServerConfiguration: Sendable {
    /// The address to bind: loopback unless told otherwise.
    package var host = "127.0.0.1"
    /// The port; 0 picks a free one (tests).
    package var port = 8080
    /// The model's name in `/info`, `/v1/models` and OpenAI answers.
    package var modelID: String
    /// How the queue batches and how many inputs it holds.
    package var limits = BatchLimits()
    /// Inputs one request may carry (`--max-client-batch-size`, 32).
    package var maxClientBatchSize = 32
    /// Tokens one input may have (`--max-input-length`; nil: the model's `max_seq_length`).
    package var maxInputLength: Int?
    /// Truncate over-long inputs when a request does not say (`--auto-truncate`, false).
    package var autoTruncate = false
    /// Largest request body in bytes (`--payload-limit`, 2 MB).
    package var payloadLimit = 2_000_000
    /// When set, every route but `/health` and `/metrics` needs `Authorization: Bearer <key>`.
    package var apiKey: String?

    /// Defaults for the model named `modelID`.
    package init(modelID: String) { self.modelID = modelID }

    /// Checks the numbers, so a typo fails at start-up rather than on the first request.
    package func validate() throws(ServerError) {
        func check(_ value: Int, _ name: String, min: Int = 1) throws(ServerError) {
            guard value >= min else { throw ServerError(.validation, "\(name) must be at least \(min), not \(value)") }
        }
        try check(port, "--port", min: 0)
        guard port <= 65_535 else { throw ServerError(.validation, "--port must be at most 65535, not \(port)") }
        try check(limits.maxBatchTokens, "--max-batch-tokens")
        if let n = limits.maxBatchRequests { try check(n, "--max-batch-requests") }
        try check(limits.maxConcurrentRequests, "--max-concurrent-requests")
        try check(maxClientBatchSize, "--max-client-batch-size")
        if let n = maxInputLength { try check(n, "--max-input-length", min: 2) }
        try check(payloadLimit, "--payload-limit")
        if let apiKey, apiKey.isEmpty { throw ServerError(.validation, "--api-key must not be empty") }
    }
}
