import Foundation

/// Any JSON value, kept exactly: integers stay integers, so a config re-encodes as it was read.
///
/// `BertConfig` keeps the config.json keys it does not model (`transformers_version`, `use_cache`, ...) as
/// `JSONValue`s, so a decode/encode round trip loses nothing.
public enum JSONValue: Codable, Equatable, Sendable, CustomStringConvertible {
    /// `null`
    case null
    /// `true` / `false`
    case bool(Bool)
    /// A number without fraction or exponent that fits `Int64`.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes any JSON value.
    public init(from decoder: Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var object: [String: JSONValue] = [:]
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(object)
        } else if var unkeyed = try? decoder.unkeyedContainer() {
            var array: [JSONValue] = []
            while !unkeyed.isAtEnd { array.append(try unkeyed.decode(JSONValue.self)) }
            self = .array(array)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { self = .null }
            else if let b = try? single.decode(Bool.self) { self = .bool(b) }
            else if let i = try? single.decode(Int64.self) { self = .integer(i) }
            else if let d = try? single.decode(Double.self) { self = .number(d) }
            else { self = .string(try single.decode(String.self)) }
        }
    }

    /// Encodes the value as it was read.
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case let .bool(b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case let .integer(i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case let .number(d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case let .string(s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case let .array(a):
            var c = encoder.unkeyedContainer()
            for v in a { try c.encode(v) }
        case let .object(o):
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in o { try c.encode(v, forKey: Key(stringValue: k)) }
        }
    }

    /// Parses JSON text.
    /// - Throws: `BERTHubError.invalidJSON` naming `file`.
    public static func parse(_ data: Data, file: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            var reason = "\(error)"
            if case let DecodingError.dataCorrupted(context) = error {
                reason = context.underlyingError.map { "\($0)" } ?? context.debugDescription
            }
            throw BERTHubError.invalidJSON(file: file, reason: reason)
        }
    }

    /// Reads and parses a JSON file.
    /// - Throws: `BERTHubError.fileMissing`, `.fileUnreadable` or `.invalidJSON`, each naming the file.
    public static func load(_ url: URL) throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw BERTHubError.fileMissing(path: url.path)
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BERTHubError.fileUnreadable(path: url.path, reason: error.localizedDescription)
        }
        return try parse(data, file: url.path)
    }

    /// A short rendering for error messages.
    public var description: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return "\(b)"
        case let .integer(i): return "\(i)"
        case let .number(d): return "\(d)"
        case let .string(s): return "\"\(s)\""
        case let .array(a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case let .object(o): return "{" + o.keys.sorted().map { "\"\($0)\": \(o[$0]!)" }.joined(separator: ", ") + "}"
        }
    }

    /// What kind of value this is ("a string", "an integer", ...), for error messages.
    public var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Typed field access over a JSON object, throwing `BERTHubError`s that name the file and key.
struct JSONFields {
    let object: [String: JSONValue]
    let file: String
    private(set) var used: Set<String> = []

    init(_ value: JSONValue, file: String) throws {
        guard case let .object(object) = value else {
            throw BERTHubError.invalidField(file: file, key: "(top level)", expected: "an object", found: value.description)
        }
        (self.object, self.file) = (object, file)
    }

    /// The keys not read through any accessor.
    var unusedFields: [String: JSONValue] { object.filter { !used.contains($0.key) } }

    /// Reads `key`; unless `keep`, the key then no longer counts as unused.
    private mutating func value(_ key: String, keep: Bool = false) -> JSONValue? {
        if !keep { used.insert(key) }
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    private func mismatch(_ key: String, _ expected: String, _ found: JSONValue) -> BERTHubError {
        .invalidField(file: file, key: key, expected: expected, found: found.description)
    }

    mutating func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        if case let .integer(i) = v { return Int(i) }
        if case let .number(d) = v, d.rounded() == d, abs(d) < 1e15 { return Int(d) }
        throw mismatch(key, "an integer", v)
    }

    mutating func double(_ key: String) throws -> Double? {
        guard let v = value(key) else { return nil }
        if case let .integer(i) = v { return Double(i) }
        if case let .number(d) = v { return d }
        throw mismatch(key, "a number", v)
    }

    mutating func bool(_ key: String, keep: Bool = false) throws -> Bool? {
        guard let v = value(key, keep: keep) else { return nil }
        if case let .bool(b) = v { return b }
        throw mismatch(key, "true or false", v)
    }

    mutating func string(_ key: String, keep: Bool = false) throws -> String? {
        guard let v = value(key, keep: keep) else { return nil }
        if case let .string(s) = v { return s }
        throw mismatch(key, "a string", v)
    }

    mutating func strings(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw mismatch(key, "an array of strings", v) }
        return try items.map {
            guard case let .string(s) = $0 else { throw mismatch(key, "an array of strings", v) }
            return s
        }
    }

    mutating func objectField(_ key: String) throws -> [String: JSONValue]? {
        guard let v = value(key) else { return nil }
        guard case let .object(o) = v else { throw mismatch(key, "an object", v) }
        return o
    }
}
