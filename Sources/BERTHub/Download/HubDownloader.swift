import BERTJSON
import Foundation

/// How far a download has got, for a progress display.
public struct HubDownloadProgress: Sendable {
    /// The file being fetched (repository path).
    public var file: String
    /// Its position among the files fetched, from 1.
    public var fileIndex: Int
    /// How many files are fetched.
    public var fileCount: Int
    /// Bytes of this file on disk so far (a resumed file starts above 0).
    public var bytes: Int64
    /// The file's size, when the Hub said it.
    public var totalBytes: Int64?
}

/// Downloads a model from the Hugging Face Hub into the shared cache, as `huggingface_hub.snapshot_download` does,
/// and returns its snapshot folder.
///
/// The listing comes from `GET {endpoint}/api/models/{repo}/revision/{revision}`; each file's ETag and commit from
/// `HEAD {endpoint}/{repo}/resolve/{commit}/{path}` (redirects not followed, so an LFS file's `X-Linked-Etag` is
/// read); its bytes from the (redirected) address into `blobs/<etag>.incomplete`, continued with a Range request
/// after an interruption, checked (size, and sha256 for LFS files), renamed into `blobs/<etag>`, and linked from
/// `snapshots/<commit>/<path>`. A per-blob lock makes concurrent processes share one download.
///
/// ```swift
/// let folder = try HubDownloader().download("sentence-transformers/all-MiniLM-L6-v2")
/// ```
public struct HubDownloader: Sendable {
    /// Endpoint, token, cache and timeouts.
    public var settings: HubSettings

    /// A downloader with `settings` (the environment's by default).
    public init(settings: HubSettings = HubSettings()) { self.settings = settings }

    private var http: HubHTTP { HubHTTP(settings: settings) }
    private var layout: HubCacheLayout { HubCacheLayout(root: settings.cache) }

