import Foundation

/// A value that one thread at a time reads or changes, behind a lock: the home of state that several threads
/// share (process-wide settings, an encoder layer's prepared inference weights). Sendable whatever the value is,
/// because every access goes through `withLock`; a closure must not let a non-Sendable value escape.
package final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// Holds `value`.
    package init(_ value: Value) { self.value = value }

    /// Runs `body` with the value while holding the lock (not re-entrant: `body` must not call back into this lock).
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value.
    package var current: Value { withLock { $0 } }
}
