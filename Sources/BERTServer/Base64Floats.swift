import Foundation

/// OpenAI's `encoding_format: "base64"`: the float32 values' little-endian bytes, base64-encoded, which the
/// OpenAI Python SDK decodes with `np.frombuffer(base64.b64decode(s), dtype="float32")`.
enum Base64Floats {
    /// The base64 text of `values`.
    static func encode(_ values: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        return Data(bytes).base64EncodedString()
    }

}
