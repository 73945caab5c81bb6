import Foundation

extension JSONValue {
    /// How deeply arrays and objects may nest by default. Real files nest a few levels; the limit keeps the
    /// recursive parser's stack bounded on hostile input.
    public static let defaultMaxDepth = 512

    /// Parses one complete JSON document (RFC 8259; white space around it is allowed, anything else after it is
    /// not). The whole text must be valid UTF-8, checked first, as Python and serde decode before parsing.
    ///
    /// Foundation's `JSONSerialization` takes ~25 ms for a BERT `tokenizer.json` on Linux; this byte-level parser
    /// takes a few, which keeps tokenizer loading well under 0.1 s.
    /// - Parameter maxDepth: the deepest nesting of arrays and objects accepted.
    /// - Throws: `JSONError`, with the location of the first problem.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
            throw .invalidUTF8(at: JSONLocation(offset: bad, in: bytes))
        }
        var parser = JSONByteParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.at == bytes.count else {
            throw .trailingCharacters(found: parser.describeByte(at: parser.at), at: parser.location(parser.at))
        }
        return value
    }

    /// Parses raw bytes, e.g. a memory-mapped file's header; see `parse(_:maxDepth:)`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        let result = bytes.withMemoryRebound(to: UInt8.self) { Self.parseResult($0, maxDepth) }
        return try result.get()
    }

    /// Parses a byte array; see `parse(_:maxDepth:)`.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { Self.parseResult($0, maxDepth) }.get()
    }

    /// Parses a slice of bytes (one line of a JSON Lines file, say); locations count from the slice's start.
    public static func parse(_ bytes: ArraySlice<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { Self.parseResult($0, maxDepth) }.get()
    }

    /// Parses `Data`; see `parse(_:maxDepth:)`.
    public static func parse(_ data: Data, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        try data.withUnsafeBytes { raw in raw.withMemoryRebound(to: UInt8.self) { Self.parseResult($0, maxDepth) } }.get()
    }

    /// Parses the UTF-8 of `text`; see `parse(_:maxDepth:)`.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    private static func parseResult(_ bytes: UnsafeBufferPointer<UInt8>, _ maxDepth: Int) -> Result<JSONValue, JSONError> {
        do { return .success(try parse(bytes, maxDepth: maxDepth)) } catch { return .failure(error) }
    }
}

