import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, memory-mapped safetensors file (the Hugging Face format: an 8-byte little-endian header length,
/// a JSON header, then one data buffer).
///
/// The whole header is validated on open, as strictly as huggingface/safetensors does (see `SafeTensorsError`);
/// tensor bytes are not touched until asked for, so opening a large checkpoint costs one `mmap`.
///
/// ```swift
/// let file = try SafeTensorsFile(url: weightsURL)
/// for name in file.tensorNames { print(name, try file.info(name).shape) }
/// let w: [Float] = try file.floats("embeddings.word_embeddings.weight")
/// ```
///
/// The class is immutable after `init` and safe to share across threads. Multi-byte values are read as
/// little-endian, the format's byte order, which is the native order on every platform Swift targets here.
public final class SafeTensorsFile: @unchecked Sendable {
    /// The file path, or `"<memory>"` (or the given name) for an in-memory buffer; used in error messages.
    public let path: String
    /// The `__metadata__` string map (e.g. `["format": "pt"]`); empty when absent.
    public let metadata: [String: String]
    /// Every tensor, ordered by position in the data buffer.
    public let tensors: [SafeTensorInfo]
    /// Tensor names, ordered by position in the data buffer.
    public var tensorNames: [String] { tensors.map(\.name) }

    private let index: [String: Int]
    private let base: UnsafeRawPointer
    private let byteCount: Int
    private let dataStart: Int
    private let release: @Sendable (UnsafeRawPointer, Int) -> Void
    /// Device, inode, size and modification time at open; nil for an in-memory image.
    let identity: FileIdentity?

    /// Maps and validates the file at `url`.
    /// - Throws: `SafeTensorsError` naming the file and the first problem found.
    public init(url: URL) throws {
        let path = url.path
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SafeTensorsError.fileUnreadable(path: path, reason: Self.errnoText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SafeTensorsError.fileUnreadable(path: path, reason: Self.errnoText())
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.fileUnreadable(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        identity = FileIdentity(info)
        guard size >= 8 else { throw SafeTensorsError.fileTooSmall(path: path, size: size) }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw SafeTensorsError.fileUnreadable(path: path, reason: "mmap failed: " + Self.errnoText())
        }
        let pointer = UnsafeRawPointer(mapped)
        let release: @Sendable (UnsafeRawPointer, Int) -> Void = { p, n in
            _ = munmap(UnsafeMutableRawPointer(mutating: p), n)
        }
        let header: SafeTensorsHeader
        do {
            header = try SafeTensorsHeader.parse(UnsafeRawBufferPointer(start: pointer, count: size), path: path)
        } catch {
            release(pointer, size)
            throw error
        }
        (base, byteCount, self.release) = (pointer, size, release)
        (tensors, metadata, dataStart) = (header.tensors, header.metadata, header.dataStart)
        index = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
    }

    /// Validates an in-memory file image (copied once); `name` stands for the path in error messages.
    /// - Throws: `SafeTensorsError` naming `name` and the first problem found.
    public init(data: Data, name: String = "<memory>") throws {
        path = name
        identity = nil
        let size = data.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 16)
        data.withUnsafeBytes { if let src = $0.baseAddress { storage.copyMemory(from: src, byteCount: size) } }
        let pointer = UnsafeRawPointer(storage)
        let release: @Sendable (UnsafeRawPointer, Int) -> Void = { p, _ in p.deallocate() }
        let header: SafeTensorsHeader
        do {
            header = try SafeTensorsHeader.parse(UnsafeRawBufferPointer(start: pointer, count: size), path: name)
        } catch {
            release(pointer, size)
            throw error
        }
        (base, byteCount, self.release) = (pointer, size, release)
        (tensors, metadata, dataStart) = (header.tensors, header.metadata, header.dataStart)
        index = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
    }

    deinit { release(base, byteCount) }

    /// Where the tensor's bytes start in the file (or image), and where the mapping holds them.
    func location(of info: SafeTensorInfo) -> (fileOffset: Int, address: UnsafeRawPointer) {
        let fileOffset = dataStart + info.dataOffsets.lowerBound
        return (fileOffset, base + fileOffset)
    }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// The dtype, shape and byte range of tensor `name`.
    /// - Throws: `SafeTensorsError.tensorNotFound`, listing similar names.
    public func info(_ name: String) throws -> SafeTensorInfo {
        guard let i = index[name] else {
            throw SafeTensorsError.tensorNotFound(path: path, tensor: name, closeMatches: closeMatches(to: name))
        }
        return tensors[i]
    }

    /// The tensor's bytes, in place in the mapping: no copy. The pointer is valid only while this file object is
    /// alive — keep a reference to the file for as long as you use it.
    /// - Throws: `SafeTensorsError.tensorNotFound`.
    package func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let info = try self.info(name)
        return UnsafeRawBufferPointer(start: base + dataStart + info.dataOffsets.lowerBound, count: info.byteCount)
    }

    /// Calls `body` with the tensor's bytes in place (no copy); the scoped form of `rawBytes(_:)`.
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try withExtendedLifetime(self) { try body(try rawBytes(name)) }
    }

    private func closeMatches(to name: String) -> [String] {
        let names = tensorNames
        let suffixMatches = names.filter { $0.hasSuffix("." + name) || name.hasSuffix("." + $0) }
        if !suffixMatches.isEmpty { return Array(suffixMatches.prefix(3)) }
        let tail = name.split(separator: ".").suffix(2).joined(separator: ".")
        guard !tail.isEmpty else { return [] }
        return Array(names.filter { $0.hasSuffix(tail) }.prefix(3))
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
