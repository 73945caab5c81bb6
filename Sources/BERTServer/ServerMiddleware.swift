import Hummingbird

/// Wraps every route: the API key check, TEI- or OpenAI-shaped error bodies, and the request metrics.
struct ServerMiddleware<Context: RequestContext>: RouterMiddleware {
    /// `Bearer <key>` as bytes, when a key is required.
    let expectedAuthorization: [UInt8]?
    /// Routes that answer without a key (probes and scrapers, as TEI's public routes).
    let publicPaths: Set<String>
    /// Routes counted under their own name in metrics; anything else is counted as "unknown".
    let knownPaths: Set<String>
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let path = request.uri.path
        let route = knownPaths.contains(path) ? path : "unknown"
        do {
            try authorize(request, path: path)
            let response = try await next(request, context)
            metrics.request(route: route, error: nil, duration: ContinuousClock.now - start)
            return response
        } catch {
            let failure = Self.serverError(error, request: request)
            metrics.request(route: route, error: failure.kind, duration: ContinuousClock.now - start)
            // OpenAI's routes (and TEI's /embeddings alias of one) answer in OpenAI's error shape.
            let openAI = path.hasPrefix("/v1/") || path == "/embeddings"
            var response = WireFormat.json(openAI ? failure.openAIBody : failure.teiBody, status: failure.status)
            if failure.kind == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
            return response
        }
    }

    private func authorize(_ request: Request, path: String) throws(ServerError) {
        guard let expected = expectedAuthorization, !publicPaths.contains(path) else { return }
        guard let given = request.headers[.authorization] else {
            throw ServerError(.unauthorized, "this server needs an API key: send \"Authorization: Bearer <key>\"")
        }
        guard constantTimeEqual(Array(given.utf8), expected) else {
            throw ServerError(.unauthorized, "the API key is not valid")
        }
    }

    /// Any error as the `ServerError` to answer with.
    static func serverError(_ error: any Error, request: Request) -> ServerError {
        switch error {
        case let error as ServerError:
            return error
        case let error as HTTPError where error.status == .notFound:
            return ServerError(.notFound, "no route for \(request.method) \(request.uri.path)")
        case let error as HTTPError where error.status == .contentTooLarge:
            return ServerError(.payloadTooLarge, "the request body is too large")
        case let error as HTTPError where error.status.code < 500:
            return ServerError(.validation, error.body ?? "bad request (\(error.status.code))")
        default:
            return ServerError(.backend, "\(error)")
        }
    }
}

/// Compares in time that depends only on the lengths, so the answer time does not reveal how much of a guessed
/// key was right.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | (a.count == b.count ? 0 : 1)
    for i in 0..<max(a.count, b.count) {
        difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
    }
    return difference == 0
}
