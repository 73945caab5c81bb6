import BERTJSON
import Foundation

/// One tensor's entry in a safetensors header.
public struct SafeTensorInfo: Equatable, Sendable {
    /// The tensor's key, e.g. `encoder.layer.0.attention.self.query.weight`.
    public let name: String
    /// The element type.
    public let dtype: SafeTensorsDType
    /// The dimensions in PyTorch order (row-major, last dimension contiguous); `[]` is a scalar.
    public let shape: [Int]
    /// The byte range within the data buffer (which starts after the header), as written in `data_offsets`.
    public let dataOffsets: Range<Int>

    /// The product of `shape` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
    /// The number of bytes the tensor occupies.
    public var byteCount: Int { dataOffsets.count }
}

/// A parsed, validated header: the checks and their order follow `read_metadata` and `Metadata::validate` in
/// huggingface/safetensors, so a file accepted here is accepted there and vice versa.
struct SafeTensorsHeader {
    /// The reference library's `MAX_HEADER_SIZE`.
    static let maxHeaderSize = 100_000_000

    /// Tensors ordered by `data_offsets`.
    var tensors: [SafeTensorInfo]
    var metadata: [String: String]
    /// Offset of the data buffer from the start of the file (8 + header length).
    var dataStart: Int

    /// Parses and validates the whole file image `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> SafeTensorsHeader {
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooSmall(path: path, size: bytes.count) }
        var declared: UInt64 = 0
        for i in (0..<8).reversed() { declared = declared << 8 | UInt64(bytes[i]) }
        guard declared <= UInt64(maxHeaderSize) else {
            throw SafeTensorsError.headerTooLarge(path: path, declared: declared, limit: maxHeaderSize)
        }
        let n = Int(declared)
        guard 8 + n <= bytes.count else {
            throw SafeTensorsError.headerLengthBeyondFile(path: path, declared: declared, fileSize: bytes.count)
        }
        // BERTJSON checks UTF-8 before parsing, as the reference's `from_utf8` precedes serde.
        let json: JSONValue
        do {
            json = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + n)]))
        } catch .invalidUTF8 {
            throw SafeTensorsError.headerNotUTF8(path: path)
        } catch {
            throw SafeTensorsError.headerNotJSON(path: path, reason: error.description)
        }
        guard case let .object(object) = json else { throw SafeTensorsError.headerNotObject(path: path) }
        // Python's `json` would keep a repeated key's last entry; the reference library refuses the file.
        if let key = object.firstRepeatedKey { throw SafeTensorsError.duplicateKey(path: path, key: key) }

        var metadata: [String: String] = [:]
        var tensors: [SafeTensorInfo] = []
        for (name, value) in object.dictionary {
            if name == "__metadata__" {
                metadata = try parseMetadata(value, path: path)
            } else {
                tensors.append(try parseEntry(name: name, value, path: path))
            }
        }
        tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name)
            < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name) }

        let bufferSize = bytes.count - 8 - n
        var covered = 0
        var previous: String?
        for info in tensors {
            let begin = info.dataOffsets.lowerBound
            if begin < covered {
                throw SafeTensorsError.overlappingTensors(path: path, tensor: info.name, other: previous ?? "")
            }
            if begin > covered {
                throw SafeTensorsError.gapBetweenTensors(path: path, tensor: info.name, gapBegin: covered, gapEnd: begin)
            }
            try checkSize(info, path: path)
            if info.dataOffsets.upperBound > bufferSize {
                throw SafeTensorsError.offsetsOutOfBounds(
                    path: path, tensor: info.name, end: info.dataOffsets.upperBound, bufferSize: bufferSize)
            }
            covered = info.dataOffsets.upperBound
            previous = info.name
        }
        if covered != bufferSize {
            throw SafeTensorsError.trailingBytes(path: path, coveredEnd: covered, bufferSize: bufferSize)
        }
        return SafeTensorsHeader(tensors: tensors, metadata: metadata, dataStart: 8 + n)
    }

    private static func parseMetadata(_ value: JSONValue, path: String) throws -> [String: String] {
        guard case let .object(fields) = value else {
            throw SafeTensorsError.invalidMetadata(path: path, reason: "it is \(value.kind), not an object")
        }
        if let key = fields.firstRepeatedKey { throw SafeTensorsError.duplicateKey(path: path, key: "__metadata__.\(key)") }
        var metadata: [String: String] = [:]
        for (key, field) in fields.dictionary {
            guard case let .string(string) = field else {
                throw SafeTensorsError.invalidMetadata(path: path, reason: "key `\(key)` holds \(field.kind)")
            }
            metadata[key] = string
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: JSONValue, path: String) throws -> SafeTensorInfo {
        func bad(_ reason: String) -> SafeTensorsError {
            .invalidTensorEntry(path: path, tensor: name, reason: reason)
        }
        guard case let .object(fields) = value else { throw bad("entry is \(value.kind), not an object") }
        if let key = fields.firstRepeatedKey { throw SafeTensorsError.duplicateKey(path: path, key: "\(name).\(key)") }
        guard let dtypeValue = fields["dtype"] else { throw bad("missing `dtype`") }
        guard case let .string(dtypeName) = dtypeValue else { throw bad("`dtype` is \(dtypeValue.kind), not a string") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(path: path, tensor: name, dtype: dtypeName)
        }
        guard let shapeValue = fields["shape"] else { throw bad("missing `shape`") }
        guard case let .array(dims) = shapeValue else { throw bad("`shape` is \(shapeValue.kind), not an array") }
        var shape: [Int] = []
        for dim in dims {
            guard case let .integer(d) = dim else {
                throw SafeTensorsError.invalidShape(path: path, tensor: name, reason: "entry \(dim) is not an integer")
            }
            guard d >= 0 else {
                throw SafeTensorsError.invalidShape(path: path, tensor: name, reason: "entry \(d) is negative")
            }
            shape.append(Int(d))
        }
        guard let offsetsValue = fields["data_offsets"] else { throw bad("missing `data_offsets`") }
        guard case let .array(offsets) = offsetsValue, offsets.count == 2,
              case let .integer(begin) = offsets[0], case let .integer(end) = offsets[1] else {
            throw SafeTensorsError.invalidDataOffsets(
                path: path, tensor: name, reason: "expected [begin, end] as two integers, found \(offsetsValue)")
        }
        guard begin >= 0, end >= begin else {
            throw SafeTensorsError.invalidDataOffsets(
                path: path, tensor: name, reason: "[\(begin), \(end)] is not 0 ≤ begin ≤ end")
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: Int(begin)..<Int(end))
    }

    /// Element count × bit size, overflow-checked, against the byte span (`Metadata::validate`).
    private static func checkSize(_ info: SafeTensorInfo, path: String) throws {
        var elements = 1
        for d in info.shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw SafeTensorsError.invalidShape(
                    path: path, tensor: info.name, reason: "\(info.shape) has more elements than Int can count")
            }
            elements = product
        }
        let (bits, overflow) = elements.multipliedReportingOverflow(by: info.dtype.bitSize)
        guard !overflow else {
            throw SafeTensorsError.invalidShape(
                path: path, tensor: info.name, reason: "\(info.shape) of \(info.dtype.rawValue) overflows the byte count")
        }
        guard bits % 8 == 0 else {
            throw SafeTensorsError.misalignedSubByteTensor(path: path, tensor: info.name, dtype: info.dtype, shape: info.shape)
        }
        guard bits / 8 == info.byteCount else {
            throw SafeTensorsError.byteLengthMismatch(
                path: path, tensor: info.name, dtype: info.dtype, shape: info.shape,
                expected: bits / 8, actual: info.byteCount)
        }
    }
}