/// A recursive-descent parser over validated UTF-8. Every read is preceded by a bounds check, and recursion is
/// limited to `maxDepth` nested containers, so truncated or hostile input throws instead of crashing.
private struct JSONByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let end: Int
    let maxDepth: Int
    var at = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.end = bytes.count
        self.maxDepth = maxDepth
    }

    func location(_ offset: Int) -> JSONLocation { JSONLocation(offset: offset, in: bytes) }

    /// The character at `offset` for a message: `'x'`, `a space`, `byte 0x01`, or `end of text`.
    func describeByte(at offset: Int) -> String {
        guard offset < end else { return "the end of the text" }
        let byte = bytes[offset]
        switch byte {
        case 0x20: return "a space"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x80...:
            // The text is valid UTF-8, so the scalar is whole.
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            let scalar = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<min(offset + length, end)]), as: UTF8.self)
            return "'\(scalar)'"
        default:
            return "byte 0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
    }

    private func unexpected(_ expected: String) -> JSONError {
        at < end ? .unexpectedCharacter(found: describeByte(at: at), expected: expected, at: location(at))
            : .unexpectedEnd(expected: expected, at: location(at))
    }

    mutating func skipSpace() {
        while at < end {
            switch bytes[at] {
            case 0x20, 0x0A, 0x0D, 0x09: at += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        guard at < end else { throw .unexpectedEnd(expected: "a value", at: location(at)) }
        switch bytes[at] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw unexpected("a value")
        }
    }

    private mutating func object(depth: Int) throws(JSONError) -> JSONValue {
        guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth, at: location(at)) }
        at += 1
        var members: [JSONMember] = []
        skipSpace()
        if at < end, bytes[at] == UInt8(ascii: "}") {
            at += 1
            return .object(JSONObject(members: members))
        }
        while true {
            guard at < end, bytes[at] == UInt8(ascii: "\"") else { throw unexpected("a string key") }
            let key = try string()
            skipSpace()
            guard at < end, bytes[at] == UInt8(ascii: ":") else { throw unexpected("':'") }
            at += 1
            skipSpace()
            members.append(JSONMember(key: key, value: try value(depth: depth + 1)))
            if try !anotherElement(before: UInt8(ascii: "}")) { return .object(JSONObject(members: members)) }
        }
    }

    private mutating func array(depth: Int) throws(JSONError) -> JSONValue {
        guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth, at: location(at)) }
        at += 1
        var elements: [JSONValue] = []
        skipSpace()
        if at < end, bytes[at] == UInt8(ascii: "]") {
            at += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth + 1))
            if try !anotherElement(before: UInt8(ascii: "]")) { return .array(elements) }
        }
    }

    /// After an element of an array or object: consumes `,` and the space after it (true: another element
    /// follows) or the closing bracket `close` (false).
    private mutating func anotherElement(before close: UInt8) throws(JSONError) -> Bool {
        skipSpace()
        let expected = "',' or '\(Character(Unicode.Scalar(close)))'"
        guard at < end else { throw unexpected(expected) }
        if bytes[at] == UInt8(ascii: ",") {
            at += 1
            skipSpace()
            return true
        }
        guard bytes[at] == close else { throw unexpected(expected) }
        at += 1
        return false
    }

    private mutating func literal(_ word: StaticString) throws(JSONError) {
        let expected = "`\(word)`"
        for k in 0..<word.utf8CodeUnitCount {
            guard at < end, bytes[at] == word.utf8Start[k] else { throw unexpected(expected) }
            at += 1
        }
    }

    private func isDigit(_ offset: Int) -> Bool {
        offset < end && bytes[offset] >= UInt8(ascii: "0") && bytes[offset] <= UInt8(ascii: "9")
    }

    /// RFC 8259's grammar, `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, strictly.
    private mutating func number() throws(JSONError) -> JSONValue {
        let start = at
        let negative = bytes[at] == UInt8(ascii: "-")
        if negative { at += 1 }
        guard at < end else { throw .unexpectedEnd(expected: "a digit", at: location(at)) }
        guard isDigit(at) else { throw .invalidNumber(reason: "a digit must follow '-'", at: location(at)) }
        if bytes[at] == UInt8(ascii: "0") {
            at += 1
            if isDigit(at) { throw .invalidNumber(reason: "leading zeros are not allowed", at: location(start)) }
            if !(at < end && (bytes[at] == UInt8(ascii: ".") || bytes[at] | 0x20 == UInt8(ascii: "e"))) {
                return .integer(0)
            }
        } else {
            // Fast path: up to 18 digits cannot overflow Int64.
            var value: Int64 = 0
            var digits = 0
            while digits < 18, isDigit(at) {
                value = value &* 10 &+ Int64(bytes[at] &- UInt8(ascii: "0"))
                at += 1
                digits += 1
            }
            if !(at < end && (isDigit(at) || bytes[at] == UInt8(ascii: ".") || bytes[at] | 0x20 == UInt8(ascii: "e"))) {
                return .integer(negative ? -value : value)
            }
            while isDigit(at) { at += 1 }
        }
        var integral = true
        if at < end, bytes[at] == UInt8(ascii: ".") {
            integral = false
            at += 1
            guard at < end else { throw .unexpectedEnd(expected: "a digit after '.'", at: location(at)) }
            guard isDigit(at) else { throw .invalidNumber(reason: "a digit must follow '.'", at: location(at)) }
            while isDigit(at) { at += 1 }
        }
        if at < end, bytes[at] | 0x20 == UInt8(ascii: "e") {
            integral = false
            at += 1
            if at < end, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard at < end else { throw .unexpectedEnd(expected: "an exponent digit", at: location(at)) }
            guard isDigit(at) else { throw .invalidNumber(reason: "the exponent needs a digit", at: location(at)) }
            while isDigit(at) { at += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        if integral, let exact = Int64(text) { return .integer(exact) }
        if integral, !negative, let exact = UInt64(text) { return .unsigned(exact) }
        // Beyond Double's range this is ±infinity, as in Python; the grammar above guarantees Double parses it.
        guard let double = Double(text) else { throw .invalidNumber(reason: "unreadable", at: location(start)) }
        return .number(double)
    }

    private mutating func string() throws(JSONError) -> String {
        at += 1  // the opening quote
        let start = at
        // Fast path: no escapes, so the string is the bytes between the quotes (already valid UTF-8).
        while at < end {
            let c = bytes[at]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
                at += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw .controlCharacterInString(at: location(at)) }
            at += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<at]))
        while at < end {
            let c = bytes[at]
            if c == UInt8(ascii: "\"") {
                at += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw .controlCharacterInString(at: location(at)) }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                at += 1
                continue
            }
            let escape = at
            at += 1
            guard at < end else { break }
            let e = bytes[at]
            at += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw .invalidUnicodeEscape(reason: "low surrogate without a high one before it", at: location(escape))
                }
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by `\u` and a low surrogate.
                    guard at < end else { throw .unexpectedEnd(expected: "a low surrogate escape", at: location(at)) }
                    guard bytes[at] == UInt8(ascii: "\\") else { throw unpairedHighSurrogate(escape) }
                    guard at + 1 < end else { throw .unexpectedEnd(expected: "a low surrogate escape", at: location(at + 1)) }
                    guard bytes[at + 1] == UInt8(ascii: "u") else { throw unpairedHighSurrogate(escape) }
                    let lowEscape = at
                    at += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else {
                        throw .invalidUnicodeEscape(reason: "high surrogate followed by \\u\(hex(low)), not a low one",
                                                    at: location(lowEscape))
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                appendUTF8(scalar, to: &out)
            default:
                throw .invalidEscape(found: describeByte(at: at - 1), at: location(escape))
            }
        }
        throw .unexpectedEnd(expected: "a closing quote", at: location(at))
    }

    private func unpairedHighSurrogate(_ escape: Int) -> JSONError {
        .invalidUnicodeEscape(reason: "high surrogate without a low one after it", at: location(escape))
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard at < end else { throw .unexpectedEnd(expected: "four hex digits after \\u", at: location(at)) }
            let c = bytes[at]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            default:
                throw .invalidUnicodeEscape(reason: "expected four hex digits, found \(describeByte(at: at))", at: location(at))
            }
            value = value << 4 | digit
            at += 1
        }
        return value
    }

    /// Appends the UTF-8 encoding of `scalar` (a non-surrogate below U+110000, as the caller ensures).
    private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            out.append(UInt8(scalar))
        case ..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
