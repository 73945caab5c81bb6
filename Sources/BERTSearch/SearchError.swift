/// Everything that can go wrong with an index; each message names the index and what to do.
public enum SearchError: Error, Equatable, Sendable {
    /// The file is not an index this package wrote (or not SQLite at all, or corrupt).
    case notAnIndex(path: String, reason: String)
    /// The index was built with another model (or dimension, pooling, normalisation).
    case modelMismatch(index: String, field: String, stored: String, given: String)
    /// A vector's width differs from the index's dimension.
    case dimensionMismatch(index: String, id: String, expected: Int, found: Int)
    /// The same id appears twice in one batch.
    case duplicateId(id: String)
    /// The database failed (disk full, locked, read-only, down).
    case database(index: String, reason: String)
    /// A quantisation or option value is unusable.
    case invalidOption(String)
}

extension SearchError: CustomStringConvertible {
    /// One line naming the index and what to do.
    public var description: String {
        switch self {
        case let .notAnIndex(path, reason):
            return "\(path): not a swift-bert index (\(reason)); give an index made by `bert index add`, or a new file name"
        case let .modelMismatch(index, field, stored, given):
            return "\(index): built with \(field) \(stored), but the query uses \(given); search with the index's model (or omit --model)"
        case let .dimensionMismatch(index, id, expected, found):
            return "\(index): document \(id) has \(found) dimensions, the index holds \(expected)"
        case let .duplicateId(id):
            return "the id \"\(id)\" appears twice in the input; ids must be unique"
        case let .database(index, reason):
            return "\(index): \(reason)"
        case let .invalidOption(message):
            return message
        }
    }
}
