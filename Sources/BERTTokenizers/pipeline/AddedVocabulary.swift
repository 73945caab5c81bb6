/// A token added on top of the model vocabulary (HF `AddedToken`), such as `[MASK]`, matched whole in text.
public struct AddedToken: Sendable, Equatable {
    /// The token text.
    public var content: String
    /// Its id.
    public var id: Int
    /// Special tokens are skipped by `decode(skipSpecialTokens: true)`.
    public var special: Bool
    /// Only match when not preceded or followed by a word character.
    public var singleWord: Bool
    /// Absorb whitespace on the left into the match.
    public var lstrip: Bool
    /// Absorb whitespace on the right into the match.
    public var rstrip: Bool
    /// Match against normalised text (content normalised too) rather than the original.
    public var normalized: Bool

    /// Creates an added token; HF's defaults for special tokens are `normalized: false`.
    public init(content: String, id: Int, special: Bool = true, singleWord: Bool = false, lstrip: Bool = false,
                rstrip: Bool = false, normalized: Bool = false) {
        self.content = content; self.id = id; self.special = special; self.singleWord = singleWord
        self.lstrip = lstrip; self.rstrip = rstrip; self.normalized = normalized
    }
}

/// One piece of a split: either plain text to normalise and tokenise, or an added token already matched.
struct AddedSplit {
    /// Code-point range in the text that was searched.
    var range: Range<Int>
    /// The matched token's id, or nil for plain text.
    var tokenId: Int?
}

/// HF `AddedVocabulary`: finds added tokens in text with leftmost-longest matching, honouring
/// `single_word`, `lstrip` and `rstrip`.
struct AddedTokenMatcher: Sendable {
    /// Patterns grouped by first code point, longest first.
    private var byFirst: [UInt32: [(pattern: [UInt32], token: AddedToken)]] = [:]
    /// `true` at `cp` when some pattern starts with the Latin-1 code point `cp`; spares a hash per character.
    private var latin1Starts = [Bool](repeating: false, count: 256)

    var isEmpty: Bool { byFirst.isEmpty }

    init(_ tokens: [(pattern: [UInt32], token: AddedToken)]) {
        for entry in tokens where !entry.pattern.isEmpty {
            byFirst[entry.pattern[0], default: []].append(entry)
        }
        for key in byFirst.keys { byFirst[key]!.sort { $0.pattern.count > $1.pattern.count } }
        for key in byFirst.keys where key < 256 { latin1Starts[Int(key)] = true }
    }

    /// Leftmost-longest match starting at or after `from`.
    private func nextMatch(_ s: [UInt32], from: Int, end: Int) -> (Range<Int>, AddedToken)? {
        var i = from
        while i < end {
            let c = s[i]
            if c < 256 && !latin1Starts[Int(c)] { i += 1; continue }
            if let candidates = byFirst[c] {
                for (pattern, token) in candidates where i + pattern.count <= end {
                    var ok = true
                    for k in 1..<pattern.count where s[i + k] != pattern[k] { ok = false; break }
                    if ok { return (i..<(i + pattern.count), token) }
                }
            }
            i += 1
        }
        return nil
    }

    /// HF `find_matches` over `s[range]`: alternating text and token pieces covering the range.
    func split(_ s: [UInt32], range: Range<Int>) -> [AddedSplit] {
        if isEmpty || range.isEmpty { return [AddedSplit(range: range, tokenId: nil)] }
        var out: [AddedSplit] = []
        var consumed = range.lowerBound
        var searchFrom = range.lowerBound
        while let (match, token) = nextMatch(s, from: searchFrom, end: range.upperBound) {
            searchFrom = match.upperBound
            var start = match.lowerBound, stop = match.upperBound
            if token.singleWord {
                let wordBefore = start > range.lowerBound && Self.isWordCharacter(s[start - 1])
                let wordAfter = stop < range.upperBound && Self.isWordCharacter(s[stop])
                if wordBefore || wordAfter { continue }
            }
            if token.lstrip {
                var newStart = start
                while newStart > range.lowerBound && Self.isWhitespace(s[newStart - 1]) { newStart -= 1 }
                start = max(newStart, consumed)
            }
            if token.rstrip {
                while stop < range.upperBound && Self.isWhitespace(s[stop]) { stop += 1 }
            }
            if consumed < start { out.append(AddedSplit(range: consumed..<start, tokenId: nil)) }
            out.append(AddedSplit(range: start..<stop, tokenId: token.id))
            consumed = stop
        }
        if consumed < range.upperBound { out.append(AddedSplit(range: consumed..<range.upperBound, tokenId: nil)) }
        return out
    }

    /// Rust regex `\s` (Unicode White_Space, the same set as `char::is_whitespace`).
    static func isWhitespace(_ cp: UInt32) -> Bool { NormalizedString.isWhitespace(cp) }

    /// Rust regex `\w`: Alphabetic, marks, decimal digits, connector punctuation, join controls.
    static func isWordCharacter(_ cp: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(cp) else { return false }
        let p = scalar.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
