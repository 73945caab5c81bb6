import Foundation

/// How `JSONValue.serialized(options:)` lays out its text. The empty set is compact text with `,` and `:` and
/// no spaces, as serde_json's `to_string` (and so the safetensors header) writes it.
public struct JSONWritingOptions: OptionSet, Sendable, Hashable {
    /// The option bits.
    public let rawValue: Int

    /// Options from their bits.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// One member or element per line, indented by two spaces, `": "` after keys: Python's
    /// `json.dumps(indent=2)`, which `transformers` uses for config.json.
    public static let prettyPrinted = JSONWritingOptions(rawValue: 1 << 0)
    /// Object members sorted by key, comparing Unicode scalar values (Python's `sort_keys=True`); otherwise
    /// members are written in the object's order.
    public static let sortedKeys = JSONWritingOptions(rawValue: 1 << 1)
    /// Everything outside printable ASCII escaped as `\uXXXX` (surrogate pairs above U+FFFF): Python's default
    /// `ensure_ascii=True`. Otherwise only `"`, `\` and control characters are escaped.
    public static let escapeNonASCII = JSONWritingOptions(rawValue: 1 << 2)
}

extension JSONValue {
    /// The value as UTF-8 JSON text. Integers are written exactly, other numbers in Swift's shortest round-trip
    /// form (`0.1`, `1e-12`, `2.0`, as Python's `repr`); strings escape `"`, `\` and control characters (`\n`,
    /// `\u001f`, lowercase hex as serde and Python write it).
    /// - Throws: `JSONError.unrepresentableNumber` for a NaN or infinite number, naming where it is.
    public func serialized(options: JSONWritingOptions = []) throws(JSONError) -> [UInt8] {
        var writer = JSONWriter(options: options, describing: false)
        try writer.write(self)
        return writer.output
    }

    /// `serialized(options:)` as `Data`.
    /// - Throws: `JSONError.unrepresentableNumber` for a NaN or infinite number.
    public func serializedData(options: JSONWritingOptions = []) throws(JSONError) -> Data {
        Data(try serialized(options: options))
    }

    /// `serialized(options:)` as a `String`.
    /// - Throws: `JSONError.unrepresentableNumber` for a NaN or infinite number.
    public func serializedString(options: JSONWritingOptions = []) throws(JSONError) -> String {
        String(decoding: try serialized(options: options), as: UTF8.self)
    }
}

/// Writes JSON text into a byte buffer. With `describing`, it writes the one-line form `description` uses
/// (`", "` and `": "` separators) and spells out non-finite numbers instead of failing.
struct JSONWriter {
    let options: JSONWritingOptions
    let describing: Bool
    private(set) var output: [UInt8] = []

    init(options: JSONWritingOptions, describing: Bool) {
        self.options = options
        self.describing = describing
    }

    mutating func write(_ value: JSONValue, indent: Int = 0) throws(JSONError) {
        switch value {
        case .null: append("null")
        case let .bool(b): append(b ? "true" : "false")
        case let .integer(i): append(String(i))
        case let .unsigned(u): append(String(u))
        case let .number(d):
            if d.isFinite {
                append(d.description)
            } else if describing {
                append(d.isNaN ? "nan" : d < 0 ? "-inf" : "inf")
            } else {
                throw .unrepresentableNumber(d, path: "$")
            }
        case let .string(s): writeString(s)
        case let .array(elements):
            output.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { separator() }
                newline(indent + 1)
                do { try write(element, indent: indent + 1) } catch { throw Self.prefix(error, "[\(i)]") }
            }
            if !elements.isEmpty { newline(indent) }
            output.append(UInt8(ascii: "]"))
        case let .object(object):
            output.append(UInt8(ascii: "{"))
            var members = object.members
            if options.contains(.sortedKeys) {
                members.sort { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
            }
            for (i, member) in members.enumerated() {
                if i > 0 { separator() }
                newline(indent + 1)
                writeString(member.key)
                output.append(UInt8(ascii: ":"))
                if describing || options.contains(.prettyPrinted) { output.append(UInt8(ascii: " ")) }
                do { try write(member.value, indent: indent + 1) } catch { throw Self.prefix(error, ".\(member.key)") }
            }
            if !members.isEmpty { newline(indent) }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The error with its path extended by the container step it came through: the path is built as the
    /// recursion unwinds, so writing pays nothing for it.
    private static func prefix(_ error: JSONError, _ step: String) -> JSONError {
        guard case let .unrepresentableNumber(value, path) = error else { return error }
        return .unrepresentableNumber(value, path: "$" + step + path.dropFirst())
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    private mutating func separator() {
        output.append(UInt8(ascii: ","))
        if describing && !options.contains(.prettyPrinted) { output.append(UInt8(ascii: " ")) }
    }

    private mutating func newline(_ indent: Int) {
        guard options.contains(.prettyPrinted) else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    private mutating func writeString(_ s: String) {
        let escapeNonASCII = options.contains(.escapeNonASCII)
        output.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: append("\\\"")
            case 0x5C: append("\\\\")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case ..<0x20: escape(UInt16(scalar.value))
            case 0x20..<0x7F: output.append(UInt8(scalar.value))
            default:
                if !escapeNonASCII {
                    output.append(contentsOf: String(scalar).utf8)
                } else if scalar.value < 0x10000 {
                    escape(UInt16(scalar.value))
                } else {
                    for unit in String(scalar).utf16 { escape(unit) }
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// `\u` and four lowercase hex digits.
    private mutating func escape(_ unit: UInt16) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        append("\\u")
        for shift in stride(from: 12, through: 0, by: -4) { output.append(hex[Int(unit >> UInt16(shift) & 0xF)]) }
    }
}
