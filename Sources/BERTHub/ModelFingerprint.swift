import Foundation

/// A short hash that tells two models apart without reading their weights: SHA-256 over the configuration files
/// (config.json, modules.json, the pooling config) and each safetensors file's size and header (names, shapes,
/// offsets). An index records it so a query embedded with another model is refused.
package enum ModelFingerprint {
    package static func of(directory: URL) -> String {
        var hash = SHA256()
        let files = ["config.json", "modules.json", "config_sentence_transformers.json", "1_Pooling/config.json", "model.safetensors"]
        for name in files {
            let url = directory.appendingPathComponent(name)
            guard let handle = FileHandle(forReadingAtPath: url.path) else { continue }
            defer { try? handle.close() }
            hash.update(Array(name.utf8))
            if name.hasSuffix(".safetensors") {
                let size = (try? handle.seekToEnd()) ?? 0
                hash.update(Array("\(size)".utf8))
                try? handle.seek(toOffset: 0)
                let prefix = (try? handle.read(upToCount: 8)) ?? Data()
                if prefix.count == 8 {
                    let length = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                    if length < 100 << 20 { hash.update(Array((try? handle.read(upToCount: Int(length))) ?? Data())) }
                }
            } else {
                hash.update(Array((try? handle.readToEnd()) ?? Data()))
            }
        }
        return String(hash.finalizeHex().prefix(32))
    }
}
