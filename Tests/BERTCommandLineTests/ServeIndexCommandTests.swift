import BERT
import Foundation
import TestSupport
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `bert serve --index` through the built binaries: an index built by `bert index add` is served, `POST /search`
/// answers exactly as `bert search --index` (ids in order, scores within 1e-5, texts and metadata), documents added
/// over `POST /index` are found by `bert search --index` afterwards, and an index of another model stops the
/// server before it listens. On SQLite always; on PostgreSQL + pgvector when BERT_TEST_POSTGRES is set.
final class ServeIndexCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = CLIModels.root.appendingPathComponent("serve-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { [folder] in try? FileManager.default.removeItem(at: folder!) }
    }

    /// `count` JSON Lines documents `PREFIX0...` with a `label` metadata field alternating between two values.
    func corpus(_ count: Int, prefix: String) throws -> (path: String, records: [JSONValue]) {
        let url = repositoryRoot.appendingPathComponent("data/polarity/train.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().prefix(count)
        let records = try lines.enumerated().map { (i, line) throws -> JSONValue in
            let comma = try XCTUnwrap(line.lastIndex(of: ","))
            var text = String(line[..<comma])
            if text.hasPrefix("\"") { text = String(text.dropFirst().dropLast()) }
            return ["id": .string("\(prefix)\(i)"), "text": .string(text), "metadata": ["label": .string(String(line[line.index(after: comma)...]))]]
        }
        let path = folder.appendingPathComponent("\(prefix).jsonl").path
        try records.map { String(decoding: try $0.serialized(), as: UTF8.self) }.joined(separator: "\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return (path, records)
    }

    func testSearchRouteEqualsBertSearchOnSQLite() async throws {
        try await checkServedIndex(folder.appendingPathComponent("docs.sqlite").path)
    }

    func testSearchRouteEqualsBertSearchOnPostgres() async throws {
        guard let url = ProcessInfo.processInfo.environment["BERT_TEST_POSTGRES"], !url.isEmpty else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("BERT_TEST_POSTGRES is not set: run scripts/start-postgres.sh") }
            throw XCTSkip("no PostgreSQL: eval \"$(scripts/start-postgres.sh)\" first")
        }
        let table = "serve" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await checkServedIndex(url + (url.contains("?") ? "&" : "?") + "table=\(table)")
    }

    /// Builds an index at `location` with `bert index add`, serves it, and compares the server with the CLI.
    func checkServedIndex(_ location: String) async throws {
        let model = try CLIModels.minilm().path
        let (path, _) = try corpus(80, prefix: "p")
        let added = try CLI.run(["index", "add", "--index", location, "--model", model, "--quiet", path])
        XCTAssertEqual(added.status, 0, added.stderr)
        let server = try ServedProcess.start(["serve", "--model", model, "--index", location, "--port", "0"])
        defer { server.stop() }

        // Documents added over HTTP: stored ids skipped, new ones embedded as `bert index add` embeds them.
        let (_, extra) = try corpus(90, prefix: "p")
        let body: JSONValue = ["documents": .array(Array(extra.suffix(12)))]
        let answer = try await server.post("/index", body)
        XCTAssertEqual(answer, ["added": 10, "skipped": 2, "documents": 90])

        let queries = ["a moving film", "boring and too long", "the actors are wonderful"]
        for filter in [nil, "label=negative"] as [String?] {
            let cli = try CLI.run(["search", "--index", location, "--top-k", "7"] + (filter.map { ["--filter", $0] } ?? []) + queries)
            XCTAssertEqual(cli.status, 0, cli.stderr)
            let expected = try cli.jsonLines()
            var request: JSONObject = ["query": .array(queries.map { .string($0) }), "top_k": 7]
            if filter != nil { request["filter"] = ["label": "negative"] }
            let servedAnswer = try await server.post("/search", .object(request))
            let served = try XCTUnwrap(servedAnswer.arrayValue)
            XCTAssertEqual(served.count, queries.count)
            for (i, (hits, want)) in zip(served, expected).enumerated() {
                let wanted = try XCTUnwrap(want["results"]?.arrayValue)
                let got = try XCTUnwrap(hits.arrayValue)
                XCTAssertEqual(got.map { $0["id"]?.stringValue }, wanted.map { $0["id"]?.stringValue }, "query \(i) filter \(filter ?? "none")")
                for (g, w) in zip(got, wanted) {
                    XCTAssertEqual(g["score"]?.doubleValue ?? .nan, w["score"]?.doubleValue ?? .nan, accuracy: 1e-5)
                    XCTAssertEqual(g["text"], w["text"])
                    XCTAssertEqual(g["metadata"], w["metadata"])
                }
                if filter != nil { XCTAssertTrue(got.allSatisfy { $0["metadata"]?["label"]?.stringValue == "negative" }) }
            }
            XCTAssertTrue(expected.flatMap { $0["results"]?.arrayValue ?? [] }.contains { ($0["id"]?.stringValue ?? "") >= "p80" }
                          || filter != nil, "documents added over HTTP are among the CLI's hits")
        }
        let single = try await server.post("/search", ["query": "a moving film", "top_k": 3])
        XCTAssertEqual(single.arrayValue?.count, 3, "a single query is one list of hits")
        let removed = try await server.post("/index", ["ids": ["p0", "p1", "nope"]], method: "DELETE")
        XCTAssertEqual(removed, ["removed": 2, "documents": 88])
        let info = try CLI.run(["index", "info", "--index", location]).jsonLines().first
        XCTAssertEqual(info?["documents"]?.intValue, 88, "the CLI sees the server's changes")
        XCTAssertEqual(server.stop(), 0, "SIGTERM ends the server with status 0")

        // An index built with another model (the same weights, another config.json): the server refuses to start,
        // naming the index's model; a model of another task cannot serve an index at all.
        let minilm = try CLIModels.minilm()
        let other = folder.appendingPathComponent("other-model")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: minilm.path) where name != "config.json" {
            try FileManager.default.copyItem(at: minilm.appendingPathComponent(name), to: other.appendingPathComponent(name))
        }
        var config = try String(contentsOf: minilm.appendingPathComponent("config.json"), encoding: .utf8)
        config = config.replacingOccurrences(of: "{", with: "{\"note\": \"changed\",", options: [], range: config.range(of: "{"))
        try config.write(to: other.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let wrongModel = try CLI.run(["serve", "--model", other.path, "--index", location, "--port", "0"])
        XCTAssertEqual(wrongModel.status, 1, wrongModel.stderr)
        XCTAssertTrue(wrongModel.stderr.contains("built with model"), wrongModel.stderr)
        let wrongTask = try CLI.run(["serve", "--model", try CLIModels.task("mlm").path, "--index", location, "--port", "0"])
        XCTAssertEqual(wrongTask.status, 1, wrongTask.stderr)
        XCTAssertTrue(wrongTask.stderr.contains("--index needs an embedding model"), wrongTask.stderr)
    }
}

