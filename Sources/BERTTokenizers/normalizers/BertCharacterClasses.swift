/// Character classes and per-code-point mappings of Hugging Face's `BertNormalizer` and `BertPreTokenizer`,
/// decoded once from the generated `BertUnicodeTables` (which were probed from HF itself).
///
/// Lookups work on raw `UInt32` code points so the hot path never touches `Character` or grapheme breaking.
final class BertCharacterClasses: @unchecked Sendable {
    /// Removed by `clean_text`.
    static let removed: UInt8 = 1
    /// Turned into U+0020 by `clean_text`.
    static let space: UInt8 = 2
    /// Split on and dropped by `BertPreTokenizer` (Rust `char::is_whitespace`).
    static let splitSpace: UInt8 = 4
    /// Isolated by `BertPreTokenizer` (ASCII punctuation or Unicode P*).
    static let punctuation: UInt8 = 8
    /// A CJK ideograph in the ranges HF pads with spaces.
    static let chinese: UInt8 = 16
    /// Changed by NFD + removal of nonspacing marks.
    static let strips: UInt8 = 32
    /// Changed by `char::to_lowercase`.
    static let lowers: UInt8 = 64

    /// The shared decoded tables; built on first use (a few milliseconds).
    static let shared = BertCharacterClasses()

    /// One flag byte per code point, 0 ... 0x10FFFF.
    let flags: [UInt8]
    /// Code points whose accent stripping yields something other than themselves (and other than nothing).
    let stripMap: [UInt32: [UInt32]]
    /// Code points whose lowercase differs from themselves.
    let lowerMap: [UInt32: [UInt32]]

    private init() {
        var flags = [UInt8](repeating: 0, count: 0x110000)
        func mark(_ text: String, _ bit: UInt8) {
            ScalarLookupTable.forEachRange(text) { lo, hi in
                for cp in lo...hi { flags[Int(cp)] |= bit }
            }
        }
        mark(BertUnicodeTables.removed, Self.removed)
        mark(BertUnicodeTables.space, Self.space)
        mark(BertUnicodeTables.splitSpace, Self.splitSpace)
        mark(BertUnicodeTables.punctuation, Self.punctuation)
        mark(BertUnicodeTables.stripRemoved, Self.strips)
        // Accent stripping maps a scalar to its (the crate's) NFD without the removed scalars; the table
        // generator checked that this is what HF does for every scalar.
        var strip: [UInt32: [UInt32]] = [:]
        ScalarLookupTable.forEachMapEntry(NormalizationTables.canonicalDecompositions) { cp, pieces in
            let kept = pieces.filter { flags[Int($0)] & Self.strips == 0 }
            if !kept.isEmpty && kept != [cp] { strip[cp] = kept }
        }
        // HF's is_chinese_char ranges (tokenizers/src/normalizers/bert.rs).
        for (lo, hi) in [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
                         (0x2B740, 0x2B81F), (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)] {
            for cp in lo...hi { flags[cp] |= Self.chinese }
        }
        for cp in 0xAC00...0xD7A3 { flags[cp] |= Self.strips }  // Hangul syllables decompose algorithmically
        let lower = Self.parseMap(BertUnicodeTables.lowerMap)
        for cp in strip.keys { flags[Int(cp)] |= Self.strips }
        for cp in lower.keys { flags[Int(cp)] |= Self.lowers }
        self.flags = flags
        self.stripMap = strip
        self.lowerMap = lower
    }

    /// Appends the accent-stripped form of `cp` (empty when it is a nonspacing mark).
    @inline(__always)
    func appendStripped(_ cp: UInt32, to out: inout [UInt32]) {
        if cp >= 0xAC00 && cp <= 0xD7A3 {
            // Unicode 3.12 Hangul syllable decomposition (the table generator verified HF agrees).
            let s = cp - 0xAC00
            out.append(0x1100 + s / 588)
            out.append(0x1161 + (s % 588) / 28)
            if s % 28 != 0 { out.append(0x11A7 + s % 28) }
        } else if let mapped = stripMap[cp] {
            out.append(contentsOf: mapped)
        }
    }

    private static func parseMap(_ text: String) -> [UInt32: [UInt32]] {
        var map: [UInt32: [UInt32]] = [:]
        ScalarLookupTable.forEachMapEntry(text) { cp, pieces in map[cp] = pieces }
        return map
    }
}
