import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What is at a path, telling "absent" apart from "there but not reachable". `FileManager.fileExists` answers false
/// both when a file is missing and when a folder on the way cannot be searched, so a permission problem read as a
/// missing file; `stat` says which it is. The one probe for every reader of model and input files.
package enum PathKind: Equatable, Sendable {
    /// Nothing there (`ENOENT`, or a file where a folder was expected on the way: `ENOTDIR`).
    case absent
    /// A folder.
    case directory
    /// Anything else: a regular file, a device, a fifo.
    case file

    /// Why a path could not be classified.
    package enum Failure: Error, Equatable, Sendable {
        /// The path or a folder on the way cannot be accessed (`EACCES`, `EPERM`).
        case permissionDenied
        /// Any other failure (a symlink loop, a name too long), with the system's reason.
        case other(reason: String)
    }

    /// The kind of `path`, symlinks followed.
    package static func of(_ path: String) throws(Failure) -> PathKind {
        var info = stat()
        if stat(path, &info) == 0 { return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file }
        let code = errno
        switch code {
        case ENOENT, ENOTDIR: return .absent
        case EACCES, EPERM: throw .permissionDenied
        default: throw .other(reason: String(cString: strerror(code)))
        }
    }
}
