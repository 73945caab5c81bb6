/// The edits normalisers and pre-tokenisers make, each keeping alignments exactly as the crate's
/// `NormalizedString` methods of the same names do.
extension NormalizedString {
    /// HF `NormalizedString::transform`: rebuilds the string from `(code point, change)` pairs. A change `<= 0`
    /// consumes the next current code point plus `-change` more (removed), and takes the first one's alignment;
    /// a change `> 0` inserts a code point that takes the alignment of the code point before it (or the empty
    /// range at `originalStart` when nothing precedes it). `initialOffset` code points are removed first.
    mutating func transform(_ changes: some Sequence<(UInt32, Int)>, initialOffset: Int = 0) {
        var out = NormalizedString(capacity: count, originalStart: Int(originalStart))
        var offset = initialOffset
        for (cp, change) in changes {
            if change > 0 {
                if offset > 0 {
                    out.append(cp, alignedAs: offset - 1, in: self)
                } else {
                    out.append(cp, start: originalStart, end: originalStart)
                }
            } else {
                out.append(cp, alignedAs: offset, in: self)
                offset += 1 - change
            }
        }
        self = out
    }

    /// HF `map`: replaces each code point by one other, alignments unchanged.
    mutating func map(_ body: (UInt32) -> UInt32) {
        for i in scalars.indices { scalars[i] = body(scalars[i]) }
    }

    /// HF `filter`: drops the code points `keep` rejects; the others keep their alignments.
    mutating func filter(_ keep: (UInt32) -> Bool) {
        var out = NormalizedString(capacity: count, originalStart: Int(originalStart))
        for i in scalars.indices where keep(scalars[i]) { out.append(scalars[i], alignedAs: i, in: self) }
        self = out
    }

    /// HF `lowercase`: Rust `char::to_lowercase` (full mapping, no context), expansions aligned to their source.
    /// One-to-one mappings (all but U+0130's) change the scalars in place; the alignments stay as they are.
    mutating func lowercase() {
        let classes = BertCharacterClasses.shared
        var i = 0
        while i < scalars.count {
            let cp = scalars[i]
            if cp < 0x80 {
                if cp &- 0x41 < 26 { scalars[i] = cp + 0x20 }
            } else if classes.flags[Int(min(cp, 0x10FFFF))] & BertCharacterClasses.lowers != 0, let low = classes.lowerMap[cp] {
                guard low.count == 1 else { break }
                scalars[i] = low[0]
            }
            i += 1
        }
        guard i < scalars.count else { return }
        // An expansion at `i`: rebuild from there (the part before it is already lowercase and aligned).
        var out = NormalizedString(capacity: count + 4, originalStart: Int(originalStart))
        out.append(contentsOf: self, range: 0..<i)
        for j in i..<count {
            let cp = scalars[j]
            if cp < 0x110000 && classes.flags[Int(cp)] & BertCharacterClasses.lowers != 0, let low = classes.lowerMap[cp] {
                for l in low { out.append(l, alignedAs: j, in: self) }
            } else {
                out.append(cp, alignedAs: j, in: self)
            }
        }
        self = out
    }

    /// HF `prepend`: `text` goes before the first code point and shares its alignment (nothing happens to an
    /// empty string).
    mutating func prepend(_ text: [UInt32]) {
        guard !scalars.isEmpty, !text.isEmpty else { return }
        var out = NormalizedString(capacity: count + text.count, originalStart: Int(originalStart))
        for cp in text { out.append(cp, alignedAs: 0, in: self) }
        out.append(contentsOf: self, range: 0..<count)
        self = out
    }

    /// HF `append`: `text` goes after the last code point and shares its alignment.
    mutating func append(_ text: [UInt32]) {
        guard let last = scalars.indices.last else { return }
        let (start, end) = (starts[last], ends[last])
        for cp in text { append(cp, start: start, end: end) }
    }

    /// HF `lstrip`/`rstrip`: removes leading and/or trailing whitespace (Rust `char::is_whitespace`).
    mutating func strip(left: Bool, right: Bool) {
        var lo = 0, hi = count
        if left { while lo < hi && Self.isWhitespace(scalars[lo]) { lo += 1 } }
        if right { while hi > lo && Self.isWhitespace(scalars[hi - 1]) { hi -= 1 } }
        guard lo > 0 || hi < count else { return }
        var out = NormalizedString(capacity: hi - lo, originalStart: Int(originalStart))
        out.append(contentsOf: self, range: lo..<hi)
        self = out
    }

    /// HF `replace`: every match of `pattern` becomes `content`. The crate inserts `content` after removing the
    /// match (`transform_range` with the match as `initial_offset`), so every replacement code point takes the
    /// alignment of the match's LAST code point (of the code point before an empty match; `originalStart` at 0).
    mutating func replace(_ pattern: SplitPattern, with content: [UInt32]) {
        let matches = pattern.matches(in: self, range: 0..<count)
        guard matches.contains(where: \.isMatch) else { return }
        var out = NormalizedString(capacity: count, originalStart: Int(originalStart))
        for piece in matches {
            guard piece.isMatch else {
                out.append(contentsOf: self, range: piece.range)
                continue
            }
            let anchor = piece.range.upperBound - 1
            for cp in content {
                if anchor >= 0 {
                    out.append(cp, alignedAs: anchor, in: self)
                } else {
                    out.append(cp, start: originalStart, end: originalStart)
                }
            }
        }
        self = out
    }

    /// Rust `char::is_whitespace` (Unicode White_Space), from the table probed from the crate.
    static func isWhitespace(_ cp: UInt32) -> Bool {
        cp < 0x110000 && BertCharacterClasses.shared.flags[Int(cp)] & BertCharacterClasses.splitSpace != 0
    }
}
