import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What is at a path, telling "absent" apart from "there but not reachable".
///
/// `FileManager.fileExists` answers false both when a file is missing and when a folder on the way cannot be
/// searched, so a permission problem was reported as a missing file. `stat` says which it is.
package enum FileProbe {
    /// The kind of entry at a path (symlinks followed).
    package enum Kind: Equatable, Sendable {
        /// Nothing there (`ENOENT`, or a file where a folder was expected on the way: `ENOTDIR`).
        case absent
        /// A folder.
        case directory
        /// Anything else: a regular file, a device, a fifo.
        case file
    }

    /// The kind of `path`.
    /// - Throws: `BERTHubError.permissionDenied` when the path or a folder on the way cannot be accessed, or
    ///   `.fileUnreadable` with the system's reason for any other failure (a symlink loop, a name too long).
    package static func kind(_ path: String) throws -> Kind {
        var info = stat()
        if stat(path, &info) == 0 { return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file }
        let code = errno
        switch code {
        case ENOENT, ENOTDIR: return .absent
        case EACCES, EPERM: throw BERTHubError.permissionDenied(path: path)
        default: throw BERTHubError.fileUnreadable(path: path, reason: String(cString: strerror(code)))
        }
    }

    /// Whether something is at `path`; throws as `kind` does when it cannot tell.
    package static func exists(_ path: String) throws -> Bool { try kind(path) != .absent }
}