    /// Fetches the files of `repo` at `revision` (branch, tag or commit) that a model needs, or those matching
    /// `include` globs, and returns the snapshot folder. Files already in the cache are not fetched again. With
    /// `HF_HUB_OFFLINE` set, returns the cached snapshot or throws `.offline`.
    public func download(_ repo: String, revision: String = "main", include: [String]? = nil,
                         progress: ((HubDownloadProgress) -> Void)? = nil) throws -> URL {
        if settings.offline {
            do { return try ModelLocator(hubCache: settings.cache).resolve(repo, revision: revision) } catch {
                throw HubDownloadError.offline(repo: repo)
            }
        }
        let (commit, listing) = try fetchListing(repo, revision: revision)
        for path in listing where !HubFileSelection.isSafe(path) { throw HubDownloadError.unsafePath(repo: repo, path: path) }
        let files = HubFileSelection.select(listing, include: include)
        if files.isEmpty, let include, !include.isEmpty { throw HubDownloadError.nothingSelected(repo: repo, patterns: include) }
        layout.tagCache()
        for (index, path) in files.enumerated() {
            try fetchFile(repo, commit: commit, path: path) { bytes, total in
                progress?(HubDownloadProgress(file: path, fileIndex: index + 1, fileCount: files.count, bytes: bytes, totalBytes: total))
            }
        }
        try layout.writeRef(repo, revision: revision, commit: commit)
        let snapshot = layout.snapshot(repo, commit: commit)
        do { try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true) } catch {
            throw HubDownloadError.cacheUnwritable(path: snapshot.path, reason: error.localizedDescription)
        }
        return snapshot
    }

    /// The local folder for `reference`: an existing folder, a model id (`ORG/NAME[@revision]`) in the cache, or
    /// else a model id downloaded now (not when offline).
    /// - Throws: `BERTHubError.modelNotFound` for a reference that is neither a folder nor a model id, or an id
    ///   missing from the cache while offline; `HubDownloadError` when the download fails.
    public func locate(_ reference: String, progress: ((HubDownloadProgress) -> Void)? = nil) throws -> URL {
        do {
            return try ModelLocator(hubCache: settings.cache).resolve(reference)
        } catch let error as BERTHubError {
            guard case .modelNotFound = error, !settings.offline, let (id, revision) = ModelLocator.modelId(reference) else {
                throw error
            }
            return try download(id, revision: revision ?? "main", progress: progress)
        }
    }

    // MARK: Listing

    /// The commit `revision` resolves to and every file path of the repository there.
    func fetchListing(_ repo: String, revision: String) throws -> (commit: String, files: [String]) {
        let url = try address("\(settings.endpoint)/api/models/\(Self.quotePath(repo))/revision/\(Self.quote(revision))")
        let response = try http.send { HubHTTP.Request(url: url, timeout: settings.metadataTimeout) }
        try check(response, repo: repo, revision: revision, file: nil)
        let listing: (String, [String])
        do {
            let reader = try JSONFieldReader(try JSONValue.parse(response.body), file: url.absoluteString)
            let commit = try reader.required(reader.string("sha"), "sha")
            let siblings = try reader.required(reader.objects("siblings"), "siblings")
            listing = (commit, try siblings.map { sibling throws(JSONFieldError) in try sibling.required(sibling.string("rfilename"), "rfilename") })
        } catch {
            throw HubDownloadError.invalidResponse(url: url.absoluteString, reason: "\(error)")
        }
        guard Self.isCommitHash(listing.0) else {
            throw HubDownloadError.invalidResponse(url: url.absoluteString, reason: "\"sha\" is not a commit hash")
        }
        return listing
    }

    // MARK: One file

    /// Makes `snapshots/<commit>/<path>` point at a verified blob, downloading it when the cache lacks it.
    func fetchFile(_ repo: String, commit: String, path: String, progress: @escaping (Int64, Int64?) -> Void) throws {
        let pointer = layout.pointer(repo, commit: commit, path: path)
        if FileManager.default.fileExists(atPath: pointer.path) { return }  // follows the link: the blob is there
        let resolveURL = try address("\(settings.endpoint)/\(Self.quotePath(repo))/resolve/\(Self.quote(commit))/\(Self.quotePath(path))")
        let head = try http.send {
            HubHTTP.Request(method: "HEAD", url: resolveURL, followRedirects: false, timeout: settings.metadataTimeout)
        }
        try check(head, repo: repo, revision: commit, file: path)
        guard let etag = Self.normalizedETag(head.header("x-linked-etag") ?? head.header("etag")), !etag.isEmpty,
              HubFileSelection.isSafe(etag), !etag.contains("/") else {
            throw HubDownloadError.invalidResponse(url: resolveURL.absoluteString, reason: "no usable ETag header")
        }
        let size = (head.header("x-linked-size") ?? (head.isRedirect ? nil : head.header("content-length"))).flatMap { Int64($0) }
        var source = resolveURL
        if head.isRedirect, let location = head.header("location") {
            guard let target = URL(string: location, relativeTo: resolveURL)?.absoluteURL else {
                throw HubDownloadError.invalidResponse(url: resolveURL.absoluteString, reason: "bad Location \(location)")
            }
            source = target
        }
        let blob = layout.blob(repo, etag: etag)
        let lock = try BlobLock(layout.lock(repo, etag: etag))
        defer { withExtendedLifetime(lock) {} }
        if !FileManager.default.fileExists(atPath: blob.path) {
            try BlobTransfer(http: http, source: source, blob: blob, expectedSize: size,
                             expectedSHA256: Self.isSHA256(etag) ? etag : nil, file: path).run(progress: progress)
        }
        try layout.link(repo, commit: commit, path: path, etag: etag)
    }

    // MARK: Errors

    /// Maps a failed answer to the error `huggingface_hub` would raise (it reads the `X-Error-Code` header).
    func check(_ response: HubResponse, repo: String, revision: String, file: String?) throws {
        let status = response.status
        if (200..<400).contains(status) { return }
        let code = response.header("x-error-code")
        let message = response.header("x-error-message")
            ?? (try? JSONFieldReader(JSONValue.parse(response.body), file: "")).flatMap { try? $0.string("error") }
        switch (status, code) {
        case (_, "RepoNotFound"):
            throw HubDownloadError.repositoryNotFound(repo: repo, hasToken: settings.token != nil)
        case (404, nil) where file == nil:
            throw HubDownloadError.repositoryNotFound(repo: repo, hasToken: settings.token != nil)
        case (_, "RevisionNotFound"):
            throw HubDownloadError.revisionNotFound(repo: repo, revision: revision)
        case (_, "EntryNotFound"), (404, _):
            throw HubDownloadError.fileNotFound(repo: repo, file: file ?? "")
        case (401, _), (403, _):
            throw HubDownloadError.unauthorized(repo: repo, status: status, hasToken: settings.token != nil, message: message)
        default:
            throw HubDownloadError.server(url: response.url.absoluteString, status: status, message: message)
        }
    }

    // MARK: Names

    private func address(_ text: String) throws -> URL {
        guard let url = URL(string: text) else { throw HubDownloadError.invalidResponse(url: text, reason: "not a valid address; check HF_ENDPOINT") }
        return url
    }

    /// `W/"abc"` or `"abc"` → `abc`, as `huggingface_hub._normalize_etag`.
    static func normalizedETag(_ value: String?) -> String? {
        guard var value else { return nil }
        if value.hasPrefix("W/") { value.removeFirst(2) }
        return value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    static func isCommitHash(_ text: String) -> Bool { text.count == 40 && text.allSatisfy(\.isHexDigit) }
    static func isSHA256(_ text: String) -> Bool { text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase } }

    /// Python's `urllib.parse.quote(text, safe="")`.
    static func quote(_ text: String) -> String { percentEncode(text, keeping: "") }
    /// Python's `quote(text)` (slashes kept).
    static func quotePath(_ text: String) -> String { percentEncode(text, keeping: "/") }

    private static func percentEncode(_ text: String, keeping extra: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 128, c.isLetter || c.isNumber || "_.-~".contains(c) || extra.contains(c) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
