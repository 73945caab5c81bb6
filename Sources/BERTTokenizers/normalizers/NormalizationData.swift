/// The Unicode data of the crate's `unicode-normalization-alignments` (decompositions, combining classes,
/// compositions, combining marks), decoded once from the generated `NormalizationTables`, which were probed from
/// `tokenizers` itself: its Unicode version is older than Swift's, and a scalar it does not know (U+09FE, U+089C,
/// U+A7F3 …) must stay as it is, as there.
final class NormalizationData: @unchecked Sendable {
    /// Property bits of `properties` above the combining class (bits 0-7).
    static let canonicalDecomposes: UInt32 = 1 << 8
    static let compatibilityDecomposes: UInt32 = 1 << 9
    /// The scalar can be the second of a primary composite (marks, and starters such as U+0B3E or Hangul jamo).
    static let composesAsSecond: UInt32 = 1 << 10
    /// StripAccents removes it (the crate's `is_combining_mark`).
    static let combiningMark: UInt32 = 1 << 11

    /// Decoded on first use (a few milliseconds).
    static let shared = NormalizationData()

    /// Combining class and property bits per scalar.
    let properties: ScalarLookupTable
    /// `offset << 5 | count` into `expansions` of each scalar's full canonical / compatibility decomposition.
    private let canonical: ScalarLookupTable
    private let compatibility: ScalarLookupTable
    private let expansions: [UInt32]
    /// `first << 21 | second` -> primary composite (Hangul is composed algorithmically instead).
    private let composites: [UInt64: UInt32]

    private init() {
        var expansions: [UInt32] = []
        var canonicalEntries: [(UInt32, UInt32)] = []
        var compatibilityEntries: [(UInt32, UInt32)] = []
        var props: [UInt32: UInt32] = [:]
        func store(_ pieces: [UInt32]) -> UInt32 {
            let offset = UInt32(expansions.count)
            expansions.append(contentsOf: pieces)
            return offset << 5 | UInt32(pieces.count)
        }
        ScalarLookupTable.forEachMapEntry(NormalizationTables.canonicalDecompositions) { cp, pieces in
            let packed = store(pieces)
            canonicalEntries.append((cp, packed))
            compatibilityEntries.append((cp, packed))
            props[cp, default: 0] |= Self.canonicalDecomposes | Self.compatibilityDecomposes
        }
        ScalarLookupTable.forEachMapEntry(NormalizationTables.compatibilityDecompositions) { cp, pieces in
            compatibilityEntries.append((cp, store(pieces)))
            props[cp, default: 0] |= Self.compatibilityDecomposes
        }
        for cp in UInt32(0xAC00)...0xD7A3 { props[cp, default: 0] |= Self.canonicalDecomposes | Self.compatibilityDecomposes }
        for item in NormalizationTables.combiningClasses.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = item.split(separator: "=")
            let value = UInt32(parts[1], radix: 16)!
            ScalarLookupTable.forEachRange(parts[0]) { lo, hi in
                for cp in lo...hi { props[cp, default: 0] |= value }
            }
        }
        var composites: [UInt64: UInt32] = [:]
        for item in NormalizationTables.compositions.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = item.split(whereSeparator: { $0 == "." || $0 == "=" }).map { UInt32($0, radix: 16)! }
            composites[UInt64(parts[0]) << 21 | UInt64(parts[1])] = parts[2]
            props[parts[1], default: 0] |= Self.composesAsSecond
        }
        for cp in UInt32(0x1161)...0x1175 { props[cp, default: 0] |= Self.composesAsSecond }  // Hangul V
        for cp in UInt32(0x11A8)...0x11C2 { props[cp, default: 0] |= Self.composesAsSecond }  // Hangul T
        ScalarLookupTable.forEachRange(NormalizationTables.combiningMarks) { lo, hi in
            for cp in lo...hi { props[cp, default: 0] |= Self.combiningMark }
        }
        self.properties = ScalarLookupTable(props.map { ($0.key, $0.value) })
        self.canonical = ScalarLookupTable(canonicalEntries)
        self.compatibility = ScalarLookupTable(compatibilityEntries)
        self.expansions = expansions
        self.composites = composites
    }

    /// The canonical combining class of `cp`.
    @inline(__always)
    func combiningClass(_ cp: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: properties[cp]) }

    /// Appends the full decomposition of `cp` (itself when it has none) to `out`, each item with its alignment
    /// change as the crate's decomposing iterator reports it: 0 for the first scalar, +1 for each further one.
    @inline(__always)
    func appendDecomposition(of cp: UInt32, compatibility useCompatibility: Bool, to out: inout [(UInt32, Int)]) {
        if cp >= 0xAC00 && cp <= 0xD7A3 {
            // Unicode 3.12 Hangul syllable decomposition (the table generator checked the crate agrees).
            let s = cp - 0xAC00
            out.append((0x1100 + s / 588, 0))
            out.append((0x1161 + (s % 588) / 28, 1))
            if s % 28 != 0 { out.append((0x11A7 + s % 28, 1)) }
            return
        }
        let packed = useCompatibility ? compatibility[cp] : canonical[cp]
        guard packed != 0 else {
            out.append((cp, 0))
            return
        }
        let start = Int(packed >> 5)
        for k in 0..<Int(packed & 31) { out.append((expansions[start + k], k == 0 ? 0 : 1)) }
    }

    /// The primary composite of `first` and `second`, if the crate composes them.
    @inline(__always)
    func composite(_ first: UInt32, _ second: UInt32) -> UInt32? {
        // Hangul composes algorithmically (Unicode 3.12): L + V, then LV + T.
        if first >= 0x1100 && first <= 0x1112 && second >= 0x1161 && second <= 0x1175 {
            return 0xAC00 + ((first - 0x1100) * 21 + (second - 0x1161)) * 28
        }
        if first >= 0xAC00 && first <= 0xD7A3 && (first - 0xAC00) % 28 == 0 && second >= 0x11A8 && second <= 0x11C2 {
            return first + (second - 0x11A7)
        }
        guard properties[second] & Self.composesAsSecond != 0 else { return nil }
        return composites[UInt64(first) << 21 | UInt64(second)]
    }
}
