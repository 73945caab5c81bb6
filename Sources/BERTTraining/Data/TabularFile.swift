import BERTJSON
import Foundation

extension JSONValue {
    /// The value as label or cell text: strings as they are, integral numbers without `.0`.
    var text: String? {
        switch self {
        case let .string(s): return s
        case let .integer(i): return String(i)
        case let .number(d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case let .bool(b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// A short rendering for error messages.
    var preview: String {
        switch self {
        case .null: return "null"
        case .array(let a): return "[\(a.prefix(4).map(\.preview).joined(separator: ", "))\(a.count > 4 ? ", ..." : "")]"
        case .object: return "{...}"
        default: return text ?? ""
        }
    }
}

/// One data row: its 1-based line in the file and its values by column name.
package struct TabularRecord {
    package var line: Int
    package var values: [String: JSONValue]
}

/// The rows of a CSV, TSV or JSON Lines file, with the file name for error messages.
package struct TabularFile {
    package var file: String
    package var format: TabularFormat
    /// Header names (CSV/TSV) or every key seen (JSON Lines), in first-seen order.
    package var columns: [String]
    package var records: [TabularRecord]

    /// Reads and parses `url`; `format` defaults to the one its extension implies.
    init(contentsOf url: URL, format: TabularFormat?) throws {
        guard let format = format ?? TabularFormat(fileExtension: url.pathExtension) else { throw DatasetError.unknownFormat(file: url.path) }
        try self.init(bytes: readUTF8Bytes(url), file: url.path, format: format)
    }

    /// Parses `bytes` (UTF-8, any byte-order mark removed) read from `file` as `format`.
    package init(bytes: [UInt8], file: String, format: TabularFormat) throws {
        self.file = file
        self.format = format
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        switch format {
        case .csv, .tsv:
            let rows = try DelimitedTextParser.parse(bytes, delimiter: format == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t"),
                                                     quoting: format == .csv, file: file)
            guard let header = rows.first else { throw DatasetError.emptyFile(file: file) }
            columns = header.fields
            records = try rows.dropFirst().map { row in
                guard row.fields.count == header.fields.count else {
                    throw DatasetError.wrongFieldCount(file: file, line: row.line, expected: header.fields.count, found: row.fields.count)
                }
                var values: [String: JSONValue] = [:]
                for (name, value) in zip(header.fields, row.fields) { values[name] = .string(value) }
                return TabularRecord(line: row.line, values: values)
            }
        case .jsonLines:
            columns = []
            records = []
            var seen = Set<String>()
            let lines: [(line: Int, value: JSONValue)]
            do { lines = try JSONLines.parse(TextLines.split(bytes, file: file), file: file) } catch {
                if case let .invalidJSONLine(_, line, jsonError) = error {
                    // The location counts within the line; its column is the one to report.
                    throw DatasetError.invalidJSON(file: file, line: line, reason: "\(jsonError.message) at column \(jsonError.location?.column ?? 0)")
                }
                throw datasetError(error)
            }
            for (line, object) in lines {
                guard case let .object(members) = object else {
                    throw DatasetError.invalidJSON(file: file, line: line, reason: "the line is not a JSON object")
                }
                let values = members.dictionary
                for key in values.keys.sorted() where seen.insert(key).inserted { columns.append(key) }
                records.append(TabularRecord(line: line, values: values))
            }
        }
        if records.isEmpty { throw DatasetError.emptyFile(file: file) }
    }

    /// Fails unless the file has `column` (CSV/TSV header; JSON Lines records are checked one by one).
    func require(_ column: String) throws {
        if format != .jsonLines && !columns.contains(column) {
            throw DatasetError.missingColumn(file: file, column: column, available: columns)
        }
    }

    /// The value of `column` in `record`, failing with the line when it is missing.
    func value(_ column: String, in record: TabularRecord) throws -> JSONValue {
        guard let value = record.values[column] else { throw DatasetError.missingField(file: file, line: record.line, field: column) }
        return value
    }

    /// The text of `column` in `record`; a JSON value that is not a string is an error.
    func text(_ column: String, in record: TabularRecord) throws -> String {
        let value = try value(column, in: record)
        guard case let .string(s) = value else {
            throw DatasetError.invalidValue(file: file, line: record.line, field: column, value: value.preview, expected: "a string")
        }
        return s
    }

    /// The number in `column` of `record`: a JSON number, or text that parses as a Double.
    func number(_ column: String, in record: TabularRecord) throws -> Double {
        let value = try value(column, in: record)
        switch value {
        case let .integer(i): return Double(i)
        case let .number(d): return d
        case let .string(s):
            if let d = Double(s.trimmingCharacters(in: .whitespaces)), d.isFinite { return d }
        default: break
        }
        throw DatasetError.invalidValue(file: file, line: record.line, field: column, value: value.preview, expected: "a number")
    }
}

/// The bytes of a UTF-8 file without its byte-order mark.
func readUTF8Bytes(_ url: URL) throws -> [UInt8] {
    var bytes: [UInt8]
    do { bytes = try TextLines.readBytes(url.path) } catch {
        throw DatasetError.unreadable(file: url.path, reason: error.reason)
    }
    // Checked before the mark is dropped, so a bad byte's offset is the file's.
    if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
        do { _ = try TextLines.split(bytes, file: url.path) } catch { throw datasetError(error) }
        throw DatasetError.notUTF8(file: url.path, line: 0, byte: bad)
    }
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    return bytes
}

/// The lines of UTF-8 `bytes` (blank ones kept, since they end CoNLL sentences), any line end.
func splitLines(_ bytes: [UInt8], file: String) throws -> [TextLine] {
    do { return try TextLines.split(bytes, file: file, keepEmpty: true) } catch { throw datasetError(error) }
}

/// The dataset error for a line-reading failure: bad UTF-8 keeps its line and byte.
func datasetError(_ error: TextFileError) -> DatasetError {
    if case let .invalidUTF8(file, line, _, byte) = error { return .notUTF8(file: file, line: line, byte: byte) }
    return .unreadable(file: error.file, reason: error.reason)
}
