/// The output of tokenisation (HF `Encoding`): parallel arrays, one element per token, plus overflow windows.
///
/// `offsets` are `[start, end)` ranges into the ORIGINAL input measured in Unicode code points (scalars), which
/// is what Python's `tokenizers` and `transformers` report (`len(str)` units). Special and padding tokens
/// have the empty range `0..<0`. For a pair the second sequence's offsets index into the second string.
public struct Encoding: Sendable, Equatable {
    /// Vocabulary ids (`input_ids`).
    public var ids: [Int]
    /// Segment ids (`token_type_ids`).
    public var typeIds: [Int]
    /// Token strings.
    public var tokens: [String]
    /// Index of the pre-tokenised word each token comes from; `nil` for special and padding tokens.
    public var wordIds: [Int?]
    /// Original code-point range of each token.
    public var offsets: [Range<Int>]
    /// 1 for tokens added by the post-processor or padding, 0 otherwise.
    public var specialTokensMask: [Int]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int]
    /// 0 for tokens of the first sequence, 1 for the second, `nil` for special and padding tokens
    /// (HF `Encoding.sequence_ids`, which question answering uses to find the context).
    public var sequenceIds: [Int?]
    /// Further windows produced by truncation with overflow (HF `Encoding.overflowing`).
    public var overflowing: [Encoding]

    /// An empty encoding.
    public init() {
        ids = []; typeIds = []; tokens = []; wordIds = []; offsets = []
        specialTokensMask = []; attentionMask = []; sequenceIds = []; overflowing = []
    }

    /// An encoding from parallel arrays (all of the same length); `sequenceIds` defaults to all `nil`.
    public init(ids: [Int], typeIds: [Int], tokens: [String], wordIds: [Int?], offsets: [Range<Int>],
                specialTokensMask: [Int], attentionMask: [Int], sequenceIds: [Int?]? = nil, overflowing: [Encoding] = []) {
        self.ids = ids; self.typeIds = typeIds; self.tokens = tokens; self.wordIds = wordIds
        self.offsets = offsets; self.specialTokensMask = specialTokensMask; self.attentionMask = attentionMask
        self.sequenceIds = sequenceIds ?? Array(repeating: nil, count: ids.count)
        self.overflowing = overflowing
    }

    /// Number of tokens.
    public var count: Int { ids.count }

    mutating func reserve(_ n: Int) {
        ids.reserveCapacity(n); typeIds.reserveCapacity(n); tokens.reserveCapacity(n); wordIds.reserveCapacity(n)
        offsets.reserveCapacity(n); specialTokensMask.reserveCapacity(n); attentionMask.reserveCapacity(n)
        sequenceIds.reserveCapacity(n)
    }

    mutating func append(id: Int, typeId: Int, token: String, wordId: Int?, offsets range: Range<Int>, special: Int) {
        ids.append(id); typeIds.append(typeId); tokens.append(token); wordIds.append(wordId)
        offsets.append(range); specialTokensMask.append(special); attentionMask.append(1); sequenceIds.append(nil)
    }

    /// Tokens `range` of this encoding, without overflow windows.
    func slice(_ range: Range<Int>) -> Encoding {
        Encoding(ids: Array(ids[range]), typeIds: Array(typeIds[range]), tokens: Array(tokens[range]),
                 wordIds: Array(wordIds[range]), offsets: Array(offsets[range]),
                 specialTokensMask: Array(specialTokensMask[range]), attentionMask: Array(attentionMask[range]),
                 sequenceIds: Array(sequenceIds[range]))
    }

    /// Marks every token, in this encoding and its overflow windows, as belonging to sequence `id`.
    mutating func setSequenceId(_ id: Int) {
        sequenceIds = [Int?](repeating: id, count: ids.count)
        for i in overflowing.indices { overflowing[i].setSequenceId(id) }
    }

    /// Sets every type id to `typeId` (overflow windows keep theirs, as in HF).
    mutating func setTypeIds(_ typeId: Int) { typeIds = [Int](repeating: typeId, count: ids.count) }

    /// HF `Encoding::truncate`: keep the first window of `maxLength` tokens and move the rest into overflow
    /// windows that step by `maxLength - stride`.
    mutating func truncate(maxLength: Int, stride: Int, direction: TruncationDirection) {
        let n = ids.count
        if maxLength >= n { return }
        if maxLength == 0 {
            let whole = self
            self = Encoding()
            overflowing = [whole]
            return
        }
        precondition(stride < maxLength, "stride must be below the window length; Tokenizer validates this")
        let step = maxLength - stride
        var parts: [Range<Int>] = []
        switch direction {
        case .right:
            var start = 0
            while start < n {
                let stop = min(start + maxLength, n)
                parts.append(start..<stop)
                if stop == n { break }
                start += step
            }
        case .left:
            var stop = n
            while stop > 0 {
                let start = max(0, stop - maxLength)
                parts.append(start..<stop)
                if start == 0 { break }
                stop -= step
            }
        }
        var first = slice(parts[0])
        first.overflowing = parts.dropFirst().map { slice($0) }
        self = first
    }

    /// HF `Encoding::merge_with` (offsets not shifted): appends `other`, combining overflow windows the way
    /// HF does (each of ours with `other` and each of its windows, then ourselves with each of its windows).
    mutating func merge(with other: Encoding) {
        var combined: [Encoding] = []
        for mine in overflowing {
            var a = mine
            a.merge(with: other)
            combined.append(a)
            for theirs in other.overflowing {
                var b = mine
                b.merge(with: theirs)
                combined.append(b)
            }
        }
        for theirs in other.overflowing {
            var c = self
            c.merge(with: theirs)
            combined.append(c)
        }
        ids += other.ids; typeIds += other.typeIds; tokens += other.tokens; wordIds += other.wordIds
        offsets += other.offsets; specialTokensMask += other.specialTokensMask; attentionMask += other.attentionMask
        sequenceIds += other.sequenceIds
        overflowing = combined
    }

    /// Appends special tokens here and to every overflow window: what `merge(with:)` does for an encoding
    /// without windows of its own, minus the temporary arrays.
    mutating func appendSpecial(ids newIds: [Int], tokens newTokens: [String], typeId: Int) {
        for i in overflowing.indices { overflowing[i].appendSpecial(ids: newIds, tokens: newTokens, typeId: typeId) }
        for (id, token) in zip(newIds, newTokens) {
            ids.append(id); typeIds.append(typeId); tokens.append(token); wordIds.append(nil)
            offsets.append(0..<0); specialTokensMask.append(1); attentionMask.append(1); sequenceIds.append(nil)
        }
    }

    /// HF `Encoding::pad`: pads overflow windows too, then this one, up to `length`.
    mutating func pad(to length: Int, id: Int, typeId: Int, token: String, direction: PaddingDirection) {
        for i in overflowing.indices { overflowing[i].pad(to: length, id: id, typeId: typeId, token: token, direction: direction) }
        let extra = length - ids.count
        if extra <= 0 { return }
        switch direction {
        case .right:
            ids += repeatElement(id, count: extra)
            typeIds += repeatElement(typeId, count: extra)
            tokens += repeatElement(token, count: extra)
            wordIds += repeatElement(nil, count: extra)
            offsets += repeatElement(0..<0, count: extra)
            specialTokensMask += repeatElement(1, count: extra)
            attentionMask += repeatElement(0, count: extra)
            sequenceIds += repeatElement(nil, count: extra)
        case .left:
            ids.insert(contentsOf: repeatElement(id, count: extra), at: 0)
            typeIds.insert(contentsOf: repeatElement(typeId, count: extra), at: 0)
            tokens.insert(contentsOf: repeatElement(token, count: extra), at: 0)
            wordIds.insert(contentsOf: repeatElement(nil, count: extra), at: 0)
            offsets.insert(contentsOf: repeatElement(0..<0, count: extra), at: 0)
            specialTokensMask.insert(contentsOf: repeatElement(1, count: extra), at: 0)
            attentionMask.insert(contentsOf: repeatElement(0, count: extra), at: 0)
            sequenceIds.insert(contentsOf: repeatElement(nil, count: extra), at: 0)
        }
    }
}
