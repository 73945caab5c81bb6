import Foundation

/// One tensor of a file written by `SafeTensorsWriter.stream(to:metadata:tensors:bytes:)`: its name, dtype and
/// shape; the bytes come later.
package struct SafeTensorsLayout: Sendable, Equatable {
    /// The tensor's name.
    package var name: String
    /// The element type.
    package var dtype: SafeTensorsDType
    /// The dimensions, row-major.
    package var shape: [Int]

    /// A layout entry.
    package init(name: String, dtype: SafeTensorsDType = .float32, shape: [Int]) {
        (self.name, self.dtype, self.shape) = (name, dtype, shape)
    }
}

extension SafeTensorsWriter {
    /// Writes a safetensors file whose tensor bytes are never gathered in memory: the header is made from
    /// `tensors`, then `bytes(name, write)` is called once per tensor, in file order, and hands that tensor's
    /// little-endian bytes to `write` (in one piece or several), which writes them out. The file is byte-for-byte
    /// what `SafeTensorsWriter` makes of the same tensors, and written atomically the same way.
    /// - Throws: `.invalidTensorName` for an empty, reserved or repeated name; `.invalidShape`; `.writerDataMismatch`
    ///   when a tensor's bytes do not add up to its shape's size; `.writeFailed`; whatever `bytes` throws. The
    ///   destination is untouched by any failure.
    package static func stream(to url: URL, metadata: [String: String] = [:], tensors: [SafeTensorsLayout],
                              bytes: (String, (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        var sizes: [String: Int] = [:], dtypes: [String: SafeTensorsDType] = [:]
        for t in tensors {
            guard sizes[t.name] == nil else { throw SafeTensorsError.invalidTensorName(name: t.name, reason: "added twice") }
            sizes[t.name] = try byteCount(name: t.name, dtype: t.dtype, shape: t.shape)
            dtypes[t.name] = t.dtype
        }
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0) })
        let order = fileOrder(dtypes)
        let head = header(metadata: metadata, tensors: order.map { ($0, dtypes[$0]!, byName[$0]!.shape, sizes[$0]!) })
        try writeAtomically(to: url) { fd, fail in
            try writeAll(fd, Data(prefixedHeaderBytes(head)), fail)
            for name in order {
                var written = 0
                try bytes(name) { piece in
                    guard written + piece.count <= sizes[name]! else {
                        throw SafeTensorsError.writerDataMismatch(tensor: name, expectedBytes: sizes[name]!, actualBytes: written + piece.count)
                    }
                    if !piece.isEmpty { try writeAll(fd, piece, fail) }
                    written += piece.count
                }
                guard written == sizes[name]! else {
                    throw SafeTensorsError.writerDataMismatch(tensor: name, expectedBytes: sizes[name]!, actualBytes: written)
                }
            }
        }
    }
}
