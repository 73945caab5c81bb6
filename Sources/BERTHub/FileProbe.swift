import BERTJSON
import Foundation

/// `PathKind` (BERTJSON's stat probe) with the hub's errors.
package enum FileProbe {
    /// The kind of entry at a path (symlinks followed).
    package typealias Kind = PathKind

    /// The kind of `path`.
    /// - Throws: `BERTHubError.permissionDenied` when the path or a folder on the way cannot be accessed, or
    ///   `.fileUnreadable` with the system's reason for any other failure (a symlink loop, a name too long).
    package static func kind(_ path: String) throws -> Kind {
        do { return try PathKind.of(path) } catch {
            switch error {
            case .permissionDenied: throw BERTHubError.permissionDenied(path: path)
            case let .other(reason): throw BERTHubError.fileUnreadable(path: path, reason: reason)
            }
        }
    }

    /// Whether something is at `path`; throws as `kind` does when it cannot tell.
    package static func exists(_ path: String) throws -> Bool { try kind(path) != .absent }
}
