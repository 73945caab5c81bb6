/// The `Precompiled` normaliser: SentencePiece's compiled normalisation rules (NFKC and the model's own
/// mappings) applied grapheme by grapheme, as the crate's `normalizers::precompiled::Precompiled`.
///
/// The crate's rule, mirrored exactly because real models depend on it: a grapheme shorter than 6 UTF-8 bytes
/// is looked up whole and, when the shortest matching key maps, the whole grapheme becomes that replacement;
/// otherwise each character is looked up alone. Alignments follow the crate's `replace` bookkeeping: a longer
/// replacement's extra characters count as insertions, a shorter one removes characters after the last
/// emitted one (so a character mapped to nothing at the very start shifts later alignments, as in the crate).
package struct PrecompiledNormalizer: Sendable {
    /// The parsed charsmap.
    package let charsmap: PrecompiledCharsmap

    /// A normaliser over a parsed charsmap.
    package init(charsmap: PrecompiledCharsmap) { self.charsmap = charsmap }

    /// The crate's `(character, change)` list for `scalars`: change 0 replaces one input character, 1 inserts,
    /// `-n` replaces one and removes `n` more. Nil when no rule applied (the text stays as it is).
    package func transformations(_ scalars: ArraySlice<UInt32>) -> [(scalar: UInt32, change: Int)]? {
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(scalars.count)
        var modified = false
        var start = scalars.startIndex
        for size in Self.graphemeSizes(scalars) {
            let grapheme = scalars[start ..< start + size]
            start += size
            if Self.utf8Length(grapheme) < 6, let replacement = charsmap.replacement(for: grapheme) {
                modified = true
                Self.replace(&changes, oldCount: grapheme.count, with: replacement)
                continue
            }
            for index in grapheme.indices {
                if let replacement = charsmap.replacement(for: scalars[index ... index]) {
                    modified = true
                    Self.replace(&changes, oldCount: 1, with: replacement)
                } else {
                    changes.append((scalars[index], 0))
                }
            }
        }
        return modified ? changes : nil
    }

    /// Applies `changes` to text whose characters have original ranges `alignments` (the crate's
    /// `NormalizedString::transform` over the whole string): a kept or replacing character takes the range of
    /// the input character it consumes, an inserted one the range of the input character before it; input
    /// characters left over at the end are dropped.
    package static func apply(_ changes: [(scalar: UInt32, change: Int)],
                              alignments: [Range<Int>]) -> (scalars: [UInt32], alignments: [Range<Int>]) {
        var scalars: [UInt32] = [], ranges: [Range<Int>] = []
        scalars.reserveCapacity(changes.count)
        ranges.reserveCapacity(changes.count)
        var consumed = 0
        for (scalar, change) in changes {
            let range: Range<Int>
            if change > 0 {
                range = consumed >= 1 ? alignments[min(consumed, alignments.count) - 1] : 0 ..< 0
            } else {
                guard consumed < alignments.count else { break }  // the crate would index past its alignments
                range = alignments[consumed]
                consumed = min(alignments.count, consumed + 1 - change)
            }
            scalars.append(scalar)
            ranges.append(range)
        }
        return (scalars, ranges)
    }

    /// The crate's `replace` helper.
    private static func replace(_ changes: inout [(scalar: UInt32, change: Int)], oldCount: Int,
                                with replacement: [UInt32]) {
        let difference = replacement.count - oldCount
        for scalar in replacement { changes.append((scalar, 0)) }
        if difference > 0 {
            for index in changes.indices.suffix(difference) { changes[index].change = 1 }
        } else if difference < 0, !changes.isEmpty {
            changes[changes.count - 1].change += difference
        }
    }

    private static func utf8Length(_ scalars: ArraySlice<UInt32>) -> Int {
        scalars.reduce(0) { $0 + ($1 < 0x80 ? 1 : $1 < 0x800 ? 2 : $1 < 0x10000 ? 3 : 4) }
    }

    /// The sizes, in code points, of the extended grapheme clusters of `scalars`, in order.
    static func graphemeSizes(_ scalars: ArraySlice<UInt32>) -> [Int] {
        var view = String.UnicodeScalarView()
        for value in scalars { view.append(Unicode.Scalar(value)!) }
        return String(view).map { $0.unicodeScalars.count }
    }
}
