import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies an open file's contents well enough to notice that the path now names another file.
struct FileIdentity: Equatable {
    let device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64

    init(_ info: stat) {
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        (modifiedSeconds, modifiedNanoseconds) = (Int64(info.st_mtimespec.tv_sec), Int64(info.st_mtimespec.tv_nsec))
        #else
        (modifiedSeconds, modifiedNanoseconds) = (Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec))
        #endif
    }
}

/// An F32 tensor mapped copy-on-write from its file: reading a page brings in that page only, writing one makes
/// a private copy (the file never changes). Unmapped when the object goes away.
@_spi(Fuzzing) public final class SafeTensorsMappedFloats: @unchecked Sendable {
    /// The first element.
    package let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    @_spi(Fuzzing) public let count: Int
    private let mapping: UnsafeMutableRawPointer
    private let mappedBytes: Int

    fileprivate init(pointer: UnsafeMutablePointer<Float>, count: Int, mapping: UnsafeMutableRawPointer, mappedBytes: Int) {
        (self.pointer, self.count, self.mapping, self.mappedBytes) = (pointer, count, mapping, mappedBytes)
    }

    deinit { munmap(mapping, mappedBytes) }
}

extension SafeTensorsFile {
    /// Maps tensor `name` on its own, readable and privately writable, when it is stored as F32 at a 4-byte-aligned
    /// offset of a file that is still the one opened; otherwise nil (F16/BF16 tensors, in-memory images, a file
    /// replaced since, a failed `mmap`), and the caller copies instead.
    ///
    /// Only the pages the caller touches become resident — for an embedding table, the rows of the tokens seen.
    /// As with any mapped file, the file must not be truncated or rewritten in place while the tensor lives (writing
    /// a new file and renaming it over the old one, as checkpoint writers do, is safe).
    /// - Throws: `SafeTensorsError.tensorNotFound`.
    @_spi(Fuzzing) public func mappedFloat32(_ name: String) throws -> SafeTensorsMappedFloats? {
        let info = try self.info(name)
        guard info.dtype == .float32, info.elementCount > 0, let identity else { return nil }
        let fileOffset = location(of: info).fileOffset
        guard fileOffset % MemoryLayout<Float>.alignment == 0 else { return nil }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var now = stat()
        guard fstat(fd, &now) == 0, FileIdentity(now) == identity else { return nil }
        let page = Int(getpagesize())
        let start = fileOffset / page * page
        let length = fileOffset + info.byteCount - start
        guard let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off_t(start)), mapped != MAP_FAILED
        else { return nil }
        // Rows are read one by one: no read-ahead. (The system may still map cached neighbouring pages on a read
        // fault; an embedding lookup avoids that by claiming its rows' pages with a write, `bert_claim_pages`.)
        _ = madvise(mapped, length, MADV_RANDOM)
        let first = (mapped + (fileOffset - start)).bindMemory(to: Float.self, capacity: info.elementCount)
        return SafeTensorsMappedFloats(pointer: first, count: info.elementCount, mapping: mapped, mappedBytes: length)
    }

    /// Tells the system this process is done with tensor `name`'s pages in the file's mapping, so a loader that
    /// copies tensor by tensor holds one tensor's file pages at a time instead of the whole file (the pages are read
    /// again if the tensor is asked for later). Advisory; does nothing for an in-memory image.
    @_spi(Fuzzing) public func releasePages(of name: String) {
        guard identity != nil, let info = try? self.info(name), info.byteCount > 0 else { return }
        let (fileOffset, address) = location(of: info)
        let page = Int(getpagesize())
        let first = fileOffset / page * page   // a neighbour sharing an end page just reads it again if it needs it
        let end = (fileOffset + info.byteCount + page - 1) / page * page
        _ = madvise(UnsafeMutableRawPointer(mutating: address + (first - fileOffset)), end - first, MADV_DONTNEED)
    }
}
