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
    private let countsBytes: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drewSomething = false

    /// A display for `total` items (nil when unknown), e.g. `ProgressDisplay("embedding", total: 500, unit: "texts")`.
    /// With `bytes`, counts are shown as sizes (`12.3 MB/45.6 MB  3.4 MB/s`).
    package init(_ label: String, total: Int?, unit: String = "", bytes: Bool = false, quiet: Bool = false) {
        self.label = label
        self.total = total
        self.unit = unit
        countsBytes = bytes
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
        let show = { (n: Double) in self.countsBytes ? Self.size(n) : String(Int(n)) }
        var text = "\r\u{1B}[2K\(label) \(show(Double(done)))"
        if let total { text += "/\(show(Double(total)))" }
        if !unit.isEmpty { text += " \(unit)" }
        if rate > 0 { text += countsBytes ? "  \(Self.size(rate))/s" : String(format: "  %.1f/s", rate) }
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

    /// `999 B`, `12.3 kB`, `4.5 MB`, `1.2 GB` (powers of 1000, as huggingface_hub's bars).
    package static func size(_ bytes: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = bytes, index = 0
        while value >= 1000, index < units.count - 1 { value /= 1000; index += 1 }
        return index == 0 ? "\(Int(value)) B" : String(format: "%.1f", value) + " " + units[index]
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
