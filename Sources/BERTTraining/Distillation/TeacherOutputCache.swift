import BERTHub
import Foundation
import SafeTensors

/// Teacher outputs (one row per training example) kept on disk so later epochs, and re-runs, skip the teacher.
/// The file is a safetensors file with one tensor `outputs` [examples, width] and a `key` in its metadata: a
/// SHA-256 over the teacher's fingerprint, the mode and its settings and every example's token ids, so a cache
/// made for another teacher, other data or other settings is refused rather than silently reused.
package struct TeacherOutputCache {
    package let url: URL
    package let key: String

    /// The cache at `url` for these inputs.
    package init(url: URL, teacher: URL, settings: String, examples: [[Int]]) {
        self.url = url
        var hash = SHA256()
        hash.update(Array((ModelFingerprint.of(directory: teacher) + "\n" + settings + "\n").utf8))
        for ids in examples {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(ids.count * 4 + 4)
            for v in ids + [-1] { withUnsafeBytes(of: Int32(truncatingIfNeeded: v).littleEndian) { bytes.append(contentsOf: $0) } }
            hash.update(bytes)
        }
        key = hash.finalizeHex()
    }

    /// The cached outputs, or nil when there is no cache file yet.
    /// - Throws: `DistillationError.staleTeacherCache` when the file was made for other inputs or has the wrong shape.
    package func load(rows: Int, width: Int) throws -> [Float]? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(url: url) } catch {
            throw DistillationError.staleTeacherCache(file: url.path, reason: "not a readable teacher cache (\(error))")
        }
        guard file.metadata["key"] == key else {
            throw DistillationError.staleTeacherCache(file: url.path, reason: "made for another teacher, other data or other settings")
        }
        guard file.contains("outputs"), try file.info("outputs").shape == [rows, width], try file.info("outputs").dtype == .float32 else {
            throw DistillationError.staleTeacherCache(file: url.path, reason: "does not hold \(rows) × \(width) fp32 outputs")
        }
        return try file.floats("outputs")
    }

    /// Writes the outputs atomically (a reader sees no file or the whole file).
    package func save(_ values: [Float], rows: Int, width: Int) throws {
        var writer = SafeTensorsWriter(metadata: ["key": key, "format": "pt"])
        try writer.add("outputs", floats: values, shape: [rows, width])
        try writer.write(to: url)
    }

    /// The cached outputs, computing and saving them first when absent; `compute` fills rows [start, end).
    package func loadOrBuild(rows: Int, width: Int, batch: Int, progress: (Int) -> Void,
                             compute: (Range<Int>) throws -> [Float]) throws -> [Float] {
        if let cached = try load(rows: rows, width: width) { return cached }
        var values: [Float] = []
        values.reserveCapacity(rows * width)
        for start in stride(from: 0, to: rows, by: max(batch, 1)) {
            values += try compute(start..<min(start + batch, rows))
            progress(min(start + batch, rows))
        }
        // Under mpirun every rank computes the same outputs; rank 0 alone writes the file.
        if try DataParallelGroup.joined()?.isWriter ?? true { try save(values, rows: rows, width: width) }
        return values
    }
}
