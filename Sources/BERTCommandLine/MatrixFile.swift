import BERT
import Foundation

/// A file a float32 matrix can be written to, chosen by the path's extension.
package enum MatrixFileFormat {
    /// safetensors: one F32 tensor, loadable with `safetensors.numpy.load_file` or torch.
    case safetensors
    /// NumPy's `.npy` (format version 1.0, little-endian `<f4`, C order), loadable with `numpy.load`.
    case npy

    /// The format `path`'s extension names, or nil.
    package init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "safetensors": self = .safetensors
        case "npy": self = .npy
        default: return nil
        }
    }
}

/// Writes `values` as a [rows, columns] float32 matrix to `path`, atomically.
package func writeMatrix(_ values: [Float], rows: Int, columns: Int, name: String, format: MatrixFileFormat, to path: String) throws {
    precondition(values.count == rows * columns, "matrix holds \(values.count) values, not \(rows)x\(columns)")
    switch format {
    case .safetensors:
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.add(name, floats: values, shape: [rows, columns])
        do { try writer.write(to: URL(fileURLWithPath: path)) } catch {
            throw CommandLineError("cannot write \(path): \(oneLineDescription(error))")
        }
    case .npy:
        try writeFileAtomically(npyBytes(values, shape: [rows, columns]), to: path)
    }
}

/// A `.npy` file (version 1.0) holding `values` as little-endian float32 of `shape`: the magic string, the
/// header's length, a Python-literal header padded with spaces so the data starts on a 64-byte boundary, the data.
package func npyBytes(_ values: [Float], shape: [Int]) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    let prefix = 10  // 6 magic bytes, 2 version bytes, 2 header-length bytes
    let total = prefix + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    let length = UInt16(header.utf8.count)
    bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
    bytes += Array(header.utf8)
    bytes.reserveCapacity(bytes.count + values.count * 4)
    for v in values {
        let bits = v.bitPattern.littleEndian
        bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
    }
    return bytes
}
