import Foundation
import XCTest
import BERTJSON
import BERTTokenizers

/// Tests/Fixtures/tokenizers/sentencepiece, made by scripts/make_sentencepiece_goldens.py.
enum SentencePieceFixtures {
    static let folder = Fixtures.goldens.appendingPathComponent("sentencepiece")

    nonisolated(unsafe) private static var cachedGoldens: [String: Any]?

    /// goldens.json, parsed once with BERTJSON (Foundation's JSONSerialization drops U+FEFF inside strings,
    /// which the corpus holds) and handed out as Foundation values like `Fixtures.golden`.
    static func goldens() throws -> [String: Any] {
        if let cachedGoldens { return cachedGoldens }
        let url = folder.appendingPathComponent("goldens.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            XCTFail("missing \(url.path); run scripts/make_sentencepiece_goldens.py")
            throw TokenizerError.missingFile(path: url.path)
        }
        let parsed = foundationValue(try JSONValue.parse(data)) as! [String: Any]
        cachedGoldens = parsed
        return parsed
    }

    private static func foundationValue(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let b): return b
        case .integer(let i): return NSNumber(value: i)
        case .unsigned(let u): return NSNumber(value: u)
        case .number(let d): return NSNumber(value: d)
        case .string(let s): return s
        case .array(let items): return items.map(foundationValue)
        case .object(let object):
            var out: [String: Any] = [:]
            for member in object { out[member.key] = foundationValue(member.value) }
            return out
        }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// FNV-1a 64 of the UTF-8 bytes, as the golden script computes it.
    static func fnv(_ text: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// One digest per block of `block` rows, joined by newlines (the script's `block_digests`).
    static func blockDigests(_ rows: [String], block: Int = 10) -> [String] {
        stride(from: 0, to: rows.count, by: block).map { fnv(rows[$0 ..< min($0 + block, rows.count)].joined(separator: "\n")) }
    }
}
