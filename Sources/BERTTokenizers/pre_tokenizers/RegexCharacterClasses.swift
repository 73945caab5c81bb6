/// The character classes of `tokenizers`' regular expressions, as the reference sees them (probed by
/// `scripts/make_regex_unicode_tables.py`): Oniguruma's `\p{L}`, `\p{N}`, `\s`, and Rust's
/// `char::is_numeric`. One flag byte per code point; the hand-written matchers of ByteLevel and Digits read them instead of running a regex engine.
final class RegexCharacterClasses: @unchecked Sendable {
    /// `\p{L}`.
    static let letter: UInt8 = 1
    /// `\p{N}`.
    static let number: UInt8 = 2
    /// `\s`.
    static let space: UInt8 = 4
    /// `char::is_numeric`.
    static let numeric: UInt8 = 16

    /// The shared decoded tables, built on first use.
    static let shared = RegexCharacterClasses()

    /// One flag byte per code point, 0 ... 0x10FFFF.
    let flags: [UInt8]

    private init() {
        var flags = [UInt8](repeating: 0, count: 0x110000)
        for (text, bit) in [(RegexUnicodeTables.letter, Self.letter), (RegexUnicodeTables.number, Self.number),
                            (RegexUnicodeTables.space, Self.space),
                            (RegexUnicodeTables.numeric, Self.numeric)] {
            ScalarLookupTable.forEachRange(text) { lo, hi in
                for cp in lo...hi { flags[Int(cp)] |= bit }
            }
        }
        self.flags = flags
    }

    /// The flags of `cp` (none for values that are not code points).
    @inline(__always)
    func of(_ cp: UInt32) -> UInt8 { cp < 0x110000 ? flags[Int(cp)] : 0 }
}
