import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stand-in for the Hugging Face Hub on loopback, serving the repository in `Tests/Fixtures/hub/download`
/// with the answers scripts/make_hub_download_goldens.py's Python double gives (that script made the golden
/// cache listing from huggingface_hub talking to it):
///
/// - `GET /api/models/{repo}/revision/{rev}` → `{"id", "sha", "siblings"}`
/// - `HEAD|GET /{repo}/resolve/{rev}/{path}` → LFS files: 302 to `http://localhost:PORT/cdn/{sha256}` (another
///   host, as the real CDN) with `X-Repo-Commit`, `X-Linked-Etag`, `X-Linked-Size`; other files: 200 with `ETag`
/// - `GET /cdn/{sha256}` → the bytes, honouring `Range`
/// - other repos: 401 + `X-Error-Code: RepoNotFound`; other revisions: 404 + `RevisionNotFound`.
///
/// Fault knobs for tests: 5xx answers before success, a throttled CDN, tampered bytes, a gated repository, extra
/// (hostile) file names in the listing. Every request is recorded.
public final class HubDouble: @unchecked Sendable {
    /// One file of the served repository.
    public struct File: Sendable { public var path: String; public var lfs: Bool; public var etag: String; public var data: Data }

    /// The served repository id and commit.
    public let repo: String
    public let commit: String
    /// Files by path.
    public private(set) var files: [String: File] = [:]
    /// The port it listens on (127.0.0.1 and `localhost`).
    public private(set) var port: UInt16 = 0

    private let lock = NSLock()
    private var socketDescriptor: Int32 = -1
    private var _requests: [(method: String, path: String, range: String?)] = []
    private var _authorizations: [String?] = []
    private var _failuresLeft: [String: Int] = [:]

    /// Bytes per write and the pause after each, for the CDN (to interrupt a download half-way).
    public var throttle: (bytes: Int, microseconds: UInt32)?
    /// Answers the next `count` requests whose path starts with `prefix` with HTTP 500.
    public func fail(_ prefix: String, times count: Int) { lock.withLock { _failuresLeft[prefix] = count } }
    /// Repositories answered with 401 + `GatedRepo`, as a gated model without a token.
    public var gatedRepos: Set<String> = []
    /// CDN answers for these ETags have their first byte flipped.
    public var tampered: Set<String> = []
    /// Extra names put in the listing (they are then served as missing).
    public var extraListing: [String] = []
    /// When true the CDN ignores Range and sends everything with 200.
    public var ignoresRange = false

    /// Requests seen so far: method, path and Range header.
    public var requests: [(method: String, path: String, range: String?)] { lock.withLock { _requests } }
    /// The Authorization header of each request, in the same order.
    public var authorizations: [String?] { lock.withLock { _authorizations } }

