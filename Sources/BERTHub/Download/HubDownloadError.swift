import Foundation

/// Everything that can go wrong fetching a model from the Hub; each message names the model, file or address
/// and says what to do.
public enum HubDownloadError: Error, Equatable, Sendable {
    /// `HF_HUB_OFFLINE` is set and the model is not in the cache.
    case offline(repo: String)
    /// 401/403: the model is gated or private and the token (if any) has no access.
    case unauthorized(repo: String, status: Int, hasToken: Bool, message: String?)
    /// The Hub's RepoNotFound: no such model — or, without a token, a private one.
    case repositoryNotFound(repo: String, hasToken: Bool)
    /// The revision (branch, tag or commit) does not exist.
    case revisionNotFound(repo: String, revision: String)
    /// A file of the model is absent at that revision.
    case fileNotFound(repo: String, file: String)
    /// The server kept failing (429 or 5xx) after every retry.
    case server(url: String, status: Int, message: String?)
    /// The connection failed after every retry (no network, refused, timed out).
    case network(url: String, reason: String)
    /// An answer lacked something the Hub always sends (a commit header, an ETag, a JSON field).
    case invalidResponse(url: String, reason: String)
    /// A downloaded blob's bytes do not hash to its LFS ETag, or its size differs; the file was deleted.
    case integrity(file: String, expected: String, found: String)
    /// A file name in the listing would leave the snapshot folder (absolute, `..`, or empty parts).
    case unsafePath(repo: String, path: String)
    /// No file of the listing matched the patterns.
    case nothingSelected(repo: String, patterns: [String])
    /// A cache file or folder could not be written.
    case cacheUnwritable(path: String, reason: String)
}

extension HubDownloadError: CustomStringConvertible, LocalizedError {
    /// One line naming what failed and how to fix it.
    public var description: String {
        switch self {
        case let .offline(repo):
            return "\(repo): not in the Hugging Face cache and HF_HUB_OFFLINE is set; unset it to download, or download it first with `bert download \(repo)`"
        case let .unauthorized(repo, status, hasToken, message):
            let detail = message.map { " (\($0))" } ?? ""
            return hasToken
                ? "\(repo): the Hub refused access (HTTP \(status))\(detail); the token in HF_TOKEN or the token file lacks access: accept the model's terms on its page or use a token that has access"
                : "\(repo): the Hub refused access (HTTP \(status))\(detail); the model is gated or private: set HF_TOKEN to an access token (and accept its terms on the model page)"
        case let .repositoryNotFound(repo, hasToken):
            return hasToken
                ? "\(repo): no such model on the Hub, or the token cannot see it; check the id (ORG/NAME)"
                : "\(repo): no such model on the Hub; check the id (ORG/NAME), and for a private model set HF_TOKEN"
        case let .revisionNotFound(repo, revision):
            return "\(repo): no revision \"\(revision)\" (branch, tag or commit) on the Hub"
        case let .fileNotFound(repo, file):
            return "\(repo): the Hub has no file \"\(file)\" at this revision"
        case let .server(url, status, message):
            return "\(url): the Hub answered HTTP \(status)\(message.map { " (\($0))" } ?? "") after every retry; try again later"
        case let .network(url, reason):
            return "\(url): cannot reach the Hub (\(reason)); check the network, HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use the cache only"
        case let .invalidResponse(url, reason):
            return "\(url): unexpected answer from the Hub: \(reason); check HF_ENDPOINT"
        case let .integrity(file, expected, found):
            return "\(file): the download is corrupt (expected \(expected), got \(found)); it was removed: run the command again"
        case let .unsafePath(repo, path):
            return "\(repo): the Hub listed the file name \"\(path)\", which would leave the snapshot folder; refused"
        case let .nothingSelected(repo, patterns):
            return "\(repo): no file matches \(patterns.joined(separator: ", ")); check --include"
        case let .cacheUnwritable(path, reason):
            return "\(path): cannot write the Hugging Face cache (\(reason)); check its permissions and free space, or set HF_HUB_CACHE"
        }
    }

    /// Same as `description`.
    public var errorDescription: String? { description }
}
