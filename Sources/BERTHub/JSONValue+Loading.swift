import BERTJSON
import Foundation

extension JSONValue {
    /// Reads and parses a JSON file.
    /// - Throws: `BERTHubError.fileMissing`, `.permissionDenied`, `.fileUnreadable` or `.invalidJSON`, each naming
    ///   the file.
    package static func load(_ url: URL) throws -> JSONValue {
        guard try FileProbe.exists(url.path) else { throw BERTHubError.fileMissing(path: url.path) }
        return try parse(try BERTHubError.reading(url), file: url.path)
    }

    /// Parses JSON text.
    /// - Throws: `BERTHubError.invalidJSON` naming `file` and where in it the text breaks.
    package static func parse(_ data: Data, file: String) throws -> JSONValue {
        do { return try parse(data) } catch {
            throw BERTHubError.invalidJSON(file: file, reason: error.description)
        }
    }
}

extension BERTHubError {
    /// The hub's error for a field that does not fit: `.missingField` or `.invalidField`, naming the file and key.
    init(_ error: JSONFieldError) {
        switch error.problem {
        case .missing: self = .missingField(file: error.file, key: error.key)
        case let .wrongType(expected, found): self = .invalidField(file: error.file, key: error.key, expected: expected, found: found)
        }
    }
}

/// A reader over `value` (which must be an object) whose field errors are `BERTHubError`s; `body` reads it.
func readFields<T>(_ value: JSONValue, file: String, _ body: (JSONFieldReader) throws -> T) throws -> T {
    do {
        return try body(try JSONFieldReader(value, file: file))
    } catch let error as JSONFieldError {
        throw BERTHubError(error)
    }
}
