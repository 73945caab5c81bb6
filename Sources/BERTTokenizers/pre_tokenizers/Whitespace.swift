import BERTJSON

/// Hugging Face `Whitespace`: keeps the matches of `\w+|[^\w\s]+` (word runs and runs of other non-space
/// characters) and drops the whitespace between them. The crate runs it with Rust's `regex`, whose `\w` is
/// Alphabetic, marks, decimal digits, connector punctuation and the join controls (unlike Oniguruma's).
package struct Whitespace: PreTokenizer, Equatable {
    /// Creates the pre-tokeniser (it has no options).
    package init() {}

    /// Cuts every split into word runs and symbol runs.
    package func preTokenize(_ text: inout PreTokenizedString) {
        let isWord = AddedTokenMatcher.isWordCharacter, isSpace = AddedTokenMatcher.isWhitespace
        text.split { n, range, pieces in
            var i = range.lowerBound
            while i < range.upperBound {
                let word = isWord(n.scalars[i])
                if !word && isSpace(n.scalars[i]) { i += 1; continue }
                var j = i + 1
                while j < range.upperBound {
                    let c = n.scalars[j]
                    if word ? !isWord(c) : (isWord(c) || isSpace(c)) { break }
                    j += 1
                }
                pieces.append(i..<j)
                i = j
            }
        }
    }
}

extension Whitespace: JSONLoadable {
    /// Reads `{"type": "Whitespace"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init() }
}

/// Hugging Face `WhitespaceSplit`: splits on whitespace (Rust `char::is_whitespace`), dropping it.
package struct WhitespaceSplit: PreTokenizer, Equatable {
    /// Creates the pre-tokeniser (it has no options).
    package init() {}

    /// Cuts every split at whitespace.
    package func preTokenize(_ text: inout PreTokenizedString) {
        let flags = BertCharacterClasses.shared.flags
        text.split(behavior: .removed) { n, range in
            SplitPattern.matches(in: n, range: range) { $0 < 0x110000 && flags[Int($0)] & BertCharacterClasses.splitSpace != 0 }
        }
    }
}

extension WhitespaceSplit: JSONLoadable {
    /// Reads `{"type": "WhitespaceSplit"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init() }
}
