/// A JSON value, as the byte-level parser in `JSONValue+Parsing.swift` reads it and the serializer writes it.
///
/// Integers stay integers: a number without fraction or exponent that fits `Int64` is `.integer`, so safetensors
/// offsets beyond 2^53 are not rounded and a config re-encodes as it was read. Objects keep their members in
/// document order (`JSONObject`); equality ignores that order and compares numbers by value, so `.integer(1)`
/// equals `.number(1.0)`, as `1 == 1.0` in Python.
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits `Int64`.
    case integer(Int64)
    /// A whole number above `Int64.max` and at most `UInt64.max` (random-generator states, hashes); the parser
    /// gives every smaller whole number as `.integer`.
    case unsigned(UInt64)
    /// Any other number (a fraction, an exponent, or an integer beyond `Int64`).
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, members in document order.
    case object(JSONObject)

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value of `.bool`, else nil.
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The value of `.string`, else nil.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The value of `.integer`, or of a `.number` that is a whole number below 2^53 in magnitude (so `3.0` reads
    /// as 3, as Python's `int(3.0)` would), else nil.
    public var intValue: Int? {
        switch self {
        case let .integer(i): return Int(exactly: i)
        case let .unsigned(u): return Int(exactly: u)
        case let .number(d) where d == d.rounded() && abs(d) < 9_007_199_254_740_992: return Int(d)
        default: return nil
        }
    }

    /// The value of a non-negative `.integer`, of `.unsigned`, or of a `.number` that is a whole number below 2^53,
    /// else nil.
    public var uint64Value: UInt64? {
        switch self {
        case let .integer(i): return UInt64(exactly: i)
        case let .unsigned(u): return u
        case let .number(d) where d == d.rounded() && d >= 0 && d < 9_007_199_254_740_992: return UInt64(d)
        default: return nil
        }
    }

    /// The value of `.number`, or of `.integer` converted (rounded to the nearest `Double` beyond 2^53), else nil.
    public var doubleValue: Double? {
        switch self {
        case let .integer(i): return Double(i)
        case let .unsigned(u): return Double(u)
        case let .number(d): return d
        default: return nil
        }
    }

    /// The elements of `.array`, else nil.
    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// The members of `.object`, else nil.
    public var objectValue: JSONObject? {
        if case let .object(o) = self { return o }
        return nil
    }

    /// The member `key` of an object (the last one if the key repeats); nil for an absent key or a non-object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// Element `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case let .array(a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    /// What kind of value this is ("a string", "an integer", ...), for error messages.
    public var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .unsigned: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value as one line of JSON with `", "` and `": "` separators (Python's `json.dumps` defaults), for
    /// messages; a non-finite number, which JSON cannot hold, shows as `nan`, `inf` or `-inf`.
    public var description: String {
        var writer = JSONWriter(options: [], describing: true)
        // Describing never throws: non-finite numbers are spelled out instead.
        try? writer.write(self)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// Equal when of the same kind with equal contents; numbers compare by value across `.integer` and `.number`,
    /// and objects compare as dictionaries (member order ignored, the last of a repeated key counts).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.integer(i), .number(d)), let (.number(d), .integer(i)): return Int64(exactly: d) == i
        case let (.unsigned(a), .unsigned(b)): return a == b
        case let (.unsigned(u), .integer(i)), let (.integer(i), .unsigned(u)): return UInt64(exactly: i) == u
        case let (.unsigned(u), .number(d)), let (.number(d), .unsigned(u)): return UInt64(exactly: d) == u
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    /// `true` / `false` is `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal is `.integer`.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// A floating-point literal is `.number`.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string literal is `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal is `.array`.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal is `.object`, members in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(members: elements.map { JSONMember(key: $0.0, value: $0.1) }))
    }
}
