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
        if Self.untouchedASCII(scalars, charsmap) { return nil }
        var changes: [(UInt32, Int)] = []
        changes.reserveCapacity(scalars.count)
        var modified = false
        var index = scalars.startIndex
        let end = scalars.endIndex
        while index < end {
            // Grapheme segmentation only where a boundary is not certain (most text needs none).
            var next = index + 1
            while next < end && !Self.certainBoundary(scalars[next - 1], scalars[next]) { next += 1 }
            if next == index + 1 {
                modified = apply(grapheme: scalars[index ..< next], to: &changes) || modified
            } else {
                var start = index
                for size in Self.graphemeSizes(scalars[index ..< next]) {
                    modified = apply(grapheme: scalars[start ..< start + size], to: &changes) || modified
                    start += size
                }
            }
            index = next
        }
        return modified ? changes : nil
    }

    /// Whether `scalars` are ASCII that no rule maps, one character at a time, with no CR LF (the one ASCII
    /// grapheme of two characters, which has its own key): then nothing changes and no change list is built.
    private static func untouchedASCII(_ scalars: ArraySlice<UInt32>, _ charsmap: PrecompiledCharsmap) -> Bool {
        var previous: UInt32 = 0
        for value in scalars {
            guard value < 0x80, charsmap.asciiReplacements[Int(value)] == nil, !(previous == 0x0D && value == 0x0A) else {
                return false
            }
            previous = value
        }
        return true
    }

    /// Whether every Unicode version's extended grapheme rules break between `left` and `right`: `right` is
    /// below U+0300 or a CJK ideograph (Grapheme_Cluster_Break Other/Control, never Extend, never pictographic
    /// after ZWJ), `left` is not a Prepend character or ZWJ, and the pair is not CR LF.
    @inline(__always)
    static func certainBoundary(_ left: UInt32, _ right: UInt32) -> Bool {
        if left < 0x80 && right < 0x80 { return !(left == 0x0D && right == 0x0A) }
        guard right < 0x300 || (0x3400 ... 0x4DBF).contains(right) || (0x4E00 ... 0x9FFF).contains(right) else {
            return false
        }
        return left != 0x200D && !isPrepend(left) && !(left == 0x0D && right == 0x0A)
    }

    /// Grapheme_Cluster_Break=Prepend (Unicode 15.1), which binds to the character after it.
    private static func isPrepend(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x0600 ... 0x0605, 0x06DD, 0x070F, 0x0890 ... 0x0891, 0x08E2, 0x0D4E, 0x110BD, 0x110CD,
             0x111C2 ... 0x111C3, 0x1193F, 0x11941, 0x11A3A, 0x11A84 ... 0x11A89, 0x11D46, 0x11F02:
            return true
        default:
            return false
        }
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