/// A `bert serve` child process on a free loopback port (`--port 0`; the port is read from its log).
final class ServedProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    private let log: URL

    static func start(_ arguments: [String]) throws -> ServedProcess {
        let process = Process()
        process.executableURL = CLI.bert
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        let log = CLIModels.root.appendingPathComponent("serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"listening on http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
               let port = Int(text[range].split(separator: ":").last ?? "") {
                return ServedProcess(process: process, port: port, log: log)
            }
            if !process.isRunning { throw CLIFailure("bert serve exited \(process.terminationStatus): \(text)") }
            usleep(100_000)
        }
        process.terminate()
        throw CLIFailure("bert serve did not start in 120 s")
    }

    private init(process: Process, port: Int, log: URL) { (self.process, self.port, self.log) = (process, port, log) }

    /// POSTs (or sends with `method`) `body` and returns the JSON answer; a status other than 200 fails with the text.
    func post(_ path: String, _ body: JSONValue, method: String = "POST") async throws -> JSONValue {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(try body.serialized())
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw CLIFailure("\(path): status \(status): \(String(decoding: data, as: UTF8.self))") }
        return try JSONValue.parse(Array(data))
    }

    /// SIGTERM, then the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
        return process.terminationStatus
    }
}

/// A failure of a child process, with its message.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
