import Foundation

/// One model in the Hugging Face cache, as `huggingface-cli scan-cache` lists it.
package struct CachedModel: Sendable {
    /// `ORG/NAME`.
    package var id: String
    /// `<cache>/models--ORG--NAME`.
    package var folder: URL
    /// Bytes of its blobs (each counted once, however many snapshots link it).
    package var sizeOnDisk: Int64
    /// Number of blobs.
    package var blobCount: Int
    /// Its snapshots, newest first.
    package var revisions: [CachedRevision]
    /// The newest modification time among its blobs and snapshots.
    package var lastModified: Date?
}

/// One snapshot of a cached model: its commit and the refs (branches, tags) pointing at it.
package struct CachedRevision: Sendable {
    /// The commit hash (the snapshot folder's name).
    package var commit: String
    /// Refs naming this commit, sorted.
    package var refs: [String]
    /// Files in the snapshot.
    package var fileCount: Int
    /// The snapshot folder.
    package var snapshot: URL
}

/// Lists and prunes the models in the Hugging Face cache (`huggingface-cli scan-cache` / `delete-cache`).
package struct HubCacheInventory: Sendable {
    /// The cache directory.
    package var root: URL

    /// The inventory of `root` (the environment's cache by default).
    package init(root: URL = HubSettings().cache) { self.root = root }

    /// Every cached model, sorted by id. A missing cache is empty.
    package func models() throws -> [CachedModel] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: root.path) else { return [] }
        return names.filter { $0.hasPrefix("models--") }.sorted().compactMap { name in
            model(folder: root.appendingPathComponent(name), name: name)
        }.sorted { $0.id < $1.id }
    }

    /// Removes `id` from the cache, or only its `revision` (a ref or a commit) and the blobs no other snapshot
    /// links. Returns the bytes freed.
    /// - Throws: `HubDownloadError.repositoryNotFound` when the model (or `.revisionNotFound` when the revision) is
    ///   not cached; `.cacheUnwritable` when removal fails.
    @discardableResult
    package func remove(_ id: String, revision: String? = nil) throws -> Int64 {
        guard let model = try models().first(where: { $0.id == id }) else {
            throw HubDownloadError.repositoryNotFound(repo: id, hasToken: false)
        }
        guard let revision else {
            try removeItem(model.folder)
            return model.sizeOnDisk
        }
        guard let target = model.revisions.first(where: { $0.commit == revision || $0.refs.contains(revision) }) else {
            throw HubDownloadError.revisionNotFound(repo: id, revision: revision)
        }
        let remaining = model.revisions.filter { $0.commit != target.commit }
        if remaining.isEmpty {
            try removeItem(model.folder)
            return model.sizeOnDisk
        }
        let kept = Set(remaining.flatMap { linkedBlobs(in: $0.snapshot) })
        var freed: Int64 = 0
        for blob in linkedBlobs(in: target.snapshot) where !kept.contains(blob) {
            let url = model.folder.appendingPathComponent("blobs/\(blob)")
            freed += Self.size(of: url)
            try removeItem(url)
        }
        try removeItem(target.snapshot)
        for ref in target.refs { try removeItem(model.folder.appendingPathComponent("refs/\(ref)")) }
        return freed
    }

    // MARK: Reading the layout

    private func model(folder: URL, name: String) -> CachedModel? {
        let manager = FileManager.default
        let rest = name.dropFirst("models--".count)
        guard let split = rest.range(of: "--") else { return nil }
        let id = rest[..<split.lowerBound] + "/" + rest[split.upperBound...]
        let blobs = (try? manager.contentsOfDirectory(atPath: folder.appendingPathComponent("blobs").path)) ?? []
        let complete = blobs.filter { !$0.hasSuffix(".incomplete") }
        var newest: Date?
        var size: Int64 = 0
        for blob in complete {
            let url = folder.appendingPathComponent("blobs/\(blob)")
            size += Self.size(of: url)
            newest = max(newest ?? .distantPast, Self.modified(url) ?? .distantPast)
        }
        let refs = refNames(folder.appendingPathComponent("refs"))
        let snapshotsFolder = folder.appendingPathComponent("snapshots")
        let commits = (try? manager.contentsOfDirectory(atPath: snapshotsFolder.path)) ?? []
        let revisions = commits.map { commit -> CachedRevision in
            let snapshot = snapshotsFolder.appendingPathComponent(commit)
            newest = max(newest ?? .distantPast, Self.modified(snapshot) ?? .distantPast)
            return CachedRevision(commit: commit, refs: refs.filter { $0.value == commit }.map(\.key).sorted(),
                                  fileCount: files(in: snapshot).count, snapshot: snapshot)
        }.sorted { (Self.modified($0.snapshot) ?? .distantPast, $0.commit) > (Self.modified($1.snapshot) ?? .distantPast, $1.commit) }
        return CachedModel(id: String(id), folder: folder, sizeOnDisk: size, blobCount: complete.count, revisions: revisions,
                           lastModified: newest == .distantPast ? nil : newest)
    }

    /// ref name (which may contain slashes, e.g. `refs/pr/1`) → commit.
    private func refNames(_ folder: URL) -> [String: String] {
        var refs: [String: String] = [:]
        for path in files(in: folder) {
            let url = folder.appendingPathComponent(path)
            if let commit = try? String(contentsOf: url, encoding: .utf8) {
                refs[path] = commit.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return refs
    }

    /// Relative paths of the regular files and symlinks below `folder`.
    private func files(in folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var out: [String] = []
        while let path = enumerator.nextObject() as? String {
            let attributes = enumerator.fileAttributes
            if attributes?[.type] as? FileAttributeType != .typeDirectory { out.append(path) }
        }
        return out
    }

    /// Blob names the snapshot's symlinks point at.
    private func linkedBlobs(in snapshot: URL) -> [String] {
        files(in: snapshot).compactMap { path in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent(path).path))
                .map { URL(fileURLWithPath: $0).lastPathComponent }
        }
    }

    private func removeItem(_ url: URL) throws {
        do { try FileManager.default.removeItem(at: url) } catch {
            throw HubDownloadError.cacheUnwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    static func size(of url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    static func modified(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }
}
