import BERTJSON
import Foundation

/// One piece of a pattern search: a match of the pattern, or the text between two matches.
package struct PatternMatch: Sendable, Equatable {
    /// Positions in the searched string.
    package var range: Range<Int>
    /// Whether `range` is a match (true) or a gap between matches (false).
    package var isMatch: Bool
}

/// What a split does with the delimiters it finds (HF `SplitDelimiterBehavior`, spelled as in tokenizer.json).
package enum SplitDelimiterBehavior: String, Sendable, CaseIterable {
    /// Drop the delimiter.
    case removed = "Removed"
    /// The delimiter becomes a piece of its own.
    case isolated = "Isolated"
    /// The delimiter ends the piece before it.
    case mergedWithPrevious = "MergedWithPrevious"
    /// The delimiter starts the piece after it.
    case mergedWithNext = "MergedWithNext"
    /// Consecutive delimiters form one piece.
    case contiguous = "Contiguous"

    /// The pieces HF `NormalizedString::split` keeps for `matches` (which cover the searched range in order);
    /// empty pieces are included, the caller drops them as `PreTokenizedString::split` does.
    package func pieces(_ matches: [PatternMatch], into out: inout [Range<Int>]) {
        switch self {
        case .removed:
            for m in matches where !m.isMatch { out.append(m.range) }
        case .isolated:
            for m in matches { out.append(m.range) }
        case .contiguous, .mergedWithPrevious:
            let first = out.count
            var previousMatch = false
            for m in matches {
                let merge = self == .contiguous ? m.isMatch == previousMatch : (m.isMatch && !previousMatch)
                if merge && out.count > first {
                    out[out.count - 1] = out[out.count - 1].lowerBound..<m.range.upperBound
                } else {
                    out.append(m.range)
                }
                previousMatch = m.isMatch
            }
        case .mergedWithNext:
            var reversed: [Range<Int>] = []
            var previousMatch = false
            for m in matches.reversed() {
                if m.isMatch && !previousMatch, let last = reversed.indices.last {
                    reversed[last] = m.range.lowerBound..<reversed[last].upperBound
                } else {
                    reversed.append(m.range)
                }
                previousMatch = m.isMatch
            }
            out.append(contentsOf: reversed.reversed())
        }
    }
}

/// A compiled regular expression of tokenizer.json (`{"Regex": "..."}`), run with Foundation's ICU engine,
/// which agrees with the crate's Oniguruma on the syntax tokenizer files use.
package final class RegexPattern: @unchecked Sendable {
    /// The pattern as written in the file.
    package let source: String
    // NSRegularExpression is immutable after creation and documented thread-safe.
    private let regex: NSRegularExpression

    /// Compiles `source`; `key` names it in the error.
    package init(_ source: String, path: String, key: String) throws {
        self.source = source
        do { regex = try NSRegularExpression(pattern: Self.oniguruma(source)) } catch {
            throw TokenizerError.invalidRegex(path: path, key: key, pattern: source, reason: "\(error.localizedDescription)")
        }
    }

    /// `source` with Oniguruma's `\w`/`\W` (Letter, Mark, Number, Connector_Punctuation, as probed from the
    /// crate) spelled out, since ICU's `\w` takes the join controls and only decimal numbers.
    static func oniguruma(_ source: String) -> String {
        let word = #"\p{L}\p{M}\p{N}\p{Pc}"#
        var out = ""
        var inClass = 0
        var chars = source.makeIterator()
        while let c = chars.next() {
            if c == "\\", let next = chars.next() {
                switch (next, inClass > 0) {
                case ("w", false): out += "[\(word)]"
                case ("w", true): out += word
                case ("W", false): out += "[^\(word)]"
                default: out.append(c); out.append(next)
                }
                continue
            }
            if c == "[" { inClass += 1 } else if c == "]" && inClass > 0 { inClass -= 1 }
            out.append(c)
        }
        return out
    }

    /// The matches in `scalars[range]`, as code-point ranges (Rust `find_iter`).
    package func matchRanges(_ scalars: [UInt32], range: Range<Int>) -> [Range<Int>] {
        var utf16 = String.UnicodeScalarView()
        // code point index of every UTF-16 unit boundary
        var unitToScalar: [Int] = []
        unitToScalar.reserveCapacity(range.count + 1)
        for i in range {
            let scalar = Unicode.Scalar(scalars[i]) ?? "\u{FFFD}"
            utf16.append(scalar)
            unitToScalar.append(i)
            if scalar.value > 0xFFFF { unitToScalar.append(i) }
        }
        unitToScalar.append(range.upperBound)
        let string = String(utf16)
        let ns = string as NSString
        return regex.matches(in: string, range: NSRange(location: 0, length: ns.length)).map {
            unitToScalar[$0.range.location] ..< unitToScalar[$0.range.location + $0.range.length]
        }
    }
}

