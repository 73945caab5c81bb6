import Foundation

/// Downloads one blob into `<blob>.incomplete` — continuing what an interrupted run left, with a Range request —
/// then checks its size and sha256 and renames it into place. The caller holds the blob's lock.
struct BlobTransfer {
    let http: HubHTTP
    let source: URL
    let blob: URL
    let expectedSize: Int64?
    let expectedSHA256: String?
    let file: String

    func run(progress: @escaping (Int64, Int64?) -> Void) throws {
        let partial = URL(fileURLWithPath: blob.path + ".incomplete")
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !manager.fileExists(atPath: partial.path) { _ = manager.createFile(atPath: partial.path, contents: nil) }
        } catch {
            throw HubDownloadError.cacheUnwritable(path: partial.path, reason: error.localizedDescription)
        }
        guard let handle = FileHandle(forUpdatingAtPath: partial.path) else {
            throw HubDownloadError.cacheUnwritable(path: partial.path, reason: "cannot open for writing")
        }
        defer { try? handle.close() }
        var written = Int64((try? handle.seekToEnd()) ?? 0)
        if let expectedSize, written > expectedSize { try restart(handle, &written) }
        progress(written, expectedSize)
        if expectedSize != written || expectedSize == nil {
            var askedFrom: Int64 = 0
            var firstChunk = true
            let response = try http.send({
                // Every attempt asks for what is still missing.
                written = Int64((try? handle.seekToEnd()) ?? 0)
                askedFrom = written
                firstChunk = true
                var request = HubHTTP.Request(url: source, timeout: http.settings.downloadTimeout)
                if written > 0 { request.headers["Range"] = "bytes=\(written)-" }
                return request
            }, sink: { status, data in
                if firstChunk, askedFrom > 0, status == 200 { try restart(handle, &written) }  // the Range was ignored
                firstChunk = false
                do { try handle.write(contentsOf: data) } catch {
                    throw HubDownloadError.cacheUnwritable(path: partial.path, reason: error.localizedDescription)
                }
                written += Int64(data.count)
                progress(written, expectedSize)
            })
            if response.status == 416, let expectedSize, written == expectedSize {
                // Everything was there already.
            } else if !(200..<300).contains(response.status) {
                throw HubDownloadError.server(url: source.absoluteString, status: response.status, message: nil)
            }
        }
        try handle.synchronize()
        try verify(partial)
        do {
            try manager.moveItem(at: partial, to: blob)
        } catch {
            throw HubDownloadError.cacheUnwritable(path: blob.path, reason: error.localizedDescription)
        }
    }

    private func restart(_ handle: FileHandle, _ written: inout Int64) throws {
        try handle.truncate(atOffset: 0)
        written = 0
    }

    /// Size and content hash; a bad file is deleted so the next run starts clean.
    private func verify(_ partial: URL) throws {
        let size = Int64((try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)??.int64Value ?? -1)
        if let expectedSize, size != expectedSize {
            try? FileManager.default.removeItem(at: partial)
            throw HubDownloadError.integrity(file: file, expected: "\(expectedSize) bytes", found: "\(size) bytes")
        }
        guard let expectedSHA256 else { return }
        let digest = try Self.sha256(of: partial)
        if digest != expectedSHA256 {
            try? FileManager.default.removeItem(at: partial)
            throw HubDownloadError.integrity(file: file, expected: "sha256 \(expectedSHA256)", found: "sha256 \(digest)")
        }
    }

    static func sha256(of url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw HubDownloadError.cacheUnwritable(path: url.path, reason: "cannot read back")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hash.update($0) }
        }
        return hash.finalizeHex()
    }
}
