/// A minimal reader of the protobuf wire format (varints, length-delimited fields, fixed32/fixed64), enough for
/// SentencePiece's `ModelProto` without a package dependency. Every read checks the bytes left, so a truncated
/// or corrupt file becomes `TokenizerError.corruptSentencePieceModel` naming the byte offset.
struct ProtobufReader {
    /// Wire types of the protobuf encoding.
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    private let bytes: [UInt8]
    private let path: String
    /// Next byte to read.
    private(set) var position: Int
    /// One past the last byte of the message being read.
    let end: Int

    /// A reader of `bytes[range]`; `path` names the file in errors.
    init(_ bytes: [UInt8], range: Range<Int>, path: String) {
        self.bytes = bytes
        self.path = path
        position = range.lowerBound
        end = range.upperBound
    }

    /// Whether the message has more fields.
    var hasMore: Bool { position < end }

    /// An error at the current position.
    func error(_ reason: String) -> TokenizerError {
        .corruptSentencePieceModel(path: path, offset: position, reason: reason)
    }

    /// A base-128 varint of at most 10 bytes.
    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard position < end else { throw error("truncated varint") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return result }
        }
        throw error("varint longer than 10 bytes")
    }

    /// The next field's number and wire type.
    mutating func tag() throws -> (field: UInt64, wire: WireType) {
        let key = try varint()
        guard let wire = WireType(rawValue: key & 7), wire != .startGroup, wire != .endGroup else {
            throw error("unsupported wire type \(key & 7)")
        }
        guard key >> 3 > 0 else { throw error("field number 0") }
        return (key >> 3, wire)
    }

    /// The byte range of a length-delimited field's payload (checked against the bytes left).
    mutating func lengthDelimited() throws -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw error("length \(length) runs past the \(end - position) bytes left")
        }
        let start = position
        position += Int(length)
        return start ..< position
    }

    /// A little-endian fixed32 value.
    mutating func fixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw error("truncated fixed32") }
        var value: UInt32 = 0
        for index in 0 ..< 4 { value |= UInt32(bytes[position + index]) << UInt32(8 * index) }
        position += 4
        return value
    }

    /// Skips a field of `wire` type (fields this reader does not need).
    mutating func skip(_ wire: WireType) throws {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64:
            guard end - position >= 8 else { throw error("truncated fixed64") }
            position += 8
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32: _ = try fixed32()
        case .startGroup, .endGroup: throw error("unsupported group field")
        }
    }

    /// Checks that a known field has the wire type its schema says.
    func expect(_ wire: WireType, _ wanted: WireType, field: String) throws {
        guard wire == wanted else { throw error("field \(field) has wire type \(wire.rawValue), expected \(wanted.rawValue)") }
    }

    /// A string field (must be UTF-8).
    mutating func string(_ wire: WireType, field: String) throws -> String {
        try expect(wire, .lengthDelimited, field: field)
        let start = position
        let range = try lengthDelimited()
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw TokenizerError.corruptSentencePieceModel(path: path, offset: start, reason: "field \(field) is not UTF-8")
        }
        return text
    }

    /// A bytes field.
    mutating func data(_ wire: WireType, field: String) throws -> [UInt8] {
        try expect(wire, .lengthDelimited, field: field)
        return Array(bytes[try lengthDelimited()])
    }

    /// A bool or enum or int32 field (int32 is sign-extended to 64 bits on the wire).
    mutating func int32(_ wire: WireType, field: String) throws -> Int {
        try expect(wire, .varint, field: field)
        return Int(Int32(truncatingIfNeeded: try varint()))
    }

    /// A bool field.
    mutating func bool(_ wire: WireType, field: String) throws -> Bool {
        try expect(wire, .varint, field: field)
        return try varint() != 0
    }

    /// A float field.
    mutating func float(_ wire: WireType, field: String) throws -> Float {
        try expect(wire, .fixed32, field: field)
        return Float(bitPattern: try fixed32())
    }

    /// A reader of an embedded message field.
    mutating func message(_ wire: WireType, field: String) throws -> ProtobufReader {
        try expect(wire, .lengthDelimited, field: field)
        return ProtobufReader(bytes, range: try lengthDelimited(), path: path)
    }
}
