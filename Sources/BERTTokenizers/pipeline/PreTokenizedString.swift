/// Text cut into splits, each tokenised on its own by the model (HF `PreTokenizedString`).
///
/// The crate gives every split its own `NormalizedString`; here all splits live in one arena, `text`, and a
/// split is a range of it, so cutting a split is free. A pre-tokeniser that rewrites a split (ByteLevel maps
/// bytes to characters, Metaspace turns spaces into ▁) appends the rewritten text to the arena and points the
/// split at it. Alignments are absolute, so offsets need no per-split shift.
package struct PreTokenizedString: Sendable {
    /// One split: a range of `text`, and the tokens already assigned to it (an added token), if any.
    package struct Split: Sendable, Equatable {
        /// Positions in `PreTokenizedString.text`.
        package var range: Range<Int>
        /// Tokens assigned before the model runs; splits that have them are left alone by pre-tokenisers.
        package var tokens: [ModelToken]?
    }

    /// Every split's code points and alignments (and older, superseded versions of rewritten splits).
    package internal(set) var text: NormalizedString
    /// The splits in order.
    package internal(set) var splits: [Split]

    /// An empty string with room for `capacity` code points.
    init(capacity: Int = 0) {
        text = NormalizedString(capacity: capacity)
        splits = []
    }

    /// One split holding all of `text` (HF `PreTokenizedString::from(NormalizedString)`), as the
    /// per-component tests and `Tokenizer.preTokenize` use it.
    package init(_ text: NormalizedString) {
        self.text = text
        splits = text.count > 0 ? [Split(range: 0..<text.count, tokens: nil)] : []
    }

    /// Appends `piece[range]` as a split (with `tokens` positioned relative to `range.lowerBound`, if given).
    mutating func appendSplit(_ piece: NormalizedString, range: Range<Int>, tokenId: Int? = nil) {
        guard !range.isEmpty else { return }
        let start: Int
        if text.count == 0 && range == 0..<piece.count {
            text = piece  // the common case: the whole input is one piece, shared rather than copied
            start = 0
        } else {
            start = text.count
            text.append(contentsOf: piece, range: range)
        }
        let own = start..<(start + range.count)
        splits.append(Split(range: own, tokens: tokenId.map { [ModelToken(id: $0, range: own)] }))
    }

    /// HF `PreTokenizedString::split` for pre-tokenisers that only cut: `body` appends the pieces of each
    /// untokenised split (ranges of `text` inside the split, in order); empty pieces are dropped.
    package mutating func split(_ body: (NormalizedString, Range<Int>, inout [Range<Int>]) -> Void) {
        var out: [Split] = []
        out.reserveCapacity(splits.count * 4)
        var pieces: [Range<Int>] = []
        for split in splits {
            if split.tokens != nil {
                out.append(split)
                continue
            }
            pieces.removeAll(keepingCapacity: true)
            body(text, split.range, &pieces)
            for piece in pieces where !piece.isEmpty { out.append(Split(range: piece, tokens: nil)) }
        }
        splits = out
    }

    /// Splits every untokenised split at the matches of a pattern, keeping delimiters as `behavior` says.
    package mutating func split(behavior: SplitDelimiterBehavior,
                                _ find: (NormalizedString, Range<Int>) -> [PatternMatch]) {
        split { text, range, pieces in behavior.pieces(find(text, range), into: &pieces) }
    }

    /// Rewrites every untokenised split with `body` (any `NormalizedString` edit); the result replaces it.
    /// A split that becomes empty disappears.
    package mutating func transformSplits(_ body: (inout NormalizedString) -> Void) {
        var out: [Split] = []
        out.reserveCapacity(splits.count)
        for split in splits {
            if split.tokens != nil {
                out.append(split)
                continue
            }
            var piece = text.slice(split.range)
            body(&piece)
            guard piece.count > 0 else { continue }
            let start = text.count
            text.append(contentsOf: piece, range: 0..<piece.count)
            out.append(Split(range: start..<text.count, tokens: nil))
        }
        splits = out
    }

    /// Rewrites every untokenised split code point by code point: `body` gives each code point's replacement
    /// (empty removes it), every piece aligned to its source, as HF's `for_each` + `transform` align them. Written straight
    /// into the arena, without a string per split (ByteLevel's byte-to-character map runs on every word).
    package mutating func expandSplits(_ body: (UInt32, inout [UInt32]) -> Void) {
        var piece: [UInt32] = []
        piece.reserveCapacity(4)
        for k in splits.indices where splits[k].tokens == nil {
            let start = text.count
            for i in splits[k].range {
                let (cp, from, to) = (text.scalars[i], text.starts[i], text.ends[i])
                piece.removeAll(keepingCapacity: true)
                body(cp, &piece)
                for c in piece { text.append(c, start: from, end: to) }
            }
            splits[k].range = start..<text.count
        }
        splits.removeAll { $0.range.isEmpty }
    }

    /// Each split's text and original code-point offsets (HF `get_splits(OffsetReferential::Original)`), as
    /// Python's `pre_tokenize_str` reports them.
    package var splitsWithOffsets: [(text: String, offsets: Range<Int>)] {
        splits.map { (String(decodingScalars: text.scalars[$0.range]), text.originalOffsets($0.range)) }
    }
}
