import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive, non-blocking lock on an output folder (a training run, a fine-tuning run, an index) held for a
/// run's lifetime, so two runs never write into one folder.
///
/// The lock is `flock(2)` on `<folder>/.bert.lock`, which also records the holder's process id and command line
/// for the error a second run gets. `flock` belongs to the open file description, so the kernel drops the lock
/// when the holder exits or is killed (even by SIGKILL): a stale lock file never blocks the next run. A second
/// lock attempt fails even from the same process. The file itself is left in place (removing it would let two
/// runs lock two different files of one name).
package final class OutputFolderLock {
    /// The lock file's name inside a locked folder.
    package static let fileName = ".bert.lock"

    /// The locked folder.
    package let folder: URL
    private var descriptor: Int32

    /// Creates `folder` if needed and locks it, without waiting.
    /// - Throws: `OutputFolderLockError.held` naming the other process when the folder is locked, or
    ///   `.unusable` when the folder or lock file cannot be created.
    package init(folder: URL) throws {
        self.folder = folder
        let path = folder.appendingPathComponent(Self.fileName).path
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw OutputFolderLockError.unusable(path: folder.path, reason: "\(error.localizedDescription)")
        }
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputFolderLockError.unusable(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readHolder(descriptor)
            close(descriptor)
            descriptor = -1
            if code == EWOULDBLOCK { throw OutputFolderLockError.held(path: folder.path, holder: holder) }
            throw OutputFolderLockError.unusable(path: path, reason: String(cString: strerror(code)))
        }
        let me = ProcessInfo.processInfo
        let record = "\(me.processIdentifier)\n\(me.arguments.joined(separator: " "))\n"
        _ = ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// A lock object that holds nothing: data-parallel ranks other than 0 use the folder rank 0 has locked.
    package init(heldByAnotherRank folder: URL) {
        self.folder = folder
        descriptor = -1
    }

    /// Releases the lock (also done on deinit and, by the kernel, when the process ends).
    package func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    /// "pid 123 (bert pretrain ...)" from the lock file, or a note that the holder has not recorded itself yet.
    static func readHolder(_ fd: Int32) -> String {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &bytes, bytes.count, 0)
        let lines = String(decoding: bytes.prefix(max(n, 0)), as: UTF8.self).split(separator: "\n", maxSplits: 1)
        guard let pid = lines.first.flatMap({ Int32($0) }) else { return "another process (it has not recorded its pid yet)" }
        let command = lines.count > 1 ? lines[1].trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return command.isEmpty ? "process \(pid)" : "process \(pid) (\(command))"
    }
}

/// Why an output folder could not be locked.
package enum OutputFolderLockError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another run holds the folder; `holder` names its process id and command.
    case held(path: String, holder: String)
    /// The folder or its lock file cannot be created or locked.
    case unusable(path: String, reason: String)

    /// One line naming the folder and what to do.
    package var description: String {
        switch self {
        case let .held(path, holder):
            return "\(path): in use by \(holder); wait for it to finish, stop it, or choose another output folder"
        case let .unusable(path, reason):
            return "\(path): cannot lock the output folder (\(reason)); check the path and its permissions"
        }
    }
}
