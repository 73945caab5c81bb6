import Foundation

/// Where and how to reach the Hugging Face Hub, read from the environment variables `huggingface_hub` reads, so
/// one setting serves the Python tools and this package alike.
///
/// - `HF_ENDPOINT`: the Hub's address (a mirror, or a local double in tests); default `https://huggingface.co`.
/// - `HF_TOKEN`, else the file `HF_TOKEN_PATH`, else `HF_HOME/token` (`~/.cache/huggingface/token`): the token
///   sent as `Authorization: Bearer` for gated and private models.
/// - `HF_HUB_OFFLINE=1`: never touch the network; only what is in the cache is used.
/// - `HF_HUB_CACHE` / `HF_HOME`: the cache (see `ModelLocator.hubCache(environment:)`).
/// - `HF_HUB_ETAG_TIMEOUT` / `HF_HUB_DOWNLOAD_TIMEOUT`: seconds to wait for metadata / for the next bytes of a
///   download (defaults 10 and 10, as `huggingface_hub`).
public struct HubSettings: Sendable {
    /// The Hub's base address, without a trailing slash.
    public var endpoint: String
    /// The access token, if any.
    public var token: String?
    /// When true, nothing is downloaded.
    public var offline: Bool
    /// The cache directory.
    public var cache: URL
    /// Seconds to wait for a metadata answer.
    public var metadataTimeout: Double
    /// Seconds to wait for the next bytes of a download.
    public var downloadTimeout: Double
    /// Attempts per request when the server answers 429/5xx or the connection fails.
    public var attempts: Int
    /// The first pause between attempts, in seconds; it doubles after each failure (at most 8 s).
    public var retryDelay: Double

    /// Settings from `environment` (the process's by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        endpoint = Self.trimmedEndpoint(environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co")
        token = Self.token(environment: environment)
        let offlineValue = (environment["HF_HUB_OFFLINE"] ?? "").uppercased()
        offline = ["1", "ON", "YES", "TRUE"].contains(offlineValue)
        cache = ModelLocator.hubCache(environment: environment)
        metadataTimeout = environment["HF_HUB_ETAG_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? 10
        downloadTimeout = environment["HF_HUB_DOWNLOAD_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? 10
        attempts = 5
        retryDelay = 1
    }

    static func trimmedEndpoint(_ value: String) -> String {
        var value = value
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// `HF_TOKEN`, else the token file, as `huggingface_hub.get_token` looks them up.
    static func token(environment: [String: String]) -> String? {
        if let token = environment["HF_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty { return token }
        let path: String
        if let explicit = environment["HF_TOKEN_PATH"], !explicit.isEmpty {
            path = ModelLocator.expandTilde(explicit)
        } else if let home = environment["HF_HOME"], !home.isEmpty {
            path = ModelLocator.expandTilde(home) + "/token"
        } else {
            let cacheHome = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : ModelLocator.expandTilde($0) }
                ?? ModelLocator.expandTilde("~/.cache")
            path = cacheHome + "/huggingface/token"
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }
}
