import BERTJSON
import Foundation

extension JSONValue {
    /// Reads and parses a JSON file.
    /// - Throws: `BERTHubError.fileMissing`, `.permissionDenied`, `.fileUnreadable` or `.invalidJSON`, each naming
    ///   the file.
    public static func load(_ url: URL) throws -> JSONValue {
        guard try FileProbe.exists(url.path) else { throw BERTHubError.fileMissing(path: url.path) }
        return try parse(try BERTHubError.reading(url), file: url.path)
    }

    /// Parses JSON text.
    /// - Throws: `BERTHubError.invalidJSON` naming `file` and where in it the text breaks.
    public static func parse(_ data: Data, file: String) throws -> JSONValue {
        do { return try parse(data) } catch {
            throw BERTHubError.invalidJSON(file: file, reason: error.description)
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
        (self.object, self.file) = (object.dictionary, file)
    }

    /// The keys not read through any accessor.
    var unusedFields: [String: JSONValue] { object.filter { !used.contains($0.key) } }

    /// Reads `key`; unless `keep`, the key then no longer counts as unused.
    private mutating func value(_ key: String, keep: Bool = false) -> JSONValue? {
        if !keep { used.insert(key) }
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    private func mismatch(_ key: String, _ expected: String, _ found: JSONValue) -> BERTHubError {
        .invalidField(file: file, key: key, expected: expected, found: found.description)
    }

    mutating func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.intValue else { throw mismatch(key, "an integer", v) }
        return i
    }

    mutating func double(_ key: String) throws -> Double? {
        guard let v = value(key) else { return nil }
        guard let d = v.doubleValue else { throw mismatch(key, "a number", v) }
        return d
    }

    mutating func bool(_ key: String, keep: Bool = false) throws -> Bool? {
        guard let v = value(key, keep: keep) else { return nil }
        guard let b = v.boolValue else { throw mismatch(key, "true or false", v) }
        return b
    }

    mutating func string(_ key: String, keep: Bool = false) throws -> String? {
        guard let v = value(key, keep: keep) else { return nil }
        guard let s = v.stringValue else { throw mismatch(key, "a string", v) }
        return s
    }

    mutating func strings(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw mismatch(key, "an array of strings", v) }
        return try items.map {
            guard let s = $0.stringValue else { throw mismatch(key, "an array of strings", v) }
            return s
        }
    }

    mutating func objectField(_ key: String) throws -> [String: JSONValue]? {
        guard let v = value(key) else { return nil }
        guard case let .object(o) = v else { throw mismatch(key, "an object", v) }
        return o.dictionary
    }
}
