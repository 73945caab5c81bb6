/// Errors from tensor operations. Messages name the operation and the shapes involved.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// Two operands whose shapes cannot be combined.
    case shapeMismatch(op: String, lhs: [Int], rhs: [Int])
    /// A shape that does not fit the operation (wrong rank, wrong element count, ...).
    case invalidShape(op: String, shape: [Int], expected: String)
    /// An index outside `0..<bound` (embedding ids, gather indices, labels).
    case indexOutOfRange(op: String, index: Int, bound: Int)
    /// A dimension outside the tensor's rank.
    case invalidDimension(op: String, dim: Int, rank: Int)
    /// Any other invalid argument.
    case invalidArgument(op: String, message: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, lhs, rhs): return "\(op): shapes \(lhs) and \(rhs) do not match"
        case let .invalidShape(op, shape, expected): return "\(op): shape \(shape) is invalid; expected \(expected)"
        case let .indexOutOfRange(op, index, bound): return "\(op): index \(index) is out of range 0..<\(bound)"
        case let .invalidDimension(op, dim, rank): return "\(op): dimension \(dim) is out of range for a tensor of rank \(rank)"
        case let .invalidArgument(op, message): return "\(op): \(message)"
        }
    }
}
