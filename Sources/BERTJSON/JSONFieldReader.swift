/// Why a field of a JSON document does not fit what a reader asked for; names the file and the key's path.
/// Modules that read configs wrap it into their own error enum.
package struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the field.
    package enum Problem: Sendable, Equatable {
        /// The key is absent (or null) where a value is required.
        case missing
        /// The value is of another kind: `expected` says what was asked for, `found` shows the value.
        case wrongType(expected: String, found: String)
    }

    /// The file the document came from.
    package var file: String
    /// The key's path from the top of the document, dot-separated (`normalizer.lowercase`, `added_tokens[2].id`).
    package var key: String
    /// What is wrong.
    package var problem: Problem

    /// An error about `key` of `file`.
    package init(file: String, key: String, problem: Problem) {
        (self.file, self.key, self.problem) = (file, key, problem)
    }

    /// What is wrong, without the file: `"key" is missing` or `"key" must be an integer, not "abc"`.
    package var reason: String {
        switch problem {
        case .missing: return "\"\(key)\" is missing"
        case let .wrongType(expected, found): return "\"\(key)\" must be \(expected), not \(found)"
        }
    }

    /// `file: reason`.
    package var description: String { "\(file): \(reason)" }
}

/// Typed access to the members of a JSON object, with errors that name the file and the key's full path. Configs,
/// tokenizer.json and sentence-transformers module files are all read through it. A null member reads as absent,
/// as Python's `dict.get` of a `None` default would. The reader remembers which keys were read, so a loader can
/// keep the rest (`unreadMembers`) to write them back unchanged.
package final class JSONFieldReader {
    /// The object being read.
    package let object: JSONObject
    /// The file, for messages.
    package let file: String
    /// The object's own path in the document ("" at the top).
    package let path: String
    private var read: Set<String> = []

    /// A reader over `object`, found at `path` in `file`.
    package init(object: JSONObject, file: String, path: String = "") {
        (self.object, self.file, self.path) = (object, file, path)
    }

    /// A reader over `value`, which must be an object.
    /// - Throws: `JSONFieldError` when it is not.
    package convenience init(_ value: JSONValue, file: String, path: String = "") throws(JSONFieldError) {
        guard case let .object(object) = value else {
            throw JSONFieldError(file: file, key: path.isEmpty ? "(top level)" : path,
                                 problem: .wrongType(expected: "an object", found: value.kind))
        }
        self.init(object: object, file: file, path: path)
    }

    /// The full path of `key` in this object.
    package func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether `key` is present (even as null).
    package func has(_ key: String) -> Bool { object[key] != nil }

    /// The member names in document order.
    package var keys: [String] { object.keys }

    /// The members no accessor has read (or read with `keep`), in document order.
    package var unreadMembers: JSONObject {
        JSONObject(members: object.members.filter { !read.contains($0.key) })
    }

    /// The value of `key`, nil when absent or null; marks it read unless `keep`.
    package func value(_ key: String, keep: Bool = false) -> JSONValue? {
        if !keep { read.insert(key) }
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    private func mismatch(_ key: String, _ expected: String, _ found: JSONValue) -> JSONFieldError {
        JSONFieldError(file: file, key: keyPath(key), problem: .wrongType(expected: expected, found: found.description))
    }

    /// The integer `key` (a whole number written as `3.0` counts).
    package func int(_ key: String) throws(JSONFieldError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.intValue else { throw mismatch(key, "an integer", v) }
        return i
    }

    /// The number `key`.
    package func double(_ key: String) throws(JSONFieldError) -> Double? {
        guard let v = value(key) else { return nil }
        guard let d = v.doubleValue else { throw mismatch(key, "a number", v) }
        return d
    }

    /// The boolean `key`.
    package func bool(_ key: String, keep: Bool = false) throws(JSONFieldError) -> Bool? {
        guard let v = value(key, keep: keep) else { return nil }
        guard let b = v.boolValue else { throw mismatch(key, "true or false", v) }
        return b
    }

    /// The string `key`.
    package func string(_ key: String, keep: Bool = false) throws(JSONFieldError) -> String? {
        guard let v = value(key, keep: keep) else { return nil }
        guard let s = v.stringValue else { throw mismatch(key, "a string", v) }
        return s
    }

    /// The array of strings `key`.
    package func strings(_ key: String) throws(JSONFieldError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard let items = v.arrayValue else { throw mismatch(key, "an array of strings", v) }
        var strings: [String] = []
        for item in items {
            guard let s = item.stringValue else { throw mismatch(key, "an array of strings", v) }
            strings.append(s)
        }
        return strings
    }

    /// The object `key`, as a reader of its own.
    package func object(_ key: String) throws(JSONFieldError) -> JSONFieldReader? {
        guard let v = value(key) else { return nil }
        guard case let .object(o) = v else { throw mismatch(key, "an object", v) }
        return JSONFieldReader(object: o, file: file, path: keyPath(key))
    }

    /// The array of objects `key`, each as a reader.
    package func objects(_ key: String) throws(JSONFieldError) -> [JSONFieldReader]? {
        guard let v = value(key) else { return nil }
        guard let items = v.arrayValue else { throw mismatch(key, "an array of objects", v) }
        var readers: [JSONFieldReader] = []
        for (i, item) in items.enumerated() {
            guard case let .object(o) = item else { throw mismatch("\(key)[\(i)]", "an object", item) }
            readers.append(JSONFieldReader(object: o, file: file, path: keyPath("\(key)[\(i)]")))
        }
        return readers
    }

    /// `value`, or a `.missing` error for `key` when it is nil: `try r.required(r.int("max_length"), "max_length")`.
    package func required<T>(_ value: T?, _ key: String) throws(JSONFieldError) -> T {
        guard let value else { throw JSONFieldError(file: file, key: keyPath(key), problem: .missing) }
        return value
    }
}
