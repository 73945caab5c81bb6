/// Splits CSV or TSV bytes into records, tracking the 1-based line on which each record starts.
///
/// With `quoting` (CSV) a field that starts with `"` runs to the next lone `"`; inside it `""` is one quote and
/// delimiters and line breaks are data (RFC 4180). A `"` inside an unquoted field is kept literally, as Python's
/// `csv` module does. Without quoting (TSV) every byte but the delimiter and line breaks is data. Line breaks are
/// `\n`, `\r\n` or a lone `\r`; empty lines are skipped.
enum DelimitedTextParser {
    struct Row: Equatable {
        var line: Int
        var fields: [String]
    }

    static func parse(_ bytes: [UInt8], delimiter: UInt8, quoting: Bool, file: String) throws -> [Row] {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, rowLine = 1, i = 0
        var rowHasContent = false  // false while the row is a blank line

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRow() {
            endField()
            if rowHasContent { rows.append(Row(line: rowLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
            rowHasContent = false
        }
        /// Consumes a line break at `i` if there is one.
        func lineBreak() -> Bool {
            if bytes[i] == lf { i += 1; line += 1; return true }
            if bytes[i] == cr { i += (i + 1 < bytes.count && bytes[i + 1] == lf) ? 2 : 1; line += 1; return true }
            return false
        }

        while i < bytes.count {
            if !rowHasContent && fields.isEmpty && field.isEmpty { rowLine = line }
            if quoting && field.isEmpty && bytes[i] == quote && (i == 0 || isFieldStart(bytes, i, delimiter)) {
                let openedOn = line
                rowHasContent = true
                i += 1
                while true {
                    guard i < bytes.count else { throw DatasetError.unterminatedQuote(file: file, line: openedOn) }
                    if bytes[i] == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        i += 1
                        break
                    }
                    if bytes[i] == lf || (bytes[i] == cr && !(i + 1 < bytes.count && bytes[i + 1] == lf)) { line += 1 }
                    field.append(bytes[i])
                    i += 1
                }
                guard i == bytes.count || bytes[i] == delimiter || bytes[i] == lf || bytes[i] == cr else {
                    throw DatasetError.textAfterClosingQuote(file: file, line: line, field: fields.count + 1)
                }
                // The quoted field ends at a delimiter, a line break or the end of the input.
                if i < bytes.count && bytes[i] == delimiter { endField(); i += 1; continue }
                if i == bytes.count { break }
                _ = lineBreak()
                endRow()
                continue
            }
            if bytes[i] == delimiter {
                rowHasContent = true
                endField()
                i += 1
            } else if lineBreak() {
                endRow()
            } else {
                rowHasContent = true
                field.append(bytes[i])
                i += 1
            }
        }
        if rowHasContent || !fields.isEmpty || !field.isEmpty { rowHasContent = true; endRow() }
        return rows
    }

    /// A quote opens a quoted field only at the start of a field.
    private static func isFieldStart(_ bytes: [UInt8], _ i: Int, _ delimiter: UInt8) -> Bool {
        let previous = bytes[i - 1]
        return previous == delimiter || previous == UInt8(ascii: "\n") || previous == UInt8(ascii: "\r")
    }
}
