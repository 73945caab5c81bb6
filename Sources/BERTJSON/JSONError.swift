/// A place in JSON text: the byte offset, and the line and column a person would look for.
public struct JSONLocation: Sendable, Equatable, CustomStringConvertible {
    /// Bytes before the place (0-based).
    public var offset: Int
    /// The line (1-based); lines end at `\n`.
    public var line: Int
    /// The column (1-based), counted in Unicode scalars from the start of the line.
    public var column: Int

    /// A location with the given coordinates.
    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// The location of byte `offset` of `bytes`; an offset past the end is placed just after the last byte.
    package init(offset: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        var line = 1
        var column = 1
        for i in 0..<min(max(offset, 0), bytes.count) {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // UTF-8 continuation bytes belong to the scalar before them
                column += 1
            }
        }
        self.init(offset: offset, line: line, column: column)
    }

    /// "line 3, column 7 (byte 42)".
    public var description: String { "line \(line), column \(column) (byte \(offset))" }
}

/// Why JSON text could not be read, or a value could not be written; each reading case says where.
///
/// The modules that read JSON files wrap this in their own error, which names the file and says how to fix it.
public enum JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text ends where `expected` should follow: the file is truncated (or empty).
    case unexpectedEnd(expected: String, at: JSONLocation)
    /// `found` stands where `expected` should.
    case unexpectedCharacter(found: String, expected: String, at: JSONLocation)
    /// A complete value is followed by more than white space.
    case trailingCharacters(found: String, at: JSONLocation)
    /// A number breaks JSON's grammar (leading zeros, no digit after `.` or in the exponent).
    case invalidNumber(reason: String, at: JSONLocation)
    /// A backslash in a string is followed by something other than `" \ / b f n r t u`.
    case invalidEscape(found: String, at: JSONLocation)
    /// A `\u` escape without four hex digits, or a UTF-16 surrogate without its partner.
    case invalidUnicodeEscape(reason: String, at: JSONLocation)
    /// A raw control character (below U+0020) inside a string; JSON requires it escaped.
    case controlCharacterInString(at: JSONLocation)
    /// The bytes are not valid UTF-8 (a stray continuation byte, a truncated or overlong sequence, a surrogate).
    case invalidUTF8(at: JSONLocation)
    /// Arrays and objects nest deeper than `limit`, the guard that keeps hostile input from exhausting the stack.
    case nestingTooDeep(limit: Int, at: JSONLocation)
    /// Writing met a NaN or infinite number, which JSON cannot hold; `path` names the value (`$.a[2]`).
    case unrepresentableNumber(Double, path: String)

    /// Where in the text the problem is; nil for a writing error.
    public var location: JSONLocation? {
        switch self {
        case let .unexpectedEnd(_, at), let .unexpectedCharacter(_, _, at), let .trailingCharacters(_, at),
             let .invalidNumber(_, at), let .invalidEscape(_, at), let .invalidUnicodeEscape(_, at),
             let .controlCharacterInString(at), let .invalidUTF8(at), let .nestingTooDeep(_, at):
            return at
        case .unrepresentableNumber:
            return nil
        }
    }

    /// What is wrong, without where.
    public var message: String {
        switch self {
        case let .unexpectedEnd(expected, _):
            return "the text ends where \(expected) should follow (truncated?)"
        case let .unexpectedCharacter(found, expected, _):
            return "expected \(expected), found \(found)"
        case let .trailingCharacters(found, _):
            return "\(found) follows the complete value"
        case let .invalidNumber(reason, _):
            return "invalid number: \(reason)"
        case let .invalidEscape(found, _):
            return "invalid escape: a backslash followed by \(found) (JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
        case let .invalidUnicodeEscape(reason, _):
            return "invalid \\u escape: \(reason)"
        case .controlCharacterInString:
            return "a raw control character in a string (escape it, e.g. \\n or \\u0001)"
        case .invalidUTF8:
            return "invalid UTF-8"
        case let .nestingTooDeep(limit, _):
            return "arrays and objects nest deeper than \(limit) levels"
        case let .unrepresentableNumber(value, path):
            return "\(path) is \(value), which JSON cannot represent"
        }
    }

    /// The message and, for reading errors, the location: "expected ':', found '}' at line 1, column 9 (byte 8)".
    public var description: String {
        location.map { "\(message) at \($0)" } ?? message
    }
}
