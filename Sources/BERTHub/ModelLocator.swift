import Foundation

/// Resolves a model reference — a directory path, or a Hugging Face model id such as
/// `sentence-transformers/all-MiniLM-L6-v2` — to a local model directory. It never downloads.
///
/// Model ids are looked up in the Hugging Face hub cache the way `huggingface_hub` lays it out:
/// `<cache>/models--ORG--NAME/snapshots/<commit>/`, with `refs/<revision>` holding the commit of a branch or
/// tag. The cache is `HF_HUB_CACHE`, else `HF_HOME/hub`, else `~/.cache/huggingface/hub` (`XDG_CACHE_HOME` is
/// honoured for the last, as `huggingface_hub` does).
///
/// ```swift
/// let directory = try ModelLocator().resolve("sentence-transformers/all-MiniLM-L6-v2")
/// ```
public struct ModelLocator: Sendable {
    /// The hub cache directory searched for model ids.
    public var hubCache: URL

    /// A locator over the cache the environment selects.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        hubCache = Self.hubCache(environment: environment)
    }

    /// A locator over an explicit hub cache directory (tests, or a cache shipped with an app).
    public init(hubCache: URL) { self.hubCache = hubCache }

    /// The hub cache `huggingface_hub` would use in `environment`.
    package static func hubCache(environment: [String: String]) -> URL {
        if let cache = environment["HF_HUB_CACHE"], !cache.isEmpty { return URL(fileURLWithPath: expandTilde(cache)) }
        if let home = environment["HF_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: expandTilde(home)).appendingPathComponent("hub")
        }
        let cacheHome = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : expandTilde($0) }
            ?? expandTilde("~/.cache")
        return URL(fileURLWithPath: cacheHome).appendingPathComponent("huggingface/hub")
    }

    /// The local directory for `reference`.
    ///
    /// An existing directory path wins; otherwise a reference shaped like a model id (`NAME` or `ORG/NAME`,
    /// optionally `@revision`) is looked up in the cache at `revision` (a branch, tag or commit; `main` by
    /// default). A revision with a `refs/` file uses that commit's snapshot; when `main` has no ref, the most
    /// recently modified snapshot is used.
    /// - Throws: `BERTHubError.notADirectory` for a file path, `.permissionDenied` for a path this user may not
    ///   reach, `.snapshotMissing` for a ref whose snapshot is absent, `.modelNotFound` listing every place searched.
    public func resolve(_ reference: String, revision: String? = nil) throws -> URL {
        let path = Self.expandTilde(reference)
        switch try FileProbe.kind(path) {
        case .directory: return URL(fileURLWithPath: path).standardizedFileURL
        case .file: throw BERTHubError.notADirectory(path: path)
        case .absent: break
        }
        var searched = [URL(fileURLWithPath: path).standardizedFileURL.path + " (as a directory)"]
        guard let parsed = Self.modelId(reference) else {
            throw BERTHubError.modelNotFound(reference: reference, searched: searched)
        }
        let id = parsed.id
        let revision = revision ?? parsed.revision

        let repo = hubCache.appendingPathComponent("models--" + id.replacingOccurrences(of: "/", with: "--"))
        let snapshots = repo.appendingPathComponent("snapshots")
        let wanted = revision ?? "main"
        let ref = repo.appendingPathComponent("refs").appendingPathComponent(wanted)
        if let commit = try? String(contentsOf: ref, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !commit.isEmpty {
            let snapshot = snapshots.appendingPathComponent(commit)
            guard Self.isDirectory(snapshot) else {
                throw BERTHubError.snapshotMissing(model: id, revision: wanted, path: snapshot.path)
            }
            return snapshot
        }
        searched.append(ref.path + " (ref)")
        if revision != nil {
            // A commit hash given directly is a snapshot name.
            let snapshot = snapshots.appendingPathComponent(wanted)
            if Self.isDirectory(snapshot) { return snapshot }
            searched.append(snapshot.path)
            throw BERTHubError.modelNotFound(reference: reference, searched: searched)
        }
        if let newest = Self.newestSubdirectory(of: snapshots) { return newest }
        searched.append(snapshots.path + " (no snapshot)")
        throw BERTHubError.modelNotFound(reference: reference, searched: searched)
    }

    /// `ORG/NAME[@revision]` or `NAME[@revision]` split into id and revision; nil when `reference` is not
    /// shaped like a model id (a path starting with `/`, `.` or `~`, empty parts, more than one slash).
    package static func modelId(_ reference: String) -> (id: String, revision: String?)? {
        var id = reference
        var revision: String?
        if let at = reference.lastIndex(of: "@") {
            (id, revision) = (String(reference[..<at]), String(reference[reference.index(after: at)...]))
            if revision!.isEmpty { return nil }
        }
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        let looksLikeId = !id.isEmpty && !id.hasPrefix("/") && !id.hasPrefix(".") && !id.hasPrefix("~")
            && parts.count <= 2 && !parts.contains("")
        return looksLikeId ? (id, revision) : nil
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func newestSubdirectory(of url: URL) -> URL? {
        let keys: [URLResourceKey] = [.contentModificationDateKey, .isDirectoryKey]
        guard let items = try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: keys)
        else { return nil }
        let dated = items.compactMap { item -> (URL, Date)? in
            // isDirectory follows symlinks; a snapshot may be a link.
            guard isDirectory(item) else { return nil }
            return (item, (try? item.resourceValues(forKeys: Set(keys)))?.contentModificationDate ?? .distantPast)
        }
        // Newest first; the name breaks ties so the choice is deterministic.
        return dated.max { ($0.1, $0.0.lastPathComponent) < ($1.1, $1.0.lastPathComponent) }?.0
    }

    static func expandTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return NSHomeDirectory() + path.dropFirst()
    }
}
