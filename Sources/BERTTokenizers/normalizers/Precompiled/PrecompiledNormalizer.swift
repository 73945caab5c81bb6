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
    package func transformations(_ scalars: ArraySlice<UInt32>) -> [(UInt32, Int)]? {
        var changes: [(UInt32, Int)] = []
        changes.reserveCapacity(scalars.count)
        var modified = false
        var index = scalars.startIndex
        let end = scalars.endIndex
        while index < end {
            // Fast path: an ASCII character followed by ASCII (or the end) is a grapheme of its own, except CR LF.
            let scalar = scalars[index]
            let next = index + 1 < end ? scalars[index + 1] : 0
            if scalar < 0x80 && next < 0x80 && !(scalar == 0x0D && next == 0x0A) {
                if let replacement = charsmap.replacement(for: scalars[index ... index]) {
                    modified = true
                    Self.replace(&changes, oldCount: 1, with: replacement)
                } else {
                    changes.append((scalar, 0))
                }
                index += 1
                continue
            }
            // Otherwise segment up to the next certain boundary: between two ASCII characters other than CR LF.
            var runEnd = index + 1
            while runEnd < end && !(scalars[runEnd - 1] < 0x80 && scalars[runEnd] < 0x80
                                    && !(scalars[runEnd - 1] == 0x0D && scalars[runEnd] == 0x0A)) {
                runEnd += 1
            }
            var start = index
            for size in Self.graphemeSizes(scalars[index ..< runEnd]) {
                modified = apply(grapheme: scalars[start ..< start + size], to: &changes) || modified
                start += size
            }
            index = runEnd
        }
        return modified ? changes : nil
    }

    /// One grapheme, by the crate's rule; returns whether a replacement applied.
    private func apply(grapheme: ArraySlice<UInt32>, to changes: inout [(UInt32, Int)]) -> Bool {
        if Self.utf8Length(grapheme) < 6, let replacement = charsmap.replacement(for: grapheme) {
            Self.replace(&changes, oldCount: grapheme.count, with: replacement)
            return true
        }
        var modified = false
        // A one-character grapheme was just looked up: the same key cannot match now.
        if grapheme.count == 1 && Self.utf8Length(grapheme) < 6 {
            changes.append((grapheme[grapheme.startIndex], 0))
            return false
        }
        for index in grapheme.indices {
            if let replacement = charsmap.replacement(for: grapheme[index ... index]) {
                modified = true
                Self.replace(&changes, oldCount: 1, with: replacement)
            } else {
                changes.append((grapheme[index], 0))
            }
        }
        return modified
    }

    /// The crate's `replace` helper.
    private static func replace(_ changes: inout [(UInt32, Int)], oldCount: Int,
                                with replacement: [UInt32]) {
        let difference = replacement.count - oldCount
        for scalar in replacement { changes.append((scalar, 0)) }
        if difference > 0 {
            for index in changes.indices.suffix(difference) { changes[index].1 = 1 }
        } else if difference < 0, !changes.isEmpty {
            changes[changes.count - 1].1 += difference
        }
    }

    private static func utf8Length(_ scalars: ArraySlice<UInt32>) -> Int {
        scalars.reduce(0) { $0 + ($1 < 0x80 ? 1 : $1 < 0x800 ? 2 : $1 < 0x10000 ? 3 : 4) }
    }

    /// The sizes, in code points, of the extended grapheme clusters of `scalars`, in order.
    static func graphemeSizes(_ scalars: ArraySlice<UInt32>) -> [Int] {
        var view = String.UnicodeScalarView()
        for value in scalars { view.append(Unicode.Scalar(value) ?? "\u{FFFD}") }  // one scalar either way
        return String(view).map { $0.unicodeScalars.count }
    }
}
