// The one error enum of the pre-training data pipeline (DESIGN.md: errors are typed, name the file and offset,
// and say how to fix).

/// Everything that can go wrong while reading a corpus, building instances, or reading and writing an instance
/// file. Each message names the file and the byte offset (or instance) involved and says how to fix it.
package enum PretrainingDataError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// The bytes at `byteOffset` are not valid UTF-8.
    case invalidUTF8(path: String, byteOffset: Int)
    /// No document in the corpus produced any token, so no instance can be made.
    case emptyCorpus(paths: [String])
    /// The tokenizer's vocabulary lacks a special token the pipeline needs.
    case missingSpecialToken(String)
    /// A configuration value is out of its allowed range.
    case invalidConfiguration(String)
    /// The file does not start with the instance-file magic bytes.
    case notAnInstanceFile(path: String, found: String)
    /// The file was written by a newer, unknown version of the format.
    case unsupportedVersion(path: String, version: UInt32)
    /// The header or settings block is malformed at `offset`.
    case corruptHeader(path: String, offset: Int, reason: String)
    /// The file is shorter (or longer) than its header says.
    case truncatedFile(path: String, offset: Int, expectedSize: Int, actualSize: Int)
    /// A value inside instance `instance`'s record at byte `offset` is impossible.
    case corruptRecord(path: String, instance: Int, offset: Int, reason: String)
    /// An instance index past the end of the file was requested.
    case instanceOutOfRange(path: String, index: Int, count: Int)
    /// An instance does not have the sequence length the file or batcher expects.
    case sequenceLengthMismatch(expected: Int, found: Int)
    /// Writing or renaming the output failed.
    case writeFailed(path: String, reason: String)

    /// The message: what is wrong, where (file, offset or instance), and how to fix it.
    package var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "\(path): cannot read (\(reason)); check that the path exists and is readable"
        case let .invalidUTF8(path, offset):
            return "\(path): invalid UTF-8 at byte offset \(offset); re-encode the file as UTF-8 "
                + "(e.g. iconv -f latin1 -t utf-8)"
        case let .emptyCorpus(paths):
            return "\(paths.joined(separator: ", ")): no document produced any token; the corpus needs at least one "
                + "non-empty line (sentence-per-line) or paragraph (plain text)"
        case let .missingSpecialToken(token):
            return "the tokenizer's vocabulary has no \(token); use a BERT vocabulary or pass the right "
                + "PretrainingSpecialTokens names"
        case let .invalidConfiguration(message):
            return "invalid pre-training data configuration: \(message)"
        case let .notAnInstanceFile(path, found):
            return "\(path): offset 0: not a swift-bert instance file (magic \(found)); write it with "
                + "PretrainingInstanceFileWriter"
        case let .unsupportedVersion(path, version):
            return "\(path): offset 8: format version \(version) is unknown to this reader; regenerate the file "
                + "or update swift-bert"
        case let .corruptHeader(path, offset, reason):
            return "\(path): offset \(offset): corrupt header (\(reason)); regenerate the file"
        case let .truncatedFile(path, offset, expected, actual):
            return "\(path): offset \(offset): file is \(actual) bytes but its header promises \(expected); "
                + "it was cut short or appended to — regenerate it"
        case let .corruptRecord(path, instance, offset, reason):
            return "\(path): offset \(offset) (instance \(instance)): corrupt record (\(reason)); regenerate the file"
        case let .instanceOutOfRange(path, index, count):
            return "\(path): instance \(index) requested but the file holds \(count); seek to 0..<\(count)"
        case let .sequenceLengthMismatch(expected, found):
            return "instance has sequence length \(found) but \(expected) is expected; pad every instance to "
                + "max_seq_length"
        case let .writeFailed(path, reason):
            return "\(path): write failed (\(reason)); check free space and permissions of the folder"
        }
    }
}
