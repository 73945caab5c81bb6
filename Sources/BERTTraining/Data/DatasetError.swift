/// Errors from reading fine-tuning datasets. Each names the file and, where the format has lines, the 1-based
/// line (and field), and says how to fix the data.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid UTF-8.
    case notUTF8(file: String, line: Int, byte: Int)
    /// The file holds no examples (no bytes, only blank lines, or a header alone).
    case emptyFile(file: String)
    /// The file extension names no known format.
    case unknownFormat(file: String)
    /// A quoted CSV field opened on `line` never closes.
    case unterminatedQuote(file: String, line: Int)
    /// Characters follow the closing quote of field `field` (1-based) instead of a delimiter or line end.
    case textAfterClosingQuote(file: String, line: Int, field: Int)
    /// A row whose field count differs from the header's.
    case wrongFieldCount(file: String, line: Int, expected: Int, found: Int)
    /// The header lacks a column the reader needs.
    case missingColumn(file: String, column: String, available: [String])
    /// A JSON Lines line that is not a JSON object, or a JSON file that does not parse.
    case invalidJSON(file: String, line: Int, reason: String)
    /// A JSON Lines record without a needed key.
    case missingField(file: String, line: Int, field: String)
    /// A value of the wrong kind (a number that does not parse, a list where text belongs).
    case invalidValue(file: String, line: Int, field: String, value: String, expected: String)
    /// A label outside the fixed label set.
    case unknownLabel(file: String, line: Int, label: String, known: [String])
    /// A CoNLL line with fewer than two whitespace-separated columns.
    case tooFewColumns(file: String, line: Int, text: String)
    /// A CoNLL tag outside the fixed tag set.
    case unknownTag(file: String, line: Int, tag: String, known: [String])
    /// A SQuAD JSON structure problem at a JSON path such as `data[0].paragraphs[2].qas[1]`.
    case invalidSQuAD(file: String, path: String, reason: String)
    /// Two SQuAD questions share an id.
    case duplicateQuestionID(file: String, questionID: String)
    /// `context[answer_start ..< answer_start + len(text)]` (Unicode scalars) is not the answer text.
    case answerMismatch(file: String, questionID: String, answerStart: Int, answer: String, contextSlice: String)
    /// The answer span runs outside its context.
    case answerOutOfRange(file: String, questionID: String, answerStart: Int, length: Int, contextLength: Int)
    /// A label2id map whose ids are not exactly 0, 1, ..., n−1.
    case invalidLabelIDs(ids: [Int])

    /// The message: file, line or question id, what is wrong, and how to fix it.
    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the file (\(reason)); check the path and permissions"
        case let .notUTF8(file, line, byte):
            return "\(file):\(line): not valid UTF-8 (byte \(byte) of the file); re-encode it (for example `iconv -f latin1 -t utf-8`)"
        case let .emptyFile(file):
            return "\(file): no examples; the file is empty or holds only a header or blank lines"
        case let .unknownFormat(file):
            return "\(file): cannot tell the format from the extension; use .csv, .tsv, .jsonl or pass the format explicitly"
        case let .unterminatedQuote(file, line):
            return "\(file):\(line): a quoted field opened on this line never closes; close the quote or double a literal quote as \"\""
        case let .textAfterClosingQuote(file, line, field):
            return "\(file):\(line): field \(field) has text after its closing quote; quote the whole field and double inner quotes (\"\")"
        case let .wrongFieldCount(file, line, expected, found):
            return "\(file):\(line): \(found) field(s), the header has \(expected); quote fields that contain the delimiter"
        case let .missingColumn(file, column, available):
            return "\(file): no column \"\(column)\" (columns: \(available.joined(separator: ", "))); rename the column or choose it by name"
        case let .invalidJSON(file, line, reason):
            return "\(file):\(line): invalid JSON (\(reason)); each line must hold one JSON object"
        case let .missingField(file, line, field):
            return "\(file):\(line): the record has no \"\(field)\" key; add it or choose another column name"
        case let .invalidValue(file, line, field, value, expected):
            return "\(file):\(line): \(field) is \"\(value)\", expected \(expected)"
        case let .unknownLabel(file, line, label, known):
            return "\(file):\(line): label \"\(label)\" is not one of the model's labels (\(known.joined(separator: ", "))); fix the label or the label2id map"
        case let .tooFewColumns(file, line, text):
            return "\(file):\(line): \"\(text)\" has one column; CoNLL lines need the token first and the tag last, separated by whitespace"
        case let .unknownTag(file, line, tag, known):
            return "\(file):\(line): tag \"\(tag)\" is not one of the model's tags (\(known.joined(separator: ", "))); fix the tag or the label set"
        case let .invalidSQuAD(file, path, reason):
            return "\(file): \(path): \(reason); SQuAD files hold data[].paragraphs[].{context, qas[].{id, question, answers[].{text, answer_start}}}"
        case let .duplicateQuestionID(file, id):
            return "\(file): question id \"\(id)\" appears more than once; question ids must be unique"
        case let .answerMismatch(file, id, start, answer, slice):
            return "\(file): question \(id): context[\(start)..<\(start + answer.unicodeScalars.count)] is \"\(slice)\", not the answer \"\(answer)\"; answer_start counts Unicode code points (Python string indices), not bytes or UTF-16 units"
        case let .answerOutOfRange(file, id, start, length, contextLength):
            return "\(file): question \(id): answer_start \(start) + \(length) code points runs past the context (\(contextLength) code points); fix answer_start"
        case let .invalidLabelIDs(ids):
            return "label2id ids \(ids.prefix(12))\(ids.count > 12 ? "..." : "") are not 0..<\(ids.count); give each label a distinct id from 0 up (as config.json's label2id)"
        }
    }
}
