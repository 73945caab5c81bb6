import Foundation

extension SafeTensorsFile {
    /// The tensor's elements as `Float`, in row-major order.
    ///
    /// F32 is copied; F16 and BF16 are widened exactly; F64 and the integer and BOOL dtypes are rounded to the
    /// nearest `Float` (integers above 2²⁴ lose precision).
    /// - Throws: `SafeTensorsError.tensorNotFound`, or `.unsupportedConversion` for the 8/6/4-bit floats and C64.
    public func floats(_ name: String) throws -> [Float] {
        let info = try self.info(name)
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, count in
            try copyFloats(name, into: buffer)
            count = info.elementCount
        }
    }

    /// Converts the tensor into `destination` as `floats(_:)` does, without allocating; for loading weights
    /// straight into preallocated parameter storage.
    /// - Throws: `.destinationSizeMismatch` unless `destination.count` equals the element count.
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let info = try self.info(name)
        guard destination.count == info.elementCount else {
            throw SafeTensorsError.destinationSizeMismatch(
                path: path, tensor: name, elementCount: info.elementCount, destinationCount: destination.count)
        }
        let src = try rawBytes(name)
        guard let out = destination.baseAddress, !src.isEmpty else { return }
        let n = info.elementCount
        func each<T>(_: T.Type, _ convert: (T) -> Float) {
            for i in 0..<n { out[i] = convert(src.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.stride, as: T.self)) }
        }
        switch info.dtype {
        case .float32: UnsafeMutableRawPointer(out).copyMemory(from: src.baseAddress!, byteCount: src.count)
        case .float16: each(UInt16.self) { HalfPrecision.float(fromHalfBits: UInt16(littleEndian: $0)) }
        case .bfloat16: each(UInt16.self) { HalfPrecision.float(fromBFloat16Bits: UInt16(littleEndian: $0)) }
        case .float64: each(UInt64.self) { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
        case .int64: each(Int64.self) { Float(Int64(littleEndian: $0)) }
        case .int32: each(Int32.self) { Float(Int32(littleEndian: $0)) }
        case .int16: each(Int16.self) { Float(Int16(littleEndian: $0)) }
        case .int8: each(Int8.self) { Float($0) }
        case .uint64: each(UInt64.self) { Float(UInt64(littleEndian: $0)) }
        case .uint32: each(UInt32.self) { Float(UInt32(littleEndian: $0)) }
        case .uint16: each(UInt16.self) { Float(UInt16(littleEndian: $0)) }
        case .uint8: each(UInt8.self) { Float($0) }
        case .bool: each(UInt8.self) { $0 != 0 ? 1 : 0 }
        default:
            throw SafeTensorsError.unsupportedConversion(path: path, tensor: name, dtype: info.dtype, target: "Float")
        }
    }

    /// The tensor's elements as `Int64`, for integer and BOOL tensors (ids, `position_ids`, masks).
    /// - Throws: `.unsupportedConversion` for float dtypes (no silent truncation), `.valueOutOfRange` for a U64
    ///   above `Int64.max`.
    public func int64s(_ name: String) throws -> [Int64] {
        let info = try self.info(name)
        let src = try rawBytes(name)
        let n = info.elementCount
        func each<T>(_: T.Type, _ convert: (T) -> Int64) -> [Int64] {
            (0..<n).map { convert(src.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.stride, as: T.self)) }
        }
        switch info.dtype {
        case .int64: return each(Int64.self) { Int64(littleEndian: $0) }
        case .int32: return each(Int32.self) { Int64(Int32(littleEndian: $0)) }
        case .int16: return each(Int16.self) { Int64(Int16(littleEndian: $0)) }
        case .int8: return each(Int8.self) { Int64($0) }
        case .uint32: return each(UInt32.self) { Int64(UInt32(littleEndian: $0)) }
        case .uint16: return each(UInt16.self) { Int64(UInt16(littleEndian: $0)) }
        case .uint8: return each(UInt8.self) { Int64($0) }
        case .bool: return each(UInt8.self) { $0 != 0 ? 1 : 0 }
        case .uint64:
            let values = each(UInt64.self) { Int64(truncatingIfNeeded: UInt64(littleEndian: $0)) }
            if let bad = values.firstIndex(where: { $0 < 0 }) {
                throw SafeTensorsError.valueOutOfRange(path: path, tensor: name, index: bad)
            }
            return values
        default:
            throw SafeTensorsError.unsupportedConversion(path: path, tensor: name, dtype: info.dtype, target: "Int64")
        }
    }
}
