// Streams instances to a temporary file next to the destination and renames it into place at the end, so a
// reader never sees a half-written file.
import Foundation

/// Writes an instance file (layout in `PretrainingInstanceFileHeader`) atomically: records go to
/// `.<name>.partial-<pid>-<random>` beside the destination and `finish()` patches the count, flushes and renames
/// over the destination.
/// A writer dropped without `finish()` deletes its temporary file.
package final class PretrainingInstanceFileWriter {
    /// Where the file will appear after `finish()`.
    package let destination: URL
    /// The header being written; `count` grows with each append.
    package private(set) var header: PretrainingInstanceFileHeader
    private let temporary: URL
    private var handle: FileHandle?
    private var buffer = Data()

    /// Starts a file of `maxSeqLength`-long instances over a vocabulary of `vocabSize` ids.
    package init(destination: URL, maxSeqLength: Int, vocabSize: Int, settings: PretrainingInstanceFileSettings) throws {
        self.destination = destination
        header = PretrainingInstanceFileHeader(maxSeqLength: maxSeqLength, vocabSize: vocabSize, count: 0,
                                               settings: settings)
        temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)-"
                + UUID().uuidString.prefix(8))
        let settingsJSON: Data
        do { settingsJSON = try header.settingsJSON() } catch {
            throw PretrainingDataError.writeFailed(path: destination.path, reason: "settings JSON: \(error)")
        }
        var prefix = Data(PretrainingInstanceFileHeader.magic)
        LittleEndianBytes.append(PretrainingInstanceFileHeader.version, to: &prefix)
        LittleEndianBytes.append(UInt32(maxSeqLength), to: &prefix)
        LittleEndianBytes.append(UInt32(vocabSize), to: &prefix)
        LittleEndianBytes.append(UInt32(settingsJSON.count), to: &prefix)
        LittleEndianBytes.append(UInt64(0), to: &prefix)
        prefix.append(settingsJSON)
        let dataOffset = PretrainingInstanceFileHeader.dataOffset(settingsLength: settingsJSON.count)
        prefix.append(Data(count: dataOffset - prefix.count))
        guard FileManager.default.createFile(atPath: temporary.path, contents: prefix),
              let handle = FileHandle(forUpdatingAtPath: temporary.path) else {
            throw PretrainingDataError.writeFailed(path: temporary.path, reason: "cannot create the temporary file")
        }
        self.handle = handle
        try perform { try handle.seekToEnd() }
    }

    deinit {
        if handle != nil {
            try? handle?.close()
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    /// Appends one instance; throws `sequenceLengthMismatch` when it is not `maxSeqLength` long.
    package func append(_ instance: PretrainingInstance) throws {
        let length = header.maxSeqLength
        for field in [instance.inputIDs, instance.tokenTypeIDs, instance.attentionMask, instance.labels]
        where field.count != length {
            throw PretrainingDataError.sequenceLengthMismatch(expected: length, found: field.count)
        }
        for field in [instance.inputIDs, instance.tokenTypeIDs, instance.attentionMask, instance.labels] {
            for value in field { LittleEndianBytes.append(Int32(truncatingIfNeeded: value), to: &buffer) }
        }
        LittleEndianBytes.append(Int32(truncatingIfNeeded: instance.nextSentenceLabel), to: &buffer)
        header.count += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends each of `instances` in order.
    package func append(contentsOf instances: some Sequence<PretrainingInstance>) throws {
        for instance in instances { try append(instance) }
    }

    /// Writes the final count, flushes to disk and renames the file into place.
    package func finish() throws {
        guard let handle else { return }
        try flush()
        var count = Data()
        LittleEndianBytes.append(UInt64(header.count), to: &count)
        try perform {
            try handle.seek(toOffset: 24)
            try handle.write(contentsOf: count)
            try handle.synchronize()
            try handle.close()
        }
        self.handle = nil
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw PretrainingDataError.writeFailed(path: destination.path, reason: "rename: \(reason)")
        }
    }

    /// Writes `instances` to `destination` in one call.
    package static func write(_ instances: [PretrainingInstance], to destination: URL, maxSeqLength: Int,
                             vocabSize: Int, settings: PretrainingInstanceFileSettings) throws {
        let writer = try PretrainingInstanceFileWriter(destination: destination, maxSeqLength: maxSeqLength,
                                                       vocabSize: vocabSize, settings: settings)
        try writer.append(contentsOf: instances)
        try writer.finish()
    }

    private func flush() throws {
        guard let handle, !buffer.isEmpty else { return }
        let pending = buffer
        try perform { try handle.write(contentsOf: pending) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func perform(_ body: () throws -> Void) throws {
        do { try body() } catch {
            throw PretrainingDataError.writeFailed(path: temporary.path, reason: "\(error)")
        }
    }
}
