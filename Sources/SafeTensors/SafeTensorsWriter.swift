import BERTJSON
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a safetensors file byte-for-byte as huggingface/safetensors `serialize` does: tensors sorted by
/// descending dtype (its `Dtype` order), then by name; compact JSON header with `__metadata__` first (omitted
/// when empty), padded with spaces to a multiple of 8 bytes; tensor bytes back to back in header order.
///
/// ```swift
/// var writer = SafeTensorsWriter(metadata: ["format": "pt"])
/// try writer.add("classifier.weight", floats: weights, shape: [2, 768])
/// try writer.write(to: url)   // atomic: temp file, fsync, rename
/// ```
package struct SafeTensorsWriter: Sendable {
    /// One tensor to write: its dtype, shape and little-endian bytes.
    package struct Entry: Sendable, Equatable {
        /// The element type.
        package var dtype: SafeTensorsDType
        /// The dimensions, row-major.
        package var shape: [Int]
        /// The raw little-endian bytes, `product(shape) × dtype size` long.
        package var bytes: Data

        /// An entry; sizes are checked when it is added to a writer.
        package init(dtype: SafeTensorsDType, shape: [Int], bytes: Data) {
            (self.dtype, self.shape, self.bytes) = (dtype, shape, bytes)
        }
    }

    /// The `__metadata__` string map; leave empty to omit it, as `safetensors.torch.save_file` does by default.
    package var metadata: [String: String]
    /// The tensors added so far, by name.
    package private(set) var entries: [String: Entry] = [:]

    /// An empty writer with the given `__metadata__`.
    package init(metadata: [String: String] = [:]) { self.metadata = metadata }

    /// A writer holding `tensors`.
    /// - Throws: as `add(_:_:)`.
    package init(tensors: [String: Entry], metadata: [String: String] = [:]) throws {
        self.metadata = metadata
        for (name, entry) in tensors { try add(name, entry) }
    }

    /// Adds a tensor from raw bytes.
    /// - Throws: `.invalidTensorName` for an empty, `__metadata__` or repeated name; `.writerDataMismatch` when the
    ///   byte count is not the shape's element count times the dtype size; `.invalidShape` for negative entries.
    package mutating func add(_ name: String, _ entry: Entry) throws {
        guard entries[name] == nil else {
            throw SafeTensorsError.invalidTensorName(name: name, reason: "added twice")
        }
        let expected = try Self.byteCount(name: name, dtype: entry.dtype, shape: entry.shape)
        guard expected == entry.bytes.count else {
            throw SafeTensorsError.writerDataMismatch(tensor: name, expectedBytes: expected, actualBytes: entry.bytes.count)
        }
        entries[name] = entry
    }

    /// The byte count of a tensor of `dtype` and `shape` named `name`, after checking the name and shape.
    /// - Throws: `.invalidTensorName` for an empty or `__metadata__` name, `.invalidShape` for negative entries,
    ///   `.writerDataMismatch` (expected -1) when the size overflows or is not whole bytes.
    static func byteCount(name: String, dtype: SafeTensorsDType, shape: [Int]) throws -> Int {
        guard !name.isEmpty, name != "__metadata__" else {
            throw SafeTensorsError.invalidTensorName(name: name, reason: "reserved or empty name")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError.invalidShape(path: "<writer>", tensor: name, reason: "\(shape) has a negative entry")
        }
        let (bits, overflow) = shape.reduce(1, *).multipliedReportingOverflow(by: dtype.bitSize)
        guard !overflow, bits % 8 == 0 else {
            throw SafeTensorsError.writerDataMismatch(tensor: name, expectedBytes: -1, actualBytes: -1)
        }
        return bits / 8
    }

    /// Adds a tensor from raw bytes; see `add(_:_:)`.
    package mutating func add(_ name: String, dtype: SafeTensorsDType, shape: [Int], bytes: Data) throws {
        try add(name, Entry(dtype: dtype, shape: shape, bytes: bytes))
    }

    /// Adds a float tensor stored as F32, F16 or BF16 (rounded to nearest even) or F64.
    /// - Throws: `.unsupportedConversion` for other dtypes, plus the errors of `add(_:_:)`.
    package mutating func add(_ name: String, floats: [Float], shape: [Int],
                             as dtype: SafeTensorsDType = .float32) throws {
        var bytes = Data()
        switch dtype {
        case .float32: bytes = floats.withUnsafeBytes { Data($0) }
        case .float64: bytes = floats.map { Double($0).bitPattern.littleEndian }.withUnsafeBytes { Data($0) }
        case .float16: bytes = floats.map { HalfPrecision.halfBits(from: $0).littleEndian }.withUnsafeBytes { Data($0) }
        case .bfloat16:
            bytes = floats.map { HalfPrecision.bfloat16Bits(from: $0).littleEndian }.withUnsafeBytes { Data($0) }
        default:
            throw SafeTensorsError.unsupportedConversion(path: "<writer>", tensor: name, dtype: dtype, target: "Float")
        }
        try add(name, Entry(dtype: dtype, shape: shape, bytes: bytes))
    }

    /// Adds an I64 tensor (ids, `position_ids`).
    /// - Throws: the errors of `add(_:_:)`.
    package mutating func add(_ name: String, int64s: [Int64], shape: [Int]) throws {
        let bytes = int64s.map(\.littleEndian).withUnsafeBytes { Data($0) }
        try add(name, Entry(dtype: .int64, shape: shape, bytes: bytes))
    }

    /// Tensor names in file order (descending dtype rank, then name).
    var orderedNames: [String] { Self.fileOrder(entries.mapValues(\.dtype)) }

    /// Names in file order (descending dtype rank, then name).
    static func fileOrder(_ dtypes: [String: SafeTensorsDType]) -> [String] {
        dtypes.keys.sorted { a, b in
            let (ra, rb) = (dtypes[a]!.sortRank, dtypes[b]!.sortRank)
            return ra != rb ? ra > rb : a < b
        }
    }

    /// The header as JSON: `__metadata__` first (keys sorted), then the tensors in file order, each with
    /// `dtype`, `shape` and `data_offsets` in that order, as safetensors writes them.
    var header: JSONValue {
        Self.header(metadata: metadata, tensors: orderedNames.map { name in
            let e = entries[name]!
            return (name, e.dtype, e.shape, e.bytes.count)
        })
    }

    /// The header of `tensors`, given in file order with their byte counts.
    static func header(metadata: [String: String], tensors: [(name: String, dtype: SafeTensorsDType, shape: [Int], byteCount: Int)]) -> JSONValue {
        var members: [JSONMember] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { JSONMember(key: $0, value: .string(metadata[$0]!)) }
            members.append(JSONMember(key: "__metadata__", value: .object(JSONObject(members: fields))))
        }
        var offset = 0
        for t in tensors {
            let end = offset + t.byteCount
            members.append(JSONMember(key: t.name, value: [
                "dtype": .string(t.dtype.rawValue),
                "shape": .array(t.shape.map { .integer(Int64($0)) }),
                "data_offsets": [.integer(Int64(offset)), .integer(Int64(end))],
            ]))
            offset = end
        }
        return .object(JSONObject(members: members))
    }

    /// The 8-byte length prefix and the header, compact as serde_json writes it, padded with spaces to a
    /// multiple of 8 bytes.
    func headerBytes() -> [UInt8] { Self.prefixedHeaderBytes(header) }

    /// `header` serialised with its length prefix and padding.
    static func prefixedHeaderBytes(_ header: JSONValue) -> [UInt8] {
        // Only strings and integers: writing cannot meet the one failure, a non-finite number.
        var bytes = try! header.serialized()
        bytes += [UInt8](repeating: 0x20, count: (8 - bytes.count % 8) % 8)
        let n = UInt64(bytes.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + bytes
    }

    /// The whole file image in memory.
    package func serialized() -> Data {
        var data = Data(headerBytes())
        for name in orderedNames { data.append(entries[name]!.bytes) }
        return data
    }

    /// Writes the file atomically: a temporary file in the destination's directory is written, `fsync`ed and
    /// renamed over `url`, so readers see the old file or the complete new one, never a partial one.
    /// - Throws: `.writeFailed` naming the path and the system error; the temporary file is removed.
    package func write(to url: URL) throws {
        try Self.writeAtomically(to: url) { fd, fail in
            try Self.writeAll(fd, Data(headerBytes()), fail)
            for name in orderedNames { try Self.writeAll(fd, entries[name]!.bytes, fail) }
        }
    }

    /// Creates a temporary file beside `url`, lets `body` write it, then `fsync`s it and renames it over `url`;
    /// on any error the temporary file is removed. `body` gets the descriptor and a maker of `.writeFailed` errors.
    static func writeAtomically(to url: URL, _ body: (Int32, @escaping (String) -> SafeTensorsError) throws -> Void) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temp = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func fail(_ what: String) -> SafeTensorsError {
            .writeFailed(path: path, reason: what + ": " + String(cString: strerror(errno)))
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw fail("cannot create \(temp)") }
        var ok = false
        defer { if !ok { close(fd); unlink(temp) } }
        try body(fd, fail)
        #if canImport(Darwin)
        // On Apple platforms fsync only reaches the drive's cache; F_FULLFSYNC reaches the medium.
        if fcntl(fd, F_FULLFSYNC) != 0, fsync(fd) != 0 { throw fail("fsync") }
        #else
        guard fsync(fd) == 0 else { throw fail("fsync") }
        #endif
        ok = true
        guard close(fd) == 0 else { unlink(temp); throw fail("close") }
        guard rename(temp, path) == 0 else { let e = fail("rename"); unlink(temp); throw e }
        // Persist the rename itself; best effort, as some file systems refuse fsync on directories.
        let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if dirfd >= 0 { _ = fsync(dirfd); close(dirfd) }
    }

    static func writeAll(_ fd: Int32, _ data: Data, _ fail: (String) -> SafeTensorsError) throws {
        try data.withUnsafeBytes { try writeAll(fd, $0, fail) }
    }

    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, _ fail: (String) -> SafeTensorsError) throws {
        var done = 0
        while done < buffer.count {
            let n = posixWrite(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("write")
            }
            done += n
        }
    }
}

@inline(__always)
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}
