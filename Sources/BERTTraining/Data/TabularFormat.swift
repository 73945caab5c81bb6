/// The layout of a tabular dataset file.
public enum TabularFormat: Equatable, Sendable {
    /// Comma-separated with a header row; RFC 4180 quoting (quoted fields may hold commas, newlines and `""`).
    case csv
    /// Tab-separated with a header row and no quoting: quotes are literal, as in GLUE's TSV files.
    case tsv
    /// One JSON object per line (blank lines skipped).
    case jsonLines

    /// The format a file extension implies: `csv`, `tsv`, `jsonl` or `ndjson`.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "csv": self = .csv
        case "tsv": self = .tsv
        case "jsonl", "ndjson": self = .jsonLines
        default: return nil
        }
    }
}
