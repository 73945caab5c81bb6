import Foundation

/// Writes a folder so that readers see the old folder or the complete new one, never a half-written one:
/// everything goes into a hidden sibling `.<name>.partial`, renamed over `<name>` once `body` has finished.
/// Checkpoints, `best/` and `last/` are all written this way; a killed run leaves only a `.partial` folder,
/// which the next write replaces.
package enum AtomicFolder {
    package static func write(_ url: URL, _ body: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try? fm.removeItem(at: temp)
        try fm.createDirectory(at: temp, withIntermediateDirectories: true)
        try body(temp)
        try? fm.removeItem(at: url)
        try fm.moveItem(at: temp, to: url)
    }
}
