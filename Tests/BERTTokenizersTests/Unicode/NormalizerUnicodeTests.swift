import BERTJSON
import BERTTokenizers
import Foundation
import XCTest

/// NFC, NFD, NFKC, NFKD, StripAccents, Lowercase and BertNormalizer (bert-base-uncased's) on every Unicode
/// scalar against `tokenizers` 0.23.3
/// (normalizers/unicode.json from scripts/make_normalizer_goldens.py): per block of 4,096 scalars, an FNV-1a
/// digest of the normalised text and every normalised character's original offsets, each scalar alone and
/// between "A" and U+0301 U+0316. A differing block is reported with the scalars whose result changed.
final class NormalizerUnicodeTests: XCTestCase {
    static func golden() throws -> JSONValue {
        let url = Fixtures.goldens.appendingPathComponent("normalizers/unicode.json")
        return try JSONValue.parse(try Data(contentsOf: url))
    }

    static func normalizer(_ name: String) -> any Normalizer {
        switch name {
        case "StripAccents": return StripAccents()
        case "Lowercase": return Lowercase()
        case "BertNormalizer": return BertNormalizer()
        default: return UnicodeNormalizer(UnicodeNormalizer.Form(rawValue: name)!)
        }
    }

    /// The text of `block` in `shape` as the script builds it: prefix + scalar + suffix + separator, per scalar.
    static func blockText(_ block: Int, size: Int, prefix: [UInt32], suffix: [UInt32], separator: UInt32) -> [UInt32] {
        var text: [UInt32] = []
        for cp in UInt32(block * size) ..< UInt32((block + 1) * size) where !(0xD800...0xDFFF).contains(cp) {
            text += prefix
            text.append(cp)
            text += suffix
            text.append(separator)
        }
        return text
    }

    func testEveryScalarMatchesTokenizers() throws {
        let golden = try Self.golden()
        let size = try XCTUnwrap(golden["block"]?.intValue)
        let separator = try XCTUnwrap(golden["separator"]?.stringValue?.unicodeScalars.first?.value)
        let shapes = try XCTUnwrap(golden["shapes"]?.objectValue)
        let digests = try XCTUnwrap(golden["digests"]?.objectValue)
        XCTAssertEqual(digests.count, 7)
        for member in digests {
            let normalizer = Self.normalizer(member.key)
            for shape in shapes {
                let parts = try XCTUnwrap(shape.value.arrayValue).map { Array(($0.stringValue ?? "").unicodeScalars.map(\.value)) }
                let expected = try XCTUnwrap(member.value[shape.key]?.arrayValue).map { $0.stringValue ?? "" }
                XCTAssertEqual(expected.count, 0x110000 / size)
                var failures: [String] = []
                for (block, want) in expected.enumerated() {
                    let text = Self.blockText(block, size: size, prefix: parts[0], suffix: parts[1], separator: separator)
                    var n = NormalizedString(text, range: 0..<text.count)
                    normalizer.normalize(&n)
                    if Self.digest(n) != want { failures.append(String(block * size, radix: 16)) }
                }
                XCTAssertEqual(failures, [], "\(member.key) \(shape.key): blocks starting at U+… differ")
            }
        }
    }

    /// The scalars the issue names (newer than the crate's tables), a few others, and texts whose marks NFD
    /// reorders (spacing marks with combining classes survive StripAccents), spelled out.
    func testNamedScalarsMatchTokenizers() throws {
        let examples = try XCTUnwrap(try Self.golden()["examples"]?.arrayValue)
        XCTAssertGreaterThan(examples.count, 100)
        for example in examples {
            let name = try XCTUnwrap(example["normalizer"]?.stringValue)
            let text = try XCTUnwrap(example["text"]?.stringValue)
            var n = NormalizedString(text)
            Self.normalizer(name).normalize(&n)
            let want = try XCTUnwrap(example["normalized"]?.stringValue)
            let label = "\(name) \(text.unicodeScalars.map { String($0.value, radix: 16) })"
            XCTAssertEqual(n.scalars, want.unicodeScalars.map(\.value), label)
            let offsets = try XCTUnwrap(example["offsets"]?.arrayValue).map { $0.arrayValue!.map { $0.intValue! } }
            XCTAssertEqual(n.scalars.indices.map { [Int(n.starts[$0]), Int(n.ends[$0])] }, offsets, label)
        }
    }

    /// FNV-1a 64 of `normalized;s0,e0 s1,e1 …` in UTF-8, streamed (the script's `fnv` over the same text).
    static func digest(_ n: NormalizedString) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func feed(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        func feedNumber(_ value: Int32) {
            var digits: [UInt8] = []
            var v = value
            repeat { digits.append(UInt8(48 + v % 10)); v /= 10 } while v > 0
            for d in digits.reversed() { feed(d) }
        }
        for cp in n.scalars {
            if cp < 0x80 {
                feed(UInt8(cp))
            } else if cp < 0x800 {
                feed(UInt8(0xC0 | cp >> 6)); feed(UInt8(0x80 | cp & 0x3F))
            } else if cp < 0x10000 {
                feed(UInt8(0xE0 | cp >> 12)); feed(UInt8(0x80 | cp >> 6 & 0x3F)); feed(UInt8(0x80 | cp & 0x3F))
            } else {
                feed(UInt8(0xF0 | cp >> 18)); feed(UInt8(0x80 | cp >> 12 & 0x3F))
                feed(UInt8(0x80 | cp >> 6 & 0x3F)); feed(UInt8(0x80 | cp & 0x3F))
            }
        }
        feed(UInt8(ascii: ";"))
        for i in n.scalars.indices {
            if i > 0 { feed(UInt8(ascii: " ")) }
            feedNumber(n.starts[i])
            feed(UInt8(ascii: ","))
            feedNumber(n.ends[i])
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