    /// The address to use as `HF_ENDPOINT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Loads the fixture repository (manifest.json + repo/).
    public init(fixture: URL = fixtureURL("hub/download")) throws {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("manifest.json"))) as! [String: Any]
        repo = manifest["repo"] as! String
        commit = manifest["commit"] as! String
        for entry in manifest["files"] as! [[String: Any]] {
            let path = entry["path"] as! String
            let data = try Data(contentsOf: fixture.appendingPathComponent("repo").appendingPathComponent(path))
            files[path] = File(path: path, lfs: entry["lfs"] as! Bool, etag: entry["etag"] as! String, data: data)
        }
    }

    /// Starts listening on an ephemeral loopback port and serving on background threads.
    public func start() throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketDescriptor, 64) == 0 else { throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let listener = socketDescriptor
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    // Closed here, not in stop(): a descriptor number freed while this thread still uses it could be
                    // reused by the next test's double, whose connections this (stale) double would then answer.
                    close(listener)
                    return
                }
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }

    /// Stops accepting connections.
    public func stop() {
        if socketDescriptor >= 0 { shutdown(socketDescriptor, Int32(SHUT_RDWR)); socketDescriptor = -1 }
    }

    deinit { stop() }

    // MARK: Serving

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !buffer.containsHeaderEnd {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { return }
            buffer += chunk[0..<n]
            if buffer.count > 65536 { return }
        }
        let head = String(decoding: buffer, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return }
        let method = String(requestLine[0])
        let target = String(requestLine[1]).components(separatedBy: "?")[0]
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        lock.withLock {
            _requests.append((method, target, headers["range"]))
            _authorizations.append(headers["authorization"])
        }
        let answer = respond(method: method, path: target.removingPercentEncoding ?? target, headers: headers)
        send(answer, to: client, head: method == "HEAD")
    }

    struct Answer { var status: Int; var headers: [(String, String)] = []; var body = Data(); var throttled = false }

    private func respond(method: String, path: String, headers: [String: String]) -> Answer {
        let failing = lock.withLock { () -> Bool in
            guard let key = _failuresLeft.first(where: { path.hasPrefix($0.key) && $0.value > 0 })?.key else { return false }
            _failuresLeft[key]! -= 1
            return true
        }
        if failing { return Answer(status: 500, body: Data("{\"error\":\"boom\"}".utf8)) }
        if path.hasPrefix("/api/models/") {
            let rest = String(path.dropFirst("/api/models/".count))
            guard let range = rest.range(of: "/revision/") else { return error(404, "EntryNotFound") }
            let repo = String(rest[..<range.lowerBound]), revision = String(rest[range.upperBound...])
            if let refusal = refuse(repo: repo, revision: revision) { return refusal }
            let names = files.keys.sorted() + extraListing
            let siblings = names.map { "{\"rfilename\":\(Self.jsonString($0))}" }.joined(separator: ",")
            let body = "{\"id\":\(Self.jsonString(repo)),\"sha\":\"\(commit)\",\"siblings\":[\(siblings)]}"
            return Answer(status: 200, headers: [("Content-Type", "application/json")], body: Data(body.utf8))
        }
        if path.hasPrefix("/cdn/") {
            let etag = String(path.dropFirst("/cdn/".count))
            guard var data = files.values.first(where: { $0.etag == etag })?.data else { return error(404, "EntryNotFound") }
            if tampered.contains(etag), !data.isEmpty { data[0] ^= 0xFF }
            if !ignoresRange, let range = headers["range"], range.hasPrefix("bytes="),
               let start = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
                guard start < data.count else { return Answer(status: 416, headers: [("Content-Range", "bytes */\(data.count)")]) }
                return Answer(status: 206, headers: [("Content-Range", "bytes \(start)-\(data.count - 1)/\(data.count)"), ("ETag", "\"\(etag)\"")],
                              body: data.subdata(in: start..<data.count), throttled: true)
            }
            return Answer(status: 200, headers: [("ETag", "\"\(etag)\"")], body: data, throttled: true)
        }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 5, parts[2] == "resolve" else { return error(404, "EntryNotFound") }
        let repo = parts[0] + "/" + parts[1], revision = parts[3], file = parts[4...].joined(separator: "/")
        if let refusal = refuse(repo: repo, revision: revision) { return refusal }
        guard let entry = files[file] else { return error(404, "EntryNotFound") }
        if entry.lfs {
            return Answer(status: 302, headers: [
                ("Location", "http://localhost:\(port)/cdn/\(entry.etag)"), ("X-Repo-Commit", commit),
                ("X-Linked-Etag", "\"\(entry.etag)\""), ("X-Linked-Size", "\(entry.data.count)"),
                ("ETag", "\"\(entry.etag.prefix(40))\""),
            ])
        }
        return Answer(status: 200, headers: [("X-Repo-Commit", commit), ("ETag", "\"\(entry.etag)\"")], body: entry.data)
    }

    private func refuse(repo: String, revision: String) -> Answer? {
        if gatedRepos.contains(repo) { return error(401, "GatedRepo") }
        if repo != self.repo { return error(401, "RepoNotFound") }
        if revision != "main" && revision != commit { return error(404, "RevisionNotFound") }
        return nil
    }

    private func error(_ status: Int, _ code: String) -> Answer {
        Answer(status: status, headers: [("X-Error-Code", code), ("X-Error-Message", code), ("Content-Type", "application/json")],
               body: Data("{\"error\":\"\(code)\"}".utf8))
    }

    private func send(_ answer: Answer, to client: Int32, head: Bool) {
        let reason = [200: "OK", 206: "Partial Content", 302: "Found", 401: "Unauthorized", 404: "Not Found",
                      416: "Range Not Satisfiable", 500: "Internal Server Error"][answer.status] ?? "Status"
        var text = "HTTP/1.1 \(answer.status) \(reason)\r\n"
        for (name, value) in answer.headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(answer.body.count)\r\nConnection: close\r\n\r\n"
        guard write(Data(text.utf8), client) else { return }
        guard !head else { return }
        if answer.throttled, let throttle {
            var offset = 0
            while offset < answer.body.count {
                let end = min(offset + throttle.bytes, answer.body.count)
                guard write(answer.body.subdata(in: offset..<end), client) else { return }
                offset = end
                usleep(throttle.microseconds)
            }
        } else {
            _ = write(answer.body, client)
        }
    }

    private func write(_ data: Data, _ client: Int32) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                #if canImport(Glibc)
                let n = Glibc.send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #else
                let n = Darwin.send(client, raw.baseAddress! + offset, raw.count - offset, 0)
                #endif
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return true }
        return false
    }
}
