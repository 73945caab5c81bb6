import BERTHub
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output-folder lock: exclusive within one process and across processes, and never left stale by a killed
/// holder.
final class OutputFolderLockTests: XCTestCase {
    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)")
    }

    func testSecondLockInTheSameProcessFailsNamingTheHolder() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try OutputFolderLock(folder: folder)
        XCTAssertThrowsError(try OutputFolderLock(folder: folder)) { error in
            guard case let .held(path, holder)? = error as? OutputFolderLockError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, folder.path)
            XCTAssertTrue(holder.hasPrefix("process \(getpid()) ("), holder)
            XCTAssertTrue("\(error)".contains("in use by process \(getpid())"), "\(error)")
        }
        first.release()
        let second = try OutputFolderLock(folder: folder)
        second.release()
    }

    func testLockIsReleasedWhenTheObjectGoesAway() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        do { _ = try OutputFolderLock(folder: folder) }
        XCTAssertNoThrow(try OutputFolderLock(folder: folder))
    }

    /// A `sleep` child inherits a locked descriptor (as a run holding the lock would), so the folder is busy while
    /// it lives; after SIGKILL the kernel drops the lock and the next run gets the folder.
    func testKilledHolderProcessLeavesNoStaleLock() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(OutputFolderLock.fileName).path
        let fd = open(path, O_RDWR | O_CREAT, 0o644)   // no O_CLOEXEC: the child keeps it
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        var child: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("60"), nil]
        defer { for p in argv { free(p) } }
        XCTAssertEqual(posix_spawn(&child, "/bin/sleep", nil, nil, argv, environ), 0)
        let record = "\(child)\nsleep 60\n"
        _ = record.withCString { pwrite(fd, $0, strlen($0), 0) }
        close(fd)   // only the child holds the lock now

        XCTAssertThrowsError(try OutputFolderLock(folder: folder)) { error in
            XCTAssertEqual(error as? OutputFolderLockError, .held(path: folder.path, holder: "process \(child) (sleep 60)"))
        }
        XCTAssertEqual(kill(child, SIGKILL), 0)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        let lock = try OutputFolderLock(folder: folder)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(written.split(separator: "\n").first.map(String.init), "\(getpid())", "the new holder records itself")
        lock.release()
    }
}
