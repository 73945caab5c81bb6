import Foundation

// A small, documented rule-based splitter; pre-split text (sentence per line) is better when you have it.

/// Splits a paragraph into sentences. A boundary is `.`, `!` or `?` (optionally followed by closing quotes or
/// brackets), then whitespace, then an uppercase letter or an opening quote or bracket followed by a letter.
/// A `.` is not a boundary when the word it ends is a known abbreviation (`Mr.`, `Dr.`, `e.g.`, …), a single
/// letter (an initial, `J. Smith`), or contains an inner dot (`U.S.`).
package struct SentenceSplitter: Sendable {
    /// Lowercased abbreviations (without the final dot) after which a `.` does not end a sentence.
    package var abbreviations: Set<String>

    /// Common English titles, Latin abbreviations, months and units.
    package static let englishAbbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "rev", "hon", "gen", "col", "capt", "lt", "sgt",
        "gov", "sen", "rep", "pres", "messrs", "mme", "mlle", "esq", "vs", "etc", "cf", "viz", "al", "approx",
        "no", "nos", "vol", "vols", "fig", "figs", "ed", "eds", "ch", "sec", "p", "pp", "inc", "ltd", "co", "corp",
        "dept", "univ", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "e.g", "i.e", "a.m", "p.m", "u.s", "u.k", "ph.d",
    ]

    /// A splitter with `abbreviations` (English by default).
    package init(abbreviations: Set<String> = SentenceSplitter.englishAbbreviations) {
        self.abbreviations = abbreviations
    }

    private static let closers: Set<Character> = ["\"", "'", "”", "’", ")", "]", "»"]
    private static let openers: Set<Character> = ["\"", "'", "“", "‘", "(", "[", "«"]

    /// The sentences of `paragraph`, whitespace-trimmed, none empty.
    package func split(_ paragraph: String) -> [String] {
        let chars = Array(paragraph)
        var sentences: [String] = []
        var start = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "." || c == "!" || c == "?" else { i += 1; continue }
            var end = i + 1  // one past the punctuation and any closers
            while end < chars.count, chars[end] == "." || chars[end] == "!" || chars[end] == "?" { end += 1 }
            while end < chars.count, Self.closers.contains(chars[end]) { end += 1 }
            var next = end
            while next < chars.count, chars[next].isWhitespace { next += 1 }
            let boundary = next > end && next < chars.count && startsSentence(chars, at: next)
                && !(c == "." && isAbbreviation(chars, dotAt: i, from: start))
            if boundary {
                append(chars[start..<end], to: &sentences)
                start = next
            }
            i = max(end, i + 1)
        }
        append(chars[start..<chars.count], to: &sentences)
        return sentences
    }

    private func startsSentence(_ chars: [Character], at index: Int) -> Bool {
        var k = index
        while k < chars.count, Self.openers.contains(chars[k]) { k += 1 }
        guard k < chars.count else { return false }
        return chars[k].isUppercase || (k > index && chars[k].isLetter)
    }

    private func isAbbreviation(_ chars: [Character], dotAt dot: Int, from start: Int) -> Bool {
        var k = dot
        while k > start, !chars[k - 1].isWhitespace, !Self.openers.contains(chars[k - 1]) { k -= 1 }
        let word = String(chars[k..<dot]).lowercased()
        if word.isEmpty { return false }
        if word.count == 1, word.first!.isLetter { return true }
        if word.contains("."), word.allSatisfy({ $0.isLetter || $0 == "." }) { return true }
        return abbreviations.contains(word)
    }

    private func append(_ slice: ArraySlice<Character>, to sentences: inout [String]) {
        let sentence = String(slice).trimmingCharacters(in: .whitespacesAndNewlines)
        if !sentence.isEmpty { sentences.append(sentence) }
    }
}
