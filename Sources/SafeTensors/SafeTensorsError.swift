import Foundation

/// Everything that can go wrong reading or writing a safetensors file.
///
/// Each case names the file (`path`, or `"<memory>"` for in-memory buffers) and, where there is one, the tensor,
/// and its description says how to fix the problem. The validation mirrors `read_metadata` and
/// `Metadata::validate` in huggingface/safetensors, split into one case per failure.
public enum SafeTensorsError: Error, Equatable, Sendable {
    /// The file could not be opened, sized or mapped.
    case fileUnreadable(path: String, reason: String)
    /// Fewer than the 8 bytes of the header-length prefix.
    case fileTooSmall(path: String, size: Int)
    /// The header-length prefix exceeds the reference library's 100,000,000-byte limit.
    case headerTooLarge(path: String, declared: UInt64, limit: Int)
    /// The header-length prefix points past the end of the file.
    case headerLengthBeyondFile(path: String, declared: UInt64, fileSize: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8(path: String)
    /// The header is not parseable JSON.
    case headerNotJSON(path: String, reason: String)
    /// The header is JSON but not an object.
    case headerNotObject(path: String)
    /// The header (or its `__metadata__`) names the same key twice; the reference library refuses such files.
    case duplicateKey(path: String, key: String)
    /// `__metadata__` is not an object of string values.
    case invalidMetadata(path: String, reason: String)
    /// A tensor entry is not an object with `dtype`, `shape` and `data_offsets`.
    case invalidTensorEntry(path: String, tensor: String, reason: String)
    /// The `dtype` string is not one the format defines.
    case unknownDType(path: String, tensor: String, dtype: String)
    /// The shape has a negative or non-integer entry, or its element count overflows.
    case invalidShape(path: String, tensor: String, reason: String)
    /// `data_offsets` is not two non-negative integers with begin ≤ end.
    case invalidDataOffsets(path: String, tensor: String, reason: String)
    /// The tensor's bytes end past the data buffer.
    case offsetsOutOfBounds(path: String, tensor: String, end: Int, bufferSize: Int)
    /// `end - begin` differs from the element count times the dtype size.
    case byteLengthMismatch(path: String, tensor: String, dtype: SafeTensorsDType, shape: [Int], expected: Int, actual: Int)
    /// A sub-byte dtype whose element count does not fill whole bytes.
    case misalignedSubByteTensor(path: String, tensor: String, dtype: SafeTensorsDType, shape: [Int])
    /// Two tensors share bytes.
    case overlappingTensors(path: String, tensor: String, other: String)
    /// Bytes between two tensors (or before the first) that no tensor claims.
    case gapBetweenTensors(path: String, tensor: String, gapBegin: Int, gapEnd: Int)
    /// Bytes after the last tensor that no tensor claims.
    case trailingBytes(path: String, coveredEnd: Int, bufferSize: Int)
    /// No tensor of that name in the file.
    case tensorNotFound(path: String, tensor: String, closeMatches: [String])
    /// The tensor's dtype cannot be converted to the requested element type.
    case unsupportedConversion(path: String, tensor: String, dtype: SafeTensorsDType, target: String)
    /// A value does not fit the requested element type (a U64 above `Int64.max`).
    case valueOutOfRange(path: String, tensor: String, index: Int)
    /// A destination buffer's length differs from the tensor's element count.
    case destinationSizeMismatch(path: String, tensor: String, elementCount: Int, destinationCount: Int)
    /// The writer was given a name that cannot be a tensor (empty or `__metadata__`) or was given twice.
    case invalidTensorName(name: String, reason: String)
    /// The writer was given bytes or values whose count does not match the shape.
    case writerDataMismatch(tensor: String, expectedBytes: Int, actualBytes: Int)
    /// Writing, syncing or renaming the output failed.
    case writeFailed(path: String, reason: String)
}

extension SafeTensorsError: CustomStringConvertible, LocalizedError {
    /// A message naming the file and tensor, with a hint on how to fix it.
    public var description: String {
        let regenerate = "re-save it with safetensors (e.g. `safetensors.torch.save_file`)"
        switch self {
        case let .fileUnreadable(path, reason):
            return "\(path): cannot read safetensors file: \(reason). Check the path and its permissions."
        case let .fileTooSmall(path, size):
            return "\(path): \(size) bytes is too small for a safetensors file (needs an 8-byte header length); "
                + "the file is truncated or not safetensors, download it again."
        case let .headerTooLarge(path, declared, limit):
            return "\(path): header length \(declared) exceeds the \(limit)-byte limit; "
                + "the file is corrupt or not safetensors."
        case let .headerLengthBeyondFile(path, declared, fileSize):
            return "\(path): header claims \(declared) bytes but the file has only \(fileSize); "
                + "the file is truncated, download it again."
        case let .headerNotUTF8(path):
            return "\(path): header is not valid UTF-8; the file is corrupt, \(regenerate)."
        case let .headerNotJSON(path, reason):
            return "\(path): header is not valid JSON (\(reason)); the file is corrupt, \(regenerate)."
        case let .headerNotObject(path):
            return "\(path): header JSON must be an object of tensor entries; \(regenerate)."
        case let .duplicateKey(path, key):
            return "\(path): header names `\(key)` twice; a key must appear once, \(regenerate)."
        case let .invalidMetadata(path, reason):
            return "\(path): `__metadata__` must map strings to strings: \(reason); \(regenerate)."
        case let .invalidTensorEntry(path, tensor, reason):
            return "\(path): tensor `\(tensor)`: \(reason); each entry needs dtype, shape and data_offsets, "
                + "\(regenerate)."
        case let .unknownDType(path, tensor, dtype):
            return "\(path): tensor `\(tensor)` has unknown dtype \"\(dtype)\"; known dtypes are "
                + "\(SafeTensorsDType.supportedNames)."
        case let .invalidShape(path, tensor, reason):
            return "\(path): tensor `\(tensor)` has an invalid shape: \(reason); \(regenerate)."
        case let .invalidDataOffsets(path, tensor, reason):
            return "\(path): tensor `\(tensor)` has invalid data_offsets: \(reason); \(regenerate)."
        case let .offsetsOutOfBounds(path, tensor, end, bufferSize):
            return "\(path): tensor `\(tensor)` ends at byte \(end) of the data buffer, which has only "
                + "\(bufferSize) bytes; the file is truncated, download it again."
        case let .byteLengthMismatch(path, tensor, dtype, shape, expected, actual):
            return "\(path): tensor `\(tensor)` (\(dtype.rawValue) \(shape)) needs \(expected) bytes but its "
                + "data_offsets span \(actual); \(regenerate)."
        case let .misalignedSubByteTensor(path, tensor, dtype, shape):
            return "\(path): tensor `\(tensor)` (\(dtype.rawValue) \(shape)) does not fill a whole number of bytes; "
                + "\(regenerate)."
        case let .overlappingTensors(path, tensor, other):
            return "\(path): tensors `\(other)` and `\(tensor)` overlap in the data buffer; \(regenerate)."
        case let .gapBetweenTensors(path, tensor, gapBegin, gapEnd):
            return "\(path): bytes \(gapBegin)..<\(gapEnd) before tensor `\(tensor)` belong to no tensor "
                + "(the format requires the tensors to cover the buffer); \(regenerate)."
        case let .trailingBytes(path, coveredEnd, bufferSize):
            return "\(path): the tensors cover \(coveredEnd) of the \(bufferSize) data bytes; the rest belongs to "
                + "no tensor, \(regenerate)."
        case let .tensorNotFound(path, tensor, closeMatches):
            let hint = closeMatches.isEmpty ? "list `tensorNames` to see what the file holds"
                : "did you mean " + closeMatches.map { "`\($0)`" }.joined(separator: ", ") + "?"
            return "\(path): no tensor named `\(tensor)`; \(hint)"
        case let .unsupportedConversion(path, tensor, dtype, target):
            return "\(path): tensor `\(tensor)` is \(dtype.rawValue), which cannot be converted to \(target); "
                + "read its raw bytes instead, or convert the checkpoint to F32/F16/BF16."
        case let .valueOutOfRange(path, tensor, index):
            return "\(path): tensor `\(tensor)` element \(index) does not fit in Int64; read its raw bytes instead."
        case let .destinationSizeMismatch(path, tensor, elementCount, destinationCount):
            return "\(path): tensor `\(tensor)` has \(elementCount) elements but the destination holds "
                + "\(destinationCount); allocate one of the tensor's element count."
        case let .invalidTensorName(name, reason):
            return "cannot write tensor `\(name)`: \(reason); choose a unique, non-empty name other than __metadata__."
        case let .writerDataMismatch(tensor, expectedBytes, actualBytes):
            return "cannot write tensor `\(tensor)`: its shape and dtype need \(expectedBytes) bytes but "
                + "\(actualBytes) were given; pass data matching the shape."
        case let .writeFailed(path, reason):
            return "\(path): writing the safetensors file failed: \(reason); check free space and permissions "
                + "(the original file, if any, is untouched)."
        }
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}
