import ArgumentParser
import BERT
import Foundation

/// How `--input` is read.
package enum InputFormat: String, ExpressibleByArgument, CaseIterable {
    /// By extension: `.jsonl`/`.ndjson` JSON Lines, `.csv`, `.tsv`; otherwise text, or JSON Lines when the first
    /// line starts with `{`.
    case auto
    /// One input per line; blank lines are skipped.
    case text
    /// One JSON object (or string, taken as `{"text": ...}`) per line.
    case jsonl
    /// Comma-separated with a header row (RFC 4180 quoting).
    case csv
    /// Tab-separated with a header row.
    case tsv
}

/// One input record: its fields, and where it came from for error messages.
package struct InputRecord {
    /// The file (or `<stdin>`, or `<arguments>`).
    package var file: String
    /// The 1-based line of the record in the file.
    package var line: Int
    /// The record's fields: a text line is `{"text": line}`, a CSV row maps the header's names to its cells.
    package var fields: JSONObject

    /// The string `field`, or an error naming the file and line.
    package func string(_ field: String) throws -> String { try read { try $0.required($0.string(field), field) } }

    /// The string `field`, nil when absent or null.
    package func optionalString(_ field: String) throws -> String? { try read { try $0.string(field) } }

    /// The array of strings `field`.
    package func strings(_ field: String) throws -> [String] { try read { try $0.required($0.strings(field), field) } }

    /// Reads the fields through BERTJSON's typed reader; its error names `file:line` and, for a missing field, the
    /// fields the record has.
    private func read<T>(_ body: (JSONFieldReader) throws -> T) throws -> T {
        do {
            return try body(JSONFieldReader(object: fields, file: "\(file):\(line)"))
        } catch let error as JSONFieldError {
            let has = error.problem == .missing ? " (the record has: \(fields.keys.joined(separator: ", ")))" : ""
            throw CommandLineError(error.description + has)
        }
    }
}

/// `--input FILE` (`-` for standard input) and `--input-format`, shared by every command that reads inputs. Every
/// format reads `\n`, `\r\n` and `\r` line ends alike, drops a UTF-8 byte-order mark, and reports invalid UTF-8
/// or JSON with the file, line and byte.
package struct InputOptions: ParsableArguments {
    @Option(help: "Inputs from a file: text (one per line), JSON Lines or CSV/TSV with a header row; - reads stdin.")
    package var input: String?

    @Option(help: "How to read --input (auto: by extension; text unless the first line starts with '{').")
    package var inputFormat: InputFormat = .auto

    package init() {}

    /// The records of `--input`; empty when it is not given.
    package func records() throws -> [InputRecord] {
        guard let input else { return [] }
        return try Self.records(path: input, format: inputFormat)
    }

    /// The `text` field of every record (a text file's lines), or `arguments` when there is no `--input`.
    package func texts(arguments: [String], field: String = "text") throws -> [String] {
        guard input != nil else { return arguments }
        return arguments + (try records().map { try $0.string(field) })
    }

    /// Reads `path` in `format`.
    package static func records(path: String, format: InputFormat) throws -> [InputRecord] {
        let file = path == "-" ? "<stdin>" : path
        let bytes = try TextLines.readBytes(path)
        let guessed = format == .auto
        var format = format
        if guessed {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "jsonl", "ndjson": format = .jsonl
            case "csv": format = .csv
            case "tsv": format = .tsv
            default: format = .text
            }
        }
        // Checks UTF-8 for every format, so a bad byte is reported with its line whatever the layout.
        let lines = try TextLines.split(bytes, file: file)
        switch format {
        case .csv, .tsv:
            let table = try TabularFile(bytes: bytes, file: file, format: format == .csv ? .csv : .tsv)
            return table.records.map { record in
                InputRecord(file: file, line: record.line, fields: JSONObject(record.values))
            }
        case .text, .jsonl, .auto:
            let jsonl = format == .jsonl || (guessed && lines.first?.text.drop(while: \.isWhitespace).first == "{")
            if !jsonl {
                return lines.map { InputRecord(file: file, line: $0.number, fields: ["text": .string($0.text)]) }
            }
            return try JSONLines.parse(lines, file: file).map { line, value in
                switch value {
                case let .object(object): return InputRecord(file: file, line: line, fields: object)
                case let .string(s): return InputRecord(file: file, line: line, fields: ["text": .string(s)])
                default: throw CommandLineError("\(file):\(line): expected a JSON object or string, not \(value.kind)")
                }
            }
        }
    }
}
