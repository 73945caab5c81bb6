import Prometheus

/// The Prometheus series `/metrics` shows, named as Text Embeddings Inference names them (router/src/prometheus.rs
/// and the `te_*` counters of router/src/http/server.rs), so TEI dashboards read them unchanged.
package final class ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    package let registry = PrometheusCollectorRegistry()
    private let queueSize: Gauge
    private let batchSize: ValueHistogram
    private let batchTokens: ValueHistogram
    private let inferenceDuration: DurationHistogram
    private let requestDuration: DurationHistogram
    private let inputLength: ValueHistogram

    /// The series, registered.
    package init() {
        queueSize = registry.makeGauge(descriptor: Self.name("te_queue_size", "Inputs waiting for the model"))
        batchSize = registry.makeValueHistogram(descriptor: Self.name("te_batch_next_size", "Inputs per forward pass"), buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
        batchTokens = registry.makeValueHistogram(descriptor: Self.name("te_batch_next_tokens", "Tokens per forward pass"), buckets: [16, 64, 256, 1024, 2048, 4096, 8192, 16384, 32768])
        let latency: [Duration] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].map { .milliseconds($0) }
        inferenceDuration = registry.makeDurationHistogram(descriptor: Self.name("te_batch_inference_duration", "Seconds per forward pass"), buckets: latency)
        requestDuration = registry.makeDurationHistogram(descriptor: Self.name("te_request_duration", "Seconds per request, from arrival to answer"), buckets: latency)
        inputLength = registry.makeValueHistogram(descriptor: Self.name("te_request_input_length", "Tokens per input"), buckets: [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 8192])
    }

    /// Records what the batching queue reports.
    package func record(_ event: BatchEvent) {
        switch event {
        case let .batch(inputs, tokens, seconds):
            batchSize.record(Double(inputs))
            batchTokens.record(Double(tokens))
            inferenceDuration.record(.nanoseconds(Int64(seconds * 1e9)))
        case let .queueSize(n):
            queueSize.set(Double(n))
        }
    }

    /// Counts a request to `route` and its outcome (`te_request_count`, `te_request_success`, `te_request_failure`).
    package func request(route: String, error: ServerError.Kind?, duration: Duration) {
        registry.makeCounter(descriptor: Self.name("te_request_count", "Requests"), labels: [("route", route)]).increment()
        if let error {
            registry.makeCounter(descriptor: Self.name("te_request_failure", "Requests refused or failed"), labels: [("route", route), ("err", error.rawValue)]).increment()
        } else {
            registry.makeCounter(descriptor: Self.name("te_request_success", "Requests answered"), labels: [("route", route)]).increment()
        }
        requestDuration.record(duration)
    }

    /// Records the token counts of one request's inputs.
    package func inputLengths(_ lengths: [Int]) {
        for n in lengths { inputLength.record(Double(n)) }
    }

    /// TEI's bare names (no unit suffix).
    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The text exposition format.
    package func render() -> [UInt8] { registry.emitToBuffer() }
}

/// What the batching queue did, for metrics.
package enum BatchEvent: Sendable {
    /// A batch of `inputs` inputs and `tokens` tokens ran in `seconds`.
    case batch(inputs: Int, tokens: Int, seconds: Double)
    /// The number of inputs waiting changed.
    case queueSize(Int)
}
