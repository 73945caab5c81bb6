import BERT
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output with every write checked: a full disk (ENOSPC), a closed pipe (EPIPE) or any other failed or
/// short write is a `CommandLineError` naming stdout, so the command ends with exit status 1 and a message
/// instead of a crash or a silent success. Lines are written whole and at once (no buffering), so a run that is
/// killed leaves every line it finished.
package enum StandardOutput {
    /// Writes `bytes` to file descriptor 1, retrying on EINTR and after partial writes.
    package static func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CommandLineError("cannot write to stdout: \(String(cString: strerror(errno)))")
                }
                if n == 0 { throw CommandLineError("cannot write to stdout: nothing was written") }
                offset += n
            }
        }
    }

    /// Writes `text` and a line break.
    package static func line(_ text: String = "") throws {
        try write(Array((text + "\n").utf8))
    }

    /// Writes `value` as one line of compact JSON (JSON Lines).
    /// - Throws: `CommandLineError` when the value holds a NaN or infinity (the model's output was not finite),
    ///   or when the write fails.
    package static func jsonLine(_ value: JSONValue) throws {
        try write(jsonLineBytes(value))
    }

    /// `value` as compact JSON and a line break; a non-finite number is an error that names where it is.
    package static func jsonLineBytes(_ value: JSONValue) throws -> [UInt8] {
        do {
            return try value.serialized() + [0x0A]
        } catch {
            if case let .unrepresentableNumber(number, path) = error {
                throw CommandLineError("the output holds \(number) at \(path), which JSON cannot hold: the model produced a "
                    + "non-finite value (check its weights for NaN or infinity)")
            }
            throw CommandLineError(error.description)
        }
    }
}

/// Writes a file atomically (a temporary file renamed into place), with a failure as a `CommandLineError` naming it.
package func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw CommandLineError("cannot write \(path): \((error as NSError).localizedDescription)")
    }
}
