import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress display on standard error, `label 1,234/10,000  56.7/s  ETA 2:35`, redrawn at most ten
/// times a second. It shows only when standard error is a terminal and `--quiet` is off, so logs and pipes get
/// no carriage returns.
package final class ProgressDisplay {
    private let label: String
    private let total: Int?
    private let unit: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drewSomething = false

    /// A display for `total` items (nil when unknown), e.g. `ProgressDisplay("embedding", total: 500, unit: "texts")`.
    package init(_ label: String, total: Int?, unit: String = "", quiet: Bool = false) {
        self.label = label
        self.total = total
        self.unit = unit
        enabled = !quiet && isatty(2) == 1
    }

    /// Shows that `done` items are finished.
    package func update(_ done: Int) {
        guard enabled else { return }
        let now = Date()
        let finished = total.map { done >= $0 } ?? false
        guard finished || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = "\r\u{1B}[2K\(label) \(done)"
        if let total { text += "/\(total)" }
        if !unit.isEmpty { text += " \(unit)" }
        if rate > 0 { text += String(format: "  %.1f/s", rate) }
        if let total, rate > 0, done < total { text += "  ETA " + Self.clock(Double(total - done) / rate) }
        else if finished { text += "  " + Self.clock(elapsed) }
        FileHandle.standardError.write(Data(text.utf8))
        drewSomething = true
    }

    /// Ends the line the display drew on (if any), so later messages start on their own line.
    package func finish() {
        if enabled && drewSomething { FileHandle.standardError.write(Data("\n".utf8)) }
        drewSomething = false
    }

    /// `m:ss`, or `h:mm:ss` past an hour.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Writes one line to standard error (messages beside the command's output, which goes to stdout).
package func printToStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
