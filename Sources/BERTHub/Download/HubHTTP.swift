import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP answer: status, header fields (names lowercased) and, unless it was streamed to a sink, the body.
package struct HubResponse: Sendable {
    /// The status code.
    package var status: Int
    /// Header fields, names lowercased.
    package var headers: [String: String]
    /// The body, when not streamed (capped; see `HubHTTP.maximumBodyBytes`).
    package var body: Data
    /// The address that answered (after any redirects followed).
    package var url: URL

    /// A header field by lowercase name.
    package func header(_ name: String) -> String? { headers[name] }
    /// 3xx.
    package var isRedirect: Bool { (300..<400).contains(status) }
}

/// A blocking HTTP client over URLSession for the Hub: timeouts, optional redirect following, bodies streamed to
/// a sink (downloads), and retries with back-off on 429, 5xx and failed connections, as `huggingface_hub` retries.
package struct HubHTTP: Sendable {
    /// Bodies kept in memory (JSON listings, error messages) are cut at this size.
    package static let maximumBodyBytes = 64 << 20

    package var settings: HubSettings

    package init(settings: HubSettings) { self.settings = settings }

    /// A request: method, address, headers and whether redirects are followed.
    package struct Request: Sendable {
        package var method = "GET"
        package var url: URL
        package var headers: [String: String] = [:]
        package var followRedirects = true
        package var timeout: Double
    }

    /// Sends the request made by `prepare` (called before every attempt, so a resumed download asks for the bytes
    /// it still lacks), retrying on 429/5xx answers and failed connections. `sink` receives the status and body chunks of a 2xx answer.
    package func send(_ prepare: () throws -> Request, sink: ((Int, Data) throws -> Void)? = nil) throws -> HubResponse {
        var delay = settings.retryDelay
        var attempt = 1
        while true {
            let request = try prepare()
            let outcome = Self.once(request, authorization: settings.token, sink: sink)
            switch outcome {
            case let .answer(response):
                if (response.status == 429 || response.status >= 500), attempt < settings.attempts { break }
                return response
            case let .failed(reason):
                if attempt >= settings.attempts { throw HubDownloadError.network(url: request.url.absoluteString, reason: reason) }
            case let .sinkFailed(error):
                throw error
            }
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, 8)
            attempt += 1
        }
    }

    enum Outcome { case answer(HubResponse), failed(String), sinkFailed(Error) }

    /// One attempt.
    static func once(_ request: Request, authorization token: String?, sink: ((Int, Data) throws -> Void)?) -> Outcome {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        urlRequest.setValue("swift-bert", forHTTPHeaderField: "User-Agent")
        if let token { urlRequest.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        let handler = TaskHandler(followRedirects: request.followRedirects, sink: sink)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = request.timeout
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: handler, delegateQueue: nil)
        session.dataTask(with: urlRequest).resume()
        handler.done.wait()
        session.finishTasksAndInvalidate()
        return handler.outcome(for: request.url)
    }
}

/// Collects one task's answer for `HubHTTP.once`.
private final class TaskHandler: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let followRedirects: Bool
    let sink: ((Int, Data) throws -> Void)?
    let done = DispatchSemaphore(value: 0)
    // Written on the session's delegate queue, read after `done` is signalled.
    var response: HTTPURLResponse?
    var body = Data()
    var failure: Error?
    var sinkError: Error?

    init(followRedirects: Bool, sink: ((Int, Data) throws -> Void)?) {
        self.followRedirects = followRedirects
        self.sink = sink
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(followRedirects ? request : nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        self.response = response as? HTTPURLResponse
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard sinkError == nil else { return }
        let status = (dataTask.response as? HTTPURLResponse)?.statusCode ?? response?.statusCode ?? 0
        if let sink, (200..<300).contains(status) {
            do { try sink(status, data) } catch {
                sinkError = error
                dataTask.cancel()
            }
        } else if body.count < HubHTTP.maximumBodyBytes {
            body.append(data.prefix(HubHTTP.maximumBodyBytes - body.count))
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if response == nil { response = task.response as? HTTPURLResponse }
        failure = error
        done.signal()
    }

    func outcome(for url: URL) -> HubHTTP.Outcome {
        if let sinkError { return .sinkFailed(sinkError) }
        if let failure {
            let nsError = failure as NSError
            // A redirect we declined is reported by some URLSession versions as an error with the 3xx response.
            if let response, (300..<400).contains(response.statusCode), !followRedirects {
                return .answer(answer(response, url: url))
            }
            return .failed(nsError.localizedDescription.isEmpty ? "\(nsError.domain) \(nsError.code)" : nsError.localizedDescription)
        }
        guard let response else { return .failed("no HTTP answer") }
        return .answer(answer(response, url: url))
    }

    private func answer(_ response: HTTPURLResponse, url: URL) -> HubResponse {
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HubResponse(status: response.statusCode, headers: headers, body: body, url: response.url ?? url)
    }
}
