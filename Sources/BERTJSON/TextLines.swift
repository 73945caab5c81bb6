import Foundation

/// One line of a text file: its text without the line break, and its number counted from 1.
package struct TextLine: Sendable, Equatable {
    /// The line's 1-based number in the file.
    package var number: Int
    /// The line's text, without `\n`, `\r\n` or `\r`.
    package var text: String

    /// A line numbered `number` holding `text`.
    package init(number: Int, text: String) {
        self.number = number
        self.text = text
    }
}

/// Why a text file could not be read as lines; every case names the file, and a decoding error its line and byte.
package enum TextFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case notFound(file: String)
    /// The file exists but this process may not read it.
    case permissionDenied(file: String)
    /// The path names a folder.
    case isADirectory(file: String)
    /// Reading failed for another reason (`reason` is the system's).
    case unreadable(file: String, reason: String)
    /// The bytes are not UTF-8: `byte` is the offset of the first bad byte in the file, `column` its byte in the line.
    case invalidUTF8(file: String, line: Int, column: Int, byte: Int)
    /// A line of a JSON Lines file is not valid JSON.
    case invalidJSONLine(file: String, line: Int, error: JSONError)

    /// What is wrong with the file, without its name (for messages that name it already).
    package var reason: String {
        let text = description
        for prefix in ["\(file): ", "\(file):"] where text.hasPrefix(prefix) { return String(text.dropFirst(prefix.count)) }
        return text
    }

    /// The file the error is about.
    package var file: String {
        switch self {
        case let .notFound(file), let .permissionDenied(file), let .isADirectory(file), let .unreadable(file, _),
             let .invalidUTF8(file, _, _, _), let .invalidJSONLine(file, _, _):
            return file
        }
    }

    /// One line: the file, where, and how to fix it.
    package var description: String {
        switch self {
        case let .notFound(file): return "\(file): no such file"
        case let .permissionDenied(file): return "\(file): permission denied (check the file's read permission)"
        case let .isADirectory(file): return "\(file): is a folder, not a file"
        case let .unreadable(file, reason): return "\(file): cannot be read: \(reason)"
        case let .invalidUTF8(file, line, column, byte):
            return "\(file):\(line): invalid UTF-8 at byte \(column) of the line (byte \(byte) of the file); save the file as UTF-8"
        case let .invalidJSONLine(file, line, error):
            let column = error.location.map { ", column \($0.column)" } ?? ""
            return "\(file):\(line)\(column): not valid JSON: \(error.message)"
        }
    }
}

/// Reads text files as lines the way Python's universal-newline mode does: `\n`, `\r\n` and a lone `\r` all end a
/// line, a UTF-8 byte-order mark at the start is dropped, and the bytes must be UTF-8 (an error names the line and
/// byte of the first one that is not). The CLI's `--input` files, JSON Lines datasets and corpora all come through
/// here, so a file saved on Windows reads as the same lines as on Linux.
package enum TextLines {
    /// The bytes of `url` (`-` reads standard input), with the read's failure as a typed error.
    package static func readBytes(_ path: String) throws(TextFileError) -> [UInt8] {
        if path == "-" {
            return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        let kind: PathKind
        do { kind = try PathKind.of(path) } catch {
            switch error {
            case .permissionDenied: throw .permissionDenied(file: path)
            case let .other(reason): throw .unreadable(file: path, reason: reason)
            }
        }
        switch kind {
        case .absent: throw .notFound(file: path)
        case .directory: throw .isADirectory(file: path)
        case .file: break
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if access(path, R_OK) != 0 && errno == EACCES { throw .permissionDenied(file: path) }
            throw .unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// The lines of the file at `path` (`-` for standard input); see `split(_:file:)`.
    package static func read(_ path: String, keepEmpty: Bool = false) throws(TextFileError) -> [TextLine] {
        try split(readBytes(path), file: path == "-" ? "<stdin>" : path, keepEmpty: keepEmpty)
    }

    /// `bytes` cut into lines at `\n`, `\r\n` or `\r`, after a leading byte-order mark; a final line break does
    /// not start another line. Lines that are empty or only white space are dropped unless `keepEmpty`.
    /// - Throws: `TextFileError.invalidUTF8` naming `file`, the line and the byte.
    package static func split(_ bytes: [UInt8], file: String, keepEmpty: Bool = false) throws(TextFileError) -> [TextLine] {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        if let bad = bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalidOffset(in: UnsafeBufferPointer(rebasing: $0[start...])) }) {
            let offset = start + bad
            var line = 1, lineStart = start, i = start
            while i < offset {
                if bytes[i] == 0x0A || (bytes[i] == 0x0D && (i + 1 >= bytes.count || bytes[i + 1] != 0x0A)) {
                    line += 1
                    lineStart = i + 1
                }
                i += 1
            }
            throw .invalidUTF8(file: file, line: line, column: offset - lineStart + 1, byte: offset)
        }
        var lines: [TextLine] = []
        var number = 1, lineStart = start, i = start
        func emit(_ end: Int) {
            let text = String(decoding: bytes[lineStart..<end], as: UTF8.self)
            if keepEmpty || !text.allSatisfy(\.isWhitespace) { lines.append(TextLine(number: number, text: text)) }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                emit(i)
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                number += 1
                lineStart = i + 1
            }
            i += 1
        }
        if lineStart < bytes.count { emit(bytes.count) }
        return lines
    }
}

/// JSON Lines (one JSON value per line), read through `TextLines`, so CRLF files and a byte-order mark are fine.
package enum JSONLines {
    /// The value of every non-blank line of `path` (`-` for standard input), with its line number.
    /// - Throws: `TextFileError`, with `.invalidJSONLine` naming the file, line and column of a bad line.
    package static func read(_ path: String) throws(TextFileError) -> [(line: Int, value: JSONValue)] {
        try parse(TextLines.read(path), file: path == "-" ? "<stdin>" : path)
    }

    /// The value of each of `lines`.
    package static func parse(_ lines: [TextLine], file: String) throws(TextFileError) -> [(line: Int, value: JSONValue)] {
        var values: [(line: Int, value: JSONValue)] = []
        values.reserveCapacity(lines.count)
        for line in lines {
            do {
                values.append((line.number, try JSONValue.parse(line.text)))
            } catch {
                throw .invalidJSONLine(file: file, line: line.number, error: error)
            }
        }
        return values
    }
}
