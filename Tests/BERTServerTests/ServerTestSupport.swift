import AsyncHTTPClient
import BERTJSON
import BERTServer
import BERTTasks
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import TestSupport
import XCTest

/// One HTTP answer: status code and body.
struct HTTPAnswer {
    var status: Int
    var body: [UInt8]
    var headers: [(String, String)] = []

    /// The body parsed as JSON.
    func json() throws -> JSONValue { try JSONValue.parse(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A `bert serve` server running in this process on a free loopback port, and an AsyncHTTPClient to call it.
final class RunningServer: @unchecked Sendable {
    let port: Int
    let group: ServiceGroup
    let server: InferenceServer
    var embeddings: EmbeddingService { server.embeddingService! }
    private let runTask: Task<Void, any Error>
    var client: HTTPClient { .shared }

    private init(port: Int, group: ServiceGroup, server: InferenceServer, runTask: Task<Void, any Error>) {
        (self.port, self.group, self.server, self.runTask) = (port, group, server, runTask)
    }

    /// Starts a server over all-MiniLM-L6-v2 with the defaults changed by `configure`.
    static func start(searchService: SearchService? = nil,
                      _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> RunningServer {
        var configuration = ServerConfiguration(modelID: "sentence-transformers/all-MiniLM-L6-v2")
        configuration.port = 0
        configure(&configuration)
        try configuration.validate()
        let metrics = ServerMetrics()
        let embeddings = try EmbeddingService(model: SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2")),
                                              maxInputLength: configuration.maxInputLength, limits: configuration.limits,
                                              observer: { metrics.record($0) })
        var server = InferenceServer(configuration: configuration, embeddings: embeddings, metrics: metrics)
        server.searchService = searchService
        return try await start(server)
    }

    /// Starts `server` on the port its configuration names (0: a free one).
    static func start(_ server: InferenceServer) async throws -> RunningServer {
        var logger = Logger(label: "bert-serve-test")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let group = server.makeServiceGroup(logger: logger, signals: []) { portSink.yield($0) }
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw CocoaError(.featureUnsupported) }
        return RunningServer(port: port, group: group, server: server, runTask: task)
    }

    /// Sends `method path` with `body` (JSON text) and `headers`.
    func request(_ path: String, method: HTTPMethod = .POST, body: String? = nil, bytes: [UInt8]? = nil,
                 headers: [(String, String)] = []) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        if let bytes { request.body = .bytes(ByteBuffer(bytes: bytes)) }
        if body != nil || bytes != nil { request.headers.add(name: "Content-Type", value: "application/json") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(120))
        let buffer = try await response.body.collect(upTo: 1 << 26)
        return HTTPAnswer(status: Int(response.status.code), body: Array(buffer.readableBytesView),
                          headers: response.headers.map { ($0.name, $0.value) })
    }

    /// GET `path`.
    func get(_ path: String, headers: [(String, String)] = []) async throws -> HTTPAnswer {
        try await request(path, method: .GET, headers: headers)
    }

    /// Graceful shutdown, then waits for the group to return.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await runTask.value
    }
}

/// `value` as a list of float vectors (JSON arrays of numbers).
func vectors(_ value: JSONValue) -> [[Float]] {
    (value.arrayValue ?? []).map { ($0.arrayValue ?? []).map { Float($0.doubleValue ?? .nan) } }
}

/// Asserts two vector lists are equal float for float.
func assertIdentical(_ actual: [[Float]], _ expected: [[Float]], _ message: String = "", file: StaticString = #filePath,
                     line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(message): vector count", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let worst = zip(a, e).map { abs($0 - $1) }.max() ?? 0
        XCTAssertTrue(a == e, "\(message): vector \(i) differs (\(a.count) vs \(e.count) values, max |diff| \(worst))",
                      file: file, line: line)
    }
}

/// `value` as JSON text.
func jsonText(_ value: JSONValue) throws -> String { try value.serializedString() }

/// The vectors of an OpenAI answer's `data`, in order (float arrays, or base64 decoded as the SDK does).
func openAIVectors(_ answer: JSONValue) -> [[Float]] {
    (answer["data"]?.arrayValue ?? []).map { item in
        if let text = item["embedding"]?.stringValue {
            guard let data = Data(base64Encoded: text) else { return [] }
            return data.withUnsafeBytes { raw in
                (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
        }
        return (item["embedding"]?.arrayValue ?? []).map { Float($0.doubleValue ?? .nan) }
    }
}
