import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The paths of the Hugging Face cache, exactly as `huggingface_hub` lays it out, so a file fetched by either is
/// reused by the other:
///
/// ```
/// <cache>/CACHEDIR.TAG
/// <cache>/models--ORG--NAME/blobs/<etag>                      file contents, named by ETag (sha256 for LFS)
/// <cache>/models--ORG--NAME/snapshots/<commit>/<path>         relative symlink to ../../blobs/<etag>
/// <cache>/models--ORG--NAME/refs/<revision>                   the commit a branch or tag pointed at
/// <cache>/.locks/models--ORG--NAME/<etag>.lock               held while one process writes that blob
/// ```
package struct HubCacheLayout: Sendable {
    package var root: URL

    package init(root: URL) { self.root = root }

    /// `models--ORG--NAME`.
    package static func folderName(repo: String) -> String { "models--" + repo.replacingOccurrences(of: "/", with: "--") }

    package func repoFolder(_ repo: String) -> URL { root.appendingPathComponent(Self.folderName(repo: repo)) }
    package func blob(_ repo: String, etag: String) -> URL { repoFolder(repo).appendingPathComponent("blobs/\(etag)") }
    package func snapshot(_ repo: String, commit: String) -> URL { repoFolder(repo).appendingPathComponent("snapshots/\(commit)") }
    package func pointer(_ repo: String, commit: String, path: String) -> URL { snapshot(repo, commit: commit).appendingPathComponent(path) }
    package func ref(_ repo: String, revision: String) -> URL { repoFolder(repo).appendingPathComponent("refs/\(revision)") }
    package func lock(_ repo: String, etag: String) -> URL {
        root.appendingPathComponent(".locks/\(Self.folderName(repo: repo))/\(etag).lock")
    }

    /// The symlink target from the pointer of `path` to the blob: one `..` per folder between them.
    package static func relativeBlobTarget(path: String, etag: String) -> String {
        let depth = path.split(separator: "/").count + 1
        return String(repeating: "../", count: depth) + "blobs/" + etag
    }

    /// huggingface_hub's cache tag, so backup tools skip the cache.
    package static let cacheDirectoryTag = "Signature: 8a477f597d28d172789f06886806bc55\n"
        + "# This file is a cache directory tag created by huggingface_hub.\n"
        + "# For information about cache directory tags, see:\n"
        + "#\thttps://bford.info/cachedir/\n"

    /// Writes CACHEDIR.TAG if absent (best effort, as huggingface_hub).
    package func tagCache() {
        let tag = root.appendingPathComponent("CACHEDIR.TAG")
        guard !FileManager.default.fileExists(atPath: tag.path) else { return }
        try? Data(Self.cacheDirectoryTag.utf8).write(to: tag, options: .atomic)
    }

    /// Records that `revision` pointed at `commit` (nothing when the revision is the commit), atomically.
    package func writeRef(_ repo: String, revision: String, commit: String) throws {
        guard revision != commit else { return }
        let ref = self.ref(repo, revision: revision)
        if (try? String(contentsOf: ref, encoding: .utf8)) == commit { return }
        do {
            try FileManager.default.createDirectory(at: ref.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: ref, options: .atomic)
        } catch {
            throw HubDownloadError.cacheUnwritable(path: ref.path, reason: error.localizedDescription)
        }
    }

    /// Points `path` of the snapshot at the blob, replacing whatever was there.
    package func link(_ repo: String, commit: String, path: String, etag: String) throws {
        let pointer = self.pointer(repo, commit: commit, path: path)
        do {
            try FileManager.default.createDirectory(at: pointer.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = unlink(pointer.path)
            try FileManager.default.createSymbolicLink(atPath: pointer.path,
                                                       withDestinationPath: Self.relativeBlobTarget(path: path, etag: etag))
        } catch {
            throw HubDownloadError.cacheUnwritable(path: pointer.path, reason: error.localizedDescription)
        }
    }
}

/// A blocking `flock(2)` on a lock file, held while one process writes a blob; the kernel drops it when the
/// process dies, so a killed download never blocks the next.
package final class BlobLock {
    private var descriptor: Int32

    /// Waits for the lock on `url`, creating the file and its folder.
    package init(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true) } catch {
            throw HubDownloadError.cacheUnwritable(path: url.path, reason: error.localizedDescription)
        }
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw HubDownloadError.cacheUnwritable(path: url.path, reason: String(cString: strerror(errno)))
        }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw HubDownloadError.cacheUnwritable(path: url.path, reason: reason)
        }
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