/// A pattern that splits or replaces text (HF `SplitPattern` / `ReplacePattern`: `{"String": s}` or `{"Regex": r}`).
package enum SplitPattern: Sendable {
    /// Literal occurrences of these code points (an empty string matches nothing).
    case string([UInt32])
    /// Matches of a regular expression.
    case regex(RegexPattern)

    /// Reads `{"String": ...}` or `{"Regex": ...}` at `key` of `json`.
    package static func read(_ json: JSONFieldReader, key: String) throws -> SplitPattern {
        let object = try json.required(json.object(key), key)
        if let s = try object.string("String") { return .string(s.unicodeScalars.map(\.value)) }
        if let r = try object.string("Regex") { return .regex(try RegexPattern(r, path: json.file, key: object.keyPath("Regex"))) }
        throw TokenizerError.malformedJSON(path: json.file, reason: "\(json.keyPath(key)) must be {\"String\": ...} or {\"Regex\": ...}")
    }

    /// HF `Pattern::find_matches` over `text.scalars[range]`: matches and the gaps between them, covering the
    /// range in order (an empty range gives one empty gap).
    package func matches(in text: NormalizedString, range: Range<Int>) -> [PatternMatch] {
        let found: [Range<Int>]
        switch self {
        case .string(let needle):
            guard !needle.isEmpty else { return [PatternMatch(range: range, isMatch: false)] }
            var hits: [Range<Int>] = []
            var i = range.lowerBound
            let s = text.scalars
            while i + needle.count <= range.upperBound {
                if s[i] == needle[0] && s[i..<(i + needle.count)].elementsEqual(needle) {
                    hits.append(i..<(i + needle.count))
                    i += needle.count
                } else {
                    i += 1
                }
            }
            found = hits
        case .regex(let regex):
            found = regex.matchRanges(text.scalars, range: range)
        }
        return Self.cover(range, with: found)
    }

    /// Matches of single code points that satisfy `predicate` (HF's `Fn(char) -> bool` pattern), one per
    /// code point, with the gaps between them.
    package static func matches(in text: NormalizedString, range: Range<Int>, where predicate: (UInt32) -> Bool) -> [PatternMatch] {
        var out: [PatternMatch] = []
        var last = range.lowerBound
        for i in range where predicate(text.scalars[i]) {
            if last < i { out.append(PatternMatch(range: last..<i, isMatch: false)) }
            out.append(PatternMatch(range: i..<(i + 1), isMatch: true))
            last = i + 1
        }
        if last < range.upperBound || out.isEmpty { out.append(PatternMatch(range: last..<range.upperBound, isMatch: false)) }
        return out
    }

    /// Matches `found` (ordered, within `range`) and the gaps between them.
    static func cover(_ range: Range<Int>, with found: [Range<Int>]) -> [PatternMatch] {
        if range.isEmpty { return [PatternMatch(range: range, isMatch: false)] }
        var out: [PatternMatch] = []
        var previous = range.lowerBound
        for m in found {
            if previous != m.lowerBound { out.append(PatternMatch(range: previous..<m.lowerBound, isMatch: false)) }
            out.append(PatternMatch(range: m, isMatch: true))
            previous = m.upperBound
        }
        if previous != range.upperBound { out.append(PatternMatch(range: previous..<range.upperBound, isMatch: false)) }
        return out
    }
}

extension [PatternMatch] {
    /// HF `Invert`: matches become gaps and gaps matches.
    package func inverted() -> [PatternMatch] { map { PatternMatch(range: $0.range, isMatch: !$0.isMatch) } }
}
